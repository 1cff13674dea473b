package proxyproto

import (
	"encoding/binary"
	"iter"
)

// TLVType is the type of a v2 TLV (§2.2), or of a sub-TLV in an SSL TLV
// (§2.2.6).
type TLVType uint8

// The registered TLV types (§2.2) and what Parse checks of each. The
// values are what the sender put there, unchecked otherwise: the proxy
// copies most of them from the client (SNI, ALPN, the certificate), so
// treat them as untrusted input.
const (
	// TypeALPN: the protocol negotiated with the client, as the TLS ALPN
	// extension names it ("h2", "http/1.1"). At most once.
	TypeALPN TLVType = 0x01
	// TypeAuthority: the host name the client asked for, UTF-8; the TLS
	// SNI when there is one. At most once, at most 255 bytes.
	TypeAuthority TLVType = 0x02
	// TypeCRC32C: the header's CRC32C checksum. At most once, exactly 4
	// bytes, and it must match the header (§2.2.3).
	TypeCRC32C TLVType = 0x03
	// TypeNoop: padding, to be ignored. Any number, any length.
	TypeNoop TLVType = 0x04
	// TypeUniqueID: an opaque ID of the connection, set by the proxy. At
	// most once, at most 128 bytes.
	TypeUniqueID TLVType = 0x05
	// TypeSSL: what the proxy knows of the client's TLS connection; read
	// it with Header.SSL. At most once; its 5 fixed bytes and sub-TLVs
	// are checked as the SSL type says.
	TypeSSL TLVType = 0x20
	// TypeNetNS: the name of the network namespace the connection came
	// from, US-ASCII. At most once.
	TypeNetNS TLVType = 0x30
	// TypeAWS: Amazon's TLV (in the range §2.2.8 reserves for
	// applications), sent by AWS network load balancers for PrivateLink:
	// a sub-type byte, then its value; read the VPC endpoint ID with
	// Header.AWSVPCEndpointID. Not checked.
	TypeAWS TLVType = 0xea
)

// The sub-types of an SSL TLV (§2.2.6). Each may appear once at most.
// The last three were registered after HAProxy 2.9's revision of the
// spec.
const (
	SubtypeSSLVersion    TLVType = 0x21 // TLS version, US-ASCII ("TLSv1.3")
	SubtypeSSLCN         TLVType = 0x22 // client certificate's subject Common Name, UTF-8
	SubtypeSSLCipher     TLVType = 0x23 // cipher suite, US-ASCII ("ECDHE-RSA-AES128-GCM-SHA256")
	SubtypeSSLSigAlg     TLVType = 0x24 // algorithm that signed the server's certificate ("RSA-SHA256")
	SubtypeSSLKeyAlg     TLVType = 0x25 // algorithm of the server certificate's key ("RSA2048")
	SubtypeSSLGroup      TLVType = 0x26 // key exchange group ("secp256r1")
	SubtypeSSLSigScheme  TLVType = 0x27 // signature scheme of the handshake ("rsa_pss_rsae_sha256")
	SubtypeSSLClientCert TLVType = 0x28 // client certificate, DER
)

// TLVs returns the v2 header's TLVs after the addresses, in the order
// sent, NOOP padding and unregistered types included. There are none for
// v1 headers, nor for Local ones, whose TLVs go unread (see Header).
// The values point into the Header's memory (see Header).
func (h *Header) TLVs() iter.Seq2[TLVType, []byte] {
	return tlvs(h.tlvs)
}

// TLV returns the value of the first TLV of type t, and whether there is
// one. Registered types other than NOOP appear once at most.
func (h *Header) TLV(t TLVType) (value []byte, ok bool) {
	return find(h.tlvs, t)
}

// tlvs iterates over a vector of TLVs or sub-TLVs that checkTLVs or
// checkSSL has checked.
func tlvs(b []byte) iter.Seq2[TLVType, []byte] {
	return func(yield func(TLVType, []byte) bool) {
		for len(b) >= 3 {
			n := 3 + int(binary.BigEndian.Uint16(b[1:]))
			if !yield(TLVType(b[0]), b[3:n:n]) {
				return
			}
			b = b[n:]
		}
	}
}

func find(b []byte, t TLVType) ([]byte, bool) {
	for typ, v := range tlvs(b) {
		if typ == t {
			return v, true
		}
	}
	return nil, false
}

// SSL is the content of an SSL TLV (§2.2.6). The byte slices are the
// sub-TLVs' values, nil when absent, pointing into the Header's memory.
type SSL struct {
	// Client holds the flags ClientSSL, ClientCertConn and ClientCertSess.
	Client uint8
	// Verify is zero when the client presented a certificate and it
	// verified; non-zero otherwise. Check ClientCertConn or
	// ClientCertSess as well: what a sender puts here when there was no
	// certificate varies.
	Verify uint32

	Version, CN, Cipher, SigAlg, KeyAlg, Group, SigScheme, ClientCert []byte
}

// The flags of SSL.Client.
const (
	ClientSSL      = 0x01 // the client connected over TLS
	ClientCertConn = 0x02 // it presented a certificate on this connection
	ClientCertSess = 0x04 // it presented one on the TLS session at least once
)

// SSL returns the header's SSL TLV, and whether it has one.
func (h *Header) SSL() (SSL, bool) {
	v, ok := h.TLV(TypeSSL)
	if !ok {
		return SSL{}, false
	}
	s := SSL{Client: v[0], Verify: binary.BigEndian.Uint32(v[1:5])}
	for t, sub := range tlvs(v[5:]) {
		switch t {
		case SubtypeSSLVersion:
			s.Version = sub
		case SubtypeSSLCN:
			s.CN = sub
		case SubtypeSSLCipher:
			s.Cipher = sub
		case SubtypeSSLSigAlg:
			s.SigAlg = sub
		case SubtypeSSLKeyAlg:
			s.KeyAlg = sub
		case SubtypeSSLGroup:
			s.Group = sub
		case SubtypeSSLSigScheme:
			s.SigScheme = sub
		case SubtypeSSLClientCert:
			s.ClientCert = sub
		}
	}
	return s, true
}

// subtypeAWSVPCEndpointID is the sub-type of an AWS TLV that holds a VPC
// endpoint ID.
const subtypeAWSVPCEndpointID = 0x01

// AWSVPCEndpointID returns the ID of the AWS PrivateLink VPC endpoint the
// client came through ("vpce-0123456789abcdef0"), from the first AWS TLV
// of that sub-type, and whether there is one.
func (h *Header) AWSVPCEndpointID() ([]byte, bool) {
	for t, v := range h.TLVs() {
		if t == TypeAWS && len(v) > 0 && v[0] == subtypeAWSVPCEndpointID {
			return v[1:], true
		}
	}
	return nil, false
}
