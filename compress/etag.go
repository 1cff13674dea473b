package compress

import (
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/etag"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// The compressed form of a response is another representation than its
// identity form, so it gets another entity-tag: the identity one with
// the coding's name added inside the quotes ("abc" becomes "abc-gzip",
// W/"abc" becomes W/"abc-gzip"), the convention fileserver's
// precompressed siblings and Caddy's encode follow.
//
// Not the identity tag made weak (W/"abc"), as nginx does: If-None-Match
// compares weakly (RFC 9110 §13.1.2), so W/"abc" would match "abc", and a
// cache revalidating its gzip copy could be told 304 by the identity
// form's handler, or the reverse; caches pick the stored response a 304
// refreshes by its tag (RFC 9111 §4.3.4), which must then tell the two
// apart. A strong tag stays strong: for one library version, level and
// input written without flushes the compressed bytes are the same every
// time, and the tag is used for If-None-Match and If-Match only, since
// ranges of a compressed body are never served (Handle sends the
// identity body to a request with Range). A Stream that flushes at other
// points produces other bytes: handlers of such streams rarely give them
// strong tags, and should not.

// etagFor returns the entity-tag of the compressed form of the response
// whose tag is t, or ok false when t is not a well-formed entity-tag.
func etagFor(t string, e *encoding) (string, bool) {
	tag, weak, rest, ok := etag.Scan(t)
	if !ok || rest != "" {
		return "", false
	}
	prefix := ""
	if weak {
		prefix = "W/"
	}
	return prefix + tag[:len(tag)-1] + e.suffix + `"`, true
}

// rewriteIfNoneMatch lets the inner handler answer 304 to a client that
// holds the compressed form: for each entity-tag in If-None-Match that
// ends in e's suffix ("abc-gzip"), it adds the tag without it ("abc"),
// which the inner handler knows. The tags as sent stay in the list, so
// that a handler whose own tag ends so (fileserver's precompressed
// siblings: "abc-gzip" is the .gz file's tag) still matches them. It
// returns the field as the client sent it when it changed it, else "".
//
// If-Match and If-Range are not rewritten: an If-Range tag of the
// compressed form does not match, so the inner handler sends the whole
// identity body rather than a range of the wrong one, as it should; an
// If-Match with it (for a state-changing request, where a compressed
// form is not what would be replaced) fails with 412.
func rewriteIfNoneMatch(h *httpserver.Header, e *encoding) string {
	lines := 0
	var orig string
	for name, v := range h.All() {
		if wire.EqualFoldASCII(name, "If-None-Match") {
			if lines == 0 {
				orig = v
			} else {
				orig += ", " + v
			}
			lines++
		}
	}
	if lines == 0 {
		return ""
	}
	var added strings.Builder
	for list := orig; ; {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			break
		}
		tag, weak, rest, ok := etag.Scan(list)
		if !ok {
			break // as etag.Match does: a malformed element ends the list
		}
		if opaque, found := strings.CutSuffix(tag, e.suffix+`"`); found {
			added.WriteString(", ")
			if weak {
				added.WriteString("W/")
			}
			added.WriteString(opaque)
			added.WriteByte('"')
		}
		list = rest
	}
	if added.Len() == 0 {
		return ""
	}
	h.Set("If-None-Match", orig+added.String())
	return orig
}

// fixNotModified gives a 304 the compressed form's entity-tag when the
// client revalidated that form: it sent the compressed tag of the
// identity tag the inner handler's 304 carries (through
// rewriteIfNoneMatch), and the 304's fields do not rule compression out.
// A 304 answered to the identity tag, or by date (If-Modified-Since),
// keeps the identity tag.
func (c *config) fixNotModified(h *httpserver.Header, f *facts) {
	if f.inm == "" || f.coding == nil {
		return
	}
	t := h.Get("ETag")
	if t == "" || h.Has("Content-Encoding") {
		return
	}
	for name, v := range h.All() {
		if wire.EqualFoldASCII(name, "Cache-Control") && hasToken(v, "no-transform") {
			return
		}
	}
	// A 304 need not carry Content-Type (fileserver's and net/http's do
	// not); when it does, it must be one that is compressed.
	if ct := h.Get("Content-Type"); ct != "" && !c.types(mediaType(ct)) {
		return
	}
	tagged, ok := etagFor(t, f.coding)
	if !ok {
		return
	}
	opaque, _ := strings.CutPrefix(tagged, "W/")
	if etag.Match(f.inm, opaque, false) {
		h.Set("ETag", tagged)
	}
}
