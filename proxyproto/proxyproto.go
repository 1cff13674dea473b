package proxyproto

import (
	"errors"
	"net/netip"
	"strconv"
)

// Command says whose connection a header describes.
type Command uint8

const (
	// Local: the proxy opened the connection on its own behalf (a health
	// check, say), or could not describe the client (v1 "UNKNOWN"). The
	// connection's real endpoints apply.
	Local Command = 0x0
	// Proxy: the connection is relayed for a client, and the header says
	// which (see [Header.Source]).
	Proxy Command = 0x1
)

func (c Command) String() string {
	switch c {
	case Local:
		return "LOCAL"
	case Proxy:
		return "PROXY"
	}
	return "Command(" + strconv.Itoa(int(c)) + ")"
}

// Transport is the address family and transport protocol of the client's
// connection to the proxy. Its values are those of the v2 header's 14th
// byte (§2.2); a v1 header has TCP4, TCP6 or, for "UNKNOWN", Unspec.
type Transport uint8

const (
	Unspec       Transport = 0x00 // unknown or not given: use the connection's real endpoints
	TCP4         Transport = 0x11 // TCP over IPv4
	UDP4         Transport = 0x12 // UDP over IPv4
	TCP6         Transport = 0x21 // TCP over IPv6
	UDP6         Transport = 0x22 // UDP over IPv6
	UnixStream   Transport = 0x31 // AF_UNIX, SOCK_STREAM
	UnixDatagram Transport = 0x32 // AF_UNIX, SOCK_DGRAM
)

