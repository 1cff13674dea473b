package metrics

import (
	"testing"

	"github.com/gohttpserver/httpserver/httpservertest"
)

func TestMethodOf(t *testing.T) {
	tests := []struct {
		verb string
		want string
	}{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"},
		{"DELETE", "DELETE"}, {"CONNECT", "CONNECT"}, {"OPTIONS", "OPTIONS"},
		{"TRACE", "TRACE"}, {"PATCH", "PATCH"},
		{"get", "_OTHER"}, // methods are case-sensitive
		{"BREW", "_OTHER"}, {"PROPFIND", "_OTHER"}, {"QUERY", "_OTHER"}, {"", "_OTHER"},
		{"GET ", "_OTHER"},
	}
	for _, tt := range tests {
		if got := MethodOf(tt.verb).String(); got != tt.want {
			t.Errorf("MethodOf(%q): got %q, want %q", tt.verb, got, tt.want)
		}
	}
	seen := map[string]bool{}
	for m := range NumMethods {
		if s := m.String(); s == "" || seen[s] {
			t.Errorf("Method(%d).String() = %q: empty or a duplicate", m, s)
		} else {
			seen[s] = true
		}
		if m != MethodOther && MethodOf(m.String()) != m {
			t.Errorf("MethodOf(%q): got %v, want %v", m.String(), MethodOf(m.String()), m)
		}
	}
	if got := Method(200).String(); got != "_OTHER" {
		t.Errorf("Method(200).String(): got %q, want _OTHER", got)
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{0, "none"}, {-1, "none"}, {99, "none"}, {100, "1xx"}, {101, "1xx"},
		{200, "2xx"}, {204, "2xx"}, {299, "2xx"}, {304, "3xx"}, {400, "4xx"},
		{431, "4xx"}, {500, "5xx"}, {599, "5xx"}, {600, "none"}, {1000, "none"},
	}
	for _, tt := range tests {
		if got := ClassOf(tt.status).String(); got != tt.want {
			t.Errorf("ClassOf(%d): got %q, want %q", tt.status, got, tt.want)
		}
	}
	if got := Class(9).String(); got != "none" {
		t.Errorf("Class(9).String(): got %q, want none", got)
	}
}

func TestProtoOf(t *testing.T) {
	tests := []struct {
		version        string
		name, version2 string
	}{
		{"1.1", "HTTP/1.1", "1.1"},
		{"1.0", "HTTP/1.0", "1.0"},
		{"0.9", "HTTP/0.9", "0.9"},
		{"2", "", ""}, // not a version the engine gives
		{"", "", ""},
	}
	for _, tt := range tests {
		req := httpservertest.NewRequest("GET", "/", nil)
		req.Version = tt.version
		p := ProtoOf(req)
		if got := p.String(); got != tt.name {
			t.Errorf("ProtoOf(a request of version %q): got %q, want %q", tt.version, got, tt.name)
		}
		if got := p.Version(); got != tt.version2 {
			t.Errorf("ProtoOf(a request of version %q).Version(): got %q, want %q", tt.version, got, tt.version2)
		}
	}
	if got := ProtoHTTP2.Version(); got != "2" {
		t.Errorf("ProtoHTTP2.Version(): got %q, want 2", got)
	}
	if got, got2 := Proto(99).String(), Proto(99).Version(); got != "" || got2 != "" {
		t.Errorf("Proto(99): got %q and %q, want empty strings", got, got2)
	}
	// ProtoOf for HTTP/2 is tested on a Server (TestInstrument).
}
