package httpserver

import (
	"sync/atomic"
	"time"
)

// The Date field (RFC 9110 §6.6.1) changes once a second; formatting it
// per response would cost an allocation and ~100ns, so the formatted line
// is cached and rebuilt when the second changes.
type dateLine struct {
	unix int64
	line []byte // "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"
}

var cachedDate atomic.Pointer[dateLine]

// refreshDate rebuilds the cached Date line if the second has changed.
func refreshDate(now time.Time) *dateLine {
	d := cachedDate.Load()
	if d == nil || d.unix != now.Unix() {
		line := make([]byte, 0, 40)
		line = append(line, "Date: "...)
		line = now.UTC().AppendFormat(line, "Mon, 02 Jan 2006 15:04:05 GMT")
		line = append(line, "\r\n"...)
		d = &dateLine{unix: now.Unix(), line: line}
		cachedDate.Store(d)
	}
	return d
}

// appendDate appends the Date field line: from the coarse clock's cache
// while it runs (at most clockTick old), else freshly.
func appendDate(dst []byte) []byte {
	if clock.running.Load() {
		if d := cachedDate.Load(); d != nil {
			return append(dst, d.line...)
		}
	}
	return append(dst, refreshDate(time.Now()).line...)
}
