package compress

import (
	"strconv"
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// verdict is what judge decides about a response.
type verdict uint8

const (
	sendIdentity verdict = iota // as it is (with Vary)
	sendEncoded                 // compressed with the request's coding
	undecided                   // compressed if its body reaches MinSize
)

// facts are what judge needs of the request, read once by Handle.
type facts struct {
	coding *encoding // the coding the client prefers among ours; nil: none
	verb   string
	head   bool // HEAD: judged as GET, the body unseen
	ranged bool // the request has a Range field
	// inm is the request's If-None-Match as the client sent it, when it
	// was rewritten for the inner handler (see rewriteIfNoneMatch).
	inm string
}

// judge decides whether a response to the request f describes is sent
// compressed, from its status, its fields h, and its body's length n
// (-1 when unknown). long says that an unknown length counts as MinSize
// or more: the body is unseen (HEAD), has no end (Endless), or is being
// flushed before MinSize bytes were written, when waiting is no longer
// possible. The first row that applies decides:
//
//	the client accepts none of our codings    identity  (no Accept-Encoding: RFC 9110 §12.5.3 would allow any, but some clients cannot decode one)
//	1xx, 204, 304: no body                     identity  (Handle puts the compressed tag on a 304, see fixNotModified)
//	206, or a Content-Range field (416 too)    identity  (ranges are of the identity body)
//	the request has a Range field              identity  (the answer may be partial, or its rest asked for later)
//	Content-Encoding already set               identity  (a precompressed file, a handler's own coding)
//	Cache-Control: no-transform                identity  (RFC 9111 §5.2.2.6)
//	no Content-Type, or one Types refuses      identity
//	n >= 0                                     encoded if n >= MinSize, else identity
//	n < 0, long                                encoded
//	n < 0                                      undecided: held back until MinSize bytes or the end
//
// Tunnels (101, 2xx to CONNECT) are never judged: Handle leaves them
// alone.
func (c *config) judge(f *facts, status int, h *httpserver.Header, n int64, long bool) verdict {
	switch {
	case f.coding == nil,
		!wire.HasBody(false, status), status == 206, h.Has("Content-Range"),
		f.ranged,
		c.excludes(h):
		return sendIdentity
	case n >= 0:
		if n >= int64(c.minSize) {
			return sendEncoded
		}
		return sendIdentity
	case long:
		return sendEncoded
	}
	return undecided
}

// excludes reports whether the fields h rule compression out whatever
// the body: a Content-Encoding, Cache-Control: no-transform, a
// Content-Type missing or not allowed.
func (c *config) excludes(h *httpserver.Header) bool {
	ct := ""
	for name, v := range h.All() {
		switch {
		case wire.EqualFoldASCII(name, "Content-Encoding"):
			if strings.Trim(v, " \t") != "" {
				return true
			}
		case wire.EqualFoldASCII(name, "Cache-Control"):
			if hasToken(v, "no-transform") {
				return true
			}
		case wire.EqualFoldASCII(name, "Content-Type"):
			if ct == "" {
				ct = v
			}
		}
	}
	return !c.types(mediaType(ct))
}

// declaredLength returns the Content-Length in h, or -1.
func declaredLength(h *httpserver.Header) int64 {
	v := h.Get("Content-Length")
	if v == "" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// mediaType returns the type/subtype of a Content-Type value, lower case,
// without parameters; "" for none.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.Trim(ct, " \t")
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// hasToken reports whether the comma-separated list v holds tok, ignoring
// ASCII case and a directive's "=value".
func hasToken(v, tok string) bool {
	for elem := range strings.SplitSeq(v, ",") {
		name, _, _ := strings.Cut(elem, "=")
		if wire.EqualFoldASCII(strings.Trim(name, " \t"), tok) {
			return true
		}
	}
	return false
}

// addVary adds Accept-Encoding to h's Vary unless it is listed there, or
// "*" is: to the one Vary field there is ("Vary: Accept, Accept-Encoding",
// read as one list by caches that look at the first field only), else in
// a field of its own. Every answer Handle touches carries it, compressed
// or not, since another Accept-Encoding could have changed it (RFC 9110
// §12.5.5); 304s too (§15.4.5).
func addVary(h *httpserver.Header) {
	lines, last := 0, ""
	for name, v := range h.All() {
		if !wire.EqualFoldASCII(name, "Vary") {
			continue
		}
		if hasToken(v, "accept-encoding") || hasToken(v, "*") {
			return
		}
		lines, last = lines+1, v
	}
	switch {
	case lines == 1 && strings.Trim(last, " \t,") != "":
		h.Set("Vary", strings.TrimRight(last, " \t,")+", Accept-Encoding")
	case lines == 1:
		h.Set("Vary", "Accept-Encoding")
	default:
		h.Add("Vary", "Accept-Encoding")
	}
}

// needsVary reports whether addVary would change h.
func needsVary(h *httpserver.Header) bool {
	for name, v := range h.All() {
		if wire.EqualFoldASCII(name, "Vary") && (hasToken(v, "accept-encoding") || hasToken(v, "*")) {
			return false
		}
	}
	return true
}

// markEncoded turns the fields of a response about to be compressed with
// e into those of its compressed form: Content-Encoding; no
// Content-Length (the server frames the compressed body) and no
// Accept-Ranges (ranges would be of the compressed bytes, which this
// handler never serves); the entity-tag of the compressed form
// (etagFor); Vary.
func markEncoded(h *httpserver.Header, e *encoding) {
	h.Set("Content-Encoding", e.name)
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	if t := h.Get("ETag"); t != "" {
		if tagged, ok := etagFor(t, e); ok {
			h.Set("ETag", tagged)
		} else {
			h.Del("ETag") // malformed: it cannot name the compressed form
		}
	}
	addVary(h)
}

// markIdentity is what an answer sent as it is gets: Vary, and on a 304
// the compressed form's entity-tag when that is the form the client
// holds (fixNotModified).
func (c *config) markIdentity(h *httpserver.Header, f *facts, status int) {
	addVary(h)
	if status == 304 {
		c.fixNotModified(h, f)
	}
}
