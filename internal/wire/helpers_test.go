package wire

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// head is what a test sees of a parsed RequestHead: every span turned into
// the string it covers, so that tables can be written and diffs read
// without offsets.
type head struct {
	Method, Target string
	Form           string // "origin", "absolute", "authority", "asterisk"
	Path, Query    string
	HasQuery       bool
	Authority      string
	HasAuthority   bool
	Version        string   // "0.9", "1.0", "1.1"
	Fields         []string // "Name: Value", in order
	ContentLength  int64
	Chunked        bool
	Close          bool
	Expect100      bool
	Len            int
}

func formName(f int) string {
	switch f {
	case OriginForm:
		return "origin"
	case AbsoluteForm:
		return "absolute"
	case AuthorityForm:
		return "authority"
	case AsteriskForm:
		return "asterisk"
	}
	return fmt.Sprintf("form(%d)", f)
}

// view turns h, parsed from buf, into a head.
func view(h *RequestHead, buf []byte) head {
	v := head{
		Method:        string(h.Method.In(buf)),
		Target:        string(h.Target.In(buf)),
		Form:          formName(h.Form),
		Path:          string(h.Path.In(buf)),
		Query:         string(h.Query.In(buf)),
		HasQuery:      h.HasQuery,
		Authority:     string(h.Authority.In(buf)),
		HasAuthority:  h.HasAuthority,
		Version:       fmt.Sprintf("%d.%d", h.Major, h.Minor),
		ContentLength: h.ContentLength,
		Chunked:       h.Chunked,
		Close:         h.Close,
		Expect100:     h.Expect100,
		Len:           h.Len,
	}
	for _, f := range h.Fields {
		v.Fields = append(v.Fields, string(f.Name.In(buf))+": "+string(f.Value.In(buf)))
	}
	return v
}

func (v head) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q %s path=%q", v.Method, v.Target, v.Form, v.Path)
	if v.HasQuery {
		fmt.Fprintf(&b, " query=%q", v.Query)
	}
	if v.HasAuthority {
		fmt.Fprintf(&b, " authority=%q", v.Authority)
	}
	fmt.Fprintf(&b, " HTTP/%s cl=%d chunked=%v close=%v expect100=%v len=%d fields=%q",
		v.Version, v.ContentLength, v.Chunked, v.Close, v.Expect100, v.Len, v.Fields)
	return b.String()
}

func (v head) equal(w head) bool { return reflect.DeepEqual(v, w) }

// outcome is the result of parsing one input: the head if it was accepted,
// or the refusal's status, or ErrIncomplete.
type outcome struct {
	err    error // nil, ErrIncomplete or *Error
	status int   // the *Error's Status, 0 otherwise
	head   head  // when err == nil
}

func (o outcome) String() string {
	switch {
	case o.err == nil:
		return "accepted: " + o.head.String()
	case o.status != 0:
		return fmt.Sprintf("refused %d (%v)", o.status, o.err)
	}
	return o.err.Error()
}

func (o outcome) equal(p outcome) bool {
	if o.err == nil || p.err == nil {
		return o.err == nil && p.err == nil && o.head.equal(p.head)
	}
	if o.status != 0 || p.status != 0 {
		return o.status == p.status
	}
	return o.err == p.err
}

func outcomeOf(h *RequestHead, buf []byte, err error) outcome {
	if err == nil {
		return outcome{head: view(h, buf)}
	}
	var e *Error
	if errors.As(err, &e) {
		return outcome{err: err, status: e.Status}
	}
	return outcome{err: err}
}

// parseOnce parses buf in one call into a fresh RequestHead.
func parseOnce(buf []byte, lim Limits) outcome {
	var h RequestHead
	return outcomeOf(&h, buf, h.Parse(buf, lim))
}

// parseSplit gives Parse a copy of buf[:i] (a separate array, so that the
// parser cannot peek past the end and the buffer "moves" in memory), then,
// if that was not enough, the whole of buf, continuing the same
// RequestHead. It reports what the first call returned as well.
func parseSplit(buf []byte, i int, lim Limits) (o outcome, first error) {
	var h RequestHead
	part := append([]byte(nil), buf[:i]...)
	first = h.Parse(part, lim)
	if first != ErrIncomplete {
		return outcomeOf(&h, part, first), first
	}
	return outcomeOf(&h, buf, h.Parse(buf, lim)), first
}

// parseBytewise feeds buf one more byte at a time, each time in a fresh
// copy, until Parse stops asking for more. It returns the outcome and the
// number of bytes that had been given when Parse answered.
func parseBytewise(buf []byte, lim Limits) (outcome, int) {
	var h RequestHead
	for i := 0; i <= len(buf); i++ {
		part := append([]byte(nil), buf[:i]...)
		err := h.Parse(part, lim)
		if err != ErrIncomplete || i == len(buf) {
			return outcomeOf(&h, part, err), i
		}
	}
	panic("unreachable")
}
