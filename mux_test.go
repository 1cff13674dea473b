package httpserver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// muxTestPatterns are registered, in this order and reversed, for
// TestMuxMatch. Each handler answers 200 with its pattern as the body.
var muxTestPatterns = []string{
	"GET /{$}",
	"/static/",
	"GET /static/special",
	"/users/new",
	"/users/{id}",
	"DELETE /users/{id}",
	"POST /users/",
	"GET /users/{id}/posts/{post}",
	"/files/{path...}",
	"GET /api/items",
	"POST /api/items",
	"HEAD /api/head",
	"GET /api/head",
	"PUT /api/only",
	"/a/{x}/c",
	"/{y}/b/c",
	"/caf%C3%A9",
	"/dir/{$}",
	"/esc/{v}",
	"GET /m/{x}",
	"POST /m/lit",
}

// recordingMux returns a Mux with patterns registered in order, each
// answering 200 with its pattern as the body, and a pointer to the last
// *Request a handler received.
func recordingMux(patterns []string) (*Mux, **Request) {
	m := NewMux()
	got := new(*Request)
	for _, p := range patterns {
		m.RouteFunc(p, func(req *Request) *Response {
			*got = req
			return &Response{StatusCode: 200, Message: p}
		})
	}
	return m, got
}

func TestMuxMatch(t *testing.T) {
	tests := []struct {
		verb, path string
		want       string            // the pattern that serves it; "" for a 404 or 405
		status     int               // 0 means 200
		allow      string            // the Allow header of a 405
		values     map[string]string // PathValue results the handler must see
	}{
		{verb: "GET", path: "/", want: "GET /{$}"},
		{verb: "HEAD", path: "/", want: "GET /{$}"},
		{verb: "POST", path: "/", status: 405, allow: "GET, HEAD"},
		{verb: "GET", path: "/nowhere", status: 404},

		// A trailing slash is a subtree; the bare name is not in it.
		{verb: "GET", path: "/static/", want: "/static/"},
		{verb: "GET", path: "/static/a/b.css", want: "/static/"},
		{verb: "GET", path: "/static", status: 404},
		{verb: "GET", path: "/static/special", want: "GET /static/special"},
		{verb: "HEAD", path: "/static/special", want: "GET /static/special"},
		// The literal's method does not match: the subtree serves it.
		{verb: "POST", path: "/static/special", want: "/static/"},
		{verb: "GET", path: "/static/special/x", want: "/static/"},
		{verb: "GET", path: "/static/.../x", want: "/static/"}, // "..." is not a dot-segment

		// Literal beats {name} beats subtree; method breaks ties of shape.
		{verb: "GET", path: "/users/new", want: "/users/new"},
		{verb: "GET", path: "/users/42", want: "/users/{id}", values: map[string]string{"id": "42"}},
		{verb: "DELETE", path: "/users/42", want: "DELETE /users/{id}", values: map[string]string{"id": "42"}},
		{verb: "POST", path: "/users/42", want: "/users/{id}", values: map[string]string{"id": "42"}},
		{verb: "POST", path: "/users/", want: "POST /users/"},
		{verb: "POST", path: "/users/42/x", want: "POST /users/"},
		{verb: "GET", path: "/users/", status: 405, allow: "POST"}, // {id} needs a non-empty segment
		{verb: "GET", path: "/users/42/", status: 405, allow: "POST"},
		{verb: "GET", path: "/users/42/posts/7", want: "GET /users/{id}/posts/{post}", values: map[string]string{"id": "42", "post": "7"}},
		{verb: "HEAD", path: "/users/42/posts/7", want: "GET /users/{id}/posts/{post}", values: map[string]string{"id": "42", "post": "7"}},
		{verb: "PUT", path: "/users/42/posts/7", status: 405, allow: "GET, HEAD, POST"},

		// {name...} takes the rest, possibly empty, decoded.
		{verb: "GET", path: "/files/", want: "/files/{path...}", values: map[string]string{"path": ""}},
		{verb: "GET", path: "/files/a/b%20c.txt", want: "/files/{path...}", values: map[string]string{"path": "a/b c.txt"}},
		{verb: "GET", path: "/files/a%2Fb", want: "/files/{path...}", values: map[string]string{"path": "a/b"}},
		{verb: "GET", path: "/files", status: 404},

		// Method patterns and 405.
		{verb: "GET", path: "/api/items", want: "GET /api/items"},
		{verb: "HEAD", path: "/api/items", want: "GET /api/items"},
		{verb: "POST", path: "/api/items", want: "POST /api/items"},
		{verb: "DELETE", path: "/api/items", status: 405, allow: "GET, HEAD, POST"},
		{verb: "get", path: "/api/items", status: 405, allow: "GET, HEAD, POST"}, // methods are case-sensitive
		{verb: "GET", path: "/api/items/", status: 404},
		{verb: "HEAD", path: "/api/head", want: "HEAD /api/head"},
		{verb: "GET", path: "/api/head", want: "GET /api/head"},
		{verb: "GET", path: "/api/only", status: 405, allow: "PUT"},
		{verb: "HEAD", path: "/api/only", status: 405, allow: "PUT"},
		{verb: "GET", path: "/m/lit", want: "GET /m/{x}", values: map[string]string{"x": "lit"}},
		{verb: "POST", path: "/m/lit", want: "POST /m/lit"},
		{verb: "PUT", path: "/m/lit", status: 405, allow: "GET, HEAD, POST"},

		// The first segment that differs decides.
		{verb: "GET", path: "/a/b/c", want: "/a/{x}/c", values: map[string]string{"x": "b"}},
		{verb: "GET", path: "/z/b/c", want: "/{y}/b/c", values: map[string]string{"y": "z"}},
		{verb: "GET", path: "/a/q/c", want: "/a/{x}/c", values: map[string]string{"x": "q"}},

		// Literals compare raw; escape hex digits compare case-insensitively.
		{verb: "GET", path: "/caf%C3%A9", want: "/caf%C3%A9"},
		{verb: "GET", path: "/caf%c3%a9", want: "/caf%C3%A9"},
		{verb: "GET", path: "/caf%C3%A9x", status: 404},
		{verb: "GET", path: "/%61pi/items", status: 404},
		{verb: "GET", path: "/dir/", want: "/dir/{$}"},
		{verb: "GET", path: "/dir", status: 404},
		{verb: "GET", path: "/dir/x", status: 404},

		// Captured values are decoded; a malformed escape leaves them raw.
		{verb: "GET", path: "/esc/a%20b", want: "/esc/{v}", values: map[string]string{"v": "a b", "other": ""}},
		{verb: "GET", path: "/esc/a%zzb", want: "/esc/{v}", values: map[string]string{"v": "a%zzb"}},
		{verb: "GET", path: "/esc/100%", want: "/esc/{v}", values: map[string]string{"v": "100%"}},
		{verb: "GET", path: "/esc/a+b", want: "/esc/{v}", values: map[string]string{"v": "a+b"}},
		{verb: "GET", path: "/esc/%2E%2E%2Fx", want: "/esc/{v}", values: map[string]string{"v": "../x"}},

		// Non-canonical paths and other targets match nothing.
		{verb: "GET", path: "//static/", status: 404},
		{verb: "GET", path: "/users//posts", status: 404},
		{verb: "POST", path: "/users//x", status: 404},
		{verb: "GET", path: "/static/../users/new", status: 404},
		{verb: "GET", path: "/static/./a", status: 404},
		{verb: "GET", path: "/static/%2e%2E/x", status: 404},
		{verb: "GET", path: "/esc/..", status: 404},
		{verb: "OPTIONS", path: "*", status: 404},
		{verb: "CONNECT", path: "example.com:443", status: 404},
		{verb: "GET", path: "", status: 404},
	}
	forward, fwdGot := recordingMux(muxTestPatterns)
	backward := slices.Clone(muxTestPatterns)
	slices.Reverse(backward)
	reversed, revGot := recordingMux(backward)
	for _, mx := range []struct {
		name string
		m    *Mux
		got  **Request
	}{{"forward", forward, fwdGot}, {"reversed", reversed, revGot}} {
		for _, tt := range tests {
			*mx.got = nil
			req := &Request{Verb: tt.verb, Path: tt.path}
			resp := mx.m.Handle(req)
			name := fmt.Sprintf("%s: %s %q", mx.name, tt.verb, tt.path)
			wantStatus := tt.status
			if wantStatus == 0 {
				wantStatus = 200
			}
			if resp.StatusCode != wantStatus {
				t.Errorf("%s: status %d (%q), want %d", name, resp.StatusCode, resp.Message, wantStatus)
				continue
			}
			if got := resp.Headers.Get("Allow"); got != tt.allow {
				t.Errorf("%s: Allow %q, want %q", name, got, tt.allow)
			}
			switch wantStatus {
			case 200:
				if resp.Message != tt.want {
					t.Errorf("%s: served by %q, want %q", name, resp.Message, tt.want)
				}
			case 404:
				if resp.Message != "Not Found\n" || *mx.got != nil {
					t.Errorf("%s: 404 body %q, handler called: %v", name, resp.Message, *mx.got != nil)
				}
			case 405:
				if resp.Message != "Method Not Allowed\n" || *mx.got != nil {
					t.Errorf("%s: 405 body %q, handler called: %v", name, resp.Message, *mx.got != nil)
				}
			}
			for k, want := range tt.values {
				if got := PathValue(*mx.got, k); got != want {
					t.Errorf("%s: PathValue(%q) = %q, want %q", name, k, got, want)
				}
			}
			if wantStatus == 200 && len(tt.values) == 0 && *mx.got != req {
				t.Errorf("%s: handler got a copy of the request; want the request itself for a pattern without wildcards", name)
			}
		}
	}
}

