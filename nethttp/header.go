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
//
// The fields go into dst with one allocation of the right size
// (Header.Grow), where adding them one by one would grow it 1, 2, 4, 8.
func fillHeader(dst *httpserver.Header, src http.Header, skip uint8) (trailerKeys bool) {
	dst.Reset()
	if len(src) == 0 {
		return false
	}
	return addFields(dst, src, skip)
}

// addFields adds src's fields to dst, as fillHeader describes, and
// reports whether src has http.TrailerPrefix keys (left out). It
// allocates nothing for up to 32 keys besides dst's storage, which it
// grows once.
func addFields(dst *httpserver.Header, src http.Header, skip uint8) (trailerKeys bool) {
	var buf [32]string
	keys := buf[:0]
	n := 0
	for k, vv := range src {
		keys = append(keys, k)
		n += max(len(vv), 1)
	}
	slices.Sort(keys)
	dst.Grow(n)
	for _, k := range keys {
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
		vv := src[k]
		if len(vv) == 0 && k == "Date" {
			dst.Add(k, "")
			continue
		}
		for _, v := range vv {
			dst.Add(k, fieldValue(v))
		}
	}
	return trailerKeys
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
