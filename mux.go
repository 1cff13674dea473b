package httpserver

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// A Mux is a Handler that dispatches each request to the handler registered
// for the most specific pattern matching the request's method and path.
//
// # Patterns
//
// A pattern is an optional method followed by a path:
//
//	[METHOD ]/path
//
// METHOD is a token (RFC 9110 §9.1) separated from the path by spaces or
// tabs; a pattern that begins with '/' has no method, and a space in it is
// invalid. The method is case-sensitive, like the request's Verb. A pattern
// with method GET also matches HEAD requests; a pattern without a method
// matches every method. Host patterns are not supported: the path must
// begin with '/'.
//
// The path is made of segments separated by '/'. A segment is one of:
//
//   - a literal, matched against the request's segment as it appeared on
//     the wire, still percent-encoded (see Matching);
//   - {name}, a wildcard matching exactly one non-empty segment;
//   - {name...}, which must be last, matching the rest of the path, possibly
//     empty: "/files/{p...}" matches "/files/" and "/files/a/b";
//   - {$}, which must be last, matching only the end of the path right after
//     a trailing slash: "/a/{$}" matches "/a/" but not "/a/b".
//
// A name is a Go identifier, unique within its pattern. A pattern whose path
// ends in '/' (and not in {$}) matches the whole subtree below it, as if it
// ended in an anonymous {name...}: "/static/" matches "/static/" and
// "/static/a/b" but not "/static"; "/" matches every path.
//
// A literal may hold any visible ASCII character except '/', '?', '#', '{'
// and '}', and well-formed percent escapes ("%C3%A9" for "é"). Anything
// else, an empty segment ("/a//b"), a dot-segment ("." or ".."), a wildcard
// that is not a whole segment ("/a{x}"), and a {name...} or {$} that is not
// last make the pattern invalid.
//
// # Matching
//
// Matching is strict rather than convenient. The path is not cleaned, and
// the Mux never redirects:
//
//   - A request path that is not canonical matches no pattern, so the
//     request gets 404: one with an empty segment other than the last
//     ("//x", "/a//b") or a dot-segment ("/a/../b", "/./x", also when the
//     dots are percent-encoded, "/%2e%2E/x"). Clients remove dot-segments
//     (RFC 3986 §5.2.4) before sending; a path that still has them was built
//     to make a proxy and the server disagree about what it names, or to
//     climb out of a directory. A target that does not begin with '/'
//     ("OPTIONS *", CONNECT's authority) matches nothing either.
//   - Literals are compared with the raw, percent-encoded segment. The hex
//     digits of an escape compare case-insensitively ("%c3%a9" matches
//     "%C3%A9"), but an escaped character never matches the same character
//     unescaped: "/%61dmin" does not match "/admin". A front proxy with a
//     rule for /admin may let "/%61dmin" through; the Mux then answers 404
//     rather than serving the admin handler. An escaped slash ("%2F") is not
//     a separator.
//   - Wildcard values are percent-decoded (see PathValue).
//
// # Precedence
//
// Only patterns matching both the method and the path take part; among
// them the most specific wins:
//
//  1. Their paths are compared segment by segment from the left. At the
//     first position where they differ in kind, a literal (or {$}) beats
//     {name}, which beats {name...} or a trailing-slash subtree. So
//     "/users/new" beats "/users/{id}", which beats "/users/"; and for
//     "/a/b/c", "/a/{x}/c" beats "/{y}/b/c": the longer literal prefix wins.
//  2. If the paths have the same shape, a pattern naming the request's
//     method beats a GET pattern serving a HEAD request, which beats a
//     pattern naming no method.
//
// Two patterns with the same path shape (they may differ only in wildcard
// names) and the same method, or both without one, match the same requests:
// registering the second panics. Because only patterns matching the method
// take part, "GET /{x}" serves GET /a even when "POST /a" is registered.
//
// When no pattern matches the path, the Mux answers 404 Not Found. When
// some match the path but none the method, it answers 405 Method Not
// Allowed with an Allow header listing, sorted, the methods of the patterns
// matching the path (with HEAD when GET is there).
//
// # Concurrency and cost
//
// The zero value is an empty Mux ready to use. A Mux must not be copied
// after first use. Route, RouteFunc and Handle may be called concurrently:
// each dispatch sees the routes as they were before or after a Route call,
// never a mix (registration copies the few tree nodes it changes and swaps
// in the new tree atomically, so dispatch takes no lock). Route copies the
// sibling lists along the pattern's path, so registering n patterns under
// one segment costs O(n²) copying: register at start-up where you can.
//
// Dispatching to a pattern without named wildcards allocates nothing; a
// pattern with them costs one allocation (the values, stored in the
// Request), plus one per value that has escapes to decode. A 404 allocates
// only its Response; a 405 also builds its Allow header.
type Mux struct {
	mu   sync.Mutex           // serializes Route; dispatch never takes it
	root atomic.Pointer[node] // immutable once stored; nil: no routes
}