func TestMuxCatchAll(t *testing.T) {
	m, _ := recordingMux([]string{"/", "/{$}", "GET /x/{rest...}"})
	tests := []struct {
		verb, path string
		want       string // pattern, or "404"
	}{
		{"GET", "/", "/{$}"},
		{"DELETE", "/", "/{$}"},
		{"GET", "/anything/at/all", "/"},
		{"POST", "/x/y", "/"}, // "GET /x/{rest...}" does not match POST
		{"GET", "/x/y", "GET /x/{rest...}"},
		{"GET", "/x", "/"},
		{"GET", "//", "404"},
		{"GET", "/a/../b", "404"},
		{"OPTIONS", "*", "404"},
	}
	for _, tt := range tests {
		resp := m.Handle(&Request{Verb: tt.verb, Path: tt.path})
		got := resp.Message
		if resp.StatusCode == 404 {
			got = "404"
		}
		if got != tt.want {
			t.Errorf("%s %q: served by %q, want %q", tt.verb, tt.path, got, tt.want)
		}
	}
}

func TestMuxZeroValue(t *testing.T) {
	var m Mux
	if resp := m.Handle(&Request{Verb: "GET", Path: "/"}); resp.StatusCode != 404 {
		t.Fatalf("empty Mux: status %d, want 404", resp.StatusCode)
	}
	m.Route("/", HandlerFunc(func(*Request) *Response { return &Response{StatusCode: 204} }))
	if resp := m.Handle(&Request{Verb: "GET", Path: "/a"}); resp.StatusCode != 204 {
		t.Fatalf("zero Mux after Route: status %d, want 204", resp.StatusCode)
	}
}

