package wire

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// fuzzLimits turns the fuzzer's second argument into limits: 0 means the
// defaults, anything else small limits, so that the over-the-limit paths
// (complete and incomplete lines) are explored as well.
func fuzzLimits(l uint16) Limits {
	if l == 0 {
		return Limits{}
	}
	return Limits{
		MaxRequestLine: 8 + int(l&0x3f),
		MaxHeadBytes:   16 + 2*int(l>>6&0x7f),
		MaxFields:      1 + int(l>>13),
	}
}

// fuzzSplits picks where to cut buf: around every CR and LF (where a line
// ends or should have), plus a few fixed points; at most 48 cuts.
func fuzzSplits(buf []byte) []int {
	cuts := []int{0, 1, len(buf) / 2, len(buf) - 1}
	for i, c := range buf {
		if len(cuts) >= 48 {
			break
		}
		if c == '\r' || c == '\n' {
			cuts = append(cuts, i, i+1)
		}
	}
	return cuts
}

func FuzzParseRequest(f *testing.F) {
	for _, tc := range validRequests {
		if len(tc.in) < 4096 {
			f.Add([]byte(tc.in+tc.rest), uint16(0))
		}
	}
	for _, tc := range invalidRequests {
		if len(tc.in) < 4096 {
			f.Add([]byte(tc.in), uint16(0))
		}
	}
	for _, tc := range requestBugs {
		f.Add([]byte(tc.in), uint16(0))
	}
	stream, _ := pipelineStream()
	f.Add(stream, uint16(0))
	f.Add([]byte(browserRequest), uint16(0x1234))
	f.Add([]byte("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\nHost: a\r\n\r\n"), uint16(8))

	f.Fuzz(func(t *testing.T, buf []byte, l uint16) {
		if len(buf) > 64<<10 {
			return
		}
		lim := fuzzLimits(l)
		one := parseOnce(buf, lim)
		if one.err != nil && one.err != ErrIncomplete && one.status == 0 {
			t.Fatalf("Parse(%q) returned %v: neither nil, ErrIncomplete nor *Error", buf, one.err)
		}
		if one.err == nil {
			checkAccepted(t, buf, lim)
		} else if one.status != 0 {
			switch one.status {
			case 400, 414, 417, 431, 501, 505:
			default:
				t.Fatalf("Parse(%q): status %d is not one Parse may return", buf, one.status)
			}
		}

		// Arriving in pieces changes nothing.
		for _, i := range fuzzSplits(buf) {
			if i < 0 || i > len(buf) {
				continue
			}
			got, first := parseSplit(buf, i, lim)
			if first == nil && (one.err != nil || i < one.head.Len) {
				t.Fatalf("Parse(%q) split at %d: accepted the prefix %v; one-shot %v", buf, i, got, one)
			}
			if !got.equal(one) {
				t.Fatalf("Parse(%q) split at %d:\n got %v\nwant %v (one-shot)", buf, i, got, one)
			}
		}
		if len(buf) <= 1024 {
			if got, _ := parseBytewise(buf, lim); !got.equal(one) {
				t.Fatalf("Parse(%q) bytewise:\n got %v\nwant %v (one-shot)", buf, got, one)
			}
		}

		compareWithNetHTTP(t, buf, lim, one)
	})
}

