package fileserver

import (
	"errors"
	"io/fs"
	"strconv"

	"github.com/gohttpserver/httpserver"
)

// errorTexts are the bodies of error responses: fixed, so that no path,
// file name or error text from the file system reaches a client.
var errorTexts = map[int]string{
	400: "Bad Request\n",
	403: "Forbidden\n",
	404: "Not Found\n",
	405: "Method Not Allowed\n",
	412: "Precondition Failed\n",
	416: "Range Not Satisfiable\n",
	500: "Internal Server Error\n",
}

func errorResponse(code int) *httpserver.Response {
	resp := &httpserver.Response{StatusCode: code, Message: errorTexts[code]}
	setText(&resp.Headers)
	return resp
}

// setText marks a response body as plain text that must not be sniffed.
func setText(h *httpserver.Header) {
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
}

// openError answers a failure to find or open a file: 403 when permission
// was denied, else 404. "Else" includes names that do not exist, that
// pass through a file ("a.txt/b"), that are too long, that loop, and that
// os.Root refuses because they lead out of the root: all of them mean
// "there is no such file here".
func openError(err error) *httpserver.Response {
	if errors.Is(err, fs.ErrPermission) {
		return errorResponse(403)
	}
	return errorResponse(404)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