func TestPathValueOutsideMux(t *testing.T) {
	if got := PathValue(&Request{Verb: "GET", Path: "/a"}, "a"); got != "" {
		t.Errorf("PathValue on a request no Mux saw = %q, want \"\"", got)
	}
}

// TestMuxNested checks that PathValue reports the innermost Mux's match,
// including when that match has no wildcards.
func TestMuxNested(t *testing.T) {
	var got *Request
	record := func(req *Request) *Response { got = req; return &Response{StatusCode: 200} }
	inner := NewMux()
	inner.RouteFunc("/o/{a}/in/{b}", record)
	inner.RouteFunc("/o/x/lit", record)
	outer := NewMux()
	outer.Route("/o/{a}/", inner)

	outer.Handle(&Request{Verb: "GET", Path: "/o/1/in/2"})
	if a, b := PathValue(got, "a"), PathValue(got, "b"); a != "1" || b != "2" {
		t.Errorf("/o/1/in/2: a=%q b=%q, want 1 and 2", a, b)
	}
	outer.Handle(&Request{Verb: "GET", Path: "/o/x/lit"})
	if a := PathValue(got, "a"); a != "" {
		t.Errorf("/o/x/lit through a literal inner pattern: a=%q, want \"\"", a)
	}
	if resp := outer.Handle(&Request{Verb: "GET", Path: "/o/1/zzz"}); resp.StatusCode != 404 {
		t.Errorf("/o/1/zzz: status %d, want the inner Mux's 404", resp.StatusCode)
	}
}