// checkAccepted checks the invariants of an accepted head.
func checkAccepted(t *testing.T, buf []byte, lim Limits) {
	t.Helper()
	var h RequestHead
	if err := h.Parse(buf, lim); err != nil {
		t.Fatal(err)
	}
	if h.Len <= 0 || h.Len > len(buf) {
		t.Fatalf("Parse(%q): Len %d outside the buffer", buf, h.Len)
	}
	spans := map[string]Span{"Method": h.Method, "Target": h.Target, "Path": h.Path, "Query": h.Query, "Authority": h.Authority}
	for i, f := range h.Fields {
		spans[fmt.Sprintf("Fields[%d].Name", i)] = f.Name
		spans[fmt.Sprintf("Fields[%d].Value", i)] = f.Value
	}
	for name, s := range spans {
		if s.Start < 0 || s.Start > s.End || s.End > h.Len {
			t.Fatalf("Parse(%q): %s span %v outside the head [0,%d)", buf, name, s, h.Len)
		}
	}
	if !IsToken(string(h.Method.In(buf))) {
		t.Fatalf("Parse(%q): method %q is not a token", buf, h.Method.In(buf))
	}
	if h.Target.Len() == 0 || bytes.ContainsAny(h.Target.In(buf), " \t\r\n\x00#") {
		t.Fatalf("Parse(%q): bad target %q", buf, h.Target.In(buf))
	}
	for _, f := range h.Fields {
		name, value := f.Name.In(buf), f.Value.In(buf)
		if !IsToken(string(name)) {
			t.Fatalf("Parse(%q): field name %q is not a token", buf, name)
		}
		if !IsFieldValue(string(value)) || bytes.ContainsAny(value, "\r\n\x00") {
			t.Fatalf("Parse(%q): field value %q is not a field value", buf, value)
		}
		if len(value) > 0 && (value[0] == ' ' || value[0] == '\t' || value[len(value)-1] == ' ' || value[len(value)-1] == '\t') {
			t.Fatalf("Parse(%q): field value %q not trimmed", buf, value)
		}
	}
	switch v := fmt.Sprint(h.Major, ".", h.Minor); v {
	case "0.9":
		if len(h.Fields) != 0 || !h.Close {
			t.Fatalf("Parse(%q): HTTP/0.9 with fields or without Close", buf)
		}
	case "1.0", "1.1":
	default:
		t.Fatalf("Parse(%q): version %s", buf, v)
	}
	if h.Chunked != (h.ContentLength == -1) || h.ContentLength < -1 {
		t.Fatalf("Parse(%q): Chunked %v with ContentLength %d", buf, h.Chunked, h.ContentLength)
	}
	maxHead, maxLine := cmp.Or(lim.MaxHeadBytes, DefaultMaxHeadBytes), cmp.Or(lim.MaxRequestLine, DefaultMaxRequestLine)
	if h.Major == 0 {
		// An HTTP/0.9 head is its request line: only MaxRequestLine
		// applies, after up to 4 empty lines.
		maxHead = 2*maxLeadingEmptyLines + maxLine
	}
	if h.Len > maxHead {
		t.Fatalf("Parse(%q): head of %d bytes over the limit %d", buf, h.Len, maxHead)
	}
	if line := h.Target.End + len(" HTTP/1.1\r\n") - h.Method.Start; h.Major == 1 && line > maxLine {
		t.Fatalf("Parse(%q): request line of %d bytes over the limit %d", buf, line, maxLine)
	}
}

// netHTTP is net/http's verdict on buf: http.ReadRequest, then the checks
// net/http's Server makes before it calls a handler (server.go's
// conn.readRequest and conn.serve): the protocol version, a Host on 1.1
// requests other than CONNECT, and 417 for an expectation other than
// 100-continue. consumed is how many bytes of buf the head took.
func netHTTP(buf []byte) (req *http.Request, consumed int, err error) {
	src := bytes.NewReader(buf)
	br := bufio.NewReader(src)
	req, err = http.ReadRequest(br)
	if err != nil {
		return nil, 0, err
	}
	consumed = len(buf) - src.Len() - br.Buffered()
	if req.ProtoMajor != 1 && !(req.ProtoMajor == 2 && req.ProtoMinor == 0 && req.Method == "PRI" && req.RequestURI == "*") {
		return nil, 0, errors.New("server: 505 unsupported protocol version")
	}
	h2Upgrade := req.Method == "PRI" && req.RequestURI == "*" && req.Proto == "HTTP/2.0"
	if req.ProtoAtLeast(1, 1) && req.Method != "CONNECT" && !h2Upgrade && !hasHostField(buf) {
		return nil, 0, errors.New("server: 400 missing required Host header")
	}
	for name := range req.Header {
		if !isTokenRFC(name) {
			return nil, 0, errors.New("server: 400 invalid header name")
		}
	}
	if e := req.Header.Get("Expect"); e != "" && !hasTokenFold(e, "100-continue") {
		return nil, 0, errors.New("server: 417 expectation failed")
	}
	return req, consumed, nil
}

