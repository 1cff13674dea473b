//go:build !unix

package httpserver

// setupRaw leaves the reader's raw access nil: between requests the
// connection waits in an ordinary Read, holding its read buffer.
func (c *conn) setupRaw() {}

func (r *reader) readIdle() (int, error) { panic("unreachable") }

var errWouldBlock error // never returned here