// NewMux returns a new, empty Mux. It is the same as new(Mux).
func NewMux() *Mux { return new(Mux) }

// Route registers h for pattern (see Mux for the syntax). It panics if the
// pattern is invalid, if h is nil, or if a pattern registered earlier
// matches exactly the same requests; the Mux is then unchanged.
func (m *Mux) Route(pattern string, h Handler) {
	if h == nil {
		panic(fmt.Sprintf("httpserver: Mux.Route(%q): nil handler", pattern))
	}
	r, err := parsePattern(pattern)
	if err != nil {
		panic(fmt.Sprintf("httpserver: Mux.Route(%q): %v", pattern, err))
	}
	r.h = h
	m.mu.Lock()
	defer m.mu.Unlock()
	// insert copies the nodes on r's path and panics on a duplicate
	// before anything is stored: dispatch never sees a partial update.
	m.root.Store(m.root.Load().insert(r, 0))
}

// RouteFunc registers f for pattern, as Route(pattern, HandlerFunc(f)).
func (m *Mux) RouteFunc(pattern string, f func(*Request) *Response) {
	if f == nil {
		panic(fmt.Sprintf("httpserver: Mux.RouteFunc(%q): nil handler", pattern))
	}
	m.Route(pattern, HandlerFunc(f))
}

// Handle dispatches req to the handler of the most specific pattern that
// matches it and returns that handler's response, or answers 404 or 405
// itself (see Mux). The handler gets req itself, not a copy: Handle stores
// the values of the pattern's named wildcards in req for PathValue,
// replacing any an outer Mux stored (a pattern without named wildcards
// leaves none), and the pattern for Request.Pattern. So req must not be
// used by another goroutine while Handle runs.
func (m *Mux) Handle(req *Request) *Response {
	root := m.root.Load()
	p := req.Path
	if root == nil || !canonicalPath(p) {
		return muxNotFound()
	}
	if r := root.match(p[1:], req.Verb); r != nil {
		return r.serve(req)
	}
	if allow := root.allowHeader(p[1:]); allow != "" {
		resp := &Response{StatusCode: 405, Message: "Method Not Allowed\n"}
		resp.Headers.Set("Allow", allow)
		return resp
	}
	return muxNotFound()
}

func muxNotFound() *Response {
	return &Response{StatusCode: 404, Message: "Not Found\n"}
}

// PathValue returns the value the wildcard name captured when a Mux
// dispatched req, or "" if the pattern that matched has no such wildcard or
// req did not come through a Mux. Use it on the *Request the handler was
// given. When Muxes are nested, only the innermost Mux's match counts: its
// values replace the outer one's.
//
// Values are percent-decoded; a value with a malformed escape is returned
// as it appeared. A value may therefore contain '/' (from "%2F") or ".."
// (from "..%2F"): it is data, not a path, and must be checked before it is
// used as a file name.
func PathValue(req *Request, name string) string {
	if req.ext == nil {
		return ""
	}
	for _, v := range req.ext.pathValues {
		if v.name == name {
			return v.value
		}
	}
	return ""
}

type pathValue struct{ name, value string }

// A route is one registered pattern. It is immutable once inserted.
type route struct {
	pattern string    // as given to Route, for panic messages
	method  string    // "" matches every method
	segs    []segment // the path's segments; a segRest can only be last
	nwild   int       // how many segments capture a value (named wildcards)
	h       Handler   // never nil
}

type segKind uint8

