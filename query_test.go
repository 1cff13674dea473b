package httpserver

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// qv is a QueryValue with a value; qbare is a bare one.
func qv(v string) QueryValue { return QueryValue{Value: v} }

var qbare = QueryValue{Bare: true}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		want    Query
		wantErr string // "" for no error
	}{
		{"", nil, ""},
		{"a=1", Query{"a": {qv("1")}}, ""},
		{"a=1&b=2", Query{"a": {qv("1")}, "b": {qv("2")}}, ""},
		{"a=1&&b=2", Query{"a": {qv("1")}, "b": {qv("2")}}, ""},
		{"&a=1&", Query{"a": {qv("1")}}, ""},
		{"&", Query{}, ""},
		{"&&&", Query{}, ""},
		{"debug", Query{"debug": {qbare}}, ""},
		{"a=", Query{"a": {qv("")}}, ""},
		{"=x", Query{"": {qv("x")}}, ""},
		{"=", Query{"": {qv("")}}, ""},
		{"a=b=c", Query{"a": {qv("b=c")}}, ""},
		{"a=1&a=2&a&a=", Query{"a": {qv("1"), qv("2"), qbare, qv("")}}, ""},
		{"b=2&a=1&b=3", Query{"a": {qv("1")}, "b": {qv("2"), qv("3")}}, ""},
		{"A=1&a=2", Query{"A": {qv("1")}, "a": {qv("2")}}, ""}, // keys are case-sensitive
		{"a+b=c+d", Query{"a b": {qv("c d")}}, ""},
		{"a%20b=c%20d", Query{"a b": {qv("c d")}}, ""},
		{"+", Query{" ": {qbare}}, ""},
		{"a=%2B", Query{"a": {qv("+")}}, ""},
		{"a=%2b%2F", Query{"a": {qv("+/")}}, ""},
		{"%3D=%26", Query{"=": {qv("&")}}, ""},
		{"%61=%62", Query{"a": {qv("b")}}, ""},
		{"a=1;b=2", Query{"a": {qv("1;b=2")}}, ""}, // ';' is not a separator
		{"a;b", Query{"a;b": {qbare}}, ""},
		{"k=%E2%82%AC", Query{"k": {qv("€")}}, ""},
		{"k=%e2%82%ac", Query{"k": {qv("€")}}, ""},
		{"%E6%97%A5%E6%9C%AC=1", Query{"日本": {qv("1")}}, ""},
		{"k=é", Query{"k": {qv("é")}}, ""}, // raw UTF-8 passes through
		{"k=%FF", Query{"k": {qv("\xff")}}, ""},
		{"k=%00", Query{"k": {qv("\x00")}}, ""},
		{"a=%zz&b=2", Query{"b": {qv("2")}}, `httpserver: invalid query escape in "a=%zz"`},
		{"a=%4", Query{}, `httpserver: invalid query escape in "a=%4"`},
		{"a=%", Query{}, `httpserver: invalid query escape in "a=%"`},
		{"a=%%41", Query{}, `httpserver: invalid query escape in "a=%%41"`},
		{"a=%4g", Query{}, `httpserver: invalid query escape in "a=%4g"`},
		{"%zz=1", Query{}, `httpserver: invalid query escape in "%zz=1"`},
		{"%", Query{}, `httpserver: invalid query escape in "%"`},
		{"x=1&%zz=1&%4=2&y=2", Query{"x": {qv("1")}, "y": {qv("2")}}, `httpserver: invalid query escape in "%zz=1"`},
		{"a=1&a=%zz&a=3", Query{"a": {qv("1"), qv("3")}}, `httpserver: invalid query escape in "a=%zz"`},
	}
	for _, tt := range tests {
		got, err := ParseQuery(tt.in)
		if !reflect.DeepEqual(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("ParseQuery(%q) = %s, want %s", tt.in, queryDump(got), queryDump(tt.want))
		}
		if gotErr := errString(err); gotErr != tt.wantErr {
			t.Errorf("ParseQuery(%q) error = %q, want %q", tt.in, gotErr, tt.wantErr)
		}
		if err != nil && got == nil {
			t.Errorf("ParseQuery(%q) = nil Query with error %v, want non-nil", tt.in, err)
		}
	}
}