func (t Transport) String() string {
	switch t {
	case Unspec:
		return "UNSPEC"
	case TCP4:
		return "TCP4"
	case UDP4:
		return "UDP4"
	case TCP6:
		return "TCP6"
	case UDP6:
		return "UDP6"
	case UnixStream:
		return "UNIX-STREAM"
	case UnixDatagram:
		return "UNIX-DGRAM"
	}
	return "Transport(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

// Header is a parsed PROXY protocol header.
//
// What to do with it: when Source is valid, the client is Source and the
// address it connected to is Destination; otherwise (Local, v1 UNKNOWN,
// v2 UNSPEC, AF_UNIX) use the connection's own endpoints, as the spec
// asks. A Local header carries nothing else: its addresses and TLVs go
// unread (§2.2).
//
// A Header owns its memory. Parse copies the parts of its input it keeps
// (AF_UNIX addresses and TLVs, in one allocation), so the input buffer
// may be reused as soon as Parse returns. The slices a Header hands out
// (SourceUnix, DestinationUnix, TLV values, SSL fields) point into that
// copy: they stay valid for as long as they are referenced, and must not
// be modified. A Header is safe for concurrent use by readers.
type Header struct {
	Version int     // 1 or 2
	Command Command // Local or Proxy
	// Transport is the family and protocol of the client's connection.
	// It is Unspec for Local: a LOCAL header's family byte is checked but
	// otherwise ignored (§2.2).
	Transport Transport

	// Source is the client's address and port, and Destination the
	// address and port it connected to on the proxy, for Proxy headers
	// over TCP or UDP; the zero AddrPort (not IsValid) otherwise. An
	// IPv4-mapped IPv6 address is given as the IPv4 address it maps.
	Source, Destination netip.AddrPort

	// SourceUnix and DestinationUnix are the AF_UNIX addresses of a v2
	// Proxy header with a Unix transport: the two 108-byte sun_path
	// fields as sent, NUL padding included (a path name ends at its first
	// NUL; a Linux abstract address begins with one, and its length is
	// not carried). nil otherwise.
	SourceUnix, DestinationUnix []byte

	// tlvs is the v2 TLV vector after the addresses, checked by checkTLVs
	// (every record lies within it), in memory of the Header's own; nil
	// for v1 and for Local.
	tlvs []byte
}

// Limits bounds what Parse accepts beyond what the spec itself bounds.
// The zero value is the default.
type Limits struct {
	// MaxV2Bytes is the longest v2 header accepted, in bytes: the fixed
	// 16, the addresses and the TLVs. Zero or less means
	// DefaultMaxV2Bytes; V2MaxBytes or more accepts anything the length
	// field can say. A longer header fails with ErrTooLong as soon as its
	// length field has arrived.
	MaxV2Bytes int
}

const (
	// V1MaxBytes is the longest v1 header, CRLF included (§2.1): "PROXY
	// UNKNOWN" with two full-length IPv6 addresses and ports.
	V1MaxBytes = 107
	// V2MaxBytes is the longest v2 header the length field can describe.
	V2MaxBytes = 16 + 0xffff
	// DefaultMaxV2Bytes is Limits.MaxV2Bytes's default; the package
	// documentation says why it is 4 KiB.
	DefaultMaxV2Bytes = 4096
)

func (l Limits) maxV2() int {
	if l.MaxV2Bytes <= 0 {
		return DefaultMaxV2Bytes
	}
	return l.MaxV2Bytes
}

// ErrIncomplete is what Parse returns while its input is a proper prefix
// of a header that may still turn out valid: read more bytes, append
// them, and call Parse again on the whole. The spec (§2) lets a receiver
// drop a connection whose header does not come in one piece, and suggests
// giving up on one whose header has not come within a few seconds (at
// least 3, to cover a TCP retransmit); which to do is the caller's choice.
var ErrIncomplete = errors.New("proxyproto: incomplete header")

// The kinds of error Parse returns besides ErrIncomplete. Every error
// other than ErrIncomplete matches exactly one of them with errors.Is,
// and its message (prefixed "proxyproto: ") says what exactly is wrong.
// A connection whose header fails must be closed: its stream can no
// longer be trusted.
var (
	// ErrNotProxy: the input does not begin with either signature ("PROXY "
	// or the 12-byte v2 signature).
	ErrNotProxy = errors.New("proxyproto: no PROXY protocol header")
	// ErrMalformed: the header does not follow the spec's grammar.
	ErrMalformed = errors.New("proxyproto: malformed header")
	// ErrUnsupported: a v2 header with a version other than 2, a command
	// other than LOCAL or PROXY, or an undefined family or protocol.
	ErrUnsupported = errors.New("proxyproto: unsupported header")
	// ErrTooLong: a v1 line with no CRLF in its first V1MaxBytes bytes, or
	// a v2 header longer than Limits.MaxV2Bytes.
	ErrTooLong = errors.New("proxyproto: header too long")
	// ErrChecksum: a v2 header whose CRC32C TLV does not match it (§2.2.3).
	ErrChecksum = errors.New("proxyproto: CRC32C checksum mismatch")
)

// parseError is one of the checks Parse makes: each check has its own
// value, made once, so that failing costs no allocation and a test can
// name the check that failed.
type parseError struct {
	kind   error
	reason string
}

func (e *parseError) Error() string { return e.kind.Error() + ": " + e.reason }
func (e *parseError) Unwrap() error { return e.kind }

func fail(kind error, reason string) error { return &parseError{kind, reason} }

var errNoSignature = fail(ErrNotProxy, `input begins with neither "PROXY " nor the v2 signature`)

const (
	v1Sig = "PROXY "
	v2Sig = "\r\n\r\n\x00\r\nQUIT\n"
)

// Parse parses the PROXY protocol header, v1 or v2, at the start of b,
// with the default Limits. See Limits.Parse.
func Parse(b []byte) (h Header, n int, err error) { return Limits{}.Parse(b) }

// Parse parses the PROXY protocol header, v1 or v2, at the start of b.
//
// It returns the header and its length n: the bytes after the header
// begin at b[n]. Or, with n == 0 and a zero Header, ErrIncomplete when b
// is a proper prefix of a header that may still be valid, or an error
// saying why b does not begin with an acceptable header (see ErrNotProxy
// and the other kinds). The verdict comes early: a first byte that cannot
// begin a signature fails at once; a v1 line at the first byte that its
// grammar does not allow there, or at the end of the first field that is
// wrong, and after 107 bytes without CRLF; a v2 header at its 13th, 14th
// or 16th byte if its version, command, family or length is wrong, and
// otherwise once it is whole. Every prefix of an input gets either
// ErrIncomplete or the same verdict as the whole, so a caller may call
// Parse after every read. And Parse has decided by the time b holds
// V1MaxBytes bytes of a v1 header, or Limits.MaxV2Bytes (at least 16) of
// a v2 one: a caller never needs a larger buffer to get a verdict.
//
// Parse only reads b, and keeps no reference to it (see Header).
func (l Limits) Parse(b []byte) (h Header, n int, err error) {
	if len(b) == 0 {
		return Header{}, 0, ErrIncomplete
	}
	switch b[0] {
	case v1Sig[0]:
		if err := signature(b, v1Sig); err != nil {
			return Header{}, 0, err
		}
		return parseV1(b)
	case v2Sig[0]:
		if err := signature(b, v2Sig); err != nil {
			return Header{}, 0, err
		}
		return l.parseV2(b)
	}
	return Header{}, 0, errNoSignature
}

// signature checks that b begins with sig, or with a prefix of it.
func signature(b []byte, sig string) error {
	n := min(len(b), len(sig))
	if string(b[:n]) != sig[:n] {
		return errNoSignature
	}
	if n < len(sig) {
		return ErrIncomplete
	}
	return nil
}
