package compress

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// bodyKinds are the ways a handler can give the same body.
var bodyKinds = []struct {
	name string
	resp func(body string) httpserver.Response
}{
	{"Message", func(b string) httpserver.Response { return httpserver.Response{Message: b} }},
	{"sized Body", func(b string) httpserver.Response {
		return httpserver.Response{Body: strings.NewReader(b)}
	}},
	{"Body with BodyLength", func(b string) httpserver.Response {
		return httpserver.Response{Body: unsized{strings.NewReader(b)}, BodyLength: int64(len(b))}
	}},
	{"Body of unknown length", func(b string) httpserver.Response {
		return httpserver.Response{Body: unsized{strings.NewReader(b)}}
	}},
	{"Stream", func(b string) httpserver.Response {
		return httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			for _, part := range thirds(b) {
				if _, err := w.WriteString(part); err != nil {
					return err
				}
			}
			return nil
		}}
	}},
	{"Stream that flushes", func(b string) httpserver.Response {
		return httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			for _, part := range thirds(b) {
				if _, err := w.WriteString(part); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
			return nil
		}}
	}},
	{"Stream with a declared length", func(b string) httpserver.Response {
		r := httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			_, err := w.WriteString(b)
			return err
		}}
		r.Headers.Set("Content-Length", strconv.Itoa(len(b)))
		return r
	}},
	{"Stream that sets its fields", func(b string) httpserver.Response {
		return httpserver.Response{StatusCode: 500, Stream: func(w *httpserver.StreamWriter) error {
			// As a net/http handler through nethttp.FromHTTP does: the
			// fields replaced at the first write.
			h := w.Header()
			h.Reset()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("ETag", `"v1"`)
			h.Set("Accept-Ranges", "bytes")
			h.Set("Content-Length", strconv.Itoa(len(b)))
			w.WriteHeader(200)
			_, err := w.WriteString(b)
			return err
		}}
	}},
	{"Endless Stream", func(b string) httpserver.Response {
		return httpserver.Response{Endless: true, Stream: func(w *httpserver.StreamWriter) error {
			for _, part := range thirds(b) {
				w.WriteString(part)
				if err := w.Flush(); err != nil {
					return err
				}
			}
			return nil
		}}
	}},
}

func thirds(s string) []string {
	n := len(s) / 3
	return []string{s[:n], s[n : 2*n], s[2*n:]}
}

// TestRoundTrip compresses each kind of body with each coding, and
// decodes it with the library's decoder.
func TestRoundTrip(t *testing.T) {
	for _, size := range []int{DefaultMinSize, 100 << 10, 300 << 10} {
		body := page(size)
		for _, kind := range bodyKinds {
			for _, coding := range codings {
				r := kind.resp(body)
				r.Headers.Set("ETag", `"v1"`)
				r.Headers.Set("Accept-Ranges", "bytes")
				h := Handler(typed("text/html; charset=utf-8", r), nil)
				res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", coding))
				desc := kind.name + ", " + strconv.Itoa(size) + " bytes, " + coding
				if res.StatusCode != 200 || res.Fault != "" || res.Err != nil {
					t.Errorf("%s: %d, fault %q, err %v", desc, res.StatusCode, res.Fault, res.Err)
					continue
				}
				checkFields(t, desc, &res.Headers, []string{
					"Content-Encoding", coding,
					"Vary", "Accept-Encoding",
					"ETag", `"v1-` + coding + `"`,
					"Content-Length", "",
					"Accept-Ranges", "",
				})
				if got := decode(t, coding, res.Body); got != body {
					t.Errorf("%s: decoded %d bytes, want the %d sent", desc, len(got), len(body))
				}
				if size >= 100<<10 && len(res.Body) >= len(body)/4 {
					t.Errorf("%s: %d bytes compressed to %d", desc, len(body), len(res.Body))
				}
			}
		}
	}
}

// checkFields checks name, value pairs in h; a value "" means absent.
func checkFields(t *testing.T, desc string, h *httpserver.Header, want []string) {
	t.Helper()
	for i := 0; i+1 < len(want); i += 2 {
		name, w := want[i], want[i+1]
		if got := strings.Join(h.Values(name), ", "); got != w {
			t.Errorf("%s: %s %q, want %q (fields: %s)", desc, name, got, w, fieldsOf(h))
		}
	}
}

