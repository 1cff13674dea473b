package wire

import "testing"

// TestAllowedTrailer: the fields a trailer section may not carry are
// refused in any case; everything else is allowed.
func TestAllowedTrailer(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"X-Checksum", true},
		{"Server-Timing", true},
		{"Grpc-Status", true},
		{"Expires", true},
		{"", true}, // not a token, but that is the caller's check
		{"Content-Length", false},
		{"content-length", false},
		{"CONTENT-LENGTH", false},
		{"Transfer-Encoding", false},
		{"Trailer", false},
		{"Host", false},
		{"Connection", false},
		{"Keep-Alive", false},
		{"TE", false},
		{"te", false},
		{"Content-Type", false},
		{"Content-Encoding", false},
		{"Content-Range", false},
		{"Cache-Control", false},
		{"Authorization", false},
		{"WWW-Authenticate", false},
		{"Proxy-Authenticate", false},
		{"Proxy-Authorization", false},
		{"Proxy-Connection", false},
		{"Expect", false},
		{"Max-Forwards", false},
		{"Pragma", false},
		{"Range", false},
		{"Realm", false},
		{"Content-Lengths", true}, // a longer name is another field
		{"Content-Lengt", true},
		{"Content-Lenguh", true}, // same length, one byte apart
	}
	for _, tt := range tests {
		if got := AllowedTrailer(tt.name); got != tt.want {
			t.Errorf("AllowedTrailer(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}
