package interop

// Handlers that panic. net/http logs the panic (not http.ErrAbortHandler,
// which is the way to abort an answer quietly) and closes the connection:
// an answer whose head has gone is cut short where it stands, so that the
// client sees it truncated, never complete.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func panicHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("handler panicked before writing")
	})
	mux.HandleFunc("/panic-buffered", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Set", "1")
		io.WriteString(w, "buffered, not flushed")
		panic("handler panicked after a buffered write")
	})
	mux.HandleFunc("/panic-flushed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "flushed part;")
		w.(http.Flusher).Flush()
		io.WriteString(w, "unflushed part")
		panic("handler panicked after a flush")
	})
	mux.HandleFunc("/panic-large", func(w http.ResponseWriter, r *http.Request) {
		writeSized(w, 100000)
		panic("handler panicked after a large write")
	})
	mux.HandleFunc("/panic-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "ten bytes!")
		w.(http.Flusher).Flush()
		panic("handler panicked short of its Content-Length")
	})
	mux.HandleFunc("/abort", func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})
	mux.HandleFunc("/abort-flushed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "flushed part;")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	return mux
}

func TestPanics(t *testing.T) {
	for _, tc := range []struct {
		path string
		// headSent: the head went before the panic, so the answer must
		// arrive and its body be cut short; otherwise net/http sends no
		// answer, and the engine a 500 (README: "panic before the head").
		headSent bool
		// written is all the handler wrote before it panicked.
		written string
		// logged: the panic is in the server's log (not ErrAbortHandler).
		logged string
	}{
		{path: "/panic", logged: "handler panicked before writing"},
		{path: "/panic-buffered", logged: "handler panicked after a buffered write"},
		{path: "/panic-flushed", headSent: true, written: "flushed part;unflushed part", logged: "handler panicked after a flush"},
		{path: "/panic-large", headSent: true, written: strings.Repeat("0123456789", 10000), logged: "handler panicked after a large write"},
		{path: "/panic-length", headSent: true, written: "ten bytes!", logged: "handler panicked short of its Content-Length"},
		{path: "/abort"},
		{path: "/abort-flushed", headSent: true, written: "flushed part;"},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			// A pair of its own, shut down before the logs are read: both
			// servers have then finished with the connection, logs included.
			p := newPair(t, panicHandler())
			before := len(defaultLog.String())
			std, stdErr := rawTry(t, p.std, get(tc.path))
			ours, ourErr := rawTry(t, p.ours, get(tc.path))
			switch {
			case tc.headSent:
				for i, a := range []*answer{std, ours} {
					name := p.both()[i].name
					switch {
					case a == nil:
						t.Errorf("%s: no answer: %v", name, []error{stdErr, ourErr}[i])
					case a.bodyErr == nil:
						t.Errorf("%s: the answer's body ended cleanly (%q): a client cannot tell it was cut short", name, abbreviate(a.body))
					}
				}
				if std != nil && ours != nil {
					// How much of what was written before the panic arrives
					// differs: net/http drops what its buffers hold, the
					// engine sends what it holds (README: "panic after the
					// head"). Each is a prefix of what was written.
					reportDiff(t, "GET "+tc.path, std, ours, compareOptions{body: func(s, o []byte) string {
						if !strings.HasPrefix(tc.written, string(s)) || !strings.HasPrefix(tc.written, string(o)) || len(o) < len(s) {
							return fmt.Sprintf("net/http sent %q, httpserver %q of %q", abbreviate(s), abbreviate(o), abbreviate([]byte(tc.written)))
						}
						return ""
					}})
				}
			default:
				if stdErr == nil {
					t.Errorf("net/http: answered %d %q; the test expects no answer", std.status, std.body)
				}
				if ourErr != nil {
					t.Errorf("httpserver: no answer (%v); want a 500", ourErr)
				} else if ours.status != 500 || !ours.close {
					t.Errorf("httpserver: answered %d (closing: %v) %q; want a 500, closing", ours.status, ours.close, ours.body)
				}
			}
			shutdown(t, p)
			for _, s := range p.both() {
				log := s.log.String()
				if s == p.ours {
					log += defaultLog.String()[before:]
				}
				if tc.logged != "" && !strings.Contains(log, "http: panic serving 127.0.0.1:") {
					t.Errorf("%s: the server's log does not say \"http: panic serving\": %q", s.name, log)
				}
				if tc.logged != "" && !strings.Contains(log, tc.logged) {
					t.Errorf("%s: the panic %q is not in the server's log: %q", s.name, tc.logged, log)
				}
				if tc.logged == "" && log != "" {
					t.Errorf("%s: ErrAbortHandler was logged: %q", s.name, log)
				}
			}
		})
	}
}

// TestPanicKeepsServing: after a panic, the server goes on answering.
func TestPanicKeepsServing(t *testing.T) {
	p := newPair(t, panicHandler())
	for _, s := range p.both() {
		rawTry(t, s, get("/panic"))
		rawTry(t, s, get("/abort-flushed"))
	}
	p.diff(t, get("/nothing"), compareOptions{})
}

// shutdown shuts both servers down, waiting for their connections to end.
func shutdown(t *testing.T, p *pair) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	if err := p.stdServer.Shutdown(ctx); err != nil {
		t.Errorf("net/http: Shutdown: %v", err)
	}
	if err := p.ourServer.Shutdown(ctx); err != nil {
		t.Errorf("httpserver: Shutdown: %v", err)
	}
}