// TestEncodersReused runs many responses through the pools, one coding
// after another and interleaved, so that a reset encoder that kept
// state from its last stream shows.
func TestEncodersReused(t *testing.T) {
	h := Handler(typed("text/plain", httpserver.Response{Message: page(5000)}), nil)
	h2 := Handler(typed("text/plain", httpserver.Response{Message: page(70000)}), nil)
	for i := range 30 {
		coding := codings[i%len(codings)]
		for _, hh := range []httpserver.Handler{h, h2} {
			res := httpservertest.Do(hh, get("GET", "/", "Accept-Encoding", coding))
			want := page(5000)
			if hh == h2 {
				want = page(70000)
			}
			if got := decode(t, coding, res.Body); got != want {
				t.Fatalf("round %d, %s: decoded %d bytes, want %d", i, coding, len(got), len(want))
			}
		}
	}
}

// TestNegotiation: which coding Accept-Encoding gets, with the default
// order and with one of the caller's.
func TestNegotiation(t *testing.T) {
	tests := []struct {
		accept    string
		encodings []string
		want      string // Content-Encoding, "" for none
	}{
		{"", nil, ""},
		{"gzip", nil, "gzip"},
		{"x-gzip", nil, "gzip"},
		{"br", nil, "br"},
		{"zstd", nil, "zstd"},
		{"gzip, deflate, br, zstd", nil, "zstd"}, // browsers: all at 1
		{"gzip, deflate, br", nil, "br"},         // Safari: br over gzip on a tie
		{"deflate, gzip", nil, "gzip"},
		{"gzip;q=1.0, br;q=0.9, zstd;q=0.8", nil, "gzip"},
		{"gzip;q=0.5, br;q=0.5", nil, "br"},
		{"zstd;q=0.1, gzip;q=0.2", nil, "gzip"},
		{"*", nil, "zstd"},
		{"*;q=0.3, br;q=0.4", nil, "br"},
		{"*;q=0.3, zstd;q=0", nil, "br"},
		{"deflate, compress", nil, ""},
		{"identity", nil, ""},
		{"identity;q=1, gzip;q=0.5", nil, ""},
		{"identity;q=0.5, gzip", nil, "gzip"},
		{"gzip;q=0", nil, ""},
		{"GZIP;Q=0.5", nil, "gzip"},
		{"gzip;q=2", nil, ""}, // malformed: skipped
		{"gzip, br, zstd", []string{"gzip", "br"}, "gzip"},
		{"zstd", []string{"gzip", "br"}, ""},
		{"gzip, br, zstd", []string{"BR", " zstd "}, "br"},
	}
	body := page(4000)
	for _, tt := range tests {
		h := Handler(typed("text/plain", httpserver.Response{Message: body}), &Options{Encodings: tt.encodings})
		req := get("GET", "/")
		if tt.accept != "" {
			req.Headers.Set("Accept-Encoding", tt.accept)
		}
		res := httpservertest.Do(h, req)
		if got := res.Headers.Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q, Encodings %q: got Content-Encoding %q, want %q", tt.accept, tt.encodings, got, tt.want)
			continue
		}
		if got := decode(t, tt.want, res.Body); got != body {
			t.Errorf("Accept-Encoding %q: decoded %d bytes, want %d", tt.accept, len(got), len(body))
		}
		if got := res.Headers.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tt.accept, got)
		}
	}
}

// Several Accept-Encoding lines make one list (RFC 9110 §5.3).
func TestAcceptEncodingLines(t *testing.T) {
	h := Handler(typed("text/plain", httpserver.Response{Message: page(4000)}), nil)
	res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "gzip;q=0.5", "Accept-Encoding", "br;q=0.9"))
	if got := res.Headers.Get("Content-Encoding"); got != "br" {
		t.Errorf("two Accept-Encoding lines: Content-Encoding %q, want br", got)
	}
}