// TestMuxPathValuesWithContext: a WithContext copy keeps the values the
// Mux set, its own: dispatching the original again (the values are stored
// in the Request) does not change the copy's; three or more wildcards
// (beyond the values kept inline) work the same.
func TestMuxPathValuesWithContext(t *testing.T) {
	var got *Request
	m := NewMux()
	m.RouteFunc("/two/{a}/{b}", func(req *Request) *Response { got = req; return &Response{StatusCode: 200} })
	m.RouteFunc("/three/{a}/{b}/{c}", func(req *Request) *Response { got = req; return &Response{StatusCode: 200} })
	m.RouteFunc("/lit", func(req *Request) *Response { got = req; return &Response{StatusCode: 200} })

	req := &Request{Verb: "GET", Path: "/two/1/2"}
	m.Handle(req)
	cp := got.WithContext(context.Background())
	req.Path = "/two/x/y"
	m.Handle(req)
	if a, b := PathValue(cp, "a"), PathValue(cp, "b"); a != "1" || b != "2" {
		t.Errorf("copy after the original's second dispatch: a=%q b=%q, want 1 and 2", a, b)
	}
	if a, b := PathValue(req, "a"), PathValue(req, "b"); a != "x" || b != "y" {
		t.Errorf("original after its second dispatch: a=%q b=%q, want x and y", a, b)
	}
	req.Path = "/lit"
	m.Handle(req)
	if a := PathValue(req, "a"); a != "" {
		t.Errorf("original after a literal route: a=%q, want \"\"", a)
	}

	req = &Request{Verb: "GET", Path: "/three/1/2/3"}
	m.Handle(req)
	cp = req.WithContext(context.Background())
	for _, name := range []string{"a", "b", "c"} {
		if got, want := PathValue(cp, name), map[string]string{"a": "1", "b": "2", "c": "3"}[name]; got != want {
			t.Errorf("/three/1/2/3 copy: %s=%q, want %q", name, got, want)
		}
	}
}

func TestMuxInvalidPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // in the panic message
	}{
		{"", "empty pattern"},
		{"a", "must begin with '/'"},
		{"example.com/", "must begin with '/'"},
		{"GET", "must begin with '/'"},
		{"GET a", "must begin with '/'"},
		{"GET ", "must begin with '/'"},
		{" /a", "not a token"},
		{"GE(T /a", "not a token"},
		{"GET/x /a", "not a token"},
		{"/a//b", "empty segment"},
		{"//", "empty segment"},
		{"/a/{", "not a whole segment"},
		{"/a/{x", "not a whole segment"},
		{"/a/{x}y", "not a whole segment"},
		{"/a/x{y}", "not a whole segment"},
		{"/a/}", "not a whole segment"},
		{"/a/{$}x", "not a whole segment"},
		{"/{x}/{x}", "duplicate wildcard name"},
		{"/{x}/{x...}", "duplicate wildcard name"},
		{"/{x...}/y", "must be the last segment"},
		{"/{x...}/", "must be the last segment"},
		{"/{$}/y", "must be the last segment"},
		{"/{}", "not a Go identifier"},
		{"/{...}", "not a Go identifier"},
		{"/{1x}", "not a Go identifier"},
		{"/{x-y}", "not a Go identifier"},
		{"/{$...}", "not a Go identifier"},
		{"/a b", "only visible ASCII"},
		{"/caf\u00e9", "only visible ASCII"},
		{"/a\x00", "only visible ASCII"},
		{"/a%2", "malformed percent escape"},
		{"/a%zz", "malformed percent escape"},
		{"/a?b", "no query or fragment"},
		{"/a#b", "no query or fragment"},
		{"/./a", "dot-segment"},
		{"/a/..", "dot-segment"},
		{"/%2e", "dot-segment"},
	}
	for _, tt := range tests {
		msg := routePanic(NewMux(), tt.pattern, HandlerFunc(func(*Request) *Response { return nil }))
		if !strings.Contains(msg, tt.want) {
			t.Errorf("Route(%q) panicked with %q, want a panic containing %q", tt.pattern, msg, tt.want)
		}
	}
	if msg := routePanic(NewMux(), "/a", nil); !strings.Contains(msg, "nil handler") {
		t.Errorf("Route with a nil Handler panicked with %q, want \"nil handler\"", msg)
	}
	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		NewMux().RouteFunc("/a", nil)
		return ""
	}()
	if !strings.Contains(msg, "nil handler") {
		t.Errorf("RouteFunc with a nil func panicked with %q, want \"nil handler\"", msg)
	}
}

// routePanic calls m.Route(pattern, h) and returns what it panicked with,
// or "" if it did not panic.
func routePanic(m *Mux, pattern string, h Handler) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	m.Route(pattern, h)
	return ""
}

func TestMuxDuplicates(t *testing.T) {
	tests := []struct {
		first, second string
		conflict      bool
	}{
		{"/a", "/a", true},
		{"/a/{x}", "/a/{y}", true},
		{"GET /a", "GET  /a", true},
		{"GET\t/a", "GET /a", true},
		{"/a/", "/a/{rest...}", true},
		{"/", "/{p...}", true},
		{"/caf%c3%a9", "/caf%C3%A9", true},
		{"/{x}/b/{y...}", "/{p}/b/{q...}", true},
		{"GET /a", "HEAD /a", false},
		{"/a", "GET /a", false},
		{"GET /a", "get /a", false},
		{"/a/{$}", "/a/", false},
		{"/a", "/a/", false},
		{"/a/{x}", "/a/{x}/", false},
		{"/a/{x}", "/a/{x...}", false},
		{"/{$}", "/", false},
	}
	for _, tt := range tests {
		m := NewMux()
		m.RouteFunc(tt.first, func(*Request) *Response { return &Response{StatusCode: 200, Message: "first"} })
		msg := routePanic(m, tt.second, HandlerFunc(func(*Request) *Response { return &Response{StatusCode: 200, Message: "second"} }))
		if got := msg != ""; got != tt.conflict {
			t.Errorf("Route(%q) after Route(%q): panic %q, want a panic: %v", tt.second, tt.first, msg, tt.conflict)
			continue
		}
		if tt.conflict && (!strings.Contains(msg, fmt.Sprintf("%q", tt.first)) || !strings.Contains(msg, fmt.Sprintf("%q", tt.second))) {
			t.Errorf("Route(%q) after Route(%q): panic %q should name both patterns", tt.second, tt.first, msg)
		}
	}

	// A failed Route leaves the Mux as it was.
	m, _ := recordingMux([]string{"/a/{x}", "/b"})
	if msg := routePanic(m, "/a/{y}", HandlerFunc(func(*Request) *Response { return nil })); msg == "" {
		t.Fatal("Route(/a/{y}) after /a/{x}: no panic")
	}
	if resp := m.Handle(&Request{Verb: "GET", Path: "/a/1"}); resp.Message != "/a/{x}" {
		t.Errorf("after a failed Route, /a/1 served by %q, want /a/{x}", resp.Message)
	}
}

