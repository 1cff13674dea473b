package httpserver

import (
	"errors"
	"fmt"
	"strings"
)

// maxQueryPairs is the most key/value pairs ParseQuery accepts. It bounds the
// map a single request line can make the server build.
const maxQueryPairs = 1000

// errTooManyQueryParams is returned by ParseQuery when the query string holds
// more than maxQueryPairs pairs.
var errTooManyQueryParams = errors.New("httpserver: too many query parameters")

// QueryValue is one value of a query parameter.
type QueryValue struct {
	Value string // percent-decoded, '+' decoded as space
	Bare  bool   // the key appeared without "=" (as in "?debug"); Value is then ""
}

// Query maps a percent-decoded key to its values in order of appearance.
//
// A nil Query reads as empty: Get returns "", Has false and Values nil.
type Query map[string][]QueryValue

// Get returns the first value of key, or "" if key is absent. A bare key
// ("?debug") has the value "", like "?debug="; use Has to tell it from an
// absent key, and the Bare field to tell it from an empty value.
func (q Query) Get(key string) string {
	if vs := q[key]; len(vs) > 0 {
		return vs[0].Value
	}
	return ""
}

// Has reports whether key appeared at least once, bare or with a value.
func (q Query) Has(key string) bool {
	return len(q[key]) > 0
}

// Values returns the values of key in order of appearance, with "" for each
// bare occurrence, or nil if key is absent. The slice is newly allocated and
// owned by the caller.
func (q Query) Values(key string) []string {
	vs := q[key]
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// ParseQuery parses s, the raw query string of a request target without the
// leading '?'.
//
// s is split on '&' only; ';' is an ordinary byte (the HTML and WHATWG URL
// rules, as net/url does since Go 1.17). Empty segments are skipped. In each
// segment the key is what precedes the first '=', and the value what follows
// it: "a" gives key "a" with a Bare value, "a=" key "a" with the value "", and
// "=x" key "" with the value "x". Keys and values are percent-decoded and '+'
// is decoded as a space; the decoded bytes are not checked to be UTF-8.
// Repeated keys keep their values in order of appearance.
//
// A segment with a malformed escape ("%zz", a '%' not followed by two hex
// digits) is dropped, and ParseQuery still parses every other segment; it then
// returns a non-nil Query together with an error naming the first such
// segment.
//
// At most 1000 pairs are parsed (a segment with a malformed escape counts as a
// pair). If s holds more, ParseQuery stops after the 1000th and returns the
// pairs parsed so far with an error saying there were too many; that error
// replaces any escape error, since it is the one that says pairs are missing.
//
// ParseQuery returns a nil Query and a nil error for the empty string. Keys and
// values that needed no decoding are substrings of s, so s is kept alive as
// long as they are.
func ParseQuery(s string) (Query, error) {
	if s == "" {
		return nil, nil
	}
	q := make(Query)
	var firstErr error
	pairs := 0
	for s != "" {
		var seg string
		seg, s, _ = strings.Cut(s, "&")
		if seg == "" {
			continue
		}
		if pairs == maxQueryPairs {
			return q, errTooManyQueryParams
		}
		pairs++
		rawKey, rawValue, hasEq := strings.Cut(seg, "=")
		key, ok1 := unescapeQuery(rawKey)
		value, ok2 := unescapeQuery(rawValue)
		if !ok1 || !ok2 {
			if firstErr == nil {
				firstErr = fmt.Errorf("httpserver: invalid query escape in %q", seg)
			}
			continue
		}
		q[key] = append(q[key], QueryValue{Value: value, Bare: !hasEq})
	}
	return q, firstErr
}

// unescapeQuery decodes the percent escapes in s and turns '+' into a space.
// It reports false if s has a '%' not followed by two hex digits. If s has
// neither '%' nor '+' it returns s itself, without copying.
func unescapeQuery(s string) (string, bool) {
	n := 0 // number of escapes
	plus := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !isQueryHex(s[i+1]) || !isQueryHex(s[i+2]) {
				return "", false
			}
			n++
			i += 2
		case '+':
			plus = true
		}
	}
	if n == 0 && !plus {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s) - 2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteByte(queryHexValue(s[i+1])<<4 | queryHexValue(s[i+2]))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// isQueryHex reports whether c is an ASCII hexadecimal digit.
func isQueryHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// queryHexValue returns the value of the hexadecimal digit c, which must satisfy
// isQueryHex.
func queryHexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