// A client that refuses identity and accepts none of our codings gets
// identity (the choice documented in Handle), never a 406; one that
// refuses identity and accepts one of ours gets it.
func TestRefusals(t *testing.T) {
	tests := []struct {
		accept string
		size   int
		want   string
	}{
		{"identity;q=0", 4000, ""},
		{"*;q=0", 4000, ""},
		{"identity;q=0, compress", 4000, ""},
		{"identity;q=0, gzip", 4000, "gzip"},
		{"*;q=0, br", 4000, "br"},
		{"identity;q=0, gzip", 100, ""}, // too small: identity anyway
		{"gzip;q=0, br;q=0, zstd;q=0", 4000, ""},
	}
	for _, tt := range tests {
		body := page(tt.size)
		h := Handler(typed("text/plain", httpserver.Response{Message: body}), nil)
		res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", tt.accept))
		if res.StatusCode != 200 || res.Headers.Get("Content-Encoding") != tt.want {
			t.Errorf("Accept-Encoding %q, %d bytes: got %d, Content-Encoding %q; want 200, %q", tt.accept, tt.size, res.StatusCode, res.Headers.Get("Content-Encoding"), tt.want)
		}
		if got := decode(t, tt.want, res.Body); got != body {
			t.Errorf("Accept-Encoding %q: decoded %d bytes, want %d", tt.accept, len(got), len(body))
		}
	}
}

// TestNotCompressed: the answers sent as they are, each with Vary.
func TestNotCompressed(t *testing.T) {
	big := page(8000)
	withField := func(name, value string, r httpserver.Response) httpserver.Response {
		r.Headers.Set(name, value)
		return r
	}
	tests := []struct {
		name  string
		ctype string
		resp  httpserver.Response
		req   *httpserver.Request
		vary  string // "" for Accept-Encoding
	}{
		{"tiny Message", "text/html", httpserver.Response{Message: page(DefaultMinSize - 1)}, nil, ""},
		{"tiny Body of unknown length", "text/html", httpserver.Response{}, nil, ""}, // Body: see below
		{"tiny Stream", "text/html", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			w.WriteString(page(500))
			_, err := w.WriteString(page(500))
			return err
		}}, nil, ""},
		{"tiny declared Stream", "text/html", withField("Content-Length", "1000", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			_, err := w.WriteString(page(1000))
			return err
		}}), nil, ""},
		{"empty", "text/html", httpserver.Response{}, nil, ""},
		{"image/png", "image/png", httpserver.Response{Message: big}, nil, ""},
		{"image/jpeg", "image/jpeg", httpserver.Response{Message: big}, nil, ""},
		{"video/mp4", "video/mp4", httpserver.Response{Message: big}, nil, ""},
		{"application/zip", "application/zip", httpserver.Response{Message: big}, nil, ""},
		{"application/gzip", "application/gzip", httpserver.Response{Message: big}, nil, ""},
		{"font/woff2", "font/woff2", httpserver.Response{Message: big}, nil, ""},
		{"application/octet-stream", "application/octet-stream", httpserver.Response{Message: big}, nil, ""},
		{"no Content-Type", "", httpserver.Response{Message: big}, nil, ""},
		{"Stream of an image", "image/webp", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			_, err := w.WriteString(big)
			return err
		}}, nil, ""},
		{"Stream that sets an image type", "", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Content-Type", "image/gif")
			_, err := w.WriteString(big)
			return err
		}}, nil, ""},
		{"already encoded", "text/html", withField("Content-Encoding", "gzip", httpserver.Response{Message: big}), nil, ""},
		{"Stream that encodes", "text/html", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Content-Encoding", "br")
			_, err := w.WriteString(big)
			return err
		}}, nil, ""},
		{"no-transform", "text/html", withField("Cache-Control", "public, No-Transform", httpserver.Response{Message: big}), nil, ""},
		{"206", "text/html", withField("Content-Range", "bytes 0-7999/20000", httpserver.Response{StatusCode: 206, Message: big}), nil, ""},
		{"416", "text/plain", withField("Content-Range", "bytes */10", httpserver.Response{StatusCode: 416, Message: big}), nil, ""},
		{"a Range request", "text/html", httpserver.Response{Message: big}, get("GET", "/", "Accept-Encoding", "gzip", "Range", "bytes=0-10"), ""},
		{"204", "text/html", httpserver.Response{StatusCode: 204}, nil, ""},
		{"304", "text/html", withField("ETag", `"x"`, httpserver.Response{StatusCode: 304}), nil, ""},
		{"no Accept-Encoding", "text/html", httpserver.Response{Message: big}, get("GET", "/"), ""},
		{"Vary Accept merged", "text/html", withField("Vary", "Accept", httpserver.Response{Message: page(10)}), nil, "Accept, Accept-Encoding"},
		{"Vary * left", "text/html", withField("Vary", "*", httpserver.Response{Message: page(10)}), nil, "*"},
		{"Vary listed left", "text/html", withField("Vary", "accept-encoding, Cookie", httpserver.Response{Message: page(10)}), nil, "accept-encoding, Cookie"},
	}
	for _, tt := range tests {
		req := tt.req
		if req == nil {
			req = get("GET", "/", "Accept-Encoding", "gzip, br, zstd")
		}
		inner := typed(tt.ctype, tt.resp)
		if strings.Contains(tt.name, "Body") {
			// A reader for each answer.
			inner = httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
				r := &httpserver.Response{StatusCode: 200, Body: unsized{strings.NewReader(page(1000))}}
				r.Headers.Set("Content-Type", tt.ctype)
				return r
			})
		}
		// What the handler sends without compress, to compare with.
		plain := httpservertest.Do(inner, get("GET", "/"))
		res := httpservertest.Do(Handler(inner, nil), req)
		if res.StatusCode != plain.StatusCode || string(res.Body) != string(plain.Body) || res.Fault != "" {
			t.Errorf("%s: got %d, %d bytes, fault %q; want %d, the %d bytes as they are", tt.name, res.StatusCode, len(res.Body), res.Fault, plain.StatusCode, len(plain.Body))
		}
		if got, want := res.Headers.Get("Content-Encoding"), plain.Headers.Get("Content-Encoding"); got != want {
			t.Errorf("%s: Content-Encoding %q, want %q", tt.name, got, want)
		}
		vary := tt.vary
		if vary == "" {
			vary = "Accept-Encoding"
		}
		if got := strings.Join(res.Headers.Values("Vary"), "; "); got != vary {
			t.Errorf("%s: Vary %q, want %q", tt.name, got, vary)
		}
		if got, want := res.Headers.Get("ETag"), plain.Headers.Get("ETag"); got != want {
			t.Errorf("%s: ETag %s, want %s", tt.name, got, want)
		}
	}
}