// refMatchesPath is the reference matcher for TestMuxMatchesReference: the
// documented rules applied to one pattern at a time, without the tree.
func refMatchesPath(r *route, path string) bool {
	if !canonicalPath(path) {
		return false
	}
	s := path[1:]
	for i, sg := range r.segs {
		if sg.kind == segRest {
			return true
		}
		seg, tail, more := strings.Cut(s, "/")
		if sg.kind == segLiteral && compareSegment(seg, sg.text) != 0 || sg.kind == segWild && seg == "" {
			return false
		}
		if i == len(r.segs)-1 {
			return !more
		}
		if !more {
			return false
		}
		s = tail
	}
	return false
}

// refMethodRank is 0 for a pattern naming method, 1 for GET serving HEAD,
// 2 for a pattern naming none, and -1 if r does not match method.
func refMethodRank(r *route, method string) int {
	switch {
	case r.method == method:
		return 0
	case r.method == "GET" && method == "HEAD":
		return 1
	case r.method == "":
		return 2
	}
	return -1
}

// refMoreSpecific reports whether a beats b, both matching the same request.
func refMoreSpecific(a, b *route, method string) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if ka, kb := a.segs[i].kind, b.segs[i].kind; ka != kb {
			return ka < kb
		}
	}
	return refMethodRank(a, method) < refMethodRank(b, method)
}

// TestMuxMatchesReference registers random patterns and checks that the
// routing tree picks, for random requests, what the documented rules pick
// when applied to every pattern in turn.
func TestMuxMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	segChoices := []string{"a", "b", "%61", "{w}"}
	endChoices := []string{"", "/", "/{$}", "/{r...}"}
	methods := []string{"", "GET ", "HEAD ", "POST "}
	pathSegs := []string{"a", "b", "c", "%61", "", ".."}
	for range 200 {
		m := NewMux()
		var routes []*route // those m accepted
		for range 1 + rng.IntN(12) {
			var p strings.Builder
			p.WriteString(methods[rng.IntN(len(methods))])
			n := rng.IntN(4)
			for i := range n {
				s := segChoices[rng.IntN(len(segChoices))]
				p.WriteString("/" + strings.ReplaceAll(s, "w", fmt.Sprint("w", i)))
			}
			end := endChoices[rng.IntN(len(endChoices))]
			if n == 0 && end == "" {
				end = "/"
			}
			p.WriteString(end)
			pattern := p.String()
			r, err := parsePattern(pattern)
			if err != nil {
				t.Fatalf("parsePattern(%q): %v", pattern, err)
			}
			h := HandlerFunc(func(*Request) *Response { return &Response{StatusCode: 200, Message: pattern} })
			if msg := routePanic(m, pattern, h); msg != "" {
				// The generator makes duplicates; the Mux must refuse
				// exactly those.
				if !slices.ContainsFunc(routes, func(o *route) bool { return sameShape(o, r) }) {
					t.Fatalf("Route(%q) panicked (%s) with no duplicate among %q", pattern, msg, patternsOf(routes))
				}
				continue
			}
			if slices.ContainsFunc(routes, func(o *route) bool { return sameShape(o, r) }) {
				t.Fatalf("Route(%q) accepted a duplicate of one of %q", pattern, patternsOf(routes))
			}
			routes = append(routes, r)
		}
		for range 50 {
			var p strings.Builder
			for range 1 + rng.IntN(4) {
				p.WriteString("/" + pathSegs[rng.IntN(len(pathSegs))])
			}
			path := p.String()
			method := []string{"GET", "HEAD", "POST", "PUT"}[rng.IntN(4)]
			var best *route
			var allow []string
			for _, r := range routes {
				if !refMatchesPath(r, path) {
					continue
				}
				allow = append(allow, r.method)
				if refMethodRank(r, method) >= 0 && (best == nil || refMoreSpecific(r, best, method)) {
					best = r
				}
			}
			resp := m.Handle(&Request{Verb: method, Path: path})
			switch {
			case best != nil:
				if resp.StatusCode != 200 || resp.Message != best.pattern {
					t.Errorf("%s %s: got %d %q, want %q (patterns %q)", method, path, resp.StatusCode, resp.Message, best.pattern, patternsOf(routes))
				}
			case len(allow) > 0:
				if slices.Contains(allow, "GET") {
					allow = append(allow, "HEAD")
				}
				slices.Sort(allow)
				want := strings.Join(slices.Compact(allow), ", ")
				if got := resp.Headers.Get("Allow"); resp.StatusCode != 405 || got != want {
					t.Errorf("%s %s: got %d Allow %q, want 405 Allow %q (patterns %q)", method, path, resp.StatusCode, got, want, patternsOf(routes))
				}
			default:
				if resp.StatusCode != 404 {
					t.Errorf("%s %s: got %d %q, want 404 (patterns %q)", method, path, resp.StatusCode, resp.Message, patternsOf(routes))
				}
			}
		}
	}
}

