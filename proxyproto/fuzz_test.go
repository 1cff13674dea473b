package proxyproto

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// fuzzLimits turns the fuzzer's second argument into limits: 0 is the
// default, anything else a limit of 16 to 16+65535 bytes, so that the
// limit's edge is explored too.
func fuzzLimits(l uint16) Limits {
	if l == 0 {
		return Limits{}
	}
	return Limits{MaxV2Bytes: 16 + int(l) - 1}
}

func FuzzParse(f *testing.F) {
	for _, in := range tableInputs() {
		f.Add([]byte(in), uint16(0))
		f.Add([]byte(in+httpRequest), uint16(0))
	}
	f.Add([]byte(v2(cmdProxy, famTCP4, addrs4, tlv(TypeALPN, "h2"))), uint16(12+5))
	f.Add([]byte(awsCapture), uint16(200))

	f.Fuzz(func(t *testing.T, b []byte, l uint16) {
		lim := fuzzLimits(l)
		whole := parseWith(b, lim)
		h, n, err := lim.Parse(b)
		checkVerdict(t, b, lim, &h, n, err)

		// Arriving in pieces changes nothing.
		cuts := []int{1, 5, 6, 12, 13, 14, 15, 16, len(b) / 2, len(b) - 1}
		if len(b) <= 512 {
			cuts = cuts[:0]
			for i := range len(b) {
				cuts = append(cuts, i)
			}
		}
		for _, i := range cuts {
			if i < 0 || i >= len(b) {
				continue
			}
			if got := parseWith(bytes.Clone(b[:i]), lim); got.err != ErrIncomplete && !got.equal(whole) {
				t.Fatalf("Parse(%q[:%d]):\n got %v\nwant ErrIncomplete or %v", b, i, got, whole)
			}
		}
		if err != nil {
			return
		}
		// The header alone, and the header followed by anything else, parse
		// the same.
		if got := parseWith(bytes.Clone(b[:n]), lim); !got.equal(whole) {
			t.Fatalf("Parse(%q[:%d]), the header alone:\n got %v\nwant %v", b, n, got, whole)
		}
		if got := parseWith(append(bytes.Clone(b[:n]), "\r\n\x00PROXY "...), lim); !got.equal(whole) {
			t.Fatalf("Parse(%q[:%d] + more):\n got %v\nwant %v", b, n, got, whole)
		}
	})
}

// checkVerdict checks what Parse said of b against what any verdict must
// be, and a v1 verdict against refV1.
func checkVerdict(t *testing.T, b []byte, lim Limits, h *Header, n int, err error) {
	t.Helper()
	var pe *parseError
	switch {
	case err == ErrIncomplete, err == ErrChecksum:
	case errors.As(err, &pe):
		switch pe.kind {
		case ErrNotProxy, ErrMalformed, ErrUnsupported, ErrTooLong:
		default:
			t.Fatalf("Parse(%q): error %v of no kind", b, err)
		}
	case err != nil:
		t.Fatalf("Parse(%q): error %v is not one of the package's", b, err)
	}
	if len(b) > 0 && b[0] == 'P' {
		if ok, why := agreesWithRefV1(b, h, n, err); !ok {
			t.Fatalf("Parse(%q): %v; the reference v1 parser: %s", b, outcomeOrErr(h, n, err), why)
		}
	}
	if err != nil {
		return
	}
	if n <= 0 || n > len(b) {
		t.Fatalf("Parse(%q): n=%d outside the input", b, n)
	}
	ipTransport := h.Transport == TCP4 || h.Transport == UDP4 || h.Transport == TCP6 || h.Transport == UDP6
	unix := h.Transport == UnixStream || h.Transport == UnixDatagram
	switch {
	case h.Version == 1 && n > V1MaxBytes, h.Version == 2 && n > lim.maxV2(), h.Version != 1 && h.Version != 2:
		t.Fatalf("Parse(%q): version %d header of %d bytes", b, h.Version, n)
	case h.Command != Local && h.Command != Proxy:
		t.Fatalf("Parse(%q): command %v", b, h.Command)
	case h.Command == Local && (h.Transport != Unspec || h.tlvs != nil):
		t.Fatalf("Parse(%q): LOCAL with transport %v or TLVs", b, h.Transport)
	case h.Source.IsValid() != (h.Command == Proxy && ipTransport), h.Destination.IsValid() != h.Source.IsValid():
		t.Fatalf("Parse(%q): %v %v with addresses %v %v", b, h.Command, h.Transport, h.Source, h.Destination)
	case h.Source.Addr().Is4In6() || h.Destination.Addr().Is4In6():
		t.Fatalf("Parse(%q): IPv4-mapped address not unmapped", b)
	case (h.SourceUnix != nil) != unix, len(h.SourceUnix) != len(h.DestinationUnix), h.SourceUnix != nil && len(h.SourceUnix) != 108:
		t.Fatalf("Parse(%q): Unix addresses %q %q for %v", b, h.SourceUnix, h.DestinationUnix, h.Transport)
	}
	// The TLVs tile what follows the addresses, and cover it whole.
	covered := 0
	for _, v := range h.TLVs() {
		covered += 3 + len(v)
	}
	if covered != len(h.tlvs) {
		t.Fatalf("Parse(%q): TLVs cover %d of %d bytes", b, covered, len(h.tlvs))
	}
	if h.Version == 2 && h.Command == Proxy {
		alen, _ := addrLen(h.Transport)
		if 16+alen+len(h.tlvs) != n {
			t.Fatalf("Parse(%q): 16 + %d address bytes + %d TLV bytes != n=%d", b, alen, len(h.tlvs), n)
		}
	}
	_, _ = h.SSL()
	_, _ = h.AWSVPCEndpointID()
}

