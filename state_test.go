package httpserver

import (
	"testing"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// TestReleaseStateResetsHead: a connection that closes in the middle of a
// head gives its reqState back to the pool; the next connection to take
// it must parse from the start. (A soak run crashed on a stale one: the
// resumed parse put rpos past rend.)
func TestReleaseStateResetsHead(t *testing.T) {
	c := &conn{}
	c.acquireState()
	partial := "GET /a-long-path-half-sent HTTP/1.1\r\nHost: h\r\nX-Long: "
	if err := c.rs.head.Parse([]byte(partial), wire.Limits{}); err != wire.ErrIncomplete {
		t.Fatalf("parsing %q: got %v, want ErrIncomplete", partial, err)
	}
	rs := c.rs
	c.releaseState()
	if c.rs != nil {
		t.Fatalf("the connection still holds its reqState")
	}
	full := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	if err := rs.head.Parse([]byte(full), wire.Limits{}); err != nil || rs.head.Len != len(full) {
		t.Errorf("the released head parsing %q: got err %v, Len %d; want nil, %d", full, err, rs.head.Len, len(full))
	}
}

// setHooks installs h for the test's duration. Hooks see every server's
// connections: a hook filters by connection when it must.
func setHooks(t *testing.T, h *hooks) {
	t.Helper()
	if !testHooks.CompareAndSwap(nil, h) {
		t.Fatal("test hooks already set by another test")
	}
	t.Cleanup(func() { testHooks.Store(nil) })
}
