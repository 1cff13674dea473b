package wire

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// browserRequest is a realistic request head as a desktop browser sends
// it: about 500 bytes and 12 header fields.
const browserRequest = "GET /index.html?lang=en HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Connection: keep-alive\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-Site: none\r\n" +
	"Sec-Fetch-User: ?1\r\n" +
	"Cookie: session=0123456789abcdef0123456789abcdef; theme=dark; consent=yes\r\n" +
	"\r\n"

// manyFields returns n header lines "X-Field-<i>: <i>\r\n".
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("X-Field-" + strconv.Itoa(i) + ": " + strconv.Itoa(i) + "\r\n")
	}
	return b.String()
}

func manyFieldList(n int, first ...string) []string {
	l := append([]string(nil), first...)
	for i := range n {
		l = append(l, "X-Field-"+strconv.Itoa(i)+": "+strconv.Itoa(i))
	}
	return l
}

// validRequest is a request head the parser must accept. in is exactly the
// head, so the expected Len is len(in); rest is what follows it on the
// connection (a body, the next request) and must not be consumed.
type validRequest struct {
	name string
	in   string
	rest string
	lim  Limits
	want head // Len is filled in from in
}

// hostA is the Host field most cases use.
var hostA = []string{"Host: a"}

var validRequests = []validRequest{
	// Request line and origin-form target (RFC 9112 §3, §3.2.1).
	{name: "minimal", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "path and query", in: "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n\r\n",
		want: head{Method: "GET", Target: "/a/b?x=1&y=2", Form: "origin", Path: "/a/b", Query: "x=1&y=2", HasQuery: true, Authority: "example.com", HasAuthority: true, Version: "1.1", Fields: []string{"Host: example.com"}}},
	{name: "empty query", in: "GET /p? HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/p?", Form: "origin", Path: "/p", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "question mark inside query", in: "GET /p?a?b HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/p?a?b", Form: "origin", Path: "/p", Query: "a?b", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "query only after root", in: "GET /?q HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/?q", Form: "origin", Path: "/", Query: "q", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "double slash path", in: "GET //x/y HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "//x/y", Form: "origin", Path: "//x/y", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "percent-encoded path kept raw", in: "GET /a%20b/%2F?c=%26 HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/a%20b/%2F?c=%26", Form: "origin", Path: "/a%20b/%2F", Query: "c=%26", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "all pchar and sub-delims", in: "GET /-._~!$&'()*+,;=:@/ HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/-._~!$&'()*+,;=:@/", Form: "origin", Path: "/-._~!$&'()*+,;=:@/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "visible ASCII outside RFC 3986 is left to the router", in: "GET /{x}|\"<>^` HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/{x}|\"<>^`", Form: "origin", Path: "/{x}|\"<>^`", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},

	// Methods are tokens (RFC 9110 §9.1); case matters but lower case is a token.
	{name: "lowercase method is a token", in: "get / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "get", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "extension method", in: "M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "M-SEARCH", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "method of every tchar", in: "!#$%&'*+-.^_`|~09AZaz / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "!#$%&'*+-.^_`|~09AZaz", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "HEAD", in: "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "HEAD", Target: "/x", Form: "origin", Path: "/x", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "longest registered method", in: "UPDATEREDIRECTREF / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "UPDATEREDIRECTREF", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "method of maxMethodLen bytes", in: strings.Repeat("M", maxMethodLen) + " / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: strings.Repeat("M", maxMethodLen), Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "one-letter method", in: "X / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "X", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},

	// Versions (RFC 9112 §2.3, RFC 9110 §2.5).
	{name: "HTTP/1.0 without Host", in: "GET / HTTP/1.0\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "1.0", Close: true}},
	{name: "HTTP/1.0 with Host", in: "GET / HTTP/1.0\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.0", Fields: hostA, Close: true}},
	{name: "HTTP/1.2 is processed as 1.1", in: "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "HTTP/1.9 is processed as 1.1", in: "GET / HTTP/1.9\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},

	// Empty lines before the request line (RFC 9112 §2.2): up to 4.
	{name: "one leading empty line", in: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "four leading empty lines", in: "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},

	// HTTP/0.9 simple request (RFC 1945 §4.1): GET only, no head, close.
	{name: "HTTP/0.9", in: "GET /x\r\n",
		want: head{Method: "GET", Target: "/x", Form: "origin", Path: "/x", Version: "0.9", Close: true}},
	{name: "HTTP/0.9 with query", in: "GET /x?y\r\n",
		want: head{Method: "GET", Target: "/x?y", Form: "origin", Path: "/x", Query: "y", HasQuery: true, Version: "0.9", Close: true}},
	{name: "HTTP/0.9 after an empty line", in: "\r\nGET /\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "0.9", Close: true}},
	{name: "HTTP/0.9 stops at its line", in: "GET /x\r\n", rest: "Host: a\r\n\r\n",
		want: head{Method: "GET", Target: "/x", Form: "origin", Path: "/x", Version: "0.9", Close: true}},
	{name: "HTTP/0.9 absolute-form", in: "GET http://a/x\r\n",
		want: head{Method: "GET", Target: "http://a/x", Form: "absolute", Path: "/x", Authority: "a", HasAuthority: true, Version: "0.9", Close: true}},

	// Absolute-form (RFC 9112 §3.2.2).
	{name: "absolute http", in: "GET http://a.example/x?y HTTP/1.1\r\nHost: a.example\r\n\r\n",
		want: head{Method: "GET", Target: "http://a.example/x?y", Form: "absolute", Path: "/x", Query: "y", HasQuery: true, Authority: "a.example", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a.example"}}},
	{name: "absolute https", in: "GET https://a/x HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "https://a/x", Form: "absolute", Path: "/x", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute upper-case scheme", in: "GET HTTP://A/ HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "HTTP://A/", Form: "absolute", Path: "/", Authority: "A", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute mixed-case https", in: "GET hTtPs://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "hTtPs://a/", Form: "absolute", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute empty path", in: "GET http://a HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "http://a", Form: "absolute", Path: "", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute empty path with query", in: "GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "http://a?x=1", Form: "absolute", Path: "", Query: "x=1", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute with port", in: "GET http://a:8080/ HTTP/1.1\r\nHost: a:8080\r\n\r\n",
		want: head{Method: "GET", Target: "http://a:8080/", Form: "absolute", Path: "/", Authority: "a:8080", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a:8080"}}},
	{name: "absolute IPv6 literal", in: "GET http://[::1]:80/x HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
		want: head{Method: "GET", Target: "http://[::1]:80/x", Form: "absolute", Path: "/x", Authority: "[::1]:80", HasAuthority: true, Version: "1.1", Fields: []string{"Host: [::1]:80"}}},
	{name: "absolute with empty port", in: "GET http://a:/ HTTP/1.1\r\nHost: a:\r\n\r\n",
		want: head{Method: "GET", Target: "http://a:/", Form: "absolute", Path: "/", Authority: "a:", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a:"}}},
	{name: "absolute Host differs only in case", in: "GET http://A.Example/ HTTP/1.1\r\nHost: a.example\r\n\r\n",
		want: head{Method: "GET", Target: "http://A.Example/", Form: "absolute", Path: "/", Authority: "A.Example", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a.example"}}},
	{name: "absolute at-sign in path is not userinfo", in: "GET http://a/@x HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "http://a/@x", Form: "absolute", Path: "/@x", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute at-sign in query is not userinfo", in: "GET http://a?x@y HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "http://a?x@y", Form: "absolute", Path: "", Query: "x@y", HasQuery: true, Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute-form POST after an empty line", in: "\r\nPOST http://a.b:80/x?y=1 HTTP/1.1\r\nHost: a.b:80\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", rest: "hello",
		want: head{Method: "POST", Target: "http://a.b:80/x?y=1", Form: "absolute", Path: "/x", Query: "y=1", HasQuery: true, Authority: "a.b:80", HasAuthority: true, Version: "1.1",
			Fields: []string{"Host: a.b:80", "Content-Length: 5", "Connection: close"}, ContentLength: 5, Close: true}},
	// RFC 9112 §3.2.2: with an absolute-form target, Host is ignored and
	// the target's authority is the request's.
	{name: "absolute Host disagrees, target wins", in: "GET http://foo/ HTTP/1.1\r\nHost: bar\r\n\r\n",
		want: head{Method: "GET", Target: "http://foo/", Form: "absolute", Path: "/", Authority: "foo", HasAuthority: true, Version: "1.1", Fields: []string{"Host: bar"}}},
	{name: "absolute Host disagrees by port, target wins", in: "GET http://a:8080/x HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "http://a:8080/x", Form: "absolute", Path: "/x", Authority: "a:8080", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "absolute empty Host, target wins", in: "GET http://a/ HTTP/1.1\r\nHost:\r\n\r\n",
		want: head{Method: "GET", Target: "http://a/", Form: "absolute", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: "}}},
	{name: "absolute on HTTP/1.0 with a different Host", in: "GET http://foo/ HTTP/1.0\r\nHost: bar\r\n\r\n",
		want: head{Method: "GET", Target: "http://foo/", Form: "absolute", Path: "/", Authority: "foo", HasAuthority: true, Version: "1.0", Fields: []string{"Host: bar"}, Close: true}},
	{name: "absolute on HTTP/1.0 without Host", in: "GET http://a/x HTTP/1.0\r\n\r\n",
		want: head{Method: "GET", Target: "http://a/x", Form: "absolute", Path: "/x", Authority: "a", HasAuthority: true, Version: "1.0", Close: true}},

	// Authority-form (CONNECT) and asterisk-form (OPTIONS), RFC 9112 §3.2.3-4.
	{name: "CONNECT host:port", in: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
		want: head{Method: "CONNECT", Target: "a.example:443", Form: "authority", Path: "a.example:443", Authority: "a.example:443", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a.example:443"}}},
	{name: "CONNECT IPv6", in: "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
		want: head{Method: "CONNECT", Target: "[::1]:443", Form: "authority", Path: "[::1]:443", Authority: "[::1]:443", HasAuthority: true, Version: "1.1", Fields: []string{"Host: [::1]:443"}}},
	{name: "CONNECT with a different Host", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: localhost\r\n\r\n",
		want: head{Method: "CONNECT", Target: "example.com:443", Form: "authority", Path: "example.com:443", Authority: "example.com:443", HasAuthority: true, Version: "1.1", Fields: []string{"Host: localhost"}}},
	{name: "CONNECT on HTTP/1.0 without Host", in: "CONNECT a:1 HTTP/1.0\r\n\r\n",
		want: head{Method: "CONNECT", Target: "a:1", Form: "authority", Path: "a:1", Authority: "a:1", HasAuthority: true, Version: "1.0", Close: true}},
	{name: "OPTIONS *", in: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "OPTIONS", Target: "*", Form: "asterisk", Path: "*", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "OPTIONS origin-form", in: "OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "OPTIONS", Target: "/x", Form: "origin", Path: "/x", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},

	// Host (RFC 9112 §3.2, RFC 9110 §7.2).
	{name: "Host with port", in: "GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a:8080", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a:8080"}}},
	{name: "Host IPv6 literal", in: "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "[2001:db8::1]:8080", HasAuthority: true, Version: "1.1", Fields: []string{"Host: [2001:db8::1]:8080"}}},
	{name: "empty Host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "", HasAuthority: true, Version: "1.1", Fields: []string{"Host: "}}},
	{name: "Host with OWS", in: "GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "Host field name in odd case", in: "GET / HTTP/1.1\r\nhOsT: a\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"hOsT: a"}}},
	{name: "Host with sub-delims and underscore", in: "GET / HTTP/1.1\r\nHost: my_host-1.example\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "my_host-1.example", HasAuthority: true, Version: "1.1", Fields: []string{"Host: my_host-1.example"}}},

	// Field lines (RFC 9112 §5, RFC 9110 §5.5).
	{name: "no space after colon", in: "GET / HTTP/1.1\r\nHost:a\r\nX:y\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: y"}}},
	{name: "OWS trimmed, inner whitespace kept", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \t a \t b\t \r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: a \t b"}}},
	{name: "tab inside value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: a\tb"}}},
	{name: "obs-text in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9 \x80\xff\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: caf\xc3\xa9 \x80\xff"}}},
	{name: "empty value", in: "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: "}}},
	{name: "whitespace-only value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \t \r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: "}}},
	{name: "colon inside value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a:b::\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: a:b::"}}},
	{name: "quotes and commas in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \"a, b\", c;q=1\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "X: \"a, b\", c;q=1"}}},
	{name: "field name of every tchar", in: "GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09AZaz: v\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "!#$%&'*+-.^_`|~09AZaz: v"}}},
	{name: "repeated fields kept in order", in: "GET / HTTP/1.1\r\nX: 1\r\nHost: a\r\nX: 2\r\nx: 3\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"X: 1", "Host: a", "X: 2", "x: 3"}}},
	{name: "browser request", in: browserRequest,
		want: head{Method: "GET", Target: "/index.html?lang=en", Form: "origin", Path: "/index.html", Query: "lang=en", HasQuery: true, Authority: "www.example.com", HasAuthority: true, Version: "1.1", Fields: []string{
			"Host: www.example.com",
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
			"Accept-Language: en-US,en;q=0.5",
			"Accept-Encoding: gzip, deflate, br, zstd",
			"Connection: keep-alive",
			"Upgrade-Insecure-Requests: 1",
			"Sec-Fetch-Dest: document",
			"Sec-Fetch-Mode: navigate",
			"Sec-Fetch-Site: none",
			"Sec-Fetch-User: ?1",
			"Cookie: session=0123456789abcdef0123456789abcdef; theme=dark; consent=yes",
		}}},

	// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
	{name: "Content-Length with body", in: "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", rest: "hello",
		want: head{Method: "POST", Target: "/f", Form: "origin", Path: "/f", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 5"}, ContentLength: 5}},
	{name: "Content-Length 0", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 0"}}},
	{name: "Content-Length leading zeros", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0005\r\n\r\n", rest: "hello",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 0005"}, ContentLength: 5}},
	{name: "Content-Length 18 digits", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 999999999999999999"}, ContentLength: 999999999999999999}},
	{name: "Content-Length with OWS", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t7 \r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 7"}, ContentLength: 7}},
	{name: "Content-Length repeated, same value", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 5", "content-length: 5"}, ContentLength: 5}},
	{name: "Content-Length repeated, same number spelt differently", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Content-Length: 5", "Content-Length: 05"}, ContentLength: 5}},
	{name: "Content-Length on HTTP/1.0", in: "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", rest: "abc",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Content-Length: 3"}, ContentLength: 3, Close: true}},

	// Transfer-Encoding (RFC 9112 §6.1, §6.3).
	{name: "chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", rest: "0\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Transfer-Encoding: chunked"}, ContentLength: -1, Chunked: true}},
	{name: "chunked upper case", in: "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "transfer-encoding: CHUNKED"}, ContentLength: -1, Chunked: true}},
	{name: "chunked mixed case with OWS", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \tChunKed \r\n\r\n",
		want: head{Method: "POST", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Transfer-Encoding: ChunKed"}, ContentLength: -1, Chunked: true}},

	// Connection (RFC 9112 §9.3, §9.6).
	{name: "HTTP/1.1 Connection: close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: close"}, Close: true}},
	{name: "HTTP/1.1 Connection: Close, upper case", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: CLOSE"}, Close: true}},
	{name: "HTTP/1.1 keep-alive", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: keep-alive"}}},
	{name: "HTTP/1.1 keep-alive and close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: keep-alive, close"}, Close: true}},
	{name: "Connection list with empty elements", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: , Upgrade ,, close ,\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: , Upgrade ,, close ,"}, Close: true}},
	{name: "Connection over two lines", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: keep-alive", "Connection: close"}, Close: true}},
	{name: "Connection: closed is not close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: closed"}}},
	{name: "empty Connection", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection:\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Connection: "}}},
	{name: "HTTP/1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Connection: keep-alive"}}},
	{name: "HTTP/1.0 Keep-Alive in a list", in: "GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Connection: foo, Keep-Alive"}}},
	{name: "HTTP/1.0 keep-alive and close", in: "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Connection: keep-alive", "Connection: close"}, Close: true}},
	{name: "HTTP/1.0 other Connection option", in: "GET / HTTP/1.0\r\nConnection: upgrade\r\n\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Connection: upgrade"}, Close: true}},

	// Expect (RFC 9110 §10.1.1).
	{name: "Expect 100-continue", in: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", rest: "abc",
		want: head{Method: "PUT", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Expect: 100-continue", "Content-Length: 3"}, ContentLength: 3, Expect100: true}},
	{name: "Expect 100-Continue, case-insensitive", in: "PUT / HTTP/1.1\r\nHost: a\r\nexpect: 100-Continue\r\n\r\n",
		want: head{Method: "PUT", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "expect: 100-Continue"}, Expect100: true}},
	{name: "Expect 100-continue ignored on HTTP/1.0", in: "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
		want: head{Method: "PUT", Target: "/", Form: "origin", Path: "/", Version: "1.0", Fields: []string{"Expect: 100-continue", "Content-Length: 3"}, ContentLength: 3, Close: true}},
	{name: "Expect 100-continue on HTTP/1.2", in: "PUT / HTTP/1.2\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
		want: head{Method: "PUT", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: []string{"Host: a", "Expect: 100-continue"}, Expect100: true}},

	// Limits, at exactly the limit.
	{name: "request line exactly MaxRequestLine", in: "GET /abc HTTP/1.1\r\nHost: a\r\n\r\n", lim: Limits{MaxRequestLine: len("GET /abc HTTP/1.1\r\n")},
		want: head{Method: "GET", Target: "/abc", Form: "origin", Path: "/abc", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "head exactly MaxHeadBytes", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", lim: Limits{MaxHeadBytes: len("GET / HTTP/1.1\r\nHost: a\r\n\r\n")},
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "exactly MaxFields", in: "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(2) + "\r\n", lim: Limits{MaxFields: 3},
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: manyFieldList(2, "Host: a")}},
	{name: "exactly the default MaxFields", in: "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(DefaultMaxFields-1) + "\r\n",
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: manyFieldList(DefaultMaxFields-1, "Host: a")}},
	{name: "long target under the default limit", in: "GET /" + strings.Repeat("a", DefaultMaxRequestLine-len("GET / HTTP/1.1\r\n")) + " HTTP/1.1\r\nHost: a\r\n\r\n",
		want: head{Method: "GET", Target: "/" + strings.Repeat("a", DefaultMaxRequestLine-len("GET / HTTP/1.1\r\n")), Form: "origin", Path: "/" + strings.Repeat("a", DefaultMaxRequestLine-len("GET / HTTP/1.1\r\n")), Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
	{name: "leading empty lines do not count towards MaxRequestLine", in: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", lim: Limits{MaxRequestLine: len("GET / HTTP/1.1\r\n")},
		want: head{Method: "GET", Target: "/", Form: "origin", Path: "/", Authority: "a", HasAuthority: true, Version: "1.1", Fields: hostA}},
}

// invalidRequest is a request the parser must refuse with status. Some are
// incomplete on purpose: they are already known to be too long.
type invalidRequest struct {
	name   string
	in     string
	lim    Limits
	status int
}

var invalidRequests = []invalidRequest{
	// Request line shape (RFC 9112 §3).
	{"empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"request line without spaces", "GET\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"empty request line after 4 empty lines", "\r\n\r\n\r\n\r\n\r\n", Limits{}, 400},
	{"double space after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"double space before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Limits{}, 400},
	{"tab as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"tab before version", "GET /\tHTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with slash", "GE/T / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with parenthesis", "GET() / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with colon", "GET: / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with high byte", "G\xc3\x89T / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with NUL", "G\x00T / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"method with NUL, line incomplete", "G\x00", Limits{}, 400},
	{"TLS handshake instead of a request", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", Limits{}, 400},
	{"line ends inside the method", "GET\r\n", Limits{}, 400},
	{"bare LF inside the method", "GET\nHost: a\r\n\r\n", Limits{}, 400},
	// RFC 9112 §3: a method longer than any we implement gets 501, as
	// soon as maxMethodLen+1 method bytes have arrived.
	{"method one byte over maxMethodLen", strings.Repeat("M", maxMethodLen+1) + " / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 501},
	{"long method, line incomplete", strings.Repeat("M", maxMethodLen+1), Limits{}, 501},
	{"long method, then a bad byte", strings.Repeat("M", maxMethodLen+1) + "\x00 / HTTP/1.1\r\n", Limits{}, 501},
	{"long method over the default MaxRequestLine", strings.Repeat("G", DefaultMaxRequestLine+10) + " / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 501},
	{"long method under a smaller MaxRequestLine", strings.Repeat("G", 40) + " / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{MaxRequestLine: 16}, 414},
	{"missing version on POST", "POST /x\r\n\r\n", Limits{}, 400},
	{"missing version on lowercase get", "get /x\r\n", Limits{}, 400},
	{"empty version", "GET / \r\nHost: a\r\n\r\n", Limits{}, 400},
	{"lowercase http", "GET / http/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/11", "GET / HTTP/11\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/1,1", "GET / HTTP/1,1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/a.1", "GET / HTTP/a.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTPS/1.1", "GET / HTTPS/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", Limits{}, 505},
	{"HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", Limits{}, 505},
	{"HTTP/0.9 with version token", "GET / HTTP/0.9\r\n\r\n", Limits{}, 505},
	{"HTTP/0.1", "GET / HTTP/0.1\r\n\r\n", Limits{}, 505},
	{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Limits{}, 505},

	// Line ends (RFC 9112 §2.2): CRLF only.
	{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", Limits{}, 400},
	{"bare LF everywhere", "GET / HTTP/1.1\nHost: a\n\n", Limits{}, 400},
	{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", Limits{}, 400},
	{"bare LF ends head", "GET / HTTP/1.1\r\nHost: a\r\n\n", Limits{}, 400},
	{"leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"leading empty line with bare LF", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"bare CR in request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"bare CR ends request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", Limits{}, 400},
	{"bare CR before CRLF", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", Limits{}, 400},
	{"bare CR ends value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\r\n\r\n", Limits{}, 400},
	{"bare CR ends head", "GET / HTTP/1.1\r\nHost: a\r\n\rX", Limits{}, 400},
	{"leading bare CR", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"five leading empty lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},

	// Request target (RFC 9112 §3.2, RFC 9110 §4.2, §7.1).
	{"fragment", "GET /x#y HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"empty fragment", "GET /x# HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"fragment in absolute-form", "GET http://a/#f HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"fragment in HTTP/0.9", "GET /#f\r\n", Limits{}, 400},
	{"control byte in target", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"DEL in target", "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"high byte in target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"NUL in target", "GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"asterisk with lowercase options", "options * HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"asterisk followed by path", "OPTIONS */x HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"relative target", "GET x/y HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"other scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"scheme without authority", "GET http:/x HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"http:// alone", "GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"empty authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"empty authority before query", "GET https://?x HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"userinfo with password", "GET http://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"non-numeric port", "GET http://a:b/ HTTP/1.1\r\nHost: a:b\r\n\r\n", Limits{}, 400},
	{"six-digit port", "GET http://a:123456/ HTTP/1.1\r\nHost: a:123456\r\n\r\n", Limits{}, 400},
	{"two colons", "GET http://a:1:2/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"unclosed IP literal", "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"stray bracket", "GET http://a]/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"junk after IP literal", "GET http://[::1]x/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	// The Host field is ignored with absolute-form, but still required
	// on HTTP/1.1, once only, and well-formed (RFC 9112 §3.2, §3.2.2).
	{"absolute-form with an invalid Host", "GET http://a/ HTTP/1.1\r\nHost: a b\r\n\r\n", Limits{}, 400},
	{"absolute-form with two Hosts", "GET http://a/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Limits{}, 400},
	{"absolute-form on HTTP/1.0 with an invalid Host", "GET http://a/ HTTP/1.0\r\nHost: a/b\r\n\r\n", Limits{}, 400},
	{"absolute-form without Host on HTTP/1.1", "GET http://a/ HTTP/1.1\r\n\r\n", Limits{}, 400},
	{"CONNECT without port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"CONNECT with empty port", "CONNECT a: HTTP/1.1\r\nHost: a:\r\n\r\n", Limits{}, 400},
	{"CONNECT without host", "CONNECT :443 HTTP/1.1\r\nHost: :443\r\n\r\n", Limits{}, 400},
	{"CONNECT origin-form", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"CONNECT absolute-form", "CONNECT http://a:443/ HTTP/1.1\r\nHost: a:443\r\n\r\n", Limits{}, 400},
	{"CONNECT with userinfo", "CONNECT u@a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", Limits{}, 400},
	{"CONNECT with an invalid Host", "CONNECT a:443 HTTP/1.1\r\nHost: a@b\r\n\r\n", Limits{}, 400},
	{"CONNECT without Host on HTTP/1.1", "CONNECT a:443 HTTP/1.1\r\n\r\n", Limits{}, 400},

	// Host (RFC 9112 §3.2).
	{"missing Host on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", Limits{}, 400},
	{"missing Host on HTTP/1.2", "GET / HTTP/1.2\r\nX: y\r\n\r\n", Limits{}, 400},
	{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"two Hosts, different case", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", Limits{}, 400},
	{"two Hosts on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", Limits{}, 400},
	{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Limits{}, 400},
	{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", Limits{}, 400},
	{"Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Limits{}, 400},
	{"Host with query", "GET / HTTP/1.1\r\nHost: a?b\r\n\r\n", Limits{}, 400},
	{"Host with non-numeric port", "GET / HTTP/1.1\r\nHost: a:http\r\n\r\n", Limits{}, 400},
	{"Host with high byte", "GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", Limits{}, 400},
	{"Host with tab inside", "GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n", Limits{}, 400},
	{"Host on HTTP/1.0 invalid", "GET / HTTP/1.0\r\nHost: a@b\r\n\r\n", Limits{}, 400},
	// No percent-encoding in a host: a DNS name or IP address has none.
	{"Host percent-encoded", "GET / HTTP/1.1\r\nHost: %61\r\n\r\n", Limits{}, 400},
	{"Host percent-encoded UTF-8", "GET / HTTP/1.1\r\nHost: caf%C3%A9.example\r\n\r\n", Limits{}, 400},
	{"Host with a percent sign", "GET / HTTP/1.1\r\nHost: a%\r\n\r\n", Limits{}, 400},
	{"Host percent in port", "GET / HTTP/1.1\r\nHost: a:%38%30\r\n\r\n", Limits{}, 400},
	{"Host IPv6 with a zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", Limits{}, 400},
	{"Host percent-encoded on HTTP/1.0", "GET / HTTP/1.0\r\nHost: %61\r\n\r\n", Limits{}, 400},
	{"absolute-form with a percent-encoded host", "GET http://%61/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"absolute-form with a percent-encoded UTF-8 host", "GET http://caf%C3%A9/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"absolute-form with a malformed percent-escape in the host", "GET http://a%zz/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"absolute-form with an IPv6 zone", "GET http://[fe80::1%25eth0]/ HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 400},
	{"absolute-form with a percent-encoded Host", "GET http://a/ HTTP/1.1\r\nHost: %61\r\n\r\n", Limits{}, 400},
	{"CONNECT to a percent-encoded host", "CONNECT %61:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", Limits{}, 400},

	// Field lines (RFC 9112 §5).
	{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", Limits{}, 400},
	{"obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", Limits{}, 400},
	{"whitespace before first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", Limits{}, 400},
	{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", Limits{}, 400},
	{"tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n", Limits{}, 400},
	{"line without colon", "GET / HTTP/1.1\r\nHost: a\r\nX y\r\n\r\n", Limits{}, 400},
	{"empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: y\r\n\r\n", Limits{}, 400},
	{"space inside field name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: z\r\n\r\n", Limits{}, 400},
	{"parenthesis in field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n", Limits{}, 400},
	{"high byte in field name", "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: z\r\n\r\n", Limits{}, 400},
	{"NUL in field name", "GET / HTTP/1.1\r\nHost: a\r\nX\x00: z\r\n\r\n", Limits{}, 400},
	{"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", Limits{}, 400},
	{"vertical tab in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\vb\r\n\r\n", Limits{}, 400},
	{"form feed in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\fb\r\n\r\n", Limits{}, 400},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", Limits{}, 400},
	{"escape in value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[0m\r\n\r\n", Limits{}, 400},
	{"vertical tab as OWS", "GET / HTTP/1.1\r\nHost: a\r\nX:\vb\r\n\r\n", Limits{}, 400},

	// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
	{"differing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Limits{}, 400},
	{"Content-Length plus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", Limits{}, 400},
	{"Content-Length negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", Limits{}, 400},
	{"Content-Length inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", Limits{}, 400},
	{"Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,5\r\n\r\n", Limits{}, 400},
	{"Content-Length list with OWS", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", Limits{}, 400},
	{"Content-Length hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", Limits{}, 400},
	{"Content-Length exponent", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n", Limits{}, 400},
	{"Content-Length empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", Limits{}, 400},
	{"Content-Length 19 digits", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000000000\r\n\r\n", Limits{}, 400},
	{"Content-Length 19 digits with leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0000000000000000005\r\n\r\n", Limits{}, 400},
	{"Content-Length overflows int64", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", Limits{}, 400},
	{"Content-Length invalid on GET", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", Limits{}, 400},

	// Transfer-Encoding (RFC 9112 §6.1, §6.3).
	{"gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Limits{}, 501},
	{"gzip,chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip,chunked\r\n\r\n", Limits{}, 501},
	{"identity, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n", Limits{}, 501},
	{"chunked, identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", Limits{}, 400},
	{"chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", Limits{}, 400},
	{"identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", Limits{}, 400},
	{"gzip alone", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", Limits{}, 400},
	{"chunked with parameter", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", Limits{}, 400},
	{"leading comma", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n", Limits{}, 400},
	{"trailing comma", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", Limits{}, 400},
	{"empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", Limits{}, 400},
	{"space inside coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun ked\r\n\r\n", Limits{}, 400},
	{"quoted chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", Limits{}, 400},
	{"two Transfer-Encoding lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 400},
	{"Transfer-Encoding then Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", Limits{}, 400},
	{"Content-Length then Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 400},
	{"Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}, 400},
	{"gzip, chunked on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Limits{}, 400},

	// Connection (RFC 9110 §7.6.1: a list of tokens).
	{"Connection with non-token", "GET / HTTP/1.1\r\nHost: a\r\nConnection: cl@se\r\n\r\n", Limits{}, 400},
	{"Connection with space inside", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep alive\r\n\r\n", Limits{}, 400},
	{"Connection quoted", "GET / HTTP/1.1\r\nHost: a\r\nConnection: \"close\"\r\n\r\n", Limits{}, 400},

	// Expect (RFC 9110 §10.1.1).
	{"unknown expectation", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n", Limits{}, 417},
	{"unknown expectation on HTTP/1.0", "PUT / HTTP/1.0\r\nExpect: foo\r\n\r\n", Limits{}, 417},
	{"100-continue with a parameter", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue;x=1\r\n\r\n", Limits{}, 417},
	{"100-continue and another", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, foo\r\n\r\n", Limits{}, 417},
	{"empty expectation", "PUT / HTTP/1.1\r\nHost: a\r\nExpect:\r\n\r\n", Limits{}, 417},

	// A field that is bad on its own line, or conflicts with an earlier
	// one, is refused when that line ends: these heads lack their empty
	// line (and some have the start of a next line), yet the verdict is in.
	{"invalid field name, head incomplete", "GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n", Limits{}, 400},
	{"space before colon, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nX", Limits{}, 400},
	{"control byte in value, head incomplete", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\nY: ", Limits{}, 400},
	{"obs-fold, head incomplete", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n", Limits{}, 400},
	{"invalid Content-Length, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n", Limits{}, 400},
	{"conflicting Content-Length, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\nX: y", Limits{}, 400},
	{"Content-Length after Transfer-Encoding, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n", Limits{}, 400},
	{"Transfer-Encoding after Content-Length, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n", Limits{}, 400},
	{"invalid Transfer-Encoding, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, x\r\n", Limits{}, 400},
	{"unimplemented transfer coding, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n", Limits{}, 501},
	{"repeated Transfer-Encoding, head incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", Limits{}, 400},
	{"Transfer-Encoding on HTTP/1.0, head incomplete", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n", Limits{}, 400},
	{"invalid Host, head incomplete", "GET / HTTP/1.1\r\nX: y\r\nHost: a b\r\n", Limits{}, 400},
	{"percent-encoded Host, head incomplete", "GET / HTTP/1.1\r\nX: y\r\nHost: %61\r\n", Limits{}, 400},
	{"second Host, head incomplete", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n", Limits{}, 400},
	{"second Host on HTTP/1.0, head incomplete", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n", Limits{}, 400},
	{"malformed Connection, head incomplete", "GET / HTTP/1.1\r\nHost: a\r\nConnection: \"close\"\r\n", Limits{}, 400},
	{"unknown expectation, head incomplete", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n", Limits{}, 417},

	// Limits.
	{"request line over MaxRequestLine", "GET /abcd HTTP/1.1\r\nHost: a\r\n\r\n", Limits{MaxRequestLine: len("GET /abc HTTP/1.1\r\n")}, 414},
	{"request line over MaxRequestLine by its LF", "GET /abc HTTP/1.1\r\nHost: a\r\n\r\n", Limits{MaxRequestLine: len("GET /abc HTTP/1.1\r")}, 414},
	{"incomplete request line already too long", "GET /" + strings.Repeat("a", 20), Limits{MaxRequestLine: 16}, 414},
	{"incomplete request line ending in CR already too long", "GET /aaaaaaaaa\r", Limits{MaxRequestLine: 15}, 414},
	{"request line over the default limit", "GET /" + strings.Repeat("a", DefaultMaxRequestLine) + " HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}, 414},
	{"incomplete request line over the default limit", "GET /" + strings.Repeat("a", DefaultMaxRequestLine), Limits{}, 414},
	{"HTTP/0.9 line over MaxRequestLine", "GET /abcdefgh\r\n", Limits{MaxRequestLine: 8}, 414},
	{"head over MaxHeadBytes", "GET / HTTP/1.1\r\nHost: a\r\nX: yy\r\n\r\n", Limits{MaxHeadBytes: len("GET / HTTP/1.1\r\nHost: a\r\nX: yy\r\n\r")}, 431},
	{"incomplete head already too large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("y", 40), Limits{MaxHeadBytes: 48}, 431},
	{"incomplete head already too large, many lines", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(10), Limits{MaxHeadBytes: 64}, 431},
	{"head over the default MaxHeadBytes", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("y", DefaultMaxHeadBytes) + "\r\n\r\n", Limits{}, 431},
	{"one field over MaxFields", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(3) + "\r\n", Limits{MaxFields: 3}, 431},
	{"one field over the default MaxFields", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(DefaultMaxFields) + "\r\n", Limits{}, 431},
	{"too many fields, incomplete", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(5), Limits{MaxFields: 3}, 431},
}

func (tc validRequest) buf() []byte { return []byte(tc.in + tc.rest) }

func (tc validRequest) wantHead() head {
	w := tc.want
	w.Len = len(tc.in)
	return w
}

func TestParseValid(t *testing.T) {
	if len(validRequests) < 70 {
		t.Errorf("only %d valid cases", len(validRequests))
	}
	for _, tc := range validRequests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseOnce(tc.buf(), tc.lim)
			want := outcome{head: tc.wantHead()}
			if !got.equal(want) {
				t.Errorf("Parse(%q)\n got %v\nwant %v", tc.buf(), got, want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	if len(invalidRequests) < 70 {
		t.Errorf("only %d invalid cases", len(invalidRequests))
	}
	for _, tc := range invalidRequests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseOnce([]byte(tc.in), tc.lim)
			if got.status != tc.status {
				t.Errorf("Parse(%q)\n got %v\nwant refused %d", tc.in, got, tc.status)
			}
			var e *Error
			if errors.As(got.err, &e) {
				if e.Reason == "" {
					t.Errorf("Parse(%q): empty Reason", tc.in)
				}
				if !strings.Contains(e.Error(), strconv.Itoa(tc.status)) {
					t.Errorf("Parse(%q): Error() = %q, does not name the status", tc.in, e.Error())
				}
			}
		})
	}
}

// TestParseValidSplit feeds every valid request cut at every byte: the
// first call must ask for more (or succeed only when the head is all
// there), and the second call with the whole buffer must give what a
// one-shot parse gives.
func TestParseValidSplit(t *testing.T) {
	for _, tc := range validRequests {
		t.Run(tc.name, func(t *testing.T) {
			buf := tc.buf()
			want := outcome{head: tc.wantHead()}
			for i := 0; i <= len(buf); i++ {
				got, first := parseSplit(buf, i, tc.lim)
				switch {
				case first == nil && i < want.head.Len:
					t.Errorf("split at %d of %q: accepted %d bytes early", i, buf, want.head.Len)
				case first != nil && first != ErrIncomplete:
					t.Errorf("split at %d of %q: first call got %v, want ErrIncomplete", i, buf, first)
				case !got.equal(want):
					t.Errorf("split at %d of %q:\n got %v\nwant %v", i, buf, got, want)
				}
				if t.Failed() {
					return
				}
			}
		})
	}
}

func TestParseValidBytewise(t *testing.T) {
	for _, tc := range validRequests {
		t.Run(tc.name, func(t *testing.T) {
			buf := tc.buf()
			want := outcome{head: tc.wantHead()}
			got, at := parseBytewise(buf, tc.lim)
			if !got.equal(want) {
				t.Errorf("bytewise %q:\n got %v\nwant %v", buf, got, want)
			}
			if at != want.head.Len {
				t.Errorf("bytewise %q: answered after %d bytes, want %d", buf, at, want.head.Len)
			}
		})
	}
}

// TestParseInvalidSplit: wherever the input is cut, the parser must never
// accept, and must end with the same status as a one-shot parse.
func TestParseInvalidSplit(t *testing.T) {
	for _, tc := range invalidRequests {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.in)
			want := parseOnce(buf, tc.lim)
			for i := 0; i <= len(buf); i++ {
				got, first := parseSplit(buf, i, tc.lim)
				if first == nil {
					t.Fatalf("split at %d of %q: accepted a prefix: %v", i, buf, got)
				}
				if !got.equal(want) {
					t.Fatalf("split at %d of %q:\n got %v\nwant %v (one-shot)", i, buf, got, want)
				}
			}
			got, _ := parseBytewise(buf, tc.lim)
			if !got.equal(want) {
				t.Errorf("bytewise %q:\n got %v\nwant %v (one-shot)", buf, got, want)
			}
		})
	}
}

// wholeHeadChecks are the invalid requests whose fault can only be seen
// once the head's empty line has arrived (or, for the limits, is the
// empty line itself). Every other complete invalid head must already be
// refused without its last CRLF.
var wholeHeadChecks = map[string]bool{
	"missing Host on HTTP/1.1":               true,
	"missing Host on HTTP/1.2":               true,
	"absolute-form without Host on HTTP/1.1": true,
	"CONNECT without Host on HTTP/1.1":       true,
	"empty request line after 4 empty lines": true, // the 5th empty line is the fault
	"head over MaxHeadBytes":                 true, // over by its last byte
}

// TestParseRefusesOnTheLine: a head that is bad before its empty line is
// refused without waiting for it, with the status a whole parse gives.
func TestParseRefusesOnTheLine(t *testing.T) {
	for name := range wholeHeadChecks {
		if !slices.ContainsFunc(invalidRequests, func(tc invalidRequest) bool { return tc.name == name }) {
			t.Errorf("wholeHeadChecks names %q, which is not an invalid request", name)
		}
	}
	for _, tc := range invalidRequests {
		if !strings.HasSuffix(tc.in, "\r\n\r\n") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			in := strings.TrimSuffix(tc.in, "\r\n")
			got := parseOnce([]byte(in), tc.lim)
			switch {
			case wholeHeadChecks[tc.name]:
				// Keep the list true: these really do wait.
				if got.err != ErrIncomplete {
					t.Errorf("Parse(%q)\n got %v\nwant %v (listed in wholeHeadChecks)", in, got, ErrIncomplete)
				}
			case got.status != tc.status:
				t.Errorf("Parse(%q)\n got %v\nwant refused %d", in, got, tc.status)
			}
		})
	}
}

// TestParseReuse parses every valid case with one RequestHead, Reset in
// between, in both orders: nothing may leak from one request to the next.
func TestParseReuse(t *testing.T) {
	var h RequestHead
	check := func(tc validRequest) {
		t.Helper()
		h.Reset()
		buf := tc.buf()
		got := outcomeOf(&h, buf, h.Parse(buf, tc.lim))
		if want := (outcome{head: tc.wantHead()}); !got.equal(want) {
			t.Errorf("%s after reuse:\n got %v\nwant %v", tc.name, got, want)
		}
	}
	for _, tc := range validRequests {
		check(tc)
	}
	for i := len(validRequests) - 1; i >= 0; i-- {
		check(validRequests[i])
		// An invalid request in between must not poison the next one.
		h.Reset()
		bad := invalidRequests[i%len(invalidRequests)]
		_ = h.Parse([]byte(bad.in), bad.lim)
	}
}

// TestParseAfterDone: once the head is complete, calling Parse again (with
// the same or a longer buffer) changes nothing.
func TestParseAfterDone(t *testing.T) {
	buf := []byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET")
	var h RequestHead
	if err := h.Parse(buf[:len(buf)-3], Limits{}); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := view(&h, buf)
	for range 2 {
		if err := h.Parse(buf, Limits{}); err != nil {
			t.Fatalf("Parse again: got %v, want nil", err)
		}
		if got := view(&h, buf); !got.equal(want) {
			t.Fatalf("Parse again:\n got %v\nwant %v", got, want)
		}
	}
}

func TestResetKeepsFieldsCapacity(t *testing.T) {
	var h RequestHead
	buf := []byte(browserRequest)
	if err := h.Parse(buf, Limits{}); err != nil {
		t.Fatal(err)
	}
	c := cap(h.Fields)
	h.Reset()
	if len(h.Fields) != 0 || cap(h.Fields) != c {
		t.Errorf("after Reset: len %d cap %d, want len 0 cap %d", len(h.Fields), cap(h.Fields), c)
	}
	if got := view(&h, nil); !got.equal(view(&RequestHead{}, nil)) {
		t.Errorf("after Reset: got %v, want the zero head", got)
	}
}

// requestBugs are inputs the parser once got wrong (found by these tests),
// each with what the RFC asks for; they are regression tests now.
var requestBugs = []struct {
	invalidRequest
	bug string
}{
	{invalidRequest{"absolute-form with empty host", "GET http://:80/ HTTP/1.1\r\nHost: :80\r\n\r\n", Limits{}, 400},
		"RFC 9110 §4.2.1: a recipient that processes an http URI with an empty host MUST reject it as invalid; validAuthority accepts host \"\" when a port is present"},
	{invalidRequest{"https absolute-form with empty host", "GET https://:443/x HTTP/1.0\r\n\r\n", Limits{}, 400},
		"RFC 9110 §4.2.2 (same rule as §4.2.1 for https)"},
	{invalidRequest{"empty IP literal", "GET http://[]/ HTTP/1.1\r\nHost: []\r\n\r\n", Limits{}, 400},
		"RFC 3986 §3.2.2: IP-literal = \"[\" ( IPv6address / IPvFuture ) \"]\"; validAuthority does not look inside the brackets"},
	{invalidRequest{"IP literal that is not an address", "GET http://[zz]/ HTTP/1.1\r\nHost: [zz]\r\n\r\n", Limits{}, 400},
		"RFC 3986 §3.2.2, as above"},
	{invalidRequest{"CONNECT to an empty IP literal", "CONNECT []:443 HTTP/1.1\r\nHost: []:443\r\n\r\n", Limits{}, 400},
		"RFC 9112 §3.2.3 / RFC 3986 §3.2.2, as above"},
}

func TestParseKnownBugs(t *testing.T) {
	for _, tc := range requestBugs {
		t.Run(tc.name, func(t *testing.T) {
			got := parseOnce([]byte(tc.in), tc.lim)
			if got.status != tc.status {
				t.Errorf("Parse(%q)\n got %v\nwant refused %d\n%s", tc.in, got, tc.status, tc.bug)
			}
		})
	}
}

// TestParseStatusDoesNotDependOnSplit: the status of a refused request
// must not depend on how its bytes arrived. When a line is both over a
// limit and badly terminated, a parser that looked past the limit would
// see the bare LF (400) in one piece but the length (414 or 431) in an
// early prefix; Parse looks at no more than the limit (window), so it says
// 414 or 431 either way.
func TestParseStatusDoesNotDependOnSplit(t *testing.T) {
	for _, tc := range []invalidRequest{
		{"bare LF after an over-long request line", "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\nHost: a\r\n\r\n", Limits{MaxRequestLine: 16}, 0},
		{"bare LF after an over-long field line", "GET / HTTP/1.1\r\nHost: a\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nY: b\r\n\r\n", Limits{MaxHeadBytes: 40}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.in)
			want := parseOnce(buf, tc.lim)
			for i := 0; i <= len(buf); i++ {
				if got, _ := parseSplit(buf, i, tc.lim); !got.equal(want) {
					t.Errorf("split at %d of %q:\n got %v\nwant %v (one-shot)", i, buf, got, want)
				}
			}
		})
	}
}
