package proxyproto

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/netip"
)

// The v2 checks, one error each (§2.2).
var (
	errV2Version   = fail(ErrUnsupported, "v2: version is not 2")
	errV2Command   = fail(ErrUnsupported, "v2: command is neither LOCAL nor PROXY")
	errV2Family    = fail(ErrUnsupported, "v2: undefined address family or transport protocol")
	errV2TooLong   = fail(ErrTooLong, "v2: header longer than the limit")
	errV2Short     = fail(ErrMalformed, "v2: length shorter than the family's addresses")
	errTLVOverrun  = fail(ErrMalformed, "v2: TLV overruns the header")
	errTLVRepeated = fail(ErrMalformed, "v2: registered TLV type given twice")
	errCRCLength   = fail(ErrMalformed, "v2: CRC32C TLV is not 4 bytes")
	errAuthority   = fail(ErrMalformed, "v2: AUTHORITY TLV longer than 255 bytes")
	errUniqueID    = fail(ErrMalformed, "v2: UNIQUE_ID TLV longer than 128 bytes")
	errSSLShort    = fail(ErrMalformed, "v2: SSL TLV shorter than its 5 fixed bytes")
	errSSLOverrun  = fail(ErrMalformed, "v2: SSL sub-TLV overruns the SSL TLV")
	errSSLRepeated = fail(ErrMalformed, "v2: SSL sub-TLV type given twice")
)

// addrLen is the size of the address block for t (§2.2), and whether t is
// one of the seven defined family and protocol bytes.
func addrLen(t Transport) (int, bool) {
	switch t {
	case Unspec:
		return 0, true
	case TCP4, UDP4:
		return 12, true
	case TCP6, UDP6:
		return 36, true
	case UnixStream, UnixDatagram:
		return 216, true
	}
	return 0, false
}

// parseV2 parses the v2 header at the start of b, which begins with the
// 12-byte signature. The fixed part is checked byte by byte as it
// arrives; the rest once the whole header has.
func (l Limits) parseV2(b []byte) (Header, int, error) {
	if len(b) < 13 {
		return Header{}, 0, ErrIncomplete
	}
	if b[12]>>4 != 2 {
		return Header{}, 0, errV2Version
	}
	cmd := Command(b[12] & 0x0f)
	if cmd != Local && cmd != Proxy {
		return Header{}, 0, errV2Command
	}
	if len(b) < 14 {
		return Header{}, 0, ErrIncomplete
	}
	t := Transport(b[13])
	alen, ok := addrLen(t)
	if !ok {
		// Also for LOCAL: §2.2 says such values "must be rejected as
		// invalid by receivers", with no exception.
		return Header{}, 0, errV2Family
	}
	if len(b) < 16 {
		return Header{}, 0, ErrIncomplete
	}
	total := 16 + int(binary.BigEndian.Uint16(b[14:16]))
	if total > l.maxV2() {
		return Header{}, 0, errV2TooLong
	}
	if cmd == Proxy && total < 16+alen {
		return Header{}, 0, errV2Short
	}
	if len(b) < total {
		return Header{}, 0, ErrIncomplete
	}
	if cmd == Local {
		// "The receiver must accept this connection as valid and must use
		// the real connection endpoints and discard the protocol block
		// including the family which is ignored" (§2.2).
		return Header{Version: 2, Command: Local}, total, nil
	}

	hdr := b[:total]
	if err := checkTLVs(hdr, 16+alen); err != nil {
		return Header{}, 0, err
	}
	h := Header{Version: 2, Command: Proxy, Transport: t}
	block := hdr[16:]
	switch t {
	case TCP4, UDP4:
		h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(block[0:4])), binary.BigEndian.Uint16(block[8:]))
		h.Destination = netip.AddrPortFrom(netip.AddrFrom4([4]byte(block[4:8])), binary.BigEndian.Uint16(block[10:]))
	case TCP6, UDP6:
		h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(block[0:16])).Unmap(), binary.BigEndian.Uint16(block[32:]))
		h.Destination = netip.AddrPortFrom(netip.AddrFrom16([16]byte(block[16:32])).Unmap(), binary.BigEndian.Uint16(block[34:]))
	case UnixStream, UnixDatagram:
		// The addresses and the TLVs in one allocation.
		own := bytes.Clone(block)
		h.SourceUnix = own[0:108:108]
		h.DestinationUnix = own[108:216:216]
		h.tlvs = own[216:]
		return h, total, nil
	}
	if len(block) > alen {
		h.tlvs = bytes.Clone(block[alen:])
	}
	return h, total, nil
}