// sameShape reports whether a and b match the same requests: same method,
// same segment kinds, same literals.
func sameShape(a, b *route) bool {
	return a.method == b.method && slices.EqualFunc(a.segs, b.segs, func(x, y segment) bool {
		return x.kind == y.kind && (x.kind != segLiteral || x.text == y.text)
	})
}

func patternsOf(routes []*route) []string {
	var ps []string
	for _, r := range routes {
		ps = append(ps, r.pattern)
	}
	return ps
}

// TestMuxConcurrent registers routes while other goroutines dispatch, for
// the race detector, and checks that every dispatch sees either the old or
// the new routes.
func TestMuxConcurrent(t *testing.T) {
	m := NewMux() // not recordingMux: its handlers share a variable
	for _, p := range []string{"GET /stable", "/users/{id}"} {
		m.RouteFunc(p, func(*Request) *Response { return &Response{StatusCode: 200, Message: p} })
	}
	const n = 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if resp := m.Handle(&Request{Verb: "GET", Path: "/stable"}); resp.Message != "GET /stable" {
					t.Errorf("worker %d: /stable served by %d %q", w, resp.StatusCode, resp.Message)
					return
				}
				k := i % n
				resp := m.Handle(&Request{Verb: "GET", Path: fmt.Sprintf("/r%d/%d", k, w)})
				if want := fmt.Sprintf("/r%d/{v}", k); resp.StatusCode != 404 && resp.Message != want {
					t.Errorf("worker %d: /r%d/%d served by %d %q, want 404 or %q", w, k, w, resp.StatusCode, resp.Message, want)
					return
				}
			}
		})
	}
	for k := range n {
		p := fmt.Sprintf("/r%d/{v}", k)
		m.RouteFunc(p, func(req *Request) *Response {
			_ = PathValue(req, "v")
			return &Response{StatusCode: 200, Message: p}
		})
	}
	close(stop)
	wg.Wait()
	for k := range n {
		resp := m.Handle(&Request{Verb: "GET", Path: fmt.Sprintf("/r%d/x", k)})
		if want := fmt.Sprintf("/r%d/{v}", k); resp.Message != want {
			t.Errorf("after registration: /r%d/x served by %d %q, want %q", k, resp.StatusCode, resp.Message, want)
		}
	}
}