// Answers sent as they are keep their Body, so the server can still use
// sendfile for a file; nothing is copied for them.
func TestIdentityKeepsBody(t *testing.T) {
	body := &closer{Reader: strings.NewReader(page(8000))}
	inner := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 200, Body: body, BodyLength: 8000}
		r.Headers.Set("Content-Type", "image/png")
		return r
	})
	resp := Handler(inner, nil).Handle(get("GET", "/", "Accept-Encoding", "gzip"))
	if resp.Body != body || resp.BodyLength != 8000 || resp.Stream != nil {
		t.Errorf("image: Body %T, BodyLength %d, Stream %v; want the handler's own", resp.Body, resp.BodyLength, resp.Stream != nil)
	}
}

// A Body is closed once, by the host, whether it was compressed, judged
// late, or left out of a HEAD answer.
func TestBodyClosed(t *testing.T) {
	for _, tt := range []struct {
		name string
		verb string
		body func() io.Reader
	}{
		{"compressed", "GET", func() io.Reader { return strings.NewReader(page(5000)) }},
		{"judged late, compressed", "GET", func() io.Reader { return unsized{strings.NewReader(page(5000))} }},
		{"judged late, too small", "GET", func() io.Reader { return unsized{strings.NewReader(page(50))} }},
		{"HEAD", "HEAD", func() io.Reader { return strings.NewReader(page(5000)) }},
	} {
		c := &closer{Reader: tt.body()}
		h := Handler(typed("text/plain", httpserver.Response{Body: c}), nil)
		httpservertest.Do(h, get(tt.verb, "/", "Accept-Encoding", "gzip"))
		if c.closed != 1 {
			t.Errorf("%s: Body closed %d times, want 1", tt.name, c.closed)
		}
	}
}