const (
	segLiteral segKind = iota // text: the literal with escapes upper-cased; "" for {$}
	segWild                   // {name}: one non-empty segment
	segRest                   // {name...} or a trailing slash (name ""): the rest
)

type segment struct {
	kind segKind
	text string // the literal, or the wildcard's name
}

// serve calls r's handler, giving it the values r captures from req.Path.
// The values are stored with req (in its reqExt, inline for up to two; the
// innermost Mux's match replaces an outer one's), so dispatch does not
// copy the Request.
func (r *route) serve(req *Request) *Response {
	req.setPattern(r.pattern)
	if r.nwild > 0 {
		x := req.extension()
		vals := x.pvStore[:0]
		if r.nwild > len(x.pvStore) {
			vals = make([]pathValue, 0, r.nwild)
		}
		x.pathValues = r.capture(req.Path, vals)
	} else if req.ext != nil {
		req.ext.pathValues = nil
	}
	return r.h.Handle(req)
}

// capture appends to vals the values of r's named wildcards in path,
// which r matches.
func (r *route) capture(path string, vals []pathValue) []pathValue {
	s := path[1:]
	for _, sg := range r.segs {
		if sg.kind == segRest {
			if sg.text != "" {
				vals = append(vals, pathValue{sg.text, unescapePath(s)})
			}
			break
		}
		seg, tail, _ := cutSegment(s)
		if sg.kind == segWild {
			vals = append(vals, pathValue{sg.text, unescapePath(seg)})
		}
		s = tail
	}
	return vals
}

// parsePattern parses a pattern (see Mux) into a route without a handler.
func parsePattern(pattern string) (*route, error) {
	if pattern == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	r := &route{pattern: pattern}
	path := pattern
	if i := strings.IndexAny(pattern, " \t"); i >= 0 && pattern[0] != '/' {
		// A method is a token, the same grammar as a field name.
		r.method, path = pattern[:i], strings.TrimLeft(pattern[i:], " \t")
		if !validHeaderName(r.method) {
			return nil, fmt.Errorf("method %q is not a token", r.method)
		}
	}
	if path == "" || path[0] != '/' {
		return nil, fmt.Errorf("path must begin with '/' (host patterns are not supported)")
	}
	parts := strings.Split(path[1:], "/")
	names := make(map[string]bool)
	for i, part := range parts {
		last := i == len(parts)-1
		var sg segment
		switch {
		case part == "" && last:
			sg = segment{kind: segRest} // a trailing slash: the subtree
		case part == "":
			return nil, fmt.Errorf("empty segment")
		case part == "{$}":
			if !last {
				return nil, fmt.Errorf("{$} must be the last segment")
			}
			sg = segment{kind: segLiteral}
		case part[0] == '{' && part[len(part)-1] == '}':
			name, rest := strings.CutSuffix(part[1:len(part)-1], "...")
			if rest && !last {
				return nil, fmt.Errorf("{%s...} must be the last segment", name)
			}
			if !validWildcardName(name) {
				return nil, fmt.Errorf("wildcard name %q is not a Go identifier", name)
			}
			if names[name] {
				return nil, fmt.Errorf("duplicate wildcard name %q", name)
			}
			names[name] = true
			sg = segment{kind: segWild, text: name}
			if rest {
				sg.kind = segRest
			}
			r.nwild++
		default:
			lit, err := normalizeLiteral(part)
			if err != nil {
				return nil, err
			}
			sg = segment{kind: segLiteral, text: lit}
		}
		r.segs = append(r.segs, sg)
	}
	return r, nil
}

// validWildcardName reports whether name is a Go identifier.
func validWildcardName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		if !unicode.IsLetter(c) && c != '_' && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

