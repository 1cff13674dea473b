package interop

// Trailers, both of net/http's ways: declared in a "Trailer" field before
// the head goes and set after the body, or set at any time under
// http.TrailerPrefix without being declared. Read raw (the trailer section
// of the chunked body) and by Go's client (resp.Trailer).

import (
	"io"
	"net/http"
	"testing"
)

func trailerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/declared/{size}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum, X-Count")
		w.Header().Set("Content-Type", "text/plain")
		n := 10
		if r.PathValue("size") == "large" {
			n = 100000
		}
		writeSized(w, n)
		w.Header().Set("X-Checksum", "sum-1")
		w.Header().Set("X-Count", "2")
		w.Header().Set("X-Undeclared", "dropped") // neither declared nor prefixed
	})
	mux.HandleFunc("/declared-unset", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Never")
		io.WriteString(w, "the trailer is declared but never set")
	})
	mux.HandleFunc("/prefix/{size}", func(w http.ResponseWriter, r *http.Request) {
		n := 10
		if r.PathValue("size") == "large" {
			n = 100000
		}
		writeSized(w, n)
		w.Header().Set(http.TrailerPrefix+"X-Late", "late value")
	})
	mux.HandleFunc("/prefix-flushed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "flushed first;")
		w.(http.Flusher).Flush()
		io.WriteString(w, "then more")
		w.Header().Set(http.TrailerPrefix+"X-After-Flush", "v")
	})
	mux.HandleFunc("/prefix-early", func(w http.ResponseWriter, r *http.Request) {
		// Set before any write: still a trailer, never a header field.
		w.Header().Set(http.TrailerPrefix+"X-Early", "e")
		io.WriteString(w, "body")
	})
	mux.HandleFunc("/both", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Declared")
		io.WriteString(w, "body")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Declared", "d")
		w.Header().Set(http.TrailerPrefix+"X-Prefixed", "p")
	})
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) {
		// Fields that may not be trailers (RFC 9110 §6.5.1), set under
		// the prefix.
		w.Header().Set("Trailer", "X-Fine")
		io.WriteString(w, "body")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Fine", "fine")
		w.Header().Set(http.TrailerPrefix+"Transfer-Encoding", "bad")
		w.Header().Set(http.TrailerPrefix+"Content-Length", "999")
	})
	return mux
}

func TestTrailersRaw(t *testing.T) {
	p := newPair(t, trailerHandler())
	for _, req := range []string{
		get("/declared/small"),
		get("/declared/large"),
		get("/declared-unset"),
		get("/prefix/small"),
		get("/prefix/large"),
		get("/prefix-flushed"),
		get("/prefix-early"),
		get("/both"),
		get("/forbidden"),
		request("HEAD", "/declared/small", ""),
		"GET /declared/small HTTP/1.0\r\n\r\n",
	} {
		o := compareOptions{head: methodOf(req) == "HEAD"}
		switch req {
		case get("/prefix/small"):
			o.normalize = prefixTrailerDropped
		case get("/forbidden"):
			o.normalize = forbiddenTrailersDropped
		case "GET /declared/small HTTP/1.0\r\n\r\n":
			o.normalize = declaredTrailersTo10
		}
		p.diff(t, req, o)
	}
}

// prefixTrailerDropped undoes a known difference (README: "TrailerPrefix
// after a short body"): a trailer set under http.TrailerPrefix after the
// first Write of a body that ends short is dropped by net/http, which
// sends the body with a Content-Length, and sent by the engine, chunked.
// On the engine's answer, the trailer is taken out and the framing made a
// Content-Length; net/http's is left as it is.
func prefixTrailerDropped(a *answer) {
	if a.chunked && a.trailer.Get("X-Late") == "late value" && len(a.trailer) == 1 {
		a.chunked, a.contentLength, a.trailer = false, int64(len(a.body)), nil
	}
}

// declaredTrailersTo10 undoes a known difference (README: "declared
// trailers to HTTP/1.0"): a short body whose head declares trailers goes
// to an HTTP/1.0 client with a Content-Length from the engine (a 1.0
// client cannot receive trailers, so there is nothing to wait for) and
// close-delimited from net/http. The body must be the same.
func declaredTrailersTo10(a *answer) {
	if !a.chunked && a.contentLength == int64(len(a.body)) {
		a.contentLength = -1
	}
}

// forbiddenTrailersDropped undoes a known difference (README: "trailers
// that may not be"): the engine drops trailer fields that RFC 9110 §6.5.1
// does not allow there; net/http's server sends them (its client refuses
// them when a Trailer field declares them).
func forbiddenTrailersDropped(a *answer) {
	for _, name := range []string{"Content-Length", "Transfer-Encoding"} {
		a.trailer.Del(name)
	}
}

func TestTrailersClient(t *testing.T) {
	p := newPair(t, trailerHandler())
	for _, tc := range []struct {
		path string
		want http.Header
	}{
		{"/declared/small", http.Header{"X-Checksum": {"sum-1"}, "X-Count": {"2"}}},
		{"/declared/large", http.Header{"X-Checksum": {"sum-1"}, "X-Count": {"2"}}},
		{"/prefix/large", http.Header{"X-Late": {"late value"}}},
		{"/prefix-flushed", http.Header{"X-After-Flush": {"v"}}},
		{"/both", http.Header{"X-Declared": {"d"}, "X-Prefixed": {"p"}}},
	} {
		var answers []*answer
		for _, s := range p.both() {
			resp, err := s.client(t).Get(s.url + tc.path)
			if err != nil {
				t.Fatalf("%s: %s: %v", s.name, tc.path, err)
			}
			a := clientAnswer(resp)
			for k, v := range tc.want {
				if got := a.trailer.Get(k); got != v[0] {
					t.Errorf("%s: %s: trailer %s is %q, want %q (trailers: %v)", s.name, tc.path, k, got, v[0], a.trailer)
				}
			}
			answers = append(answers, a)
		}
		reportDiff(t, "GET "+tc.path+" (Go's client)", answers[0], answers[1], compareOptions{})
	}
}
