package httpserver

import (
	"iter"
	"slices"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// HeaderField is one header line as it appears on the wire: the name in the
// case it was received or given, and the value without the surrounding
// optional whitespace.
type HeaderField struct{ Name, Value string }

// Header is an ordered list of header fields, used for both request and
// response headers.
//
// Names keep the case and the order in which they were received or added, and
// are written to the wire that way; lookups match names ASCII
// case-insensitively (RFC 9110 section 5.1) and do not allocate. A name may
// appear more than once; Get returns the first such field and Values all of
// them, in order.
//
// The zero value is an empty Header ready to use.
//
// A Header holds its fields in a slice, so copying a Header value shares that
// storage: a mutation through one copy may show through, or not, in the other.
// Use Clone to get an independent Header.
//
// A Header is not safe for concurrent mutation. Concurrent calls to the
// methods that only read (Get, Values, Has, Len, All, Clone) are safe as long
// as nothing mutates the Header meanwhile. The reading methods treat a nil
// *Header as empty.
//
// Set and Add do not validate names or values. The server checks every
// response header field before it writes the response (a name must be a
// token, a value must hold no control character but tab) and answers 500
// Internal Server Error instead of sending a field that could split the
// response or be misread by a proxy.
type Header struct{ fields []HeaderField }

// Get returns the value of the first field whose name matches name
// case-insensitively, or "" if there is none. Use Has to tell an absent field
// from an empty one.
func (h *Header) Get(name string) string {
	if i := h.index(name); i >= 0 {
		return h.fields[i].Value
	}
	return ""
}

// Values returns the values of all fields whose name matches name
// case-insensitively, in wire order, or nil if there are none. The returned
// slice is newly allocated and owned by the caller.
func (h *Header) Values(name string) []string {
	if h == nil {
		return nil
	}
	var vs []string
	for _, f := range h.fields {
		if equalFoldASCII(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Has reports whether a field named name (case-insensitively) is present,
// even with an empty value.
func (h *Header) Has(name string) bool {
	return h.index(name) >= 0
}

// Set replaces every field named name (case-insensitively) with the single
// field name: value. The field takes the position of the first field of that
// name and the case of name as passed to Set; the later fields of that name
// are removed and the others keep their order. If there is no such field, Set
// appends one, as Add does. Set does not validate name or value (see Header).
func (h *Header) Set(name, value string) {
	i := h.index(name)
	if i < 0 {
		h.fields = append(h.fields, HeaderField{Name: name, Value: value})
		return
	}
	h.fields[i] = HeaderField{Name: name, Value: value}
	h.removeFrom(i+1, name)
}

// Add appends the field name: value after all existing fields, keeping any
// fields of the same name. Add does not validate name or value (see Header).
func (h *Header) Add(name, value string) {
	h.fields = append(h.fields, HeaderField{Name: name, Value: value})
}

// Del removes every field named name (case-insensitively); the other fields
// keep their order. Deleting an absent name does nothing.
func (h *Header) Del(name string) {
	if i := h.index(name); i >= 0 {
		h.removeFrom(i, name)
	}
}

// Len returns the number of fields, counting each repeated name once per
// field.
func (h *Header) Len() int {
	if h == nil {
		return 0
	}
	return len(h.fields)
}

// All returns an iterator over the fields in wire order, yielding each name in
// the case it was received or given, and its value. The Header must not be
// mutated during the iteration.
func (h *Header) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if h == nil {
			return
		}
		for _, f := range h.fields {
			if !yield(f.Name, f.Value) {
				return
			}
		}
	}
}

// Grow makes room for n more fields, so that adding them allocates at
// most once (here) instead of growing the storage step by step.
func (h *Header) Grow(n int) {
	h.fields = slices.Grow(h.fields, n)
}

// Reset removes all fields but keeps the storage for reuse, so that a
// connection can reuse one Header across the requests it serves. Strings held
// by the removed fields are released.
func (h *Header) Reset() {
	clear(h.fields)
	h.fields = h.fields[:0]
}

// Clone returns a copy of h that shares no storage with it. The clone of an
// empty Header is the zero Header.
func (h *Header) Clone() Header {
	if h == nil || len(h.fields) == 0 {
		return Header{}
	}
	return Header{fields: slices.Clone(h.fields)}
}

// appendField appends name: value as Add does. The request parser uses it for
// fields it has already validated.
func (h *Header) appendField(name, value string) {
	h.fields = append(h.fields, HeaderField{Name: name, Value: value})
}

// fieldsSlice returns the fields in wire order for the serializer. The slice
// aliases h's storage: it is valid only until the next mutation of h, and the
// caller must not modify it.
func (h *Header) fieldsSlice() []HeaderField {
	if h == nil {
		return nil
	}
	return h.fields
}

// index returns the position of the first field named name
// (case-insensitively), or -1.
func (h *Header) index(name string) int {
	if h == nil {
		return -1
	}
	for i, f := range h.fields {
		if equalFoldASCII(f.Name, name) {
			return i
		}
	}
	return -1
}

// removeFrom removes the fields named name at or after position start,
// compacting the slice in place so that no allocation happens, and clears the
// vacated tail so the removed strings can be collected.
func (h *Header) removeFrom(start int, name string) {
	kept := start
	for j := start; j < len(h.fields); j++ {
		if equalFoldASCII(h.fields[j].Name, name) {
			continue
		}
		h.fields[kept] = h.fields[j]
		kept++
	}
	clear(h.fields[kept:])
	h.fields = h.fields[:kept]
}

// equalFoldASCII reports whether a and b are equal under ASCII case folding.
// Unlike strings.EqualFold it does not fold non-ASCII letters: header names
// are tokens (RFC 9110 section 5.1), so "K" (U+212A KELVIN SIGN) must not
// match "k".
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// validHeaderName reports whether name is a valid field name: a non-empty
// token (RFC 9110 section 5.1 and 5.6.2). Rejecting everything else, in
// particular ':', whitespace, CR and LF, stops a handler-supplied name from
// injecting fields or splitting the response. The rule lives in the wire
// package, which the parser shares.
func validHeaderName(name string) bool { return wire.IsToken(name) }

// validHeaderValue reports whether v may be sent as a field value: it holds
// no control character other than horizontal tab (RFC 9110 section 5.5), so
// no CR, LF or NUL. Bytes 0x80-0xFF (obs-text) are allowed. Leading and
// trailing whitespace is not rejected. Rejecting CR and LF stops response
// splitting and header injection through a handler-supplied value.
func validHeaderValue(v string) bool { return wire.IsFieldValue(v) }
