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

	"github.com/gohttpserver/httpserver"
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
		// A MaxBytesReader that trips makes net/http close the connection
		// (an unexported method of its own ResponseWriter); the engine
		// reads the rest of the body and keeps it (README:
		// "MaxBytesReader").
		p.diff(t, req, compareOptions{oursKeepsAlive: true})
	}
}

// countingHandler reads the whole body and says how long it was, or
// answers as a net/http handler does when a MaxBytesReader (its only body
// limit) trips: 413.
func countingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			http.Error(w, fmt.Sprintf("too large: the limit is %d", tooLarge.Limit), http.StatusRequestEntityTooLarge)
		case err != nil:
			http.Error(w, fmt.Sprintf("read %d bytes, then %v", n, err), http.StatusBadRequest)
		default:
			fmt.Fprintf(w, "read %d bytes", n)
		}
	})
}

// largeBodies are larger than the engine's default MaxBodyBytes (1 MiB).
func largeBodies() []string {
	big := strings.Repeat("0123456789abcdef", (2<<20)/16)
	return []string{
		request("POST", "/up", big),
		"POST /up HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big),
	}
}

// TestLargeBody: net/http has no body limit of its own; the engine's
// (Server.MaxBodyBytes, 1 MiB by default) is switched off here, and then
// the answers are the same (README: "body limit").
func TestLargeBody(t *testing.T) {
	p := newPair(t, countingHandler(), func(s *httpserver.Server) { s.MaxBodyBytes = httpserver.Unlimited })
	for _, req := range largeBodies() {
		p.diff(t, req, compareOptions{})
	}
}

// TestEngineBodyLimit: with the engine's default limit, a body over it
// fails the handler's read. A net/http handler knows one error for a body
// over a limit, *http.MaxBytesError (from http.MaxBytesReader): with that,
// it answers 413 as it would under a MaxBytesReader of the same limit.
func TestEngineBodyLimit(t *testing.T) {
	limit := int64(httpserver.DefaultMaxBodyBytes)
	std := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		countingHandler().ServeHTTP(w, r)
	}))
	ours := newPair(t, countingHandler())
	for _, req := range largeBodies() {
		reportDiff(t, firstLine(req)+" (the engine's limit against a MaxBytesReader's)",
			// The same body too: the engine's *http.MaxBytesError has the
			// limit (README: "MaxBytesError.Limit").
			rawRoundTrip(t, std.std, req), rawRoundTrip(t, ours.ours, req), compareOptions{oursKeepsAlive: true})
	}
}
