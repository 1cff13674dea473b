package interop

// Request body limits: http.MaxBytesReader in the handler, and bodies
// larger than the engine's own default limit (Server.MaxBodyBytes, 1 MiB),
// which net/http does not have.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func maxBytesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 10)
		b, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			http.Error(w, fmt.Sprintf("too large: the limit is %d", tooLarge.Limit), http.StatusRequestEntityTooLarge)
		case err != nil:
			http.Error(w, "read error: "+err.Error(), http.StatusBadRequest)
		default:
			fmt.Fprintf(w, "read %d bytes", len(b))
		}
	})
}

func TestMaxBytesReader(t *testing.T) {
	p := newPair(t, maxBytesHandler())
	for _, req := range []string{
		request("POST", "/up", "12345"),
		request("POST", "/up", "1234567890"),
		request("POST", "/up", "12345678901"),
		request("POST", "/up", strings.Repeat("x", 100)),
		"POST /up HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + strings.Repeat("y", 100) + "\r\n0\r\n\r\n",
		"POST /up HTTP/1.1\r\nHost: interop.test\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n" + strings.Repeat("z", 100),
	} {
		p.diff(t, req, compareOptions{})
	}
}

// TestLargeBody sends bodies larger than the engine's default
// MaxBodyBytes (1 MiB) to a handler that reads them whole: net/http has no
// such limit.
func TestLargeBody(t *testing.T) {
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, fmt.Sprintf("read %d bytes, then %v", n, err), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "read %d bytes", n)
	}))
	big := strings.Repeat("0123456789abcdef", (2<<20)/16)
	for _, req := range []string{
		request("POST", "/up", big),
		"POST /up HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big),
	} {
		p.diff(t, req, compareOptions{})
	}
}
