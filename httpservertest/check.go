package httpservertest

import (
	"strconv"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// headInfo is what the server reads from a response's fields.
type headInfo struct {
	declared int64 // the handler's Content-Length, or -1
	trailer  bool  // a Trailer field: the body goes chunked (HTTP/1.1)
}

// check returns what the server would find wrong with resp before its
// head is sent (respond.go: checkResponse, statusLineFault, checkFields),
// or "", with what it read from the fields. The wording of the faults is
// the server's log's.
func check(req *httpserver.Request, resp *httpserver.Response, isHEAD bool) (headInfo, string) {
	hi := headInfo{declared: -1}
	if resp == nil {
		return hi, "nil response"
	}
	if fault := statusFault(req, resp); fault != "" {
		return hi, fault
	}
	for name, value := range resp.Headers.All() {
		switch {
		case !wire.IsToken(name):
			return hi, "invalid header name " + strconv.Quote(name)
		case !wire.IsFieldValue(value):
			return hi, "invalid value for header " + name
		case wire.EqualFoldASCII(name, "Transfer-Encoding"):
			return hi, "Transfer-Encoding set by handler (the server frames responses)"
		case wire.EqualFoldASCII(name, "Trailer"):
			hi.trailer = true
		case wire.EqualFoldASCII(name, "Content-Length"):
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || (hi.declared >= 0 && n != hi.declared) {
				return hi, "invalid Content-Length header"
			}
			hi.declared = n
		}
	}
	if resp.Stream == nil && resp.Body == nil && hi.declared >= 0 &&
		hi.declared != int64(len(resp.Message)) && wire.HasBody(isHEAD, resp.StatusCode) {
		return hi, "Content-Length header disagrees with Message"
	}
	return hi, ""
}

// statusFault returns what is wrong with resp's status line, or "".
func statusFault(req *httpserver.Request, resp *httpserver.Response) string {
	code := resp.StatusCode
	if isTunnel(req.Verb, code) {
		switch {
		case resp.Stream == nil:
			return "tunnel (101, or 2xx to CONNECT) without a Stream to take the connection"
		case code == 101 && (req.Version != "1.1" || req.Headers.Get("Upgrade") == ""):
			return "101 to a request without Upgrade"
		}
		return ""
	}
	switch {
	case code >= 100 && code < 200:
		return "1xx status returned as a final response"
	case code < 100 || code > 599:
		return "status code " + strconv.Itoa(code) + " outside 100..599"
	case !wire.IsFieldValue(resp.StatusMsg):
		return "control character in StatusMsg"
	}
	switch resp.Version {
	case "", "1.0", "1.1":
		return ""
	}
	return "unsupported Version " + strconv.Quote(resp.Version)
}

// isTunnel reports whether status, to a request with this verb, opens a
// tunnel (RFC 9110 §15.2.2 for 101, §9.3.6 for CONNECT).
func isTunnel(verb string, status int) bool {
	return status == 101 || (verb == "CONNECT" && status >= 200 && status < 300)
}