// TestHEAD: a HEAD answer has the fields of the GET answer, without its
// body or Content-Length.
func TestHEAD(t *testing.T) {
	big := page(8000)
	for _, kind := range bodyKinds {
		if strings.Contains(kind.name, "sets its fields") {
			continue // its fields exist only once it runs, which HEAD does not do
		}
		for _, coding := range codings {
			h := Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
				r := kind.resp(big) // a fresh Body each time
				r.StatusCode = 200
				r.Headers.Set("Content-Type", "text/html")
				r.Headers.Set("ETag", `"v1"`)
				r.Headers.Set("Accept-Ranges", "bytes")
				return &r
			}), nil)
			g := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", coding))
			hd := httpservertest.Do(h, get("HEAD", "/", "Accept-Encoding", coding))
			desc := "HEAD, " + kind.name + ", " + coding
			if hd.StatusCode != 200 || len(hd.Body) != 0 || hd.Fault != "" {
				t.Errorf("%s: %d, %d bytes, fault %q", desc, hd.StatusCode, len(hd.Body), hd.Fault)
			}
			for _, name := range []string{"Content-Encoding", "Vary", "ETag", "Content-Type", "Accept-Ranges"} {
				if got, want := hd.Headers.Get(name), g.Headers.Get(name); got != want {
					t.Errorf("%s: %s %q, GET has %q", desc, name, got, want)
				}
			}
			if hd.Headers.Get("Content-Encoding") != coding {
				t.Errorf("%s: Content-Encoding %q", desc, hd.Headers.Get("Content-Encoding"))
			}
			// The length the server would send with the head.
			resp := h.Handle(get("HEAD", "/", "Accept-Encoding", coding))
			if n := resp.KnownLength(); n != -1 {
				t.Errorf("%s: the server would send Content-Length %d, of the identity body", desc, n)
			}
		}
	}
	// A small one is not compressed, and keeps its length.
	h := Handler(typed("text/html", httpserver.Response{Message: "short"}), nil)
	resp := h.Handle(get("HEAD", "/", "Accept-Encoding", "gzip"))
	if resp.Headers.Has("Content-Encoding") || resp.KnownLength() != 5 || resp.Headers.Get("Vary") != "Accept-Encoding" {
		t.Errorf("HEAD, 5 bytes: %s, length %d", fieldsOf(&resp.Headers), resp.KnownLength())
	}
}

// TestStreamAPI: what the inner Stream's StreamWriter does under
// compress: interim answers, trailers, status changes, HeadSent, and
// failing once the Stream has returned.
func TestStreamAPI(t *testing.T) {
	big := page(6000)
	var kept *httpserver.StreamWriter
	var sentBefore, sentAfter bool
	inner := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			kept = w
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(103)
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Trailer", "X-Sum")
			w.WriteHeader(201)
			w.WriteString(big[:100])
			sentBefore = w.HeadSent()
			w.WriteString(big[100:])
			sentAfter = w.HeadSent()
			w.WriteHeader(202) // ignored: decided
			w.Trailer().Set("X-Sum", "42")
			return nil
		}}
		return r
	})
	res := httpservertest.Do(Handler(inner, nil), get("GET", "/", "Accept-Encoding", "gzip"))
	if res.StatusCode != 201 || res.Headers.Get("Content-Encoding") != "gzip" || decode(t, "gzip", res.Body) != big {
		t.Errorf("got %d, %s; want 201, gzip", res.StatusCode, fieldsOf(&res.Headers))
	}
	if len(res.Interim) != 1 || res.Interim[0].StatusCode != 103 || res.Interim[0].Headers.Get("Link") == "" {
		t.Errorf("interim answers %+v, want one 103 with Link", res.Interim)
	}
	if res.Trailers.Get("X-Sum") != "42" {
		t.Errorf("trailers %s, want X-Sum: 42", fieldsOf(&res.Trailers))
	}
	if sentBefore || !sentAfter {
		t.Errorf("HeadSent before MinSize %v, after %v; want false, true", sentBefore, sentAfter)
	}
	if _, err := kept.Write([]byte("late")); !errors.Is(err, errStreamDone) {
		t.Errorf("Write after the Stream returned: %v, want %v", err, errStreamDone)
	}
	if err := kept.Flush(); err == nil {
		t.Error("Flush after the Stream returned: nil error")
	}
}