// normalizeLiteral checks a pattern's literal segment and returns it with
// the hex digits of its escapes upper-cased, the form compareSegment
// expects.
func normalizeLiteral(s string) (string, error) {
	if isDotSegment(s) {
		return "", fmt.Errorf("dot-segment %q never matches (paths with dot-segments get 404)", s)
	}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '%':
			if i+2 >= len(b) || !isQueryHex(b[i+1]) || !isQueryHex(b[i+2]) {
				return "", fmt.Errorf("malformed percent escape in %q", s)
			}
			b[i+1], b[i+2] = upperHex(b[i+1]), upperHex(b[i+2])
			i += 2
		case c == '{' || c == '}':
			return "", fmt.Errorf("wildcard in %q is not a whole segment", s)
		case c == '?' || c == '#':
			return "", fmt.Errorf("%q in segment %q: a path has no query or fragment", c, s)
		case c <= ' ' || c >= 0x7f:
			// The server refuses such bytes in a request target, so the
			// literal could never match; "é" must be written "%C3%A9".
			return "", fmt.Errorf("byte %#x in %q: only visible ASCII can match; percent-encode the rest", c, s)
		}
	}
	return string(b), nil
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - ('a' - 'A')
	}
	return c
}

// canonicalPath reports whether the raw request path p begins with '/' and
// has no empty segment except the last and no dot-segment; only such paths
// can match a pattern (see Mux).
func canonicalPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		s := p[start:i]
		if (s == "" && i < len(p)) || isDotSegment(s) {
			return false
		}
		start = i + 1
	}
	return true
}

// isDotSegment reports whether the raw segment s is "." or "..", with any
// of the dots percent-encoded as "%2E" or "%2e" (RFC 3986 §2.3 makes them
// equivalent, and some proxies decode them before resolving).
func isDotSegment(s string) bool {
	dots := 0
	for i := 0; i < len(s); dots++ {
		switch {
		case s[i] == '.':
			i++
		case s[i] == '%' && i+2 < len(s) && s[i+1] == '2' && s[i+2]|0x20 == 'e':
			i += 3
		default:
			return false
		}
	}
	return dots == 1 || dots == 2
}

