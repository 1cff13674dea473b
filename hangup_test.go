package httpserver

import "testing"

// TestClientGone is the decision a hang-up goes through (hangup.go), row
// by row of its table.
func TestClientGone(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		closed, pipelined, opaque bool
		peek                      peekResult
		want                      bool
	}{
		{"HUP or ERR", true, false, false, peekNone, true},
		{"HUP or ERR, a request buffered", true, true, false, peekNone, true},
		{"HUP or ERR over TLS", true, false, true, peekNone, true},
		{"FIN, a request buffered", false, true, false, peekNone, false},
		{"FIN over TLS, a request buffered", false, true, true, peekNone, false},
		{"FIN over TLS", false, false, true, peekNone, true},
		{"FIN, then nothing (EOF)", false, false, false, peekEOF, true},
		{"FIN, a reset since", false, false, false, peekBroken, true},
		{"FIN, more data (a body, a pipelined request)", false, false, false, peekData, false},
		{"FIN, nothing readable (EAGAIN)", false, false, false, peekEmpty, false},
		{"FIN, the peek failed", false, false, false, peekFailed, false},
		{"FIN, not peeked", false, false, false, peekNone, false},
		{"FIN, a request buffered, EOF next", false, true, false, peekEOF, false},
	} {
		if got := clientGone(tc.closed, tc.pipelined, tc.opaque, tc.peek); got != tc.want {
			t.Errorf("%s: clientGone(closed %v, pipelined %v, opaque %v, peek %d) = %v, want %v",
				tc.name, tc.closed, tc.pipelined, tc.opaque, tc.peek, got, tc.want)
		}
	}
}