// singular are the registered TLV types a header may give once at most.
// All are below 64, so a set of them fits a uint64.
const singular uint64 = 1<<TypeALPN | 1<<TypeAuthority | 1<<TypeCRC32C | 1<<TypeUniqueID | 1<<TypeSSL | 1<<TypeNetNS

// checkTLVs checks the TLVs of the whole v2 header hdr, which begin at
// off: that they tile the rest of hdr exactly (§2.2: each is a type, a
// 2-byte length and that many bytes), and what §2.2.1-2.2.7 say of the
// registered types.
func checkTLVs(hdr []byte, off int) error {
	var seen uint64
	for i := off; i < len(hdr); {
		if len(hdr)-i < 3 {
			return errTLVOverrun
		}
		t := TLVType(hdr[i])
		n := int(binary.BigEndian.Uint16(hdr[i+1:]))
		v := i + 3
		if n > len(hdr)-v {
			return errTLVOverrun
		}
		if bit := uint64(1) << t; t < 64 && singular&bit != 0 {
			if seen&bit != 0 {
				return errTLVRepeated
			}
			seen |= bit
		}
		switch t {
		case TypeCRC32C:
			if n != 4 {
				return errCRCLength
			}
			if !checksumOK(hdr, v) {
				return ErrChecksum
			}
		case TypeAuthority:
			if n > 255 {
				return errAuthority
			}
		case TypeUniqueID:
			if n > 128 {
				return errUniqueID
			}
		case TypeSSL:
			if err := checkSSL(hdr[v : v+n]); err != nil {
				return err
			}
		}
		i = v + n
	}
	return nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcZero stands for the CRC32C value while the checksum is computed. It
// is a package variable because crc32.Update lets its argument escape: a
// local array would cost an allocation per header. It is never written.
var crcZero [4]byte

// checksumOK reports whether the CRC32C value at hdr[at:at+4] is the
// checksum of hdr with those 4 bytes as zeros (§2.2.3, RFC 4960 Appendix
// B), without writing to hdr.
func checksumOK(hdr []byte, at int) bool {
	c := crc32.Update(0, castagnoli, hdr[:at])
	c = crc32.Update(c, castagnoli, crcZero[:])
	c = crc32.Update(c, castagnoli, hdr[at+4:])
	return c == binary.BigEndian.Uint32(hdr[at:])
}

// checkSSL checks an SSL TLV's value (§2.2.6): the client and verify
// fields, then sub-TLVs that tile the rest, none of the defined
// sub-types twice.
func checkSSL(v []byte) error {
	if len(v) < 5 {
		return errSSLShort
	}
	var seen uint16
	for i := 5; i < len(v); {
		if len(v)-i < 3 {
			return errSSLOverrun
		}
		t := TLVType(v[i])
		n := int(binary.BigEndian.Uint16(v[i+1:]))
		if n > len(v)-i-3 {
			return errSSLOverrun
		}
		if SubtypeSSLVersion <= t && t <= SubtypeSSLClientCert {
			bit := uint16(1) << (t - SubtypeSSLVersion)
			if seen&bit != 0 {
				return errSSLRepeated
			}
			seen |= bit
		}
		i += 3 + n
	}
	return nil
}
