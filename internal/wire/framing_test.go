package wire

import (
	"fmt"
	"testing"
)

// TestDecideFramingRows names the cases people ask about.
func TestDecideFramingRows(t *testing.T) {
	tests := []struct {
		name string
		in   FramingInput
		want Framing
	}{
		{"1.1 Message", FramingInput{Version: 11, Status: 200, Length: 5, Declared: -1, KeepAlive: true},
			Framing{ModeLength, true, 5}},
		{"1.1 Endless Message is chunked, not raw bytes after a chunked head",
			FramingInput{Version: 11, Status: 200, Length: 11, Declared: -1, Endless: true, KeepAlive: true},
			Framing{ModeChunked, true, -1}},
		{"1.0 Endless Message is close-delimited", FramingInput{Version: 10, Status: 200, Length: 11, Declared: -1, Endless: true, KeepAlive: true},
			Framing{ModeClose, false, -1}},
		{"1.1 unknown length", FramingInput{Version: 11, Status: 200, Length: -1, Declared: -1, KeepAlive: true},
			Framing{ModeChunked, true, -1}},
		{"1.1 unknown length, client closes", FramingInput{Version: 11, Status: 200, Length: -1, Declared: -1},
			Framing{ModeChunked, false, -1}},
		{"1.0 unknown length", FramingInput{Version: 10, Status: 200, Length: -1, Declared: -1, KeepAlive: true},
			Framing{ModeClose, false, -1}},
		{"1.0 known length, keep-alive asked", FramingInput{Version: 10, Status: 200, Length: 3, Declared: -1, KeepAlive: true},
			Framing{ModeLength, true, 3}},
		{"0.9", FramingInput{Version: 9, Status: 200, Length: 3, Declared: -1, KeepAlive: true},
			Framing{ModeRaw, false, -1}},
		{"HEAD, known length", FramingInput{Version: 11, Head: true, Status: 200, Length: 3, Declared: -1, KeepAlive: true},
			Framing{ModeNone, true, 3}},
		{"HEAD, unknown length: no framing fields", FramingInput{Version: 11, Head: true, Status: 200, Length: -1, Declared: -1, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"HEAD, declared length", FramingInput{Version: 11, Head: true, Status: 200, Length: -1, Declared: 9, KeepAlive: true},
			Framing{ModeNone, true, 9}},
		{"HEAD, endless: no length", FramingInput{Version: 11, Head: true, Status: 200, Length: 4, Declared: -1, Endless: true, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"304 with a declared length", FramingInput{Version: 11, Status: 304, Length: 0, Declared: 70, KeepAlive: true},
			Framing{ModeNone, true, 70}},
		{"304 without one", FramingInput{Version: 11, Status: 304, Length: 0, Declared: -1, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"HEAD 304 carries only the declared length", FramingInput{Version: 11, Head: true, Status: 304, Length: 12, Declared: -1, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"204 never has Content-Length", FramingInput{Version: 11, Status: 204, Length: 0, Declared: 0, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"HEAD 204", FramingInput{Version: 11, Head: true, Status: 204, Length: 3, Declared: 3, KeepAlive: true},
			Framing{ModeNone, true, -1}},
		{"101", FramingInput{Version: 11, Status: 101, Length: -1, Declared: -1, KeepAlive: true},
			Framing{ModeNone, true, -1}},
	}
	for _, tt := range tests {
		if got := DecideFraming(tt.in); got != tt.want {
			t.Errorf("%s: DecideFraming(%+v) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestDecideFramingProduct walks every combination of the inputs and checks
// each rule the RFCs set, one by one, so that a wrong row names the rule it
// breaks.
func TestDecideFramingProduct(t *testing.T) {
	n := 0
	for _, version := range []int{9, 10, 11} {
		for _, head := range []bool{false, true} {
			for _, status := range []int{100, 101, 103, 200, 201, 204, 206, 304, 404, 500} {
				for _, length := range []int64{-1, 0, 1, 1 << 40} {
					for _, declared := range []int64{-1, 0, 7} {
						for _, endless := range []bool{false, true} {
							for _, keep := range []bool{false, true} {
								in := FramingInput{version, head, status, length, declared, endless, keep}
								checkFraming(t, in, DecideFraming(in))
								n++
							}
						}
					}
				}
			}
		}
	}
	if n != 3*2*10*4*3*2*2 {
		t.Fatalf("walked %d combinations", n)
	}
}

func checkFraming(t *testing.T, in FramingInput, got Framing) {
	t.Helper()
	fail := func(rule string) {
		t.Helper()
		t.Errorf("DecideFraming(%+v) = %+v: %s", in, got, rule)
	}
	if in.Version == 9 {
		if got != (Framing{ModeRaw, false, -1}) {
			fail("HTTP/0.9 gets the body alone, then close")
		}
		return
	}
	hasBody := HasBody(in.Head, in.Status)
	switch {
	case !hasBody && got.Mode != ModeNone:
		fail("no body for HEAD, 1xx, 204, 304 (RFC 9110 §6.4.1)")
	case hasBody && got.Mode == ModeNone:
		fail("a body is allowed and must be framed")
	case got.Mode == ModeRaw:
		fail("raw framing is for HTTP/0.9 only")
	case got.Mode == ModeChunked && in.Version != 11:
		fail("chunked only to HTTP/1.1 (RFC 9112 §7)")
	case got.Mode == ModeClose && got.KeepAlive:
		fail("a close-delimited body ends the connection")
	case got.KeepAlive && !in.KeepAlive:
		fail("keep-alive only where everything else allows it")
	case got.Mode != ModeClose && got.KeepAlive != in.KeepAlive:
		fail("only close-delimited framing changes keep-alive")
	case in.Endless && got.Mode == ModeLength:
		fail("an endless body is never length-framed")
	case hasBody && !in.Endless && in.Length >= 0 && got.Mode != ModeLength:
		fail("a known length is sent as Content-Length")
	case hasBody && (in.Endless || in.Length < 0) && in.Version == 11 && got.Mode != ModeChunked:
		fail("an unknown length is chunked to 1.1")
	case got.Mode == ModeLength && got.ContentLength != in.Length:
		fail("Content-Length is the body's length")
	case got.Mode == ModeChunked || got.Mode == ModeClose:
		if got.ContentLength != -1 {
			fail("no Content-Length beside chunked or close framing (RFC 9112 §6.2)")
		}
	case in.Status < 200 || in.Status == 204:
		if got.ContentLength != -1 {
			fail("no Content-Length on 1xx or 204 (RFC 9110 §8.6)")
		}
	case in.Status == 304:
		if got.ContentLength != in.Declared {
			fail("304 carries only the declared length")
		}
	case in.Head:
		want := in.Declared
		if want < 0 && !in.Endless {
			want = in.Length
		}
		if got.ContentLength != want {
			fail(fmt.Sprintf("HEAD carries the length GET would have (%d)", want))
		}
	}
}
