package httpserver

import (
	"slices"
	"strings"
	"testing"
)

// hdrFromPairs builds a Header from alternating names and values, in order.
func hdrFromPairs(kv ...string) Header {
	var h Header
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// hdrDump renders h in wire order as "Name: value" lines joined by "|", so
// that a test failure shows names, case and order at a glance.
func hdrDump(h *Header) string {
	var lines []string
	for name, value := range h.All() {
		lines = append(lines, name+": "+value)
	}
	return strings.Join(lines, "|")
}

func TestHeaderGetHas(t *testing.T) {
	tests := []struct {
		fields  []string
		name    string
		want    string
		wantHas bool
	}{
		{nil, "Host", "", false},
		{[]string{"Host", "example.com"}, "Host", "example.com", true},
		{[]string{"Host", "example.com"}, "host", "example.com", true},
		{[]string{"Host", "example.com"}, "HOST", "example.com", true},
		{[]string{"hOsT", "example.com"}, "Host", "example.com", true},
		{[]string{"Host", "example.com"}, "Hos", "", false},
		{[]string{"Host", "example.com"}, "Hostx", "", false},
		{[]string{"Host", "example.com"}, "", "", false},
		{[]string{"", "v"}, "", "v", true},
		{[]string{"X-Empty", ""}, "x-empty", "", true},
		{[]string{"Accept", "a", "accept", "b"}, "ACCEPT", "a", true},
		{[]string{"A", "1", "B", "2", "C", "3"}, "c", "3", true},
		{[]string{"Content-Type", "text/plain"}, "content_type", "", false},
		// U+212A KELVIN SIGN folds to 'k' under Unicode rules, not ASCII ones.
		{[]string{"X-Kelvin", "1"}, "X-\u212aelvin", "", false},
		{[]string{"X-\u212aelvin", "1"}, "X-\u212aelvin", "1", true},
		// '@' and '[' sit just before 'A' and after 'Z': they must not fold.
		{[]string{"X-@", "1"}, "X-`", "", false},
		{[]string{"X-[", "1"}, "X-{", "", false},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		if got := h.Get(tt.name); got != tt.want {
			t.Errorf("header %q: Get(%q) = %q, want %q", tt.fields, tt.name, got, tt.want)
		}
		if got := h.Has(tt.name); got != tt.wantHas {
			t.Errorf("header %q: Has(%q) = %v, want %v", tt.fields, tt.name, got, tt.wantHas)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	tests := []struct {
		fields []string
		name   string
		want   []string
	}{
		{nil, "Accept", nil},
		{[]string{"Host", "h"}, "Accept", nil},
		{[]string{"Accept", "a"}, "accept", []string{"a"}},
		{[]string{"Accept", "a", "Host", "h", "ACCEPT", "b", "accept", ""}, "Accept", []string{"a", "b", ""}},
		{[]string{"X", "3", "X", "1", "X", "2"}, "x", []string{"3", "1", "2"}},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		got := h.Values(tt.name)
		if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("header %q: Values(%q) = %#v, want %#v", tt.fields, tt.name, got, tt.want)
		}
	}
}

func TestHeaderSet(t *testing.T) {
	tests := []struct {
		fields      []string
		name, value string
		want        string
	}{
		{nil, "Host", "h", "Host: h"},
		{[]string{"A", "1"}, "B", "2", "A: 1|B: 2"},
		{[]string{"A", "1"}, "A", "2", "A: 2"},
		// The replacement takes the case given to Set.
		{[]string{"content-type", "x"}, "Content-Type", "y", "Content-Type: y"},
		// Position of the first field is kept; later ones are removed.
		{[]string{"A", "1", "X", "a", "B", "2", "x", "b", "C", "3"}, "X", "z", "A: 1|X: z|B: 2|C: 3"},
		{[]string{"X", "a", "X", "b", "X", "c"}, "x", "z", "x: z"},
		{[]string{"A", "1", "B", "2", "X", "a"}, "X", "z", "A: 1|B: 2|X: z"},
		{[]string{"X", "a", "A", "1", "x", "b"}, "X", "", "X: |A: 1"},
		{[]string{"A", "1"}, "", "v", "A: 1|: v"},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		h.Set(tt.name, tt.value)
		if got := hdrDump(&h); got != tt.want {
			t.Errorf("header %q: after Set(%q, %q) = %q, want %q", tt.fields, tt.name, tt.value, got, tt.want)
		}
	}
}

func TestHeaderAdd(t *testing.T) {
	tests := []struct {
		fields      []string
		name, value string
		want        string
	}{
		{nil, "A", "1", "A: 1"},
		{[]string{"A", "1"}, "a", "2", "A: 1|a: 2"},
		{[]string{"A", "1", "B", "2"}, "A", "3", "A: 1|B: 2|A: 3"},
		// Add does not validate: the server checks fields when it writes them.
		{nil, "Bad Name", "x\r\ny", "Bad Name: x\r\ny"},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		h.Add(tt.name, tt.value)
		if got := hdrDump(&h); got != tt.want {
			t.Errorf("header %q: after Add(%q, %q) = %q, want %q", tt.fields, tt.name, tt.value, got, tt.want)
		}
	}
}

func TestHeaderDel(t *testing.T) {
	tests := []struct {
		fields []string
		name   string
		want   string
	}{
		{nil, "A", ""},
		{[]string{"A", "1"}, "B", "A: 1"},
		{[]string{"A", "1"}, "a", ""},
		{[]string{"A", "1", "B", "2", "a", "3", "C", "4", "A", "5"}, "A", "B: 2|C: 4"},
		{[]string{"X", "1", "X", "2", "X", "3"}, "x", ""},
		{[]string{"A", "1", "B", "2", "C", "3"}, "b", "A: 1|C: 3"},
		{[]string{"A", "1", "B", "2", "C", "3"}, "C", "A: 1|B: 2"},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		h.Del(tt.name)
		if got := hdrDump(&h); got != tt.want {
			t.Errorf("header %q: after Del(%q) = %q, want %q", tt.fields, tt.name, got, tt.want)
		}
		if h.Has(tt.name) {
			t.Errorf("header %q: after Del(%q), Has = true, want false", tt.fields, tt.name)
		}
	}
}

// TestHeaderDelReleasesStrings checks that Del clears the slots it vacates, so
// a pooled Header does not keep removed values alive.
func TestHeaderDelReleasesStrings(t *testing.T) {
	h := hdrFromPairs("A", "1", "X", "secret", "B", "2")
	h.Del("X")
	tail := h.fields[len(h.fields):cap(h.fields)]
	for i, f := range tail[:1] {
		if f != (HeaderField{}) {
			t.Errorf("after Del, vacated slot %d = %+v, want zero", i, f)
		}
	}
}

func TestHeaderAllOrder(t *testing.T) {
	h := hdrFromPairs("Host", "h", "accept", "a", "X-B", "b", "ACCEPT", "c")
	var got []string
	for name, value := range h.All() {
		got = append(got, name+"="+value)
	}
	want := []string{"Host=h", "accept=a", "X-B=b", "ACCEPT=c"}
	if !slices.Equal(got, want) {
		t.Errorf("All() = %q, want %q", got, want)
	}
}

func TestHeaderAllEarlyBreak(t *testing.T) {
	h := hdrFromPairs("A", "1", "B", "2", "C", "3")
	for stop := 0; stop < 3; stop++ {
		var got []string
		for name := range h.All() {
			got = append(got, name)
			if len(got) == stop+1 {
				break
			}
		}
		want := []string{"A", "B", "C"}[:stop+1]
		if !slices.Equal(got, want) {
			t.Errorf("All() with break after %d = %q, want %q", stop+1, got, want)
		}
	}
}

func TestHeaderZeroAndNil(t *testing.T) {
	var zero Header
	if got := zero.Len(); got != 0 {
		t.Errorf("zero Header: Len() = %d, want 0", got)
	}
	if got := hdrDump(&zero); got != "" {
		t.Errorf("zero Header: All() = %q, want empty", got)
	}
	zero.Set("A", "1")
	if got := zero.Get("a"); got != "1" {
		t.Errorf("zero Header after Set: Get(%q) = %q, want %q", "a", got, "1")
	}

	var nilH *Header
	if got := nilH.Get("A"); got != "" {
		t.Errorf("nil *Header: Get(%q) = %q, want \"\"", "A", got)
	}
	if nilH.Has("A") {
		t.Errorf("nil *Header: Has(%q) = true, want false", "A")
	}
	if got := nilH.Values("A"); got != nil {
		t.Errorf("nil *Header: Values(%q) = %q, want nil", "A", got)
	}
	if got := nilH.Len(); got != 0 {
		t.Errorf("nil *Header: Len() = %d, want 0", got)
	}
	if got := hdrDump(nilH); got != "" {
		t.Errorf("nil *Header: All() = %q, want empty", got)
	}
	if got := nilH.Clone(); got.Len() != 0 {
		t.Errorf("nil *Header: Clone().Len() = %d, want 0", got.Len())
	}
	if got := nilH.fieldsSlice(); got != nil {
		t.Errorf("nil *Header: fieldsSlice() = %v, want nil", got)
	}
}

func TestHeaderLen(t *testing.T) {
	tests := []struct {
		fields []string
		want   int
	}{
		{nil, 0},
		{[]string{"A", "1"}, 1},
		{[]string{"A", "1", "a", "2", "B", "3"}, 3},
	}
	for _, tt := range tests {
		h := hdrFromPairs(tt.fields...)
		if got := h.Len(); got != tt.want {
			t.Errorf("header %q: Len() = %d, want %d", tt.fields, got, tt.want)
		}
	}
}

func TestHeaderResetKeepsCapacity(t *testing.T) {
	h := hdrFromPairs("A", "1", "B", "2", "C", "3")
	before := cap(h.fields)
	h.Reset()
	if got := h.Len(); got != 0 {
		t.Errorf("after Reset: Len() = %d, want 0", got)
	}
	if got := cap(h.fields); got != before {
		t.Errorf("after Reset: cap = %d, want %d", got, before)
	}
	for i, f := range h.fields[:before] {
		if f != (HeaderField{}) {
			t.Errorf("after Reset: slot %d = %+v, want zero", i, f)
		}
	}
	h.Add("D", "4")
	if got := hdrDump(&h); got != "D: 4" {
		t.Errorf("after Reset and Add: %q, want %q", got, "D: 4")
	}
}

func TestHeaderClone(t *testing.T) {
	orig := hdrFromPairs("A", "1", "B", "2")
	c := orig.Clone()
	c.Set("A", "changed")
	c.Add("C", "3")
	if got, want := hdrDump(&orig), "A: 1|B: 2"; got != want {
		t.Errorf("original after mutating clone = %q, want %q", got, want)
	}
	if got, want := hdrDump(&c), "A: changed|B: 2|C: 3"; got != want {
		t.Errorf("clone after mutation = %q, want %q", got, want)
	}
	orig.Del("B")
	if got, want := hdrDump(&c), "A: changed|B: 2|C: 3"; got != want {
		t.Errorf("clone after mutating original = %q, want %q", got, want)
	}
}

func TestHeaderInternalAccess(t *testing.T) {
	var h Header
	h.appendField("Content-Length", "5")
	h.appendField("content-length", "6")
	got := h.fieldsSlice()
	want := []HeaderField{{"Content-Length", "5"}, {"content-length", "6"}}
	if !slices.Equal(got, want) {
		t.Errorf("fieldsSlice() = %+v, want %+v", got, want)
	}
}

func TestHeaderEqualFoldASCII(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"a", "a", true},
		{"a", "A", true},
		{"Content-Type", "content-type", true},
		{"CONTENT-TYPE", "content-type", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"ab", "abc", false},
		{"@", "`", false}, // 0x40 vs 0x60: differ only in bit 0x20, not letters
		{"[", "{", false},
		{"^", "~", false},
		{"\u212a", "k", false},
		{"\u212a", "K", false},
		{"é", "É", false}, // no Unicode folding
		{"é", "é", true},
	}
	for _, tt := range tests {
		if got := equalFoldASCII(tt.a, tt.b); got != tt.want {
			t.Errorf("equalFoldASCII(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestHeaderEqualFoldASCIIExhaustive compares equalFoldASCII with a reference
// on every pair of single bytes.
func TestHeaderEqualFoldASCIIExhaustive(t *testing.T) {
	lower := func(c byte) byte {
		if c >= 'A' && c <= 'Z' {
			return c + 32
		}
		return c
	}
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			want := lower(byte(a)) == lower(byte(b))
			if got := equalFoldASCII(string([]byte{byte(a)}), string([]byte{byte(b)})); got != want {
				t.Errorf("equalFoldASCII(%q, %q) = %v, want %v", byte(a), byte(b), got, want)
			}
		}
	}
}

func TestHeaderValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"", false},
		{"Host", true},
		{"Content-Type", true},
		{"X-Custom_Header.v2", true},
		{"!#$%&'*+-.^_`|~", true},
		{"0123456789", true},
		{"Bad Name", false},
		{"Bad:Name", false},
		{"Host:", false},
		{"X\r\nInjected", false},
		{"X\nY", false},
		{"X\tY", false},
		{"X\x00", false},
		{"X\x7f", false},
		{"é", false},
		{"(comment)", false},
		{"a/b", false},
		{"a@b", false},
		{"a\"b", false},
		{"a,b", false},
		{"a;b", false},
		{"a=b", false},
		{"{x}", false},
		{"[x]", false},
		{"a\\b", false},
		{"a<b>", false},
		{"a?", false},
	}
	for _, tt := range tests {
		if got := validHeaderName(tt.name); got != tt.want {
			t.Errorf("validHeaderName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestHeaderValidNameEveryByte checks validHeaderName on every single byte
// against the tchar rule of RFC 9110 section 5.6.2, written out differently.
func TestHeaderValidNameEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
		if got := validHeaderName(string([]byte{byte(c)})); got != want {
			t.Errorf("validHeaderName(%q) = %v, want %v", byte(c), got, want)
		}
	}
}

func TestHeaderValidValue(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"", true},
		{"text/html; charset=utf-8", true},
		{"a\tb", true},
		{" leading and trailing ", true},
		{"\t", true},
		{"obs-text \x80\xff", true},
		{"caf\u00e9", true},
		{"a\r\nX-Injected: 1", false},
		{"a\rb", false},
		{"a\nb", false},
		{"a\x00b", false},
		{"a\x01b", false},
		{"a\x1fb", false},
		{"a\x7fb", false},
		{"\x0b", false},
	}
	for _, tt := range tests {
		if got := validHeaderValue(tt.value); got != tt.want {
			t.Errorf("validHeaderValue(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

// TestHeaderValidValueEveryByte checks validHeaderValue on every single byte:
// only the controls other than HTAB are refused.
func TestHeaderValidValueEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c == '\t' || (c >= 0x20 && c != 0x7f)
		if got := validHeaderValue(string([]byte{byte(c)})); got != want {
			t.Errorf("validHeaderValue(%q) = %v, want %v", byte(c), got, want)
		}
	}
}

func TestHeaderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation budgets are checked without -race")
	}
	h := hdrFromPairs("Host", "example.com", "Accept", "a", "accept", "b", "X-Trace", "t")
	h.fields = slices.Grow(h.fields, 4) // room for the Add below

	tests := []struct {
		name string
		f    func()
	}{
		{"Get", func() { _ = h.Get("ACCEPT") }},
		{"Get absent", func() { _ = h.Get("Content-Length") }},
		{"Has", func() { _ = h.Has("x-trace") }},
		{"Set existing", func() { h.Set("host", "example.org") }},
		// Add fits in the capacity reserved above, and Set removes the duplicate
		// again, so each run starts from the same state.
		{"Set with duplicates", func() { h.Add("X-Dup", "1"); h.Add("x-dup", "2"); h.Set("X-Dup", "3") }},
		{"Del", func() { h.Add("X-Del", "1"); h.Add("x-del", "2"); h.Del("X-DEL") }},
		{"Del absent", func() { h.Del("X-Absent") }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s: AllocsPerRun = %v, want 0", tt.name, got)
		}
	}
}

func BenchmarkHeaderGet(b *testing.B) {
	h := hdrFromPairs("Host", "example.com", "User-Agent", "bench", "Accept", "*/*",
		"Accept-Encoding", "gzip", "Connection", "keep-alive", "Content-Length", "12")
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Get("content-length")
	}
}

// TestHeaderGrow: after Grow(n), adding n fields allocates nothing.
func TestHeaderGrow(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	allocs := testing.AllocsPerRun(100, func() {
		var h Header
		h.Grow(3)
		h.Add("A", "1")
		h.Add("B", "2")
		h.Add("C", "3")
		if h.Len() != 3 {
			t.Fatalf("got %d fields, want 3", h.Len())
		}
	})
	if allocs > 1 {
		t.Errorf("Grow(3) and three Adds: got %v allocations, want at most 1", allocs)
	}
}
