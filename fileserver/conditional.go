package fileserver

import (
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/etag"
)

// validators are what a response says about the version of the
// representation it carries (RFC 9110 §8.8).
type validators struct {
	etag    string    // a quoted strong entity-tag, or "" for none
	modTime time.Time // Last-Modified at second precision in UTC; zero for none
}

// fileETag is the strong entity-tag of a file: its size and modification
// time in nanoseconds, in hex, plus "-" and the content coding for a
// precompressed variant (so each variant has its own). It assumes, as make
// and rsync do, that a file whose size and modification time are unchanged
// has unchanged content.
func fileETag(fi fs.FileInfo, coding string) string {
	b := make([]byte, 0, 40)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(fi.Size()), 16)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(fi.ModTime().UnixNano()), 16)
	if coding != "" {
		b = append(b, '-')
		b = append(b, coding...)
	}
	b = append(b, '"')
	return string(b)
}

// hasModTime reports whether t can serve as a Last-Modified date. The zero
// time (embed.FS, fstest.MapFS) and the first seconds of 1970 (which
// reproducible builds and package stores stamp on every file) say nothing
// about when the content changed.
func hasModTime(t time.Time) bool {
	return t.After(time.Unix(1, 0))
}

// lastModified returns t as a Last-Modified value: UTC, truncated to the
// second (the precision of an HTTP-date), and not after now, which RFC
// 9110 §8.8.2.1 forbids.
func lastModified(t, now time.Time) time.Time {
	t = t.UTC().Truncate(time.Second)
	if now = now.UTC().Truncate(time.Second); t.After(now) {
		return now
	}
	return t
}

// checkPreconditions evaluates the conditional header fields of a request
// for the representation described by v, in the order of RFC 9110
// §13.2.2. It returns 0 to go on with the request, 304 Not Modified or 412
// Precondition Failed.
//
//  1. If-Match: false (no strong match, RFC 9110 §13.1.1) is 412.
//  2. Else If-Unmodified-Since: modified after the date is 412. A value
//     that is not an HTTP-date, or a representation without a date, makes
//     the field ignored (§13.1.4).
//  3. If-None-Match: a (weak) match is 304 for GET and HEAD, 412 for other
//     methods (§13.1.2).
//  4. Else, for GET and HEAD only, If-Modified-Since: not modified since
//     the date is 304. Ignored like If-Unmodified-Since when it is not a
//     single valid date.
//
// If-Range is evaluated later, by ifRangeMatches, and only for a request
// with a Range.
func checkPreconditions(method string, h *httpserver.Header, v validators) int {
	if h.Has("If-Match") {
		if !etag.Match(fieldList(h, "If-Match"), v.etag, true) {
			return 412
		}
	} else if t, ok := parseDate(h, "If-Unmodified-Since"); ok && !v.modTime.IsZero() {
		if v.modTime.After(t) {
			return 412
		}
	}
	getOrHead := method == "GET" || method == "HEAD"
	if h.Has("If-None-Match") {
		if etag.Match(fieldList(h, "If-None-Match"), v.etag, false) {
			if getOrHead {
				return 304
			}
			return 412
		}
	} else if getOrHead {
		if t, ok := parseDate(h, "If-Modified-Since"); ok && !v.modTime.IsZero() {
			if !v.modTime.After(t) {
				return 304
			}
		}
	}
	return 0
}

// ifRangeMatches reports whether the If-Range value s lets a Range be
// honored (RFC 9110 §13.1.5): an entity-tag must match v's strongly (a
// weak tag never matches), and a date must equal v's Last-Modified exactly.
func ifRangeMatches(s string, v validators) bool {
	s = strings.Trim(s, " \t")
	if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "W/") {
		tag, weak, rest, ok := etag.Scan(s)
		return ok && rest == "" && !weak && v.etag != "" && tag == v.etag
	}
	t, err := http.ParseTime(s)
	return err == nil && !v.modTime.IsZero() && t.Equal(v.modTime)
}

// fieldList joins every line of a list-valued field, as RFC 9110 §5.3
// allows a recipient to.
func fieldList(h *httpserver.Header, name string) string {
	vs := h.Values(name)
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs, ",")
}

// parseDate returns the value of the singleton date field name, if there
// is exactly one field and it is an HTTP-date (any of the three formats of
// RFC 9110 §5.6.7).
func parseDate(h *httpserver.Header, name string) (time.Time, bool) {
	vs := h.Values(name)
	if len(vs) != 1 {
		return time.Time{}, false
	}
	t, err := http.ParseTime(strings.Trim(vs[0], " \t"))
	return t, err == nil
}