// A Stream that answers 304 itself gets Vary and, when the client
// holds the compressed form, its tag.
func TestStreamNotModified(t *testing.T) {
	inner := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("ETag", `"s1"`)
			if strings.Contains(req.Headers.Get("If-None-Match"), `"s1"`) {
				w.WriteHeader(304)
				return nil
			}
			w.Header().Set("Content-Type", "text/plain")
			_, err := w.WriteString(page(3000))
			return err
		}}
	})
	h := Handler(inner, nil)
	res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "br"))
	if tag := res.Headers.Get("ETag"); tag != `"s1-br"` {
		t.Fatalf("GET: ETag %s, want \"s1-br\"", tag)
	}
	res = httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "br", "If-None-Match", `"s1-br"`))
	checkFields(t, "GET If-None-Match \"s1-br\"", &res.Headers, []string{"ETag", `"s1-br"`, "Vary", "Accept-Encoding", "Content-Encoding", ""})
	if res.StatusCode != 304 {
		t.Errorf("GET If-None-Match \"s1-br\": %d, want 304", res.StatusCode)
	}
}

// A tunnel (101) is never touched: no Vary, no coding; the bytes after
// it are the Stream's.
func TestTunnel(t *testing.T) {
	inner := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 101, Stream: func(w *httpserver.StreamWriter) error {
			_, _, err := w.Hijack()
			return err
		}}
		r.Headers.Set("Upgrade", "websocket")
		r.Headers.Set("Connection", "upgrade")
		return r
	})
	req := get("GET", "/", "Accept-Encoding", "gzip", "Upgrade", "websocket", "Connection", "upgrade")
	res := httpservertest.Do(Handler(inner, nil), req)
	if res.StatusCode != 101 || res.Headers.Has("Vary") || res.Headers.Has("Content-Encoding") {
		t.Errorf("101: %d, %s", res.StatusCode, fieldsOf(&res.Headers))
	}
	if !errors.Is(res.Err, httpservertest.ErrCannotHijack) {
		t.Errorf("101: Err %v, want the Hijack error", res.Err)
	}

	// A Stream that switches to 101 itself, through the writer.
	inner = httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
			w.Header().Set("Upgrade", "websocket")
			w.WriteHeader(101)
			if !w.HeadSent() {
				t.Error("HeadSent false after WriteHeader(101)")
			}
			_, _, err := w.Hijack()
			return err
		}}
	})
	res = httpservertest.Do(Handler(inner, nil), req)
	if res.StatusCode != 101 || res.Headers.Has("Vary") || !errors.Is(res.Err, httpservertest.ErrCannotHijack) {
		t.Errorf("WriteHeader(101): %d, %s, err %v", res.StatusCode, fieldsOf(&res.Headers), res.Err)
	}
}

// The inner Response may be shared between requests: it is never
// modified, also when many requests use it at once.
func TestSharedResponse(t *testing.T) {
	shared := &httpserver.Response{StatusCode: 200, Message: page(4000)}
	shared.Headers.Set("Content-Type", "text/plain")
	shared.Headers.Set("ETag", `"shared"`)
	shared.Headers.Set("Content-Length", "4000")
	before := fieldsOf(&shared.Headers)
	h := Handler(httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response { return shared }), nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				coding := codings[(i+j)%len(codings)]
				accept := coding
				if j%4 == 0 {
					accept = "identity"
				}
				res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", accept))
				if res.StatusCode != 200 {
					t.Errorf("shared: %d", res.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	if after := fieldsOf(&shared.Headers); after != before {
		t.Errorf("the shared Response's fields changed: %s, were %s", after, before)
	}
}

// A Stream that fails before the head went: the host answers 500, as
// without compress; after it, the body is cut short.
func TestStreamError(t *testing.T) {
	boom := errors.New("boom")
	for _, after := range []bool{false, true} {
		inner := typed("text/plain", httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			w.WriteString(page(100))
			if after {
				w.WriteString(page(5000))
				w.Flush()
			}
			return boom
		}})
		res := httpservertest.Do(Handler(inner, nil), get("GET", "/", "Accept-Encoding", "gzip"))
		if !errors.Is(res.Err, boom) || (res.StatusCode == 500) == after {
			t.Errorf("error after the head %v: %d, err %v", after, res.StatusCode, res.Err)
		}
	}
}

