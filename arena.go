package httpserver

import (
	"sync"
	"unsafe"
)

// A strArena hands out immutable strings copied from request heads, many
// to one allocation: a request's string fields (Verb, Path, header names
// and values, ...) are slices of one copy of its head, and the copies of
// successive heads lie side by side in a chunk of arenaSize bytes.
//
// The strings are safe to keep for ever, like any string: bytes of a chunk
// are written once, before the string over them is made, and never again
// (off only grows, and a full chunk is dropped, not reset). A kept string
// keeps its whole chunk alive, at most arenaSize bytes.
//
// Arenas go back to arenaPool while their connection is idle, with their
// unused rest; the next connection to take one carries on after off.
type strArena struct {
	off int
	buf [arenaSize]byte // one allocation with off
}

const (
	arenaSize = 4 << 10
	// arenaMaxString: a longer head gets an allocation of its own, so
	// that a chunk serves many heads.
	arenaMaxString = 1 << 10
)

var arenaPool = sync.Pool{New: func() any { return newArena() }}

func newArena() *strArena { return new(strArena) }

// headString returns a string holding a copy of b.
func (c *conn) headString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaMaxString {
		return string(b)
	}
	rs := c.rs
	a := rs.arena
	if a == nil {
		a = arenaPool.Get().(*strArena)
		rs.arena = a
	}
	if len(a.buf)-a.off < len(b) {
		a = newArena() // the full one belongs to the strings made from it
		rs.arena = a
	}
	n := copy(a.buf[a.off:], b)
	s := unsafe.String(&a.buf[a.off], n)
	a.off += n
	return s
}

// A fieldArena hands out the header field slices of Requests, many to one
// allocation, under the same rules as strArena: a slice's elements are
// handed out once and never again (a handler may change its own fields,
// never another request's), and a kept Request keeps its chunk alive, at
// most fieldArenaSize fields (2 KiB). It keeps the Request itself small
// (the fields used to sit inside it), so that a request allocates fewer
// bytes and the GC runs less often.
type fieldArena struct {
	off int
	buf [fieldArenaSize]HeaderField
}

const fieldArenaSize = 64

var fieldArenaPool = sync.Pool{New: func() any { return new(fieldArena) }}

// headerFields returns storage for n header fields, with capacity n.
func (c *conn) headerFields(n int) []HeaderField {
	if n > fieldArenaSize/4 {
		return make([]HeaderField, n)
	}
	rs := c.rs
	a := rs.farena
	if a == nil {
		a = fieldArenaPool.Get().(*fieldArena)
		rs.farena = a
	}
	if len(a.buf)-a.off < n {
		a = new(fieldArena) // the full one belongs to the Requests made from it
		rs.farena = a
	}
	f := a.buf[a.off : a.off+n : a.off+n]
	a.off += n
	return f
}

// releaseArenas returns the connection's arenas (in its reqState, if it
// has one) to their pools.
func (c *conn) releaseArenas() {
	rs := c.rs
	if rs == nil {
		return
	}
	if rs.arena != nil {
		arenaPool.Put(rs.arena)
		rs.arena = nil
	}
	if rs.farena != nil {
		fieldArenaPool.Put(rs.farena)
		rs.farena = nil
	}
}
