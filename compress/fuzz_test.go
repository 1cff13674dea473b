package compress

import (
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
	"github.com/gohttpserver/httpserver/internal/negotiate"
)

// FuzzHandler sends any Accept-Encoding and If-None-Match to a handler
// with a conditional answer of any size, as a Message or a Stream, and
// checks what the client gets: a coding the client accepts (the one
// negotiate.Encoding picks), a body that decodes to the original, Vary
// always, and a 304 only for a tag of the form it would get. The seeds
// run with every "go test" (the parser itself has its own target,
// negotiate.FuzzEncoding).
func FuzzHandler(f *testing.F) {
	for _, s := range []struct {
		accept, inm string
		size        uint16
		stream      bool
	}{
		{"gzip", "", 5000, false},
		{"gzip, deflate, br, zstd", `"t-zstd"`, 5000, true},
		{"br;q=0.5, gzip;q=0.6", `"t-gzip", "t"`, 2000, false},
		{"*;q=0", `W/"t-br"`, 100, true},
		{"identity;q=0, zstd", `"t-zstd"`, 1024, false},
		{"x-gzip;q=1.0", "*", 1023, true},
		{"", `"t-gzip"`, 3000, false},
	} {
		f.Add(s.accept, s.inm, s.size, s.stream)
	}
	c := newConfig(nil)
	f.Fuzz(func(t *testing.T, accept, inm string, size uint16, stream bool) {
		body := page(int(size))
		h := Handler(conditionalStream("\"t\"", body, stream), nil)
		req := get("GET", "/", "Accept-Encoding", accept)
		if inm != "" {
			req.Headers.Set("If-None-Match", inm)
		}
		res := httpservertest.Do(h, req)
		if res.Fault != "" || res.Err != nil {
			t.Fatalf("fault %q, err %v", res.Fault, res.Err)
		}
		if !strings.Contains(strings.Join(res.Headers.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("no Vary: %s", fieldsOf(&res.Headers))
		}
		coding := res.Headers.Get("Content-Encoding")
		negotiated := "" // the client's coding among ours
		if i, _ := negotiate.Encoding(accept, c.names); i >= 0 {
			negotiated = c.names[i]
		}
		want := negotiated // what a 200 is compressed with
		if int(size) < DefaultMinSize {
			want = ""
		}
		tag := res.Headers.Get("ETag")
		switch res.StatusCode {
		case 200:
			if coding != want {
				t.Errorf("Content-Encoding %q, want %q", coding, want)
			}
			if got := decode(t, coding, res.Body); got != body {
				t.Errorf("decoded %d bytes, want %d", len(got), len(body))
			}
			if wantTag := `"t"`; coding != "" && tag != `"t-`+coding+`"` || coding == "" && tag != wantTag {
				t.Errorf("ETag %s with Content-Encoding %q", tag, coding)
			}
		case 304:
			if coding != "" || len(res.Body) != 0 {
				t.Errorf("304 with Content-Encoding %q and %d bytes", coding, len(res.Body))
			}
			// The tag of the form the client holds: a 304 does not
			// tell the body's size, so a client with the compressed form
			// of a small body (from when it was larger) keeps it.
			if tag != `"t"` && (negotiated == "" || tag != `"t-`+negotiated+`"`) {
				t.Errorf("304 with ETag %s; the client's coding is %q", tag, negotiated)
			}
		default:
			t.Errorf("status %d", res.StatusCode)
		}
	})
}

// conditionalStream is conditional's answer (tag "t", text/html) as a
// Message, or as a Stream that sets its fields and status as it runs.
func conditionalStream(tag, body string, stream bool) httpserver.Handler {
	inner := conditional(tag, "text/html", body)
	if !stream {
		return inner
	}
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		r := inner.Handle(req)
		status, fields, msg := r.StatusCode, r.Headers, r.Message
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			for k, v := range fields.All() {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			if msg == "" {
				return nil
			}
			_, err := w.WriteString(msg)
			return err
		}}
	})
}