// hasHostField reports whether the request head in buf has a Host field,
// as net/http's Server sees it. http.ReadRequest deletes the field from
// req.Header and reports only its value, which may be empty, so this reads
// the head again with textproto as ReadRequest does.
func hasHostField(buf []byte) bool {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(buf)))
	if _, err := tp.ReadLine(); err != nil {
		return false
	}
	h, err := tp.ReadMIMEHeader()
	return err == nil && len(h["Host"]) > 0
}

// isTokenRFC is RFC 9110 §5.6.2's token, written out independently of the
// package's own table, as net/http's Server checks field names with
// httpguts.ValidHeaderFieldName.
func isTokenRFC(s string) bool {
	const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	return s != "" && strings.Trim(s, tchar) == ""
}

// hasTokenFold reports whether the list v holds token, as net/http's
// hasToken does: case-insensitively, bounded by SP, HTAB or comma.
func hasTokenFold(v, token string) bool {
	for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if strings.EqualFold(e, token) {
			return true
		}
	}
	return false
}

// mismatch is what compareWithNetHTTP hands knownDifference when both
// parsers accept the request but read it differently.
type mismatch struct{ what, ours, theirs string }

func (m *mismatch) Error() string {
	return fmt.Sprintf("both accept, %s differs: ours %q, net/http %q", m.what, m.ours, m.theirs)
}

// compareWithNetHTTP fails the test when net/http and Parse disagree on
// buf, unless knownDifference explains it.
func compareWithNetHTTP(t *testing.T, buf []byte, lim Limits, one outcome) {
	t.Helper()
	req, consumed, theirs := netHTTP(buf)
	ours := one.err
	var diff error
	switch {
	case ours == nil && theirs != nil, ours != nil && ours != ErrIncomplete && theirs == nil:
		diff = theirs
		if theirs == nil {
			diff = errors.New("accepted")
		}
	case ours == ErrIncomplete && theirs == nil:
		diff = errors.New("accepted what we still wait on")
	case ours == nil && theirs == nil:
		var h RequestHead
		_ = h.Parse(buf, lim)
		v := one.head
		minor := min(req.ProtoMinor, 1)
		for _, c := range []mismatch{
			{"method", v.Method, req.Method},
			{"target", v.Target, req.RequestURI},
			{"version", v.Version, fmt.Sprint(req.ProtoMajor, ".", minor)},
			{"host", v.Authority, req.Host},
			{"length", fmt.Sprint(v.ContentLength), fmt.Sprint(req.ContentLength)},
			{"close", fmt.Sprint(v.Close), fmt.Sprint(req.Close)},
			{"head size", fmt.Sprint(v.Len), fmt.Sprint(consumed)},
		} {
			if c.ours != c.theirs {
				diff = &c
				break
			}
		}
	}
	if diff == nil {
		return
	}
	why := knownDifference(buf, ours, diff)
	if why == "" {
		t.Fatalf("net/http disagrees on %q:\n ours    %v\n net/http %v", buf, one, diff)
	}
}