// unescapePath decodes the percent escapes in s ('+' stays '+': this is a
// path, not a form). If an escape is malformed it returns s unchanged. It
// returns s itself, without copying, when there is nothing to decode.
func unescapePath(s string) string {
	n := strings.Count(s, "%")
	if n == 0 {
		return s
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isQueryHex(s[i+1]) || !isQueryHex(s[i+2]) {
				return s
			}
			i += 2
		}
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			b = append(b, queryHexValue(s[i+1])<<4|queryHexValue(s[i+2]))
			i += 2
		} else {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// A node is a position in the routing tree: the patterns whose first k
// segments lead to it. Nodes are immutable once reachable from Mux.root;
// insert copies the nodes it changes.
type node struct {
	lits []litChild // by text, sorted (strings.Compare)
	wild *node      // the {name} child, whatever the name
	rest routeSet   // patterns whose next segment is {name...} or a trailing slash
	end  routeSet   // patterns that end here
}

type litChild struct {
	text string // a normalized literal; "" for {$}
	n    *node
}

// A routeSet holds the patterns of one path shape, by method.
type routeSet struct {
	any      *route   // the pattern without a method, or nil
	byMethod []*route // patterns with a method, in registration order
}

// match returns the most specific route under n matching the rest of a
// path, s (what follows a '/'), and method, or nil. It tries the literal
// child, then the wildcard, then the subtree patterns, and takes the first
// full match: that order is the precedence rule. Each node is visited at
// most once, so the cost is bounded by the tree, not the path.
func (n *node) match(s, method string) *route {
	seg, tail, more := cutSegment(s)
	if c := n.literal(seg); c != nil {
		if r := c.matchNext(tail, more, method); r != nil {
			return r
		}
	}
	if n.wild != nil && seg != "" {
		if r := n.wild.matchNext(tail, more, method); r != nil {
			return r
		}
	}
	return n.rest.pick(method)
}

// matchNext continues match in n once a segment has been consumed: at the
// next segment if there is one (more), or at the end of the path.
func (n *node) matchNext(tail string, more bool, method string) *route {
	if more {
		return n.match(tail, method)
	}
	return n.end.pick(method)
}

// cutSegment splits s at its first '/': seg before it, tail after it, and
// whether there was one.
func cutSegment(s string) (seg, tail string, more bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// literal returns the child for the raw request segment seg, or nil.
func (n *node) literal(seg string) *node {
	// Without escapes, seg compares as it is (and memcmp is faster).
	cmp := strings.Compare
	if strings.IndexByte(seg, '%') >= 0 {
		cmp = compareSegment
	}
	lo, hi := 0, len(n.lits)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := cmp(seg, n.lits[m].text); {
		case c == 0:
			return n.lits[m].n
		case c > 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return nil
}

// compareSegment compares the raw request segment seg, with the hex digits
// of its escapes upper-cased, with the normalized literal lit, as
// strings.Compare would. It does not allocate.
func compareSegment(seg, lit string) int {
	esc := 0 // hex digits of an escape still to come
	for i := 0; i < len(seg) && i < len(lit); i++ {
		c := seg[i]
		switch {
		case esc > 0:
			c = upperHex(c)
			esc--
		case c == '%':
			esc = 2
		}
		if c != lit[i] {
			if c < lit[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(seg) < len(lit):
		return -1
	case len(seg) > len(lit):
		return 1
	}
	return 0
}

// pick returns the route of s for method: the one naming method, else for
// HEAD the one naming GET, else the one naming none (which may be nil).
func (s *routeSet) pick(method string) *route {
	var get *route
	for _, r := range s.byMethod {
		if r.method == method {
			return r
		}
		if r.method == "GET" {
			get = r
		}
	}
	if method == "HEAD" && get != nil {
		return get
	}
	return s.any
}

// allowHeader returns the value of the Allow header for a path (s follows
// the first '/') that no pattern matches with the request's method: the
// sorted methods of the patterns matching the path, or "" if there are
// none. Only the 405 path calls it, so it may allocate.
func (n *node) allowHeader(s string) string {
	var methods []string
	n.collectMethods(s, &methods)
	if len(methods) == 0 {
		return ""
	}
	if slices.Contains(methods, "GET") {
		methods = append(methods, "HEAD")
	}
	slices.Sort(methods)
	return strings.Join(slices.Compact(methods), ", ")
}

// collectMethods appends to methods those of every route under n whose
// path matches s, visiting the nodes match would.
func (n *node) collectMethods(s string, methods *[]string) {
	seg, tail, more := cutSegment(s)
	next := func(c *node) {
		if more {
			c.collectMethods(tail, methods)
		} else {
			c.end.appendMethods(methods)
		}
	}
	if c := n.literal(seg); c != nil {
		next(c)
	}
	if n.wild != nil && seg != "" {
		next(n.wild)
	}
	n.rest.appendMethods(methods)
}

func (s *routeSet) appendMethods(methods *[]string) {
	for _, r := range s.byMethod {
		*methods = append(*methods, r.method)
	}
}

// insert returns a copy of n (nil: an empty node) with r added below it,
// r.segs[i:] being the segments still to place. It shares every node it
// does not change with n, and never modifies n. It panics if a route of the
// same shape and method is already there.
func (n *node) insert(r *route, i int) *node {
	c := new(node)
	if n != nil {
		*c = *n
	}
	if i == len(r.segs) {
		c.end = c.end.with(r)
		return c
	}
	switch sg := r.segs[i]; sg.kind {
	case segLiteral:
		j, found := slices.BinarySearchFunc(c.lits, sg.text, func(lc litChild, t string) int {
			return strings.Compare(lc.text, t)
		})
		var old *node
		if found {
			old = c.lits[j].n
		}
		lits := slices.Clone(c.lits)
		if !found {
			lits = slices.Insert(lits, j, litChild{text: sg.text})
		}
		lits[j].n = old.insert(r, i+1)
		c.lits = lits
	case segWild:
		c.wild = c.wild.insert(r, i+1)
	case segRest:
		c.rest = c.rest.with(r)
	}
	return c
}

// with returns s plus r, sharing nothing s could see change. It panics if s
// already has a route for r's method (or lack of one).
func (s routeSet) with(r *route) routeSet {
	if r.method == "" {
		if s.any != nil {
			panicConflict(r, s.any)
		}
		s.any = r
		return s
	}
	for _, o := range s.byMethod {
		if o.method == r.method {
			panicConflict(r, o)
		}
	}
	s.byMethod = append(slices.Clip(s.byMethod), r)
	return s
}

func panicConflict(r, old *route) {
	panic(fmt.Sprintf("httpserver: Mux.Route(%q): pattern matches the same requests as %q, registered earlier", r.pattern, old.pattern))
}
