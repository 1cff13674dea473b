package wire

import "strconv"

// AppendStatusLine appends "HTTP/major.minor code reason\r\n". The caller
// has checked that code is 100..599 and that reason holds no CR, LF or
// other control byte (IsFieldValue).
func AppendStatusLine(dst []byte, minor int, code int, reason string) []byte {
	if code == 200 && (reason == "" || reason == "OK") {
		// The status line of nearly every response, whole.
		if minor == 0 {
			return append(dst, "HTTP/1.0 200 OK\r\n"...)
		}
		return append(dst, "HTTP/1.1 200 OK\r\n"...)
	}
	if minor == 0 {
		dst = append(dst, "HTTP/1.0 "...)
	} else {
		dst = append(dst, "HTTP/1.1 "...)
	}
	// Three digits: the caller checked 100..599.
	dst = append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), ' ')
	if reason == "" {
		reason = StatusText(code)
	}
	dst = append(dst, reason...)
	return append(dst, "\r\n"...)
}

// AppendField appends "name: value\r\n". The caller has validated both.
func AppendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// AppendContentLength appends a Content-Length field.
func AppendContentLength(dst []byte, n int64) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, "\r\n"...)
}

// AppendChunkHeader appends the size line of a chunk of n > 0 bytes.
func AppendChunkHeader(dst []byte, n int) []byte {
	dst = strconv.AppendUint(dst, uint64(n), 16)
	return append(dst, "\r\n"...)
}

// ChunkEnd ends a chunk's data; LastChunk ends a chunked body (no trailers).
const (
	ChunkEnd  = "\r\n"
	LastChunk = "0\r\n\r\n"
)

// StatusText returns the reason phrase registered for code (RFC 9110 §15
// and the IANA registry), or "" for an unregistered code.
func StatusText(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 102:
		return "Processing"
	case 103:
		return "Early Hints"
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 203:
		return "Non-Authoritative Information"
	case 204:
		return "No Content"
	case 205:
		return "Reset Content"
	case 206:
		return "Partial Content"
	case 207:
		return "Multi-Status"
	case 208:
		return "Already Reported"
	case 226:
		return "IM Used"
	case 300:
		return "Multiple Choices"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 305:
		return "Use Proxy"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 402:
		return "Payment Required"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 407:
		return "Proxy Authentication Required"
	case 408:
		return "Request Timeout"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 411:
		return "Length Required"
	case 412:
		return "Precondition Failed"
	case 413:
		return "Content Too Large"
	case 414:
		return "URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Range Not Satisfiable"
	case 417:
		return "Expectation Failed"
	case 418:
		return "I'm a teapot"
	case 421:
		return "Misdirected Request"
	case 422:
		return "Unprocessable Content"
	case 423:
		return "Locked"
	case 424:
		return "Failed Dependency"
	case 425:
		return "Too Early"
	case 426:
		return "Upgrade Required"
	case 428:
		return "Precondition Required"
	case 429:
		return "Too Many Requests"
	case 431:
		return "Request Header Fields Too Large"
	case 451:
		return "Unavailable For Legal Reasons"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	case 506:
		return "Variant Also Negotiates"
	case 507:
		return "Insufficient Storage"
	case 508:
		return "Loop Detected"
	case 510:
		return "Not Extended"
	case 511:
		return "Network Authentication Required"
	}
	return ""
}

// notTrailers are the fields that may not be sent as trailers: they
// frame, route, authenticate, modify the request or describe the content,
// and a recipient needs them before the body (RFC 9110 §6.5.1). The list
// is the one Go's net/http and x/net use, so a handler moved between the
// two loses the same fields.
var notTrailers = []string{
	"Authorization", "Cache-Control", "Connection", "Content-Encoding",
	"Content-Length", "Content-Range", "Content-Type", "Expect", "Host",
	"Keep-Alive", "Max-Forwards", "Pragma", "Proxy-Authenticate",
	"Proxy-Authorization", "Proxy-Connection", "Range", "Realm", "TE",
	"Trailer", "Transfer-Encoding", "WWW-Authenticate",
}

// AllowedTrailer reports whether a field named name may be sent in a
// trailer section.
func AllowedTrailer(name string) bool {
	for _, n := range notTrailers {
		if len(n) == len(name) && EqualFoldASCII(n, name) {
			return false
		}
	}
	return true
}

// EqualFoldASCII reports whether a and b are equal, ignoring ASCII case
// (field names are tokens, so no other folding applies).
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
