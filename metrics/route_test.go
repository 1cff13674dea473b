package metrics

import (
	"testing"

	"github.com/gohttpserver/httpserver"
)

// TestRouteOf: the path of the pattern that served the request, without
// the pattern's method, "" when no route matched.
func TestRouteOf(t *testing.T) {
	mux := httpserver.NewMux()
	ok := func(*httpserver.Request) *httpserver.Response { return &httpserver.Response{StatusCode: 200} }
	for _, p := range []string{"GET /items/{id}", "POST\t/items/", "/static/", "/{$}"} {
		mux.RouteFunc(p, ok)
	}
	for _, tc := range []struct{ verb, path, want string }{
		{"GET", "/items/7", "/items/{id}"},
		{"HEAD", "/items/7", "/items/{id}"},
		{"POST", "/items/", "/items/"},
		{"GET", "/static/a.css", "/static/"},
		{"GET", "/", "/{$}"},
		{"DELETE", "/items/7", ""}, // 405
		{"GET", "/nothing", ""},    // 404
	} {
		req := &httpserver.Request{Verb: tc.verb, Path: tc.path}
		mux.Handle(req)
		if got := RouteOf(req); got != tc.want {
			t.Errorf("%s %s: RouteOf = %q, want %q", tc.verb, tc.path, got, tc.want)
		}
	}
	if got := RouteOf(&httpserver.Request{Verb: "GET", Path: "/"}); got != "" {
		t.Errorf("a request no Mux saw: RouteOf = %q, want \"\"", got)
	}
}