func TestOptionsPanics(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts *Options
		next httpserver.Handler
	}{
		{"nil handler", nil, nil},
		{"unknown encoding", &Options{Encodings: []string{"gzip", "deflate"}}, httpserver.HandlerFunc(nil)},
		{"twice", &Options{Encodings: []string{"gzip", "GZIP"}}, httpserver.HandlerFunc(nil)},
		{"gzip level", &Options{GzipLevel: 10}, httpserver.HandlerFunc(nil)},
		{"zstd level", &Options{ZstdLevel: 23}, httpserver.HandlerFunc(nil)},
		{"brotli level", &Options{BrotliLevel: -1}, httpserver.HandlerFunc(nil)},
	} {
		func() {
			defer func() {
				if p := recover(); p == nil {
					t.Errorf("%s: no panic", tt.name)
				} else if s, _ := p.(string); !strings.HasPrefix(s, "compress: ") {
					t.Errorf("%s: panic %v, want a \"compress: \" message", tt.name, p)
				}
			}()
			Handler(tt.next, tt.opts)
		}()
	}
}

// Levels and MinSize as the caller sets them.
func TestOptions(t *testing.T) {
	body := page(50000)
	fast := Handler(typed("text/plain", httpserver.Response{Message: body}), &Options{GzipLevel: 1, ZstdLevel: 1, BrotliLevel: 1})
	best := Handler(typed("text/plain", httpserver.Response{Message: body}), &Options{GzipLevel: 9, ZstdLevel: 19, BrotliLevel: 9})
	for _, coding := range codings {
		f := httpservertest.Do(fast, get("GET", "/", "Accept-Encoding", coding))
		b := httpservertest.Do(best, get("GET", "/", "Accept-Encoding", coding))
		if decode(t, coding, f.Body) != body || decode(t, coding, b.Body) != body {
			t.Errorf("%s: a level breaks the round trip", coding)
		}
		if len(b.Body) >= len(f.Body) {
			t.Errorf("%s: best level %d bytes, fastest %d", coding, len(b.Body), len(f.Body))
		}
	}
	h := Handler(typed("text/plain", httpserver.Response{Message: "0123456789"}), &Options{MinSize: 10})
	if res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "gzip")); res.Headers.Get("Content-Encoding") != "gzip" {
		t.Errorf("MinSize 10, 10 bytes: not compressed")
	}
	h = Handler(typed("application/x-tar", httpserver.Response{Message: body}), &Options{
		Types: func(t string) bool { return DefaultTypes(t) || t == "application/x-tar" },
	})
	if res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "gzip")); res.Headers.Get("Content-Encoding") != "gzip" {
		t.Errorf("Types with x-tar: not compressed")
	}
}

// stuck is a Body that never makes progress.
type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

func TestBodyNoProgress(t *testing.T) {
	h := Handler(typed("text/plain", httpserver.Response{Body: stuck{}, BodyLength: 5000}), nil)
	res := httpservertest.Do(h, get("GET", "/", "Accept-Encoding", "gzip"))
	if !errors.Is(res.Err, io.ErrNoProgress) {
		t.Errorf("a Body stuck at 0 bytes: err %v, want io.ErrNoProgress", res.Err)
	}
}

// A Stream sent as it is may change its status until the head goes, as
// without compress; one compressed may not (its fields are decided).
func TestStreamLateStatus(t *testing.T) {
	for _, tt := range []struct {
		ctype string
		want  int
	}{
		{"image/png", 500},
		{"text/plain", 200},
	} {
		var sent bool
		inner := typed(tt.ctype, httpserver.Response{Stream: func(w *httpserver.StreamWriter) error {
			w.WriteString(page(2000))
			sent = w.HeadSent()
			w.WriteHeader(500)
			return nil
		}})
		res := httpservertest.Do(Handler(inner, nil), get("GET", "/", "Accept-Encoding", "gzip"))
		if res.StatusCode != tt.want || sent != (tt.want == 200) {
			t.Errorf("%s: status %d, HeadSent %v after 2000 bytes; want %d", tt.ctype, res.StatusCode, sent, tt.want)
		}
	}
}
