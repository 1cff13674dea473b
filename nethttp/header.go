package nethttp

import (
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// What fillHeader leaves out besides Transfer-Encoding and the
// http.TrailerPrefix keys, which never go in a head.
const (
	skipLength uint8 = 1 << iota // Content-Length
	skipType                     // Content-Type
)

// fillHeader replaces dst's fields with src's, as net/http's
// Header.WriteSubset writes them: keys in sorted order, each key's values
// in order, invalid keys dropped, CR and LF in values turned into spaces
// and the value trimmed. A "Date" key without values is kept as an empty
// Date field, which tells the engine to send none (net/http's way of
// suppressing it is that key). It reports whether src has
// http.TrailerPrefix keys, which are left out.
func fillHeader(dst *httpserver.Header, src http.Header, skip uint8) (trailerKeys bool) {
	var buf [smallHeader]headerKey
	hh := readHeader(buf[:0], src)
	return hh.fill(dst, skip)
}

// smallHeader is how many keys of a handler's header map readHeader
// takes without allocating.
const smallHeader = 16

// headerKey is one key of a handler's header map with its values.
type headerKey struct {
	key  string
	vals []string
}

// handlerHeader is a handler's header map as the head needs it, read in
// one pass (readHeader): the keys with their values in sorted order, and
// the values of the keys the head is decided from, found by their
// canonical form as net/http's Header.Get finds them. It holds the map's
// value slices: a change to the map after readHeader is not in it.
type handlerHeader struct {
	keys []headerKey
	// fields is how many fields the keys make: one per value, one for a
	// key without values.
	fields int

	contentLength, contentEncoding, transferEncoding, trailer []string
	hasType                                                   bool // a Content-Type key, even without values
}

// readHeader reads src into a handlerHeader whose keys are appended to
// buf: one map iteration, where looking the keys up one by one after
// sorting them would cost one map access per key, and one per field the
// head is decided from.
func readHeader(buf []headerKey, src http.Header) handlerHeader {
	hh := handlerHeader{keys: buf}
	for k, vv := range src {
		hh.keys = append(hh.keys, headerKey{k, vv})
		hh.fields += max(len(vv), 1)
		switch k {
		case "Content-Length":
			hh.contentLength = vv
		case "Content-Type":
			hh.hasType = true
		case "Content-Encoding":
			hh.contentEncoding = vv
		case "Transfer-Encoding":
			hh.transferEncoding = vv
		case "Trailer":
			hh.trailer = vv
		}
	}
	if len(hh.keys) > 1 {
		slices.SortFunc(hh.keys, func(a, b headerKey) int { return strings.Compare(a.key, b.key) })
	}
	return hh
}

// fill replaces dst's fields with hh's, as fillHeader describes, and
// reports whether hh has http.TrailerPrefix keys (left out). It allocates
// nothing besides dst's storage, which it grows once (Header.Grow), where
// adding the fields one by one would grow it 1, 2, 4, 8.
func (hh *handlerHeader) fill(dst *httpserver.Header, skip uint8) (trailerKeys bool) {
	dst.Reset()
	if len(hh.keys) == 0 {
		return false
	}
	dst.Grow(hh.fields)
	for _, kv := range hh.keys {
		k := kv.key
		switch {
		case strings.HasPrefix(k, http.TrailerPrefix):
			trailerKeys = true
			continue
		case asciiEqualFold(k, "Transfer-Encoding"),
			skip&skipLength != 0 && asciiEqualFold(k, "Content-Length"),
			skip&skipType != 0 && asciiEqualFold(k, "Content-Type"),
			!wire.IsToken(k):
			continue
		}
		if len(kv.vals) == 0 && k == "Date" {
			dst.Add(k, "")
			continue
		}
		for _, v := range kv.vals {
			dst.Add(k, fieldValue(v))
		}
	}
	return trailerKeys
}

// firstValue is the first of vv, or "": Header.Get's answer.
func firstValue(vv []string) string {
	if len(vv) > 0 {
		return vv[0]
	}
	return ""
}

// fieldValue is v as net/http writes it: CR and LF replaced by spaces,
// surrounding whitespace trimmed. Other control characters are left for
// the engine to refuse (a 500 before anything is sent).
func fieldValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = newlineToSpace.Replace(v)
	}
	return textproto.TrimString(v)
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// validTrailer reports whether a field may be sent as a trailer: a
// token, and not a framing, routing or control field (RFC 9110 §6.5.1),
// by the engine's own rule, which it would otherwise apply with a log
// line per field dropped.
func validTrailer(name string) bool {
	return wire.IsToken(name) && wire.AllowedTrailer(name)
}
