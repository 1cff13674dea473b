package proxyproto

import "net/netip"

// The v1 checks, one error each (§2.1).
var (
	errV1Protocol = fail(ErrMalformed, `v1: protocol is not "TCP4", "TCP6" or "UNKNOWN" followed by a space or, for UNKNOWN, CRLF`)
	errV1Source   = fail(ErrMalformed, "v1: invalid source address for the protocol")
	errV1Dest     = fail(ErrMalformed, "v1: invalid destination address for the protocol")
	errV1SrcPort  = fail(ErrMalformed, "v1: invalid source port")
	errV1DstPort  = fail(ErrMalformed, "v1: invalid destination port")
	errV1CRLF     = fail(ErrMalformed, "v1: LF without CR, or CR without LF")
	errV1Short    = fail(ErrMalformed, "v1: line ends before its destination port")
	errV1TooLong  = fail(ErrTooLong, "v1: no CRLF in the first 107 bytes")
)

// parseV1 parses the v1 line at the start of b, which begins with
// "PROXY ". It scans left to right and decides at the first byte that
// condemns the line, using no byte after it, which is what makes every
// prefix's verdict ErrIncomplete or the whole's.
func parseV1(b []byte) (Header, int, error) {
	// The line must end within V1MaxBytes: nothing after is looked at.
	capped := len(b) >= V1MaxBytes
	if capped {
		b = b[:V1MaxBytes]
	}
	s := v1scanner{b: b, i: len(v1Sig)}
	h, err := s.line()
	if err == ErrIncomplete && capped {
		err = errV1TooLong
	}
	if err != nil {
		return Header{}, 0, err
	}
	return h, s.i, nil
}

type v1scanner struct {
	b []byte
	i int // next byte to scan
}

var v1Protocols = [...]struct {
	word string
	t    Transport
}{{"TCP4 ", TCP4}, {"TCP6 ", TCP6}, {"UNKNOWN", Unspec}}

func (s *v1scanner) line() (Header, error) {
	t, err := s.protocol()
	if err != nil {
		return Header{}, err
	}
	if t == Unspec {
		return Header{Version: 1, Command: Local}, s.unknownRest()
	}
	src, err := s.addr(t, errV1Source)
	if err != nil {
		return Header{}, err
	}
	dst, err := s.addr(t, errV1Dest)
	if err != nil {
		return Header{}, err
	}
	sport, err := s.port(' ', errV1SrcPort)
	if err != nil {
		return Header{}, err
	}
	dport, err := s.port('\r', errV1DstPort)
	if err != nil {
		return Header{}, err
	}
	if err := s.lf(); err != nil {
		return Header{}, err
	}
	return Header{Version: 1, Command: Proxy, Transport: t,
		Source: netip.AddrPortFrom(src, sport), Destination: netip.AddrPortFrom(dst, dport)}, nil
}

// protocol scans the protocol word, with the space after TCP4 and TCP6.
// A prefix of a word waits for more; anything else fails at its first
// byte that no word has.
func (s *v1scanner) protocol() (Transport, error) {
	rest := s.b[s.i:]
	for _, p := range v1Protocols {
		n := min(len(rest), len(p.word))
		if string(rest[:n]) == p.word[:n] {
			if n < len(p.word) {
				return 0, ErrIncomplete
			}
			s.i += n
			return p.t, nil
		}
	}
	return 0, errV1Protocol
}

// unknownRest scans what follows "UNKNOWN": CRLF, or a space and then
// anything up to CRLF, which the receiver "must ignore" (§2.1). A CR or LF
// in it that is not that CRLF is refused: the line "does not otherwise
// contain a CR or LF byte", and a receiver that ended the line at a bare
// LF would start the next protocol at a different byte than we do.
func (s *v1scanner) unknownRest() error {
	if s.i == len(s.b) {
		return ErrIncomplete
	}
	switch s.b[s.i] {
	case '\r':
	case ' ':
		for s.i++; s.i < len(s.b) && s.b[s.i] != '\r'; s.i++ {
			if s.b[s.i] == '\n' {
				return errV1CRLF
			}
		}
		if s.i == len(s.b) {
			return ErrIncomplete
		}
	default:
		return errV1Protocol
	}
	s.i++ // the CR
	return s.lf()
}

// lf scans the LF after the line's CR.
func (s *v1scanner) lf() error {
	if s.i == len(s.b) {
		return ErrIncomplete
	}
	if s.b[s.i] != '\n' {
		return errV1CRLF
	}
	s.i++
	return nil
}

// field scans up to and including the byte end: a field of 1 to max bytes
// that are all in set. A byte outside set, or the field's growing past
// max, fails with bad there and then; a CR (where end is not CR) with
// errV1Short, an LF with errV1CRLF.
func (s *v1scanner) field(set *[256]bool, max int, end byte, bad error) ([]byte, error) {
	start := s.i
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case c == end && j > start:
			s.i = j + 1
			return s.b[start:j], nil
		case c == '\r':
			return nil, errV1Short
		case c == '\n':
			return nil, errV1CRLF
		case !set[c] || j-start == max:
			return nil, bad
		}
	}
	return nil, ErrIncomplete
}

