package interop

import (
	"bytes"
	"io"
	"net/http"
	"net/http/pprof"
	"strings"
	"testing"
)

// pprofMux serves net/http/pprof as a program importing it for its side
// effect would, on a mux of its own rather than http.DefaultServeMux.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func TestPprof(t *testing.T) {
	p := newPair(t, pprofMux())

	// The command line is the same process's for both: byte for byte.
	p.diff(t, get("/debug/pprof/cmdline"), compareOptions{})
	// A named profile's debug=1 text counts goroutines and allocations,
	// which change from one request to the next: the heads must agree,
	// and each body be the profile's text.
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/heap?debug=1"} {
		p.diff(t, get(path), compareOptions{body: func(std, ours []byte) string {
			return sameProfileText(path, std, ours)
		}})
	}
	p.diff(t, get("/debug/pprof/nosuchprofile"), compareOptions{})
	p.diff(t, request("POST", "/debug/pprof/symbol", "0x0"), compareOptions{})
}

// sameProfileText checks that both bodies are the page or profile path
// names, without comparing the counts in them.
func sameProfileText(path string, std, ours []byte) string {
	var marker string
	switch {
	case strings.HasSuffix(path, "/debug/pprof/"):
		marker = "Types of profiles available:"
	case strings.Contains(path, "goroutine"):
		marker = "goroutine profile: total"
	case strings.Contains(path, "heap"):
		marker = "heap profile:"
	}
	for _, b := range [][]byte{std, ours} {
		if !bytes.Contains(b, []byte(marker)) {
			return "a body without " + marker + ": net/http " + abbreviate(std) + ", httpserver " + abbreviate(ours)
		}
	}
	return ""
}

// TestPprofCPUProfile takes a one-second CPU profile from each server in
// turn (only one can run at a time in a process): the profile's handler
// waits on the request's context for the duration, then writes the
// profile, gzip-compressed protobuf.
func TestPprofCPUProfile(t *testing.T) {
	p := newPair(t, pprofMux())
	var answers []*answer
	for _, s := range p.both() {
		a := rawRoundTrip(t, s, get("/debug/pprof/profile?seconds=1"))
		if a.status != 200 || !bytes.HasPrefix(a.body, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: a CPU profile answered %d with %q, want 200 with a gzip body", s.name, a.status, abbreviate(a.body))
		}
		answers = append(answers, a)
	}
	reportDiff(t, "GET /debug/pprof/profile?seconds=1", answers[0], answers[1], compareOptions{
		body: func(std, ours []byte) string { return "" }, // two profiles of two seconds: checked above
	})
}

// TestPprofProfileCanceled: a client that disconnects during a CPU profile
// ends it early, since the handler waits on the request's context. The
// profile asked for would outlast the test's failure timeout.
func TestPprofProfileCanceled(t *testing.T) {
	started := make(chan struct{}, 1)
	returned := make(chan struct{}, 1)
	mux := pprofMux()
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		mux.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	p.each(t, func(t *testing.T, s *server) {
		if s == p.ours {
			skipUnlessEngineCancels(t)
		}
		c := dial(t, s)
		io.WriteString(c, get("/debug/pprof/profile?seconds=3600"))
		wait(t, started, "the profile's handler to start")
		c.Close()
		wait(t, returned, "the profile's handler to return after the client went away")
	})
}
