package interop

// Handlers that panic. net/http logs the panic (not http.ErrAbortHandler,
// which is the way to abort an answer quietly) and closes the connection:
// an answer whose head has gone is cut short where it stands, so that the
// client sees it truncated, never complete.

import (
	"context"
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
		// arrive and its body be cut short; otherwise there is no answer.
		headSent bool
		// logged: the panic is in the server's log (not ErrAbortHandler).
		logged string
	}{
		{path: "/panic", logged: "handler panicked before writing"},
		{path: "/panic-buffered", logged: "handler panicked after a buffered write"},
		{path: "/panic-flushed", headSent: true, logged: "handler panicked after a flush"},
		{path: "/panic-large", headSent: true, logged: "handler panicked after a large write"},
		{path: "/panic-length", headSent: true, logged: "handler panicked short of its Content-Length"},
		{path: "/abort"},
		{path: "/abort-flushed", headSent: true},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			// A pair of its own, shut down before the logs are read: both
			// servers have then finished with the connection, logs included.
			p := newPair(t, panicHandler())
			var answers []*answer
			for _, s := range p.both() {
				a, err := rawTry(t, s, get(tc.path))
				switch {
				case tc.headSent && err != nil:
					t.Errorf("%s: no answer: %v", s.name, err)
				case tc.headSent && a.bodyErr == nil:
					t.Errorf("%s: the answer's body ended cleanly (%q): a client cannot tell it was cut short", s.name, a.body)
				case !tc.headSent && err == nil:
					t.Errorf("%s: answered %d %q; want the connection closed without an answer", s.name, a.status, a.body)
				}
				answers = append(answers, a)
			}
			shutdown(t, p)
			if answers[0] != nil && answers[1] != nil {
				reportDiff(t, "GET "+tc.path, answers[0], answers[1], compareOptions{})
			}
			for _, s := range p.both() {
				log := s.log.String()
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
