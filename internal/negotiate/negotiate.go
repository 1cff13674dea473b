// Package negotiate reads the request fields of proactive content
// negotiation (RFC 9110 §12.5) that more than one of the library's
// handlers needs: the weights of Accept and Accept-Encoding elements, and
// the choice of a content coding (fileserver's precompressed siblings,
// compress's on-the-fly encoders). It is pure: no I/O, no allocation, no
// state.
package negotiate

import (
	"strings"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// MaxOffered is the most codings Encoding chooses among.
const MaxOffered = 8

// Encoding picks the content coding to send for the Accept-Encoding field
// value accept (RFC 9110 §12.5.3) among offered: lower-case coding names
// in the server's order of preference, of which an empty one is never
// chosen (a coding the caller has no variant for). It returns the index
// in offered of the coding to send, or -1 for none (identity), and
// whether the client refused identity ("identity;q=0", or "*;q=0"
// without an "identity" element of its own). It panics if offered has
// more than MaxOffered names.
//
// A coding's weight is its own q-value, else that of "*", else 0 (not
// acceptable); "x-gzip" counts as "gzip" (RFC 9110 §8.4.1.3), and names
// compare ignoring ASCII case (and no other: "zſtd" is not "zstd"). The
// offered coding with the highest weight above 0 wins, ties going to the
// earlier in offered. No coding is chosen when "identity" is listed with
// a higher weight than the winner.
// Elements that do not parse (a malformed weight such as "q=1.5" or
// "q=0.0001") are skipped, as if absent; when a coding is listed twice
// the last element counts. An empty accept chooses nothing: the empty
// field value means "no coding, please" (§12.5.3), and the callers treat
// an absent field the same way, which RFC 9110 would let them read as
// "anything", since some clients that send no field cannot decode any.
func Encoding(accept string, offered []string) (best int, identityRefused bool) {
	var q [MaxOffered]int // -1: not listed
	for i := range offered {
		q[i] = -1
	}
	star, identity := -1, -1
	for elem := range strings.SplitSeq(accept, ",") {
		name, params, _ := strings.Cut(elem, ";")
		name = strings.Trim(name, " \t")
		w, ok := QValue(params)
		if !ok || name == "" {
			continue
		}
		switch {
		case name == "*":
			star = w
			continue
		case wire.EqualFoldASCII(name, "identity"):
			identity = w
			continue
		case wire.EqualFoldASCII(name, "x-gzip"):
			name = "gzip"
		}
		for i, c := range offered {
			if c != "" && wire.EqualFoldASCII(c, name) {
				q[i] = w
			}
		}
	}
	best, bestQ := -1, 0
	for i, c := range offered {
		w := q[i]
		if w < 0 {
			w = star
		}
		if c != "" && w > bestQ {
			best, bestQ = i, w
		}
	}
	identityRefused = identity == 0 || (identity < 0 && star == 0)
	if best >= 0 && identity > bestQ {
		best = -1
	}
	return best, identityRefused
}

// QValue returns the weight in the parameters that follow an element of
// Accept or Accept-Encoding (";q=0.5"), in thousandths: 1000 when there
// is none, ok false when it is malformed. Other parameters are ignored.
//
//	weight = OWS ";" OWS "q=" qvalue
//	qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
func QValue(params string) (q int, ok bool) {
	if strings.Trim(params, " \t") == "" {
		return 1000, true
	}
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.Trim(p, " \t"), "=")
		if !wire.EqualFoldASCII(k, "q") {
			continue
		}
		return parseQ(v)
	}
	return 1000, true
}

// parseQ parses a qvalue (see QValue) into thousandths.
func parseQ(v string) (int, bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0, false
	}
	whole := int(v[0] - '0')
	frac := v[1:]
	if frac == "" {
		return whole * 1000, true
	}
	if frac[0] != '.' || len(frac) > 4 {
		return 0, false
	}
	n, scale := 0, 100
	for i := 1; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' || (whole == 1 && c != '0') {
			return 0, false
		}
		n += int(c-'0') * scale
		scale /= 10
	}
	return whole*1000 + n, true
}
