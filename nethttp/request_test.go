package nethttp

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// requestFields is what recordRequest reports of the *http.Request a
// handler got: every field net/http's server sets from the wire.
type requestFields struct {
	Method                      string
	URL                         string
	Scheme, Host, Path, RawPath string
	RawQuery                    string
	ForceQuery                  bool
	Proto                       string
	ProtoMajor, ProtoMinor      int
	Header                      string
	ReqHost                     string
	RequestURI                  string
	ContentLength               int64
	TransferEncoding            []string
	Close                       bool
	RemoteAddr                  string
	NoBody                      bool
	Body                        string
	BodyErr                     string
	TrailerKeys                 []string
	Trailer                     string // after the body was read to its end
}

// recordRequest answers with the requestFields of its request, as Go
// syntax in the body. RemoteAddr is compared with the client's own
// address by the test, so it is reported as is.
var recordRequest = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	f := requestFields{
		Method: r.Method, URL: r.URL.String(),
		Scheme: r.URL.Scheme, Host: r.URL.Host, Path: r.URL.Path, RawPath: r.URL.RawPath,
		RawQuery: r.URL.RawQuery, ForceQuery: r.URL.ForceQuery,
		Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		Header: headerString(r.Header), ReqHost: r.Host, RequestURI: r.RequestURI,
		ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding, Close: r.Close,
		RemoteAddr: r.RemoteAddr, NoBody: r.Body == http.NoBody,
	}
	for k := range r.Trailer {
		f.TrailerKeys = append(f.TrailerKeys, k)
	}
	slices.Sort(f.TrailerKeys)
	b, err := io.ReadAll(r.Body)
	f.Body = string(b)
	if err != nil {
		f.BodyErr = err.Error()
	}
	f.Trailer = headerString(r.Trailer)
	w.Header().Set("Connection", "close")
	if r.Method == "CONNECT" {
		w.WriteHeader(405) // a 2xx would open a tunnel
	}
	fmt.Fprintf(w, "%#v", f)
})

// headerString is h in a stable form: keys sorted, values in order.
func headerString(h http.Header) string {
	var b strings.Builder
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s=%q;", k, h[k])
	}
	return b.String()
}

// TestRequestFieldsMatchNetHTTP sends the same raw requests to net/http's
// server and to FromHTTP on the engine, and compares what the handler
// saw of each: the engine's Request must turn into the *http.Request
// net/http would have made of the same bytes.
func TestRequestFieldsMatchNetHTTP(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"minimal", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"query and fields", "GET /p/q?x=1&y=%41&x=2 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t\r\nX-Multi: 1\r\nx-multi: 2\r\naccept: */*\r\nX-Empty:\r\n\r\n"},
		{"escaped path", "GET /a%20b/%7Ec%2Fd HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"path net/url escapes", "GET /a!b*(c)'|{} HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"reserved in path", "GET /a:b@c;d=e,f$g&h+i HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"double slash", "GET //x/y HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"HTTP/1.0", "GET /old HTTP/1.0\r\n\r\n"},
		{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\nHost: a\r\n\r\n"},
		{"connection close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n"},
		{"connection list", "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, close\r\n\r\n"},
		{"pragma", "GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n"},
		{"pragma with cache-control", "GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\nCache-Control: max-age=1\r\n\r\n"},
		{"content-length body", "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"},
		{"zero content-length", "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"},
		{"chunked body", "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n4\r\n abc\r\n0\r\n\r\n"},
		{"chunked with declared trailer", "POST /up HTTP/1.1\r\nHost: a\r\nTrailer: x-sum, X-Other\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"},
		{"declared trailer sent", "POST /up HTTP/1.1\r\nHost: a\r\nTrailer: x-sum, X-Other\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nx-sum: 12\r\nX-SUM: 13\r\n\r\n"},
		{"undeclared trailer sent", "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Late: 1\r\nx-more:  two \r\n\r\n"},
		{"declared and undeclared trailers", "POST /up HTTP/1.1\r\nHost: a\r\nTrailer: X-A\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-B: b\r\nX-A: a\r\n\r\n"},
		// net/http's server answers "OPTIONS *" itself, without the
		// handler (its globalOptionsHandler): both bodies are empty.
		{"options asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"options asterisk with body", "OPTIONS * HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"},
		{"connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
		{"non-ascii field value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xc3\xa9\r\n\r\n"},
	}
	std := serveNetHTTP(t, recordRequest)
	eng := serveEngine(t, recordRequest)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantAddr := requestAs(t, std, tt.raw)
			got, gotAddr := requestAs(t, eng, tt.raw)
			if got != want {
				t.Errorf("FromHTTP's request:\n got %s\nwant %s (net/http's)", got, want)
			}
			if gotAddr != "" || wantAddr != "" {
				t.Errorf("RemoteAddr is not the client's address: got %q, net/http %q", gotAddr, wantAddr)
			}
		})
	}
}

// requestAs sends raw to ts and returns the fields recordRequest
// reported, with RemoteAddr blanked when it is the client's own address
// (else returned).
func requestAs(t *testing.T, ts *testServer, raw string) (fields, badAddr string) {
	t.Helper()
	r, c := ts.roundTrip(t, raw)
	if r.err != nil {
		t.Fatalf("reading the body: %v", r.err)
	}
	client := c.LocalAddr().String()
	want := fmt.Sprintf("RemoteAddr:%q", client)
	if !strings.Contains(r.body, want) {
		return r.body, r.body
	}
	return strings.Replace(r.body, want, `RemoteAddr:"<client>"`, 1), ""
}

// TestRequestRawTarget: the targets only the raw request-target
// (Request.Target) tells apart: an absolute-form target, whose URL has a
// scheme and host, and "/p?", whose URL has ForceQuery.
func TestRequestRawTarget(t *testing.T) {
	for _, raw := range []string{
		"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /p? HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /a%20b?x=%41 HTTP/1.1\r\nHost: example.com\r\n\r\n",
	} {
		want, _ := requestAs(t, serveNetHTTP(t, recordRequest), raw)
		got, _ := requestAs(t, serveEngine(t, recordRequest), raw)
		if got != want {
			t.Errorf("%q: FromHTTP's request:\n got %s\nwant %s (net/http's)", raw, got, want)
		}
	}
}

// TestRequestBadTarget: a target url.ParseRequestURI refuses gets a 400,
// as from net/http's server, without the handler running.
func TestRequestBadTarget(t *testing.T) {
	for _, target := range []string{"/%zz", "/a%2"} {
		raw := "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"
		want, _ := serveNetHTTP(t, recordRequest).roundTrip(t, raw)
		got, _ := serveEngine(t, recordRequest).roundTrip(t, raw)
		if got.resp.StatusCode != want.resp.StatusCode || got.resp.Close != want.resp.Close {
			t.Errorf("%s: got %d (close %v), net/http %d (close %v)", target,
				got.resp.StatusCode, got.resp.Close, want.resp.StatusCode, want.resp.Close)
		}
	}
}