// TestMuxAllocs holds dispatch to patterns without wildcards to zero
// allocations (the handlers here allocate nothing either).
func TestMuxAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	static := &Response{StatusCode: 200}
	m := NewMux()
	for _, p := range []string{"GET /api/items", "POST /api/items", "/static/", "/caf%C3%A9", "/a/b/c/d", "/users/{id}", "/users/me"} {
		m.Route(p, HandlerFunc(func(*Request) *Response { return static }))
	}
	for _, tt := range []struct{ verb, path string }{
		{"GET", "/api/items"},
		{"HEAD", "/api/items"},
		{"POST", "/api/items"},
		{"GET", "/static/css/site.css"},
		{"GET", "/caf%c3%a9"},
		{"GET", "/a/b/c/d"},
		{"GET", "/users/me"},
	} {
		req := &Request{Verb: tt.verb, Path: tt.path}
		allocs := testing.AllocsPerRun(100, func() {
			if m.Handle(req) != static {
				t.Fatalf("%s %s: not served by its handler", tt.verb, tt.path)
			}
		})
		if allocs != 0 {
			t.Errorf("%s %s: %v allocations per dispatch, want 0", tt.verb, tt.path, allocs)
		}
	}
}

// TestMuxAllocsWildcard holds dispatch to a pattern with wildcards, whose
// values need no decoding, to one allocation: the slice of values stored
// in the Request.
func TestMuxAllocsWildcard(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	static := &Response{StatusCode: 200}
	m := NewMux()
	m.RouteFunc("GET /users/{id}/posts/{post}", func(req *Request) *Response {
		if PathValue(req, "id") != "42" || PathValue(req, "post") != "7" {
			return nil
		}
		return static
	})
	req := &Request{Verb: "GET", Path: "/users/42/posts/7"}
	allocs := testing.AllocsPerRun(100, func() {
		if m.Handle(req) != static {
			t.Fatal("GET /users/42/posts/7: not served by its handler with its values")
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations per dispatch with two wildcards, want at most 1", allocs)
	}
}

func TestMuxCompareSegment(t *testing.T) {
	tests := []struct {
		seg, lit string
		want     int
	}{
		{"a", "a", 0},
		{"a", "b", -1},
		{"b", "a", 1},
		{"a", "ab", -1},
		{"ab", "a", 1},
		{"%c3%a9", "%C3%A9", 0},
		{"%C3%a9", "%C3%A9", 0},
		{"c3", "C3", 1}, // only an escape's digits fold
		{"%zz", "%ZZ", 1},
		{"%2f", "%2F", 0},
		{"a%", "a%", 0},
		{"", "", 0},
		{"", "a", -1},
	}
	for _, tt := range tests {
		if got := compareSegment(tt.seg, tt.lit); got != tt.want {
			t.Errorf("compareSegment(%q, %q) = %d, want %d", tt.seg, tt.lit, got, tt.want)
		}
	}
}

func TestMuxCanonicalPath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/", true},
		{"/a", true},
		{"/a/", true},
		{"/a/b.c/...", true},
		{"/.a/a./%2Ex", true},
		{"", false},
		{"a", false},
		{"*", false},
		{"//", false},
		{"//a", false},
		{"/a//", false},
		{"/.", false},
		{"/..", false},
		{"/a/./b", false},
		{"/a/../", false},
		{"/%2e", false},
		{"/%2E%2e", false},
		{"/.%2E/x", false},
		{"/%2", true},
	}
	for _, tt := range tests {
		if got := canonicalPath(tt.path); got != tt.want {
			t.Errorf("canonicalPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func BenchmarkMuxLiteral(b *testing.B) {
	m, _ := recordingMux(muxTestPatterns)
	static := &Response{StatusCode: 200}
	m.Route("GET /bench/literal/route", HandlerFunc(func(*Request) *Response { return static }))
	req := &Request{Verb: "GET", Path: "/bench/literal/route"}
	b.ReportAllocs()
	for b.Loop() {
		m.Handle(req)
	}
}

func BenchmarkMuxWildcard(b *testing.B) {
	m, _ := recordingMux(muxTestPatterns)
	req := &Request{Verb: "GET", Path: "/users/42/posts/7"}
	b.ReportAllocs()
	for b.Loop() {
		m.Handle(req)
	}
}