// knownDifference explains, when it can, why net/http's verdict on buf
// (theirs: nil if it accepts, or its error, or a *mismatch) differs from
// Parse's (ours: nil, ErrIncomplete or *Error). It returns "" for a
// difference nobody decided on: a bug here or there.
//
// The deliberate differences, found by fuzzing:
//
//   - Bare LF line ends. net/http's textproto reads "\n" as a line end;
//     RFC 9112 §2.2 lets a recipient do so, and we refuse it because a
//     front end that does not would frame the message differently.
//   - obs-fold. textproto unfolds continuation lines; RFC 9112 §5.2 lets a
//     server refuse them with 400, and we do (a front end that unfolds
//     differently sees a different field).
//   - Transfer-Encoding on HTTP/1.0. net/http ignores it (Go issue 12785)
//     and frames by Content-Length; we refuse the request, since a front
//     end might have used the chunked framing (RFC 9112 §6.1).
//   - Transfer-Encoding with Content-Length. net/http drops the
//     Content-Length; RFC 9112 §6.3 says such a message ought to be handled
//     as an error, and we refuse it (CL.TE smuggling).
//   - Empty lines before the request line. RFC 9112 §2.2 says a server
//     SHOULD ignore at least one; we ignore up to 4. http.ReadRequest
//     ignores none (net/http's Server skips them only after a POST).
//   - HTTP/0.9 simple requests ("GET /x\r\n"): we answer them, net/http
//     no longer does.
//   - Repeated Content-Length values that are the same number written
//     differently ("5" and "05"): RFC 9110 §8.6 talks of identical values;
//     net/http compares the text, we compare the number.
//   - Content-Length of 19 digits: net/http accepts up to 2^63-1, we stop
//     at 18 digits (still ~1 EB), which always fit an int64.
//   - The request target. net/http keeps a fragment in the path, takes
//     bytes >= 0x80, '*' with any method, any URI scheme, userinfo, an
//     empty authority and a %-encoded host ("http://caf%C3%A9/") in
//     absolute-form, and a CONNECT target that is a path (net/rpc), lacks
//     a port or is empty. We refuse all of these (RFC 9110 §4.2.1,
//     §4.2.4, §7.1, RFC 9112 §3.2). It also refuses malformed %-escapes in
//     the path ("%zz"), which we leave to the server's decoding. Both
//     ignore a Host that disagrees with an absolute-form or CONNECT
//     target and use the target's authority (RFC 9112 §3.2.2).
//   - A CONNECT request without Host on HTTP/1.1: net/http's Server
//     exempts CONNECT; RFC 9112 §3.2 does not.
//   - Host syntax. http.ReadRequest does not check it (net/http's Server
//     uses httpguts.ValidHostHeader, which is not in the standard library).
//   - Connection values that are not lists of tokens (RFC 9110 §7.6.1):
//     net/http ignores what it does not understand.
//   - Expect. net/http's Server looks only at the first Expect field and
//     accepts a list holding 100-continue; we want every Expect field to be
//     exactly 100-continue (RFC 9110 §10.1.1), else 417.
//   - "PRI * HTTP/2.0": net/http's Server lets it through for a handler to
//     take over h2c; we answer 505.
//   - Limits: http.ReadRequest has none; we refuse with 414 or 431.
//   - A method longer than maxMethodLen (32) bytes: net/http takes any
//     token; we answer 501, as RFC 9112 §3 says a server SHOULD for a
//     method longer than any it implements.
func knownDifference(buf []byte, ours, theirs error) string {
	if e := (*Error)(nil); errors.As(ours, &e) {
		return whyWeRefuse(buf, e)
	}
	var h RequestHead
	if ours != nil || h.Parse(buf, Limits{}) != nil {
		// Parse waits for more where net/http accepted: nothing explains
		// that.
		return ""
	}
	head := buf[:h.Len]
	if m := (*mismatch)(nil); errors.As(theirs, &m) {
		// Both accept but read the request differently: no such
		// difference is deliberate.
		return ""
	}
	// We accept, net/http refuses.
	msg := theirs.Error()
	switch {
	case bytes.HasPrefix(head, []byte("\r\n")):
		return "empty lines before the request line (RFC 9112 §2.2)"
	case h.Major == 0:
		return "HTTP/0.9 simple request"
	case strings.Contains(msg, "multiple Content-Length headers"):
		return "repeated Content-Length, same number written differently"
	case strings.Contains(msg, "invalid URL escape") && bytes.IndexByte(h.Target.In(buf), '%') >= 0:
		return "net/http checks %-escapes in the target; we leave decoding to the server"
	}
	return ""
}

