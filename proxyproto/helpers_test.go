package proxyproto

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/netip"
	"reflect"
	"strings"
)

// view is what a test sees of a Header: everything as text, so that
// tables read like the headers they describe.
type view struct {
	Version   int
	Command   string
	Transport string
	Src, Dst  string   // AddrPort.String(); "" when not valid
	SrcUnix   string   // the sun_path up to its first NUL, or "@name" for an abstract one
	DstUnix   string   //
	TLVs      []string // "0x01=\"h2\"", in order
	N         int      // bytes consumed
}

func viewOf(h *Header, n int) view {
	v := view{Version: h.Version, Command: h.Command.String(), Transport: h.Transport.String(), N: n}
	if h.Source.IsValid() {
		v.Src = h.Source.String()
	}
	if h.Destination.IsValid() {
		v.Dst = h.Destination.String()
	}
	v.SrcUnix, v.DstUnix = unixName(h.SourceUnix), unixName(h.DestinationUnix)
	for t, val := range h.TLVs() {
		v.TLVs = append(v.TLVs, fmt.Sprintf("0x%02x=%s", byte(t), quote(val)))
	}
	return v
}

// quote is b as a double-quoted Go string with every byte outside
// printable ASCII escaped as \xNN, so that binary values read the same
// whatever UTF-8 they happen to form.
func quote(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	s.WriteByte('"')
	return s.String()
}

func unixName(raw []byte) string {
	if raw == nil {
		return ""
	}
	if len(raw) > 0 && raw[0] == 0 {
		return "@" + strings.TrimRight(string(raw[1:]), "\x00")
	}
	name, _, _ := strings.Cut(string(raw), "\x00")
	return name
}

func (v view) String() string {
	s := fmt.Sprintf("v%d %s %s", v.Version, v.Command, v.Transport)
	if v.Src != "" || v.Dst != "" {
		s += fmt.Sprintf(" %s -> %s", v.Src, v.Dst)
	}
	if v.SrcUnix != "" || v.DstUnix != "" {
		s += fmt.Sprintf(" unix %q -> %q", v.SrcUnix, v.DstUnix)
	}
	if len(v.TLVs) > 0 {
		s += fmt.Sprintf(" tlvs %s", v.TLVs)
	}
	return s + fmt.Sprintf(" n=%d", v.N)
}

// outcome is the result of one Parse: the view when it accepted, else
// the error, which is always one of the package's own values.
type outcome struct {
	err  error
	view view
}

func (o outcome) String() string {
	if o.err != nil {
		return o.err.Error()
	}
	return "accepted: " + o.view.String()
}

func (o outcome) equal(p outcome) bool {
	return o.err == p.err && reflect.DeepEqual(o.view, p.view)
}

func parseWith(b []byte, lim Limits) outcome {
	h, n, err := lim.Parse(b)
	if err != nil {
		if n != 0 || !reflect.DeepEqual(h, Header{}) {
			panic(fmt.Sprintf("Parse(%q) failed with %v but returned n=%d and a non-zero Header", b, err, n))
		}
		return outcome{err: err}
	}
	return outcome{view: viewOf(&h, n)}
}

func parse(b []byte) outcome { return parseWith(b, Limits{}) }

// Building v2 headers.

// v2 is a v2 header with the version and command byte verCmd, the family
// and protocol byte fam, the address block addrs and the TLVs tlvs, with
// its length field filled in.
func v2(verCmd, fam byte, addrs string, tlvs ...string) string {
	body := addrs + strings.Join(tlvs, "")
	var l [2]byte
	binary.BigEndian.PutUint16(l[:], uint16(len(body)))
	return v2Sig + string([]byte{verCmd, fam}) + string(l[:]) + body
}

// v2len is v2 with the length field given rather than computed.
func v2len(verCmd, fam byte, length uint16, rest string) string {
	var l [2]byte
	binary.BigEndian.PutUint16(l[:], length)
	return v2Sig + string([]byte{verCmd, fam}) + string(l[:]) + rest
}

func tlv(t TLVType, v string) string {
	var l [2]byte
	binary.BigEndian.PutUint16(l[:], uint16(len(v)))
	return string([]byte{byte(t)}) + string(l[:]) + v
}

// ssl is the value of an SSL TLV.
func ssl(client byte, verify uint32, subs ...string) string {
	var b [5]byte
	b[0] = client
	binary.BigEndian.PutUint32(b[1:], verify)
	return string(b[:]) + strings.Join(subs, "")
}

// crcTLV is a CRC32C TLV to be filled in by signed.
var crcTLV = tlv(TypeCRC32C, "\x00\x00\x00\x00")

// signed fills in the value of the first CRC32C TLV of the v2 header h,
// whose TLVs begin at off, as a sender does (§2.2.3): the checksum of the
// header with the value zero.
func signed(h string, off int) string {
	b := []byte(h)
	for i := off; i+3 <= len(b); {
		n := int(binary.BigEndian.Uint16(b[i+1:]))
		if TLVType(b[i]) == TypeCRC32C {
			clear(b[i+3 : i+7])
			binary.BigEndian.PutUint32(b[i+3:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
			return string(b)
		}
		i += 3 + n
	}
	panic("signed: no CRC32C TLV")
}

// Address blocks.
func ip4(src, dst string, sport, dport uint16) string {
	return string(be(4, src)) + string(be(4, dst)) + port(sport) + port(dport)
}

func ip6(src, dst string, sport, dport uint16) string {
	return string(be(16, src)) + string(be(16, dst)) + port(sport) + port(dport)
}

// be is the address s in its n bytes, network order.
func be(n int, s string) []byte {
	a := netip.MustParseAddr(s)
	if n == 4 {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

func port(p uint16) string { return string([]byte{byte(p >> 8), byte(p)}) }

func unixAddrs(src, dst string) string {
	pad := func(s string) string { return s + strings.Repeat("\x00", 108-len(s)) }
	return pad(src) + pad(dst)
}

// httpRequest is what follows a header in the pipelined tests.
const httpRequest = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