// Address fields as §2.1 writes them: the longest a TCP4 one can be is
// "255.255.255.255"; a TCP6 one, 8 groups of 4 hex digits, or 6 and a
// dotted quad ("0000:0000:0000:0000:0000:ffff:255.255.255.255").
const (
	maxV1IPv4 = 15
	maxV1IPv6 = 45
)

var v1IPv4Chars, v1IPv6Chars, v1Digits [256]bool

func init() {
	for c := '0'; c <= '9'; c++ {
		v1Digits[c], v1IPv4Chars[c], v1IPv6Chars[c] = true, true, true
	}
	for _, c := range "abcdefABCDEF:." {
		v1IPv6Chars[c] = true
	}
	v1IPv4Chars['.'] = true
}

// addr scans an address of t's family and the space after it.
func (s *v1scanner) addr(t Transport, bad error) (netip.Addr, error) {
	if t == TCP4 {
		f, err := s.field(&v1IPv4Chars, maxV1IPv4, ' ', bad)
		if err != nil {
			return netip.Addr{}, err
		}
		var ip [4]byte
		if !parseIPv4(ip[:], f) {
			return netip.Addr{}, bad
		}
		return netip.AddrFrom4(ip), nil
	}
	f, err := s.field(&v1IPv6Chars, maxV1IPv6, ' ', bad)
	if err != nil {
		return netip.Addr{}, err
	}
	var ip [16]byte
	if !parseIPv6(&ip, f) {
		return netip.Addr{}, bad
	}
	return netip.AddrFrom16(ip).Unmap(), nil
}

// port scans a port and the byte end after it: decimal 0-65535 without
// leading zeros (§2.1: "in order to avoid any possible confusion with
// octal numbers").
func (s *v1scanner) port(end byte, bad error) (uint16, error) {
	f, err := s.field(&v1Digits, 5, end, bad)
	if err != nil {
		return 0, err
	}
	if len(f) > 1 && f[0] == '0' {
		return 0, bad
	}
	n := 0
	for _, c := range f {
		n = n*10 + int(c-'0')
	}
	if n > 0xffff {
		return 0, bad
	}
	return uint16(n), nil
}

// parseIPv4 parses s, exactly four decimal numbers 0-255 without leading
// zeros separated by single dots (§2.1), into ip[:4].
func parseIPv4(ip []byte, s []byte) bool {
	field, digits, v := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || field == 4 {
				return false
			}
			ip[field] = byte(v)
			field, digits, v = field+1, 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || (digits == 1 && v == 0) {
			return false // not a digit, or a leading zero
		}
		v = v*10 + int(c-'0')
		digits++
		if v > 255 {
			return false
		}
	}
	return field == 4
}

// parseIPv6 parses s, an IPv6 address in the text form of RFC 4291 §2.2
// (groups of 1 to 4 hex digits, at most one "::" standing for one or more
// zero groups, optionally a dotted quad as the last 32 bits) without a
// zone, into ip. The total must be exactly 128 bits (§2.1).
func parseIPv6(ip *[16]byte, s []byte) bool {
	ellipsis := -1 // where "::" is, in bytes of ip
	i, j := 0, 0   // in s, in ip
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis, i = 0, 2
	}
	for i < len(s) {
		start, v := i, 0
		for ; i < len(s) && i-start < 4; i++ {
			d, ok := hexDigit(s[i])
			if !ok {
				break
			}
			v = v<<4 | d
		}
		if i == start {
			return false
		}
		if i < len(s) && s[i] == '.' {
			// A dotted quad ends the address, in place of the last two
			// groups.
			if j > 12 || (ellipsis < 0 && j != 12) || !parseIPv4(ip[j:j+4], s[start:]) {
				return false
			}
			j += 4
			break
		}
		if j == 16 {
			return false
		}
		ip[j], ip[j+1] = byte(v>>8), byte(v)
		j += 2
		if i == len(s) {
			break
		}
		if s[i] != ':' {
			return false
		}
		i++
		if i < len(s) && s[i] == ':' {
			if ellipsis >= 0 {
				return false
			}
			ellipsis = j
			i++
		} else if i == len(s) {
			return false // a trailing single colon
		}
	}
	switch {
	case j < 16 && ellipsis < 0:
		return false
	case j < 16:
		n := 16 - j
		copy(ip[ellipsis+n:], ip[ellipsis:j])
		clear(ip[ellipsis : ellipsis+n])
	case ellipsis >= 0:
		return false // "::" must stand for at least one group
	}
	return true
}

func hexDigit(c byte) (int, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0'), true
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