// whyWeRefuse explains a refusal net/http does not make, by the check
// that made it.
func whyWeRefuse(buf []byte, e *Error) string {
	switch e.Status {
	case 414, 431:
		return "limits: http.ReadRequest has none"
	}
	if e.Reason == "method too long" {
		return "method longer than any we implement (RFC 9112 §3)"
	}
	switch e.Reason {
	case "line not terminated by CRLF":
		return "bare LF line end (RFC 9112 §2.2)"
	case "obsolete line folding":
		return "obs-fold (RFC 9112 §5.2)"
	case "Transfer-Encoding in an HTTP/1.0 request":
		return "Transfer-Encoding on HTTP/1.0, ignored by net/http (RFC 9112 §6.1)"
	case "both Content-Length and Transfer-Encoding":
		return "Transfer-Encoding with Content-Length (RFC 9112 §6.3)"
	case "invalid Content-Length":
		return "Content-Length of 19 or more digits"
	case "fragment in request target", "invalid byte in request target",
		"asterisk-form is for OPTIONS only", "invalid request target",
		"invalid authority in request target", "CONNECT needs host:port",
		"empty request target":
		return "request target: " + e.Reason + " (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)"
	case "HTTP/1.1 request needs exactly one Host":
		if bytes.HasPrefix(bytes.TrimLeft(buf, "\r\n"), []byte("CONNECT ")) {
			return "CONNECT without Host on HTTP/1.1 (RFC 9112 §3.2)"
		}
	case "invalid Host":
		return "Host syntax: not checked by http.ReadRequest"
	case "malformed Connection header":
		return "Connection that is not a token list (RFC 9110 §7.6.1)"
	case "unsupported expectation":
		return "Expect other than exactly 100-continue in some Expect field (RFC 9110 §10.1.1)"
	case "HTTP version not supported":
		if bytes.HasPrefix(buf, []byte("PRI * HTTP/2.0\r\n")) {
			return "h2c prior-knowledge preface"
		}
	}
	return ""
}

func FuzzChunked(f *testing.F) {
	for _, tc := range validChunkedBodies {
		if len(tc.in) < 8<<10 {
			f.Add([]byte(tc.in + tc.rest))
		}
	}
	for _, tc := range invalidChunkedBodies {
		if len(tc.in) < 8<<10 {
			f.Add([]byte(tc.in))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 256<<10 {
			return
		}
		want, err := decodeWhole(in)
		if err != nil {
			t.Fatalf("Decode(%q): %v", in, err)
		}
		if len(want.data) > want.consumed || want.consumed > len(in) {
			t.Fatalf("Decode(%q): %d bytes of data from %d consumed of %d", in, len(want.data), want.consumed, len(in))
		}
		switch want.status() {
		case 0:
			if want.err != io.EOF && want.err != errNeedMore {
				t.Fatalf("Decode(%q): error %v is not an *Error", in, want.err)
			}
		case 400, 431:
		default:
			t.Fatalf("Decode(%q): status %d", in, want.status())
		}
		if want.err == io.EOF && !bytes.HasSuffix(in[:want.consumed], []byte("\r\n")) {
			t.Fatalf("Decode(%q): body ended at %d, not after a CRLF", in, want.consumed)
		}
		cuts := []int{1, len(in) / 3, len(in) / 2, len(in) - 1}
		for i, c := range in {
			if len(cuts) >= 32 {
				break
			}
			if c == '\r' || c == '\n' || c == ';' {
				cuts = append(cuts, i, i+1)
			}
		}
		for _, i := range cuts {
			if i < 0 || i > len(in) {
				continue
			}
			got, err := decodeChunked(in, splitGrow(len(in), i))
			if err != nil {
				t.Fatalf("Decode(%q) split at %d: %v", in, i, err)
			}
			if !got.equal(want) {
				t.Fatalf("Decode(%q) split at %d:\n got %v\nwant %v (one-shot)", in, i, got, want)
			}
		}
		if len(in) <= 2048 {
			got, err := decodeChunked(in, func(have int) int { return have + 1 })
			if err != nil {
				t.Fatalf("Decode(%q) bytewise: %v", in, err)
			}
			if !got.equal(want) {
				t.Fatalf("Decode(%q) bytewise:\n got %v\nwant %v (one-shot)", in, got, want)
			}
		}
	})
}

