package websocket

import (
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// handshakeRequest is a valid handshake as httpservertest builds requests;
// edit changes it into the case's.
func handshakeRequest(edit func(r *httpserver.Request)) *httpserver.Request {
	r := httpservertest.NewRequest("GET", "/ws", nil)
	r.Headers.Set("Upgrade", "websocket")
	r.Headers.Set("Connection", "Upgrade")
	r.Headers.Set("Sec-WebSocket-Version", "13")
	r.Headers.Set("Sec-WebSocket-Key", testKey)
	if edit != nil {
		edit(r)
	}
	return r
}

func set(name, value string) func(*httpserver.Request) {
	return func(r *httpserver.Request) { r.Headers.Set(name, value) }
}

func del(name string) func(*httpserver.Request) {
	return func(r *httpserver.Request) { r.Headers.Del(name) }
}

func add(name, value string) func(*httpserver.Request) {
	return func(r *httpserver.Request) { r.Headers.Add(name, value) }
}

// TestHandshakeRefusals: every fault of a handshake gets its status, with
// the fields it calls for, before any connection is taken.
func TestHandshakeRefusals(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*httpserver.Request)
		opts   *Options
		status int
		fields map[string]string
	}{
		{"POST", func(r *httpserver.Request) { r.Verb = "POST" }, nil, 405, map[string]string{"Allow": "GET"}},
		{"HEAD", func(r *httpserver.Request) { r.Verb = "HEAD" }, nil, 405, map[string]string{"Allow": "GET"}},
		{"HTTP/1.0", func(r *httpserver.Request) { r.Version = "1.0" }, nil, 400, nil},
		{"no Connection", del("Connection"), nil, 400, nil},
		{"Connection without upgrade", set("Connection", "keep-alive"), nil, 400, nil},
		{"Connection: upgraded", set("Connection", "upgraded"), nil, 400, nil},
		{"no Upgrade", del("Upgrade"), nil, 400, nil},
		{"Upgrade: h2c", set("Upgrade", "h2c"), nil, 400, nil},
		{"a body", func(r *httpserver.Request) { r.ContentLength = 5 }, nil, 400, nil},
		{"a chunked body", func(r *httpserver.Request) { r.ContentLength = -1 }, nil, 400, nil},
		{"no version", del("Sec-WebSocket-Version"), nil, 426, map[string]string{"Sec-WebSocket-Version": "13", "Upgrade": "websocket"}},
		{"version 8", set("Sec-WebSocket-Version", "8"), nil, 426, map[string]string{"Sec-WebSocket-Version": "13"}},
		{"version 13 twice", add("Sec-WebSocket-Version", "13"), nil, 426, map[string]string{"Sec-WebSocket-Version": "13"}},
		{"version list", set("Sec-WebSocket-Version", "13, 8"), nil, 426, map[string]string{"Sec-WebSocket-Version": "13"}},
		{"no key", del("Sec-WebSocket-Key"), nil, 400, nil},
		{"empty key", set("Sec-WebSocket-Key", ""), nil, 400, nil},
		{"key of 15 bytes", set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j"), nil, 400, nil},
		{"key not base64", set("Sec-WebSocket-Key", "not base64 at all!!!!!=="), nil, 400, nil},
		{"two keys", add("Sec-WebSocket-Key", testKey), nil, 400, nil},
		{"cross-origin", set("Origin", "https://evil.test"), nil, 403, nil},
		{"origin null", set("Origin", "null"), nil, 403, nil},
		{"two origins", func(r *httpserver.Request) {
			r.Headers.Add("Origin", "http://example.com")
			r.Headers.Add("Origin", "http://example.com")
		}, nil, 403, nil},
		{"origin not in the patterns", set("Origin", "https://app.other.test"), &Options{OriginPatterns: []string{"*.example.com"}}, 403, nil},
		{"CheckOrigin refuses", nil, &Options{CheckOrigin: func(*httpserver.Request) bool { return false }}, 403, nil},
		// The first fault decides.
		{"POST without a key", func(r *httpserver.Request) { r.Verb = "POST"; r.Headers.Del("Sec-WebSocket-Key") }, nil, 405, nil},
		{"bad version and bad key", func(r *httpserver.Request) {
			r.Headers.Set("Sec-WebSocket-Version", "7")
			r.Headers.Set("Sec-WebSocket-Key", "x")
		}, nil, 426, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handler(func(*Conn) { t.Error("serve ran for a refused handshake") }, tt.opts)
			req := handshakeRequest(tt.edit)
			res := httpservertest.Do(h, req)
			if res.StatusCode != tt.status || res.Fault != "" {
				t.Fatalf("got %d %q (fault %q), want %d", res.StatusCode, res.Body, res.Fault, tt.status)
			}
			if req.Verb != "HEAD" && !strings.HasPrefix(string(res.Body), "websocket: ") {
				t.Errorf("body %q, want a \"websocket: \" reason", res.Body)
			}
			for name, want := range tt.fields {
				if got := res.Headers.Get(name); got != want {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
			if res.Headers.Has("Sec-WebSocket-Accept") {
				t.Errorf("a refusal carries Sec-WebSocket-Accept")
			}
		})
	}
}

// TestHandshakeAccepted: what a 101 carries, for the offers a client
// makes, as a Response (no socket: the Stream is not run).
func TestHandshakeAccepted(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*httpserver.Request)
		opts   *Options
		fields map[string]string // "" for a field that must be absent
	}{
		{"plain", nil, nil, map[string]string{
			"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
			"Sec-WebSocket-Protocol": "", "Sec-WebSocket-Extensions": "",
		}},
		{"tokens in any case and lists", func(r *httpserver.Request) {
			r.Headers.Set("Connection", "keep-alive, UPGRADE")
			r.Headers.Set("Upgrade", "WebSocket")
		}, nil, map[string]string{"Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
		{"same origin", set("Origin", "http://example.com"), nil, nil},
		{"same origin, other case", set("Origin", "https://EXAMPLE.com"), nil, nil},
		{"origin by pattern", set("Origin", "https://app.example.org"), &Options{OriginPatterns: []string{"*.example.org"}}, nil},
		{"CheckOrigin accepts", set("Origin", "https://evil.test"), &Options{CheckOrigin: func(*httpserver.Request) bool { return true }}, nil},
		{"subprotocol: the client's preference", set("Sec-WebSocket-Protocol", "chat.v2, chat.v1"),
			&Options{Subprotocols: []string{"chat.v1", "chat.v2"}}, map[string]string{"Sec-WebSocket-Protocol": "chat.v2"}},
		{"subprotocol: none in common", set("Sec-WebSocket-Protocol", "mqtt"),
			&Options{Subprotocols: []string{"chat.v1"}}, map[string]string{"Sec-WebSocket-Protocol": ""}},
		{"deflate off by default", set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
			nil, map[string]string{"Sec-WebSocket-Extensions": ""}},
		{"deflate, no context", set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
			&Options{Compression: CompressionNoContext},
			map[string]string{"Sec-WebSocket-Extensions": "permessage-deflate; server_no_context_takeover; client_no_context_takeover"}},
		{"deflate, context takeover", set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
			&Options{Compression: CompressionContextTakeover}, map[string]string{"Sec-WebSocket-Extensions": "permessage-deflate"}},
		{"deflate offer unreadable", set("Sec-WebSocket-Extensions", "permessage-deflate; ="),
			&Options{Compression: CompressionNoContext}, map[string]string{"Sec-WebSocket-Extensions": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := Accept(handshakeRequest(tt.edit), tt.opts, func(*Conn) {})
			if resp.StatusCode != 101 || resp.Stream == nil {
				t.Fatalf("got %d %q, want 101 with a Stream", resp.StatusCode, resp.Message)
			}
			for name, want := range tt.fields {
				if got := resp.Headers.Get(name); got != want || want == "" && resp.Headers.Has(name) {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestOriginAllowed(t *testing.T) {
	tests := []struct {
		origin   string // "-" for none
		host     string
		patterns []string
		want     bool
	}{
		{"-", "example.com", nil, true},
		{"http://example.com", "example.com", nil, true},
		{"https://example.com:8443", "example.com:8443", nil, true},
		{"https://example.com:8443", "example.com", nil, false},
		{"https://example.com", "example.com:8443", nil, false},
		{"https://evil.test", "example.com", nil, false},
		{"https://a.example.com", "example.com", []string{"*.example.com"}, true},
		{"https://A.Example.COM", "example.com", []string{"*.example.com"}, true},
		{"https://example.com.evil.test", "example.com", []string{"*.example.com"}, false},
		{"http://localhost:3000", "example.com", []string{"localhost:*"}, true},
		{"http://localhost", "example.com", []string{"localhost:*"}, false},
		{"null", "example.com", nil, false},
		{"", "example.com", nil, false},
		{"::bad", "example.com", nil, false},
		{"https://any.test", "example.com", []string{"*"}, true},
		{"https://x.test", "example.com", []string{"["}, false}, // a malformed pattern matches nothing
	}
	for _, tt := range tests {
		r := httpservertest.NewRequest("GET", "/", nil)
		r.Host = tt.host
		if tt.origin != "-" {
			r.Headers.Set("Origin", tt.origin)
		}
		if got := OriginAllowed(r, tt.patterns...); got != tt.want {
			t.Errorf("OriginAllowed(Origin %q, Host %q, %q) = %v, want %v", tt.origin, tt.host, tt.patterns, got, tt.want)
		}
	}
}
