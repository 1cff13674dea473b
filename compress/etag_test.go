package compress

import (
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

func TestETagFor(t *testing.T) {
	gz := &encoding{name: "gzip", suffix: "-gzip"}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{`"abc"`, `"abc-gzip"`, true},
		{`W/"abc"`, `W/"abc-gzip"`, true},
		{`""`, `"-gzip"`, true},
		{`"abc-gzip"`, `"abc-gzip-gzip"`, true},
		{`abc`, "", false},
		{`"abc" "d"`, "", false},
		{`"a b"`, "", false},
	} {
		got, ok := etagFor(tt.in, gz)
		if got != tt.want || ok != tt.ok {
			t.Errorf("etagFor(%s) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRewriteIfNoneMatch(t *testing.T) {
	gz := &encoding{name: "gzip", suffix: "-gzip"}
	for _, tt := range []struct {
		lines []string
		want  string // the field after; "" when unchanged
	}{
		{nil, ""},
		{[]string{`"abc"`}, ""},
		{[]string{`*`}, ""},
		{[]string{`"abc-gzip"`}, `"abc-gzip", "abc"`},
		{[]string{`W/"abc-gzip"`}, `W/"abc-gzip", W/"abc"`},
		{[]string{`"a-br", "b-gzip" , "c"`}, `"a-br", "b-gzip" , "c", "b"`},
		{[]string{`"a-gzip"`, `"b-gzip"`}, `"a-gzip", "b-gzip", "a", "b"`},
		{[]string{`"a-gzip", junk, "b-gzip"`}, `"a-gzip", junk, "b-gzip", "a"`}, // a malformed element ends the list
		{[]string{`"-gzip"`}, `"-gzip", ""`},
	} {
		var h httpserver.Header
		for _, v := range tt.lines {
			h.Add("If-None-Match", v)
		}
		orig := rewriteIfNoneMatch(&h, gz)
		got := ""
		if orig != "" {
			got = h.Get("If-None-Match")
			if want := strings.Join(tt.lines, ", "); orig != want {
				t.Errorf("rewriteIfNoneMatch(%q) returned %q, want the field as sent, %q", tt.lines, orig, want)
			}
		}
		if got != tt.want {
			t.Errorf("rewriteIfNoneMatch(%q): %q, want %q", tt.lines, got, tt.want)
		}
	}
}

// conditional is a handler with its own If-None-Match logic, as
// fileserver and net/http's ServeContent have: tag is its entity-tag.
func conditional(tag, ctype string, body string) httpserver.Handler {
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		r := &httpserver.Response{StatusCode: 200, Message: body}
		r.Headers.Set("ETag", tag)
		r.Headers.Set("Cache-Control", "no-cache")
		if inm := req.Headers.Get("If-None-Match"); inm != "" {
			for _, t := range strings.Split(inm, ",") {
				t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
				if t == strings.TrimPrefix(tag, "W/") || t == "*" {
					r.StatusCode, r.Message = 304, ""
					return r
				}
			}
		}
		r.Headers.Set("Content-Type", ctype)
		return r
	})
}

// TestConditional: a client revalidating the compressed form gets a
// 304 with that form's tag; one revalidating the identity form, one
// with the identity tag.
func TestConditional(t *testing.T) {
	body := page(5000)
	tests := []struct {
		name     string
		tag      string // the inner handler's
		ctype    string
		hdrs     []string
		status   int
		wantETag string
	}{
		{"GET", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip"}, 200, `"v7-gzip"`},
		{"compressed form", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `"v7-gzip"`}, 304, `"v7-gzip"`},
		{"compressed form, weak", `W/"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `W/"v7-gzip"`}, 304, `W/"v7-gzip"`},
		{"compressed form among others", `"v7"`, "text/html", []string{"Accept-Encoding", "zstd", "If-None-Match", `"v6-zstd", "v7-zstd"`}, 304, `"v7-zstd"`},
		{"identity form", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `"v7"`}, 304, `"v7"`},
		{"identity form, no coding", `"v7"`, "text/html", []string{"If-None-Match", `"v7"`}, 304, `"v7"`},
		{"both forms", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `"v7", "v7-gzip"`}, 304, `"v7-gzip"`},
		{"another coding's form", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `"v7-br"`}, 200, `"v7-gzip"`},
		{"compressed tag, no coding now", `"v7"`, "text/html", []string{"If-None-Match", `"v7-gzip"`}, 200, `"v7"`},
		{"stale compressed tag", `"v8"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `"v7-gzip"`}, 200, `"v8-gzip"`},
		{"star", `"v7"`, "text/html", []string{"Accept-Encoding", "gzip", "If-None-Match", `*`}, 304, `"v7"`},
		{"image: nothing to strip for", `"p1"`, "image/png", []string{"Accept-Encoding", "gzip", "If-None-Match", `"p1"`}, 304, `"p1"`},
		{"HEAD, compressed form", `"v7"`, "text/html", []string{"Accept-Encoding", "br", "If-None-Match", `"v7-br"`}, 304, `"v7-br"`},
	}
	for _, tt := range tests {
		h := Handler(conditional(tt.tag, tt.ctype, body), nil)
		verb := "GET"
		if strings.HasPrefix(tt.name, "HEAD") {
			verb = "HEAD"
		}
		res := httpservertest.Do(h, get(verb, "/", tt.hdrs...))
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.status)
		}
		checkFields(t, tt.name, &res.Headers, []string{"ETag", tt.wantETag, "Vary", "Accept-Encoding"})
		if res.StatusCode == 304 && (res.Headers.Has("Content-Encoding") || len(res.Body) != 0) {
			t.Errorf("%s: a 304 with %s and %d bytes", tt.name, fieldsOf(&res.Headers), len(res.Body))
		}
	}
}

// A 304 whose fields rule compression out keeps the identity tag, even
// when the client sent the compressed one.
func TestNotModifiedExcluded(t *testing.T) {
	for _, field := range [][2]string{{"Cache-Control", "no-transform"}, {"Content-Encoding", "br"}, {"Content-Type", "image/png"}} {
		inner := httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
			r := &httpserver.Response{StatusCode: 304}
			r.Headers.Set("ETag", `"q"`)
			r.Headers.Set(field[0], field[1])
			return r
		})
		res := httpservertest.Do(Handler(inner, nil), get("GET", "/", "Accept-Encoding", "gzip", "If-None-Match", `"q-gzip"`))
		if got := res.Headers.Get("ETag"); got != `"q"` {
			t.Errorf("304 with %s: ETag %s, want \"q\"", field, got)
		}
	}
}