func outcomeOrErr(h *Header, n int, err error) string {
	if err != nil {
		return err.Error()
	}
	return "accepted: " + viewOf(h, n).String()
}

// agreesWithRefV1 compares Parse's verdict on b, which begins with 'P',
// with refV1's.
func agreesWithRefV1(b []byte, h *Header, n int, err error) (bool, string) {
	ref, refN, refErr := refV1(b)
	switch {
	case refErr == ErrIncomplete || err == ErrIncomplete:
		// The reference waits for the CRLF, Parse refuses at the first
		// wrong byte: it may wait only if the reference does.
		return err != ErrIncomplete || refErr == ErrIncomplete, "waits on " + strconv.Quote(string(b))
	case (err == nil) != (refErr == nil):
		if refErr != nil {
			return false, "refuses: " + refErr.Error()
		}
		return false, "accepts"
	case err == nil:
		want := viewOf(&ref, refN)
		return viewOf(h, n).String() == want.String(), "accepts " + want.String()
	}
	return true, ""
}

// refV1 is a second reading of §2.1, written as the spec words it and
// independently of parseV1: find the CRLF within 107 bytes, split at
// single spaces, and read addresses with net/netip and ports with
// strconv. Its errors only say accept or refuse.
func refV1(b []byte) (Header, int, error) {
	refused := errors.New("refused")
	if !bytes.HasPrefix(b, []byte("PROXY ")) {
		if bytes.HasPrefix([]byte("PROXY "), b) {
			return Header{}, 0, ErrIncomplete
		}
		return Header{}, 0, refused
	}
	window := b[:min(len(b), V1MaxBytes)]
	end := bytes.Index(window, []byte("\r\n"))
	if end < 0 {
		// A CR or LF not in a CRLF condemns the line at once; else wait
		// for the CRLF, within 107 bytes.
		if i := bytes.IndexAny(window, "\r\n"); i >= 0 && i < len(window)-1 || bytes.HasSuffix(window, []byte("\n")) {
			return Header{}, 0, refused
		}
		if len(window) == V1MaxBytes {
			return Header{}, 0, refused
		}
		// Fields that are already wrong condemn the line before its end.
		if earlyRefusal(string(window)) {
			return Header{}, 0, refused
		}
		return Header{}, 0, ErrIncomplete
	}
	line := string(b[:end])
	if strings.ContainsAny(line, "\r\n") {
		return Header{}, 0, refused
	}
	f := strings.Split(line, " ")
	if len(f) >= 2 && f[1] == "UNKNOWN" {
		return Header{Version: 1, Command: Local}, end + 2, nil
	}
	if len(f) != 6 || (f[1] != "TCP4" && f[1] != "TCP6") {
		return Header{}, 0, refused
	}
	var ap [2]netip.AddrPort
	for i := range 2 {
		a, err := netip.ParseAddr(f[2+i])
		if err != nil || a.Zone() != "" || (f[1] == "TCP4") != a.Is4() {
			return Header{}, 0, refused
		}
		p := f[4+i]
		if strings.Trim(p, "0123456789") != "" || (len(p) > 1 && p[0] == '0') {
			return Header{}, 0, refused
		}
		port, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return Header{}, 0, refused
		}
		ap[i] = netip.AddrPortFrom(a.Unmap(), uint16(port))
	}
	t := TCP4
	if f[1] == "TCP6" {
		t = TCP6
	}
	return Header{Version: 1, Command: Proxy, Transport: t, Source: ap[0], Destination: ap[1]}, end + 2, nil
}

// earlyRefusal reports whether the start of a v1 line with no CRLF yet,
// s, can already not be the start of a valid line: a field that is over
// or has a byte its kind cannot hold, or a field that is complete (a
// space follows it) and wrong.
func earlyRefusal(s string) bool {
	// A CR at the end ends the last field: the destination port, or the
	// line is short.
	cr := strings.HasSuffix(s, "\r")
	f := strings.Split(strings.TrimSuffix(s, "\r"), " ")
	// f[0] is "PROXY"; f[len(f)-1] is the field still arriving.
	if len(f) >= 2 && strings.HasPrefix(f[1]+" ", "UNKNOWN ") && (len(f) > 2 || f[1] == "UNKNOWN") {
		return false // anything may follow, up to the CRLF
	}
	proto, complete := f[1], len(f) > 2
	if !complete {
		return !strings.HasPrefix("TCP4", proto) && !strings.HasPrefix("TCP6", proto) && !strings.HasPrefix("UNKNOWN", proto)
	}
	if proto != "TCP4" && proto != "TCP6" {
		return true
	}
	if len(f) > 6 || (cr && len(f) != 6) {
		return true
	}
	for i := 2; i < len(f); i++ {
		field, done := f[i], i < len(f)-1 || cr
		isAddr := i < 4
		chars, max := "0123456789", 5
		if isAddr && proto == "TCP4" {
			chars, max = "0123456789.", 15
		} else if isAddr {
			chars, max = "0123456789abcdefABCDEF:.", 45
		}
		if strings.Trim(field, chars) != "" || len(field) > max || (done && field == "") {
			return true
		}
		if !done {
			continue
		}
		if isAddr {
			a, err := netip.ParseAddr(field)
			if err != nil || (proto == "TCP4") != a.Is4() {
				return true
			}
		} else if p, err := strconv.ParseUint(field, 10, 16); err != nil || (len(field) > 1 && field[0] == '0') || p > 0xffff {
			return true
		}
	}
	return false
}