// queryDump renders q with sorted keys, showing nil, bare and empty values
// distinctly.
func queryDump(q Query) string {
	if q == nil {
		return "nil"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%q:[", k)
		for j, v := range q[k] {
			if j > 0 {
				b.WriteString(" ")
			}
			if v.Bare {
				fmt.Fprintf(&b, "bare(%q)", v.Value)
			} else {
				fmt.Fprintf(&b, "%q", v.Value)
			}
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	return b.String()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestQueryAccessors(t *testing.T) {
	q, err := ParseQuery("a=1&a=2&debug&empty=&debug=on&sp=x+y")
	if err != nil {
		t.Fatalf("ParseQuery: %v", err)
	}
	tests := []struct {
		q          Query
		key        string
		wantGet    string
		wantHas    bool
		wantValues []string
	}{
		{q, "a", "1", true, []string{"1", "2"}},
		{q, "debug", "", true, []string{"", "on"}},
		{q, "empty", "", true, []string{""}},
		{q, "sp", "x y", true, []string{"x y"}},
		{q, "missing", "", false, nil},
		{q, "A", "", false, nil},
		{nil, "a", "", false, nil},
		{Query{"k": nil}, "k", "", false, nil},
	}
	for _, tt := range tests {
		if got := tt.q.Get(tt.key); got != tt.wantGet {
			t.Errorf("%s.Get(%q) = %q, want %q", queryDump(tt.q), tt.key, got, tt.wantGet)
		}
		if got := tt.q.Has(tt.key); got != tt.wantHas {
			t.Errorf("%s.Has(%q) = %v, want %v", queryDump(tt.q), tt.key, got, tt.wantHas)
		}
		got := tt.q.Values(tt.key)
		if !slices.Equal(got, tt.wantValues) || (got == nil) != (tt.wantValues == nil) {
			t.Errorf("%s.Values(%q) = %#v, want %#v", queryDump(tt.q), tt.key, got, tt.wantValues)
		}
	}
}

// TestQueryValuesIsACopy checks that the caller owns the slice Values returns.
func TestQueryValuesIsACopy(t *testing.T) {
	q := Query{"a": {qv("1"), qv("2")}}
	vs := q.Values("a")
	vs[0] = "changed"
	if got := q.Get("a"); got != "1" {
		t.Errorf("after modifying Values result, Get(%q) = %q, want %q", "a", got, "1")
	}
}

// queryPairs returns n pairs "k0=v0&k1=v1&...".
func queryPairs(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("k%d=v%d", i, i)
	}
	return strings.Join(parts, "&")
}

func TestParseQueryPairCap(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantLen  int // number of keys
		wantErr  string
		wantLast string // a key that must be present, or ""
	}{
		{"exactly 1000", queryPairs(1000), 1000, "", "k999"},
		{"1001", queryPairs(1001), 1000, "httpserver: too many query parameters", "k999"},
		{"5000", queryPairs(5000), 1000, "httpserver: too many query parameters", "k999"},
		{"1000 with empty segments", "&&&" + strings.ReplaceAll(queryPairs(1000), "&", "&&") + "&&", 1000, "", "k999"},
		{"1000 then empty segments", queryPairs(1000) + strings.Repeat("&", 100), 1000, "", "k999"},
		{"1000 same key", strings.Repeat("a&", 1000), 1, "", "a"},
		{"1001 same key", strings.Repeat("a&", 1001), 1, "httpserver: too many query parameters", "a"},
		// The cap error wins over an earlier escape error: it says pairs are missing.
		{"escape error then cap", "bad=%zz&" + queryPairs(1000), 999, "httpserver: too many query parameters", "k998"},
		{"escape error within cap", "bad=%zz&" + queryPairs(999), 999, `httpserver: invalid query escape in "bad=%zz"`, "k998"},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.in)
		if got := errString(err); got != tt.wantErr {
			t.Errorf("%s: ParseQuery error = %q, want %q", tt.name, got, tt.wantErr)
		}
		if got := len(q); got != tt.wantLen {
			t.Errorf("%s: ParseQuery gave %d keys, want %d", tt.name, got, tt.wantLen)
		}
		if tt.wantLast != "" && !q.Has(tt.wantLast) {
			t.Errorf("%s: ParseQuery result Has(%q) = false, want true", tt.name, tt.wantLast)
		}
	}
	q, _ := ParseQuery(strings.Repeat("a&", 1001))
	if got := len(q["a"]); got != 1000 {
		t.Errorf("ParseQuery(1001 × %q): len(Values) = %d, want 1000", "a", got)
	}
}

// TestParseQueryNoCopy checks that keys and values without '%' or '+' are
// substrings of the input rather than copies.
func TestParseQueryNoCopy(t *testing.T) {
	in := "alpha=one&beta&gamma=&=delta&k=%41&plus=a+b"
	q, err := ParseQuery(in)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", in, err)
	}
	inside := func(s string) bool {
		if s == "" {
			return true // nothing to copy
		}
		start := uintptr(unsafe.Pointer(unsafe.StringData(in)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return p >= start && p < start+uintptr(len(in))
	}
	tests := []struct {
		s    string
		want bool // whether s should alias in
	}{
		{q.Get("alpha"), true},
		{keyOf(q, "alpha"), true},
		{keyOf(q, "beta"), true},
		{keyOf(q, "gamma"), true},
		{q.Get(""), true},
		{q.Get("k"), false}, // decoded
		{q.Get("plus"), false},
	}
	for _, tt := range tests {
		if got := inside(tt.s); got != tt.want {
			t.Errorf("ParseQuery(%q): %q aliases the input = %v, want %v", in, tt.s, got, tt.want)
		}
	}
}

// keyOf returns the map's own copy of key, so its storage can be inspected.
func keyOf(q Query, key string) string {
	for k := range q {
		if k == key {
			return k
		}
	}
	return ""
}

func TestQueryAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation budgets are checked without -race")
	}
	q, _ := ParseQuery("a=1&b=2&debug")
	tests := []struct {
		name string
		f    func()
	}{
		{"Get", func() { _ = q.Get("a") }},
		{"Get absent", func() { _ = q.Get("zzz") }},
		{"Has", func() { _ = q.Has("debug") }},
		{"unescapeQuery plain", func() { _, _ = unescapeQuery("plain-value") }},
		{"unescapeQuery escaped", func() { _, _ = unescapeQuery("a%20b+c") }},
	}
	budget := map[string]float64{"unescapeQuery escaped": 1}
	for _, tt := range tests {
		if got, want := testing.AllocsPerRun(100, tt.f), budget[tt.name]; got != want {
			t.Errorf("%s: AllocsPerRun = %v, want %v", tt.name, got, want)
		}
	}
}

// FuzzParseQuery compares ParseQuery with net/url.ParseQuery, which follows
// the same rules except that it rejects ';' and knows no bare keys. Every
// disagreement on inputs without ';' and within the pair cap is a bug.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "a", "=x", "a+b=%20", "%zz", "a=%4", "k=%E2%82%AC", "&&a&&", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseQuery(s)
		if err != nil && got == nil {
			t.Fatalf("ParseQuery(%q) = nil, %v; want non-nil Query with an error", s, err)
		}
		if strings.Contains(s, ";") || strings.Count(s, "&") >= maxQueryPairs {
			return
		}
		want, wantErr := url.ParseQuery(s)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseQuery(%q) error = %v, want error %v (as net/url)", s, err, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("ParseQuery(%q) = %s, want %v (as net/url)", s, queryDump(got), want)
		}
		for k, vs := range want {
			if g := got.Values(k); !slices.Equal(g, vs) {
				t.Fatalf("ParseQuery(%q).Values(%q) = %q, want %q (as net/url)", s, k, g, vs)
			}
		}
	})
}

func BenchmarkParseQuery(b *testing.B) {
	const in = "q=golang+http&page=2&sort=desc&debug&lang=%E6%97%A5"
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseQuery(in)
	}
}
