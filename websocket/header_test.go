package websocket

import (
	"reflect"
	"strings"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got, want := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("acceptKey = %q, want %q", got, want)
	}
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"dGhlIHNhbXBsZSBub25jZQ==", true},
		{"AAAAAAAAAAAAAAAAAAAAAA==", true},
		{"dGhlIHNhbXBsZSBub25jZQ", false},   // no padding
		{"dGhlIHNhbXBsZSBub25jZQ=", false},  // short padding
		{"dGhlIHNhbXBsZSBub25jZXg=", false}, // 17 bytes
		{"dGhlIHNhbXBsZSBub25j", false},     // 15 bytes
		{"dGhlIHNhbXBsZSBub25jZR==", false}, // non-zero padding bits
		{"dGhlIHNhbXBsZSBub25jZQ==\n", false},
		{"dGhlIHNhbXBsZSBub25jZ-==", false}, // URL alphabet
		{"", false},
	}
	for _, tt := range tests {
		if got := validKey(tt.key); got != tt.want {
			t.Errorf("validKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		values []string
		token  string
		want   bool
	}{
		{[]string{"Upgrade"}, "upgrade", true},
		{[]string{"keep-alive, Upgrade"}, "upgrade", true},
		{[]string{"keep-alive", "UPGRADE"}, "upgrade", true},
		{[]string{" ,upgrade ,"}, "upgrade", true},
		{[]string{"\tupgrade\t"}, "upgrade", true},
		{[]string{"upgraded"}, "upgrade", false},
		{[]string{"keep-alive upgrade"}, "upgrade", false},
		{[]string{""}, "upgrade", false},
		{nil, "upgrade", false},
		{[]string{"websocket, h2c"}, "websocket", true},
		{[]string{"websocket/13"}, "websocket", false},
	}
	for _, tt := range tests {
		if got := hasToken(tt.values, tt.token); got != tt.want {
			t.Errorf("hasToken(%q, %q) = %v, want %v", tt.values, tt.token, got, tt.want)
		}
	}
}

func TestSelectSubprotocol(t *testing.T) {
	tests := []struct {
		name      string
		offered   []string
		supported []string
		want      string
	}{
		{"the client's first in common", []string{"b, a"}, []string{"a", "b"}, "b"},
		{"across fields", []string{"x", "a"}, []string{"a", "b"}, "a"},
		{"none in common", []string{"x, y"}, []string{"a"}, ""},
		{"none offered", nil, []string{"a"}, ""},
		{"none supported", []string{"a"}, nil, ""},
		{"case matters", []string{"Chat"}, []string{"chat"}, ""},
		{"not a token", []string{"a b, c"}, []string{"a b", "c"}, "c"},
		{"whitespace trimmed", []string{" chat.v2 ,chat.v1"}, []string{"chat.v1", "chat.v2"}, "chat.v2"},
	}
	for _, tt := range tests {
		if got := selectSubprotocol(tt.offered, tt.supported); got != tt.want {
			t.Errorf("%s: selectSubprotocol(%q, %q) = %q, want %q", tt.name, tt.offered, tt.supported, got, tt.want)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	deflate := func(params ...extParam) extension { return extension{name: "permessage-deflate", params: params} }
	flag := func(name string) extParam { return extParam{name: name} }
	val := func(name, v string) extParam { return extParam{name: name, value: v, hasValue: true} }
	tests := []struct {
		values []string
		want   []extension
		ok     bool
	}{
		{nil, nil, true},
		{[]string{"permessage-deflate"}, []extension{deflate()}, true},
		// Chromium's and Firefox's offer.
		{[]string{"permessage-deflate; client_max_window_bits"}, []extension{deflate(flag("client_max_window_bits"))}, true},
		{[]string{"permessage-deflate;client_max_window_bits=15;server_no_context_takeover"},
			[]extension{deflate(val("client_max_window_bits", "15"), flag("server_no_context_takeover"))}, true},
		{[]string{`permessage-deflate; server_max_window_bits="10"`}, []extension{deflate(val("server_max_window_bits", "10"))}, true},
		{[]string{`permessage-deflate; server_max_window_bits = 10 `}, []extension{deflate(val("server_max_window_bits", "10"))}, true},
		{[]string{"x-foo, permessage-deflate", "x-bar; a=b"},
			[]extension{{name: "x-foo"}, deflate(), {name: "x-bar", params: []extParam{val("a", "b")}}}, true},
		{[]string{", permessage-deflate ,"}, []extension{deflate()}, true},
		{[]string{`permessage-deflate; a="b\"c"`}, nil, false}, // a quoted value must unquote to a token
		{[]string{`permessage-deflate; a="b`}, nil, false},
		{[]string{`permessage-deflate; a=`}, nil, false},
		{[]string{`permessage-deflate; =1`}, nil, false},
		{[]string{`permessage-deflate;`}, nil, false},
		{[]string{`permessage-deflate x`}, nil, false},
		{[]string{`; a`}, nil, false},
		{[]string{`permessage-deflate; a=b c`}, nil, false},
		{[]string{"permessage-deflate", "ok; x=\"y\\"}, nil, false},
	}
	for _, tt := range tests {
		got, ok := parseExtensions(tt.values)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseExtensions(%q) = %+v, %v; want %+v, %v", tt.values, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNegotiateDeflate(t *testing.T) {
	const (
		off      = CompressionOff
		fresh    = CompressionNoContext
		takeover = CompressionContextTakeover
	)
	both := deflateParams{serverNoContext: true, clientNoContext: true}
	tests := []struct {
		offer  string
		mode   Compression
		params deflateParams
		answer string // "" when declined
	}{
		{"permessage-deflate", off, deflateParams{}, ""},
		{"permessage-deflate", fresh, both, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"permessage-deflate; client_max_window_bits", fresh, both, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"permessage-deflate", takeover, deflateParams{}, "permessage-deflate"},
		{"permessage-deflate; client_max_window_bits", takeover, deflateParams{}, "permessage-deflate"},
		{"permessage-deflate; client_max_window_bits=9", takeover, deflateParams{}, "permessage-deflate"},
		{"permessage-deflate; server_no_context_takeover", takeover, deflateParams{serverNoContext: true}, "permessage-deflate; server_no_context_takeover"},
		{"permessage-deflate; client_no_context_takeover", takeover, deflateParams{clientNoContext: true}, "permessage-deflate; client_no_context_takeover"},
		{"permessage-deflate; server_max_window_bits=15", takeover, deflateParams{}, "permessage-deflate; server_max_window_bits=15"},
		{`permessage-deflate; server_max_window_bits="15"`, fresh, both, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15"},
		// Declined: a window the server cannot keep to, unknown,
		// repeated and malformed parameters.
		{"permessage-deflate; server_max_window_bits=10", fresh, deflateParams{}, ""},
		{"permessage-deflate; server_max_window_bits", fresh, deflateParams{}, ""},
		{"permessage-deflate; client_max_window_bits=16", fresh, deflateParams{}, ""},
		{"permessage-deflate; client_max_window_bits=08", fresh, deflateParams{}, ""},
		{"permessage-deflate; server_no_context_takeover=1", fresh, deflateParams{}, ""},
		{"permessage-deflate; server_no_context_takeover; server_no_context_takeover", fresh, deflateParams{}, ""},
		{"permessage-deflate; x-unknown", fresh, deflateParams{}, ""},
		{"x-webkit-deflate-frame", fresh, deflateParams{}, ""},
		// The first acceptable offer, in the client's order.
		{"permessage-deflate; server_max_window_bits=10, permessage-deflate; server_no_context_takeover", takeover,
			deflateParams{serverNoContext: true}, "permessage-deflate; server_no_context_takeover"},
		{"PerMessage-Deflate; Client_No_Context_Takeover", takeover, deflateParams{clientNoContext: true}, "permessage-deflate; client_no_context_takeover"},
	}
	for _, tt := range tests {
		exts, ok := parseExtensions([]string{tt.offer})
		if !ok {
			t.Fatalf("parseExtensions(%q) failed", tt.offer)
		}
		params, answer, accepted := negotiateDeflate(exts, tt.mode)
		if params != tt.params || answer != tt.answer || accepted != (tt.answer != "") {
			t.Errorf("negotiateDeflate(%q, mode %d) = %+v, %q, %v; want %+v, %q", tt.offer, tt.mode, params, answer, accepted, tt.params, tt.answer)
		}
	}
}

// FuzzExtensions parses arbitrary Sec-WebSocket-Extensions values and
// negotiates over what parses: the parser never panics, what it returns
// is made of tokens, and an answer the server gives is itself a valid
// offer that the server accepts with the same parameters (so the client,
// reading it with the same grammar, agrees with the server).
func FuzzExtensions(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate",
		"permessage-deflate; client_max_window_bits",
		"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
		`permessage-deflate; server_max_window_bits="15", x-foo; a=b`,
		"permessage-deflate; server_max_window_bits=10, permessage-deflate",
		`x; a="\b"`,
		", ,",
		`permessage-deflate; a="`,
		"permessage-deflate;;",
	} {
		f.Add(s, uint8(CompressionNoContext))
		f.Add(s, uint8(CompressionContextTakeover))
	}
	f.Fuzz(func(t *testing.T, value string, mode uint8) {
		exts, ok := parseExtensions(strings.Split(value, "\n"))
		if !ok {
			if exts != nil {
				t.Fatalf("a failed parse returned %+v", exts)
			}
			return
		}
		for _, e := range exts {
			if !isToken(e.name) {
				t.Fatalf("extension name %q is not a token", e.name)
			}
			for _, p := range e.params {
				if !isToken(p.name) || p.hasValue && !isToken(p.value) || !p.hasValue && p.value != "" {
					t.Fatalf("parameter %+v is not tokens", p)
				}
			}
		}
		m := Compression(mode % 3)
		params, answer, accepted := negotiateDeflate(exts, m)
		if !accepted {
			if answer != "" || params != (deflateParams{}) {
				t.Fatalf("declined with %+v, %q", params, answer)
			}
			return
		}
		again, ok := parseExtensions([]string{answer})
		if !ok || len(again) != 1 {
			t.Fatalf("the answer %q does not parse as one extension: %+v", answer, again)
		}
		params2, answer2, ok := negotiateDeflate(again, m)
		if !ok || params2 != params || answer2 != answer {
			t.Fatalf("the answer %q, offered back, gives %+v %q; the first negotiation %+v", answer, params2, answer2, params)
		}
	})
}
