package etag

import "testing"

func TestScan(t *testing.T) {
	tests := []struct {
		in         string
		tag        string
		weak, ok   bool
		restPrefix string
	}{
		{`"a"`, `"a"`, false, true, ""},
		{`W/"a" , "b"`, `"a"`, true, true, `, "b"`},
		{`""`, `""`, false, true, ""},
		{`"a b"`, "", false, false, ""}, // space is not an etagc
		{`w/"a"`, "", false, false, ""}, // W/ is case-sensitive
		{`"é"`, `"é"`, false, true, ""}, // obs-text
		{`a`, "", false, false, ""},
	}
	for _, tt := range tests {
		tag, weak, rest, ok := Scan(tt.in)
		if tag != tt.tag || weak != tt.weak || ok != tt.ok || rest != tt.restPrefix {
			t.Errorf("Scan(%q) = %q, %v, %q, %v; want %q, %v, %q, %v", tt.in, tag, weak, rest, ok, tt.tag, tt.weak, tt.restPrefix, tt.ok)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		list   string
		etag   string
		strong bool
		want   bool
	}{
		{`"a"`, `"a"`, true, true},
		{`W/"a"`, `"a"`, true, false},
		{`W/"a"`, `"a"`, false, true},
		{`"b", "a"`, `"a"`, true, true},
		{` "b" ,W/"a" `, `"a"`, false, true},
		{`*`, `"a"`, true, true},
		{` * `, `"a"`, false, true},
		{`*`, "", false, false},
		{`"a"`, "", false, false},
		{`"b" x, "a"`, `"a"`, false, false}, // malformed: the list ends
		{`x, "a"`, `"a"`, false, false},
		{`"a-gzip"`, `"a"`, false, false},
		{``, `"a"`, false, false},
	}
	for _, tt := range tests {
		if got := Match(tt.list, tt.etag, tt.strong); got != tt.want {
			t.Errorf("Match(%q, %q, strong %v) = %v, want %v", tt.list, tt.etag, tt.strong, got, tt.want)
		}
	}
}