// TestNetHTTPDifferences runs the differential check over every request
// in the tables, and checks that each deliberate difference documented on
// knownDifference is still one: a reason no input needs any more has gone
// stale.
func TestNetHTTPDifferences(t *testing.T) {
	var inputs [][]byte
	for _, tc := range validRequests {
		inputs = append(inputs, []byte(tc.in+tc.rest))
	}
	for _, tc := range invalidRequests {
		inputs = append(inputs, []byte(tc.in))
	}
	for _, tc := range netHTTPOnly {
		inputs = append(inputs, []byte(tc))
	}
	for _, tc := range requestBugs {
		inputs = append(inputs, []byte(tc.in))
	}
	seen := map[string]string{}
	for _, buf := range inputs {
		one := parseOnce(buf, Limits{})
		compareWithNetHTTP(t, buf, Limits{}, one)
		_, _, theirs := netHTTP(buf)
		if (one.err == nil) != (theirs == nil) && one.err != ErrIncomplete {
			why := knownDifference(buf, one.err, theirs)
			if _, ok := seen[why]; !ok {
				seen[why] = string(buf)
			}
		}
	}
	for why, example := range seen {
		t.Logf("%s: e.g. %.80q", why, example)
	}
	for _, why := range documentedDifferences {
		if _, ok := seen[why]; !ok {
			t.Errorf("no input shows the documented difference %q", why)
		}
	}
	if len(seen) != len(documentedDifferences) {
		t.Errorf("%d differences seen, %d documented", len(seen), len(documentedDifferences))
	}
}

// netHTTPOnly are requests that exercise a documented difference no table
// case covers.
var netHTTPOnly = []string{
	"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT  HTTP/1.0\r\n\r\n", // net/http makes "http://" of it
	"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nExpect: foo\r\n\r\n",
}

// documentedDifferences are the reasons knownDifference gives, one per
// deliberate difference listed in its doc comment.
var documentedDifferences = []string{
	"bare LF line end (RFC 9112 §2.2)",
	"obs-fold (RFC 9112 §5.2)",
	"Transfer-Encoding on HTTP/1.0, ignored by net/http (RFC 9112 §6.1)",
	"Transfer-Encoding with Content-Length (RFC 9112 §6.3)",
	"empty lines before the request line (RFC 9112 §2.2)",
	"HTTP/0.9 simple request",
	"repeated Content-Length, same number written differently",
	"Content-Length of 19 or more digits",
	"request target: fragment in request target (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: invalid byte in request target (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: asterisk-form is for OPTIONS only (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: invalid request target (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: invalid authority in request target (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: CONNECT needs host:port (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"request target: empty request target (RFC 9110 §4.2, §7.1, RFC 9112 §3.2)",
	"net/http checks %-escapes in the target; we leave decoding to the server",
	"CONNECT without Host on HTTP/1.1 (RFC 9112 §3.2)",
	"Host syntax: not checked by http.ReadRequest",
	"Connection that is not a token list (RFC 9110 §7.6.1)",
	"Expect other than exactly 100-continue in some Expect field (RFC 9110 §10.1.1)",
	"h2c prior-knowledge preface",
	"limits: http.ReadRequest has none",
	"method longer than any we implement (RFC 9112 §3)",
}
