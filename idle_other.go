//go:build !unix

package httpserver

// setupRaw leaves c.raw nil: between requests the connection waits in an
// ordinary Read, holding its read buffer.
func (c *conn) setupRaw() {}

func (c *conn) readIdle() (int, error) { panic("unreachable") }

var errWouldBlock error // never returned here
