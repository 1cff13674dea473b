package negotiate

import (
	"strconv"
	"strings"
	"testing"
)

// The order compress offers by default, and fileserver's.
var (
	onTheFly = []string{"zstd", "br", "gzip"}
	siblings = []string{"br", "zstd", "gzip"}
)

func TestEncoding(t *testing.T) {
	const zstd, br, gzip, none = 0, 1, 2, -1
	tests := []struct {
		accept  string
		offered []string
		want    int
		refused bool // identity refused
	}{
		{"", onTheFly, none, false},
		{"gzip", onTheFly, gzip, false},
		{"gzip, deflate, br, zstd", onTheFly, zstd, false}, // Chrome, Firefox: all at 1, zstd first
		{"gzip, deflate, br", onTheFly, br, false},         // Safari: br beats gzip on a tie
		{"gzip, deflate, br, zstd", siblings, 0, false},    // fileserver's order: br
		{"gzip;q=1, zstd;q=0.5", onTheFly, gzip, false},
		{"gzip;q=0.5, br;q=0.8, zstd;q=0.7", onTheFly, br, false},
		{"zstd;q=0", onTheFly, none, false},
		{"zstd;q=0, gzip", onTheFly, gzip, false},
		{"*", onTheFly, zstd, false},
		{"*;q=0.5, gzip", onTheFly, gzip, false},
		{"*;q=0.5, zstd;q=0", onTheFly, br, false},
		{"*;q=0", onTheFly, none, true},
		{"*;q=0, identity", onTheFly, none, false},
		{"*;q=0, gzip", onTheFly, gzip, true},
		{"identity", onTheFly, none, false},
		{"identity;q=1, br;q=0.5", onTheFly, none, false},
		{"identity;q=0.5, br", onTheFly, br, false},
		{"identity;q=0, br", onTheFly, br, true},
		{"identity;q=0", onTheFly, none, true},
		{"identity;q=0, compress", onTheFly, none, true}, // nothing acceptable: the caller decides
		{"gzip;q=0.5, identity;q=0.5", onTheFly, gzip, false},
		{"x-gzip", onTheFly, gzip, false},
		{"X-GZIP;Q=0.2, identity;q=0.1", onTheFly, gzip, false},
		{"BR", onTheFly, br, false},
		{"Gzip ; Q=0.7", onTheFly, gzip, false},
		{"\tgzip\t;\tq=0.7\t", onTheFly, gzip, false},
		{"br", []string{"", "", "gzip"}, none, false},
		{"br, gzip", []string{"", "", "gzip"}, gzip, false},
		{"br;q=1.5, gzip;q=0.1", onTheFly, gzip, false},    // malformed weight: skipped
		{"br;q=0.0001, gzip;q=0.1", onTheFly, gzip, false}, // four decimals: malformed
		{"br;q=, gzip", onTheFly, gzip, false},
		{"br;q= 0.5, gzip;q=0.1", onTheFly, gzip, false}, // no space around "=" in a weight
		{"identity;q=x", onTheFly, none, false},          // a malformed refusal refuses nothing
		{"gzip;q=0.001", onTheFly, gzip, false},
		{"br;level=5, gzip", onTheFly, br, false},
		{"br;level=5;q=0.1, gzip;q=0.2", onTheFly, gzip, false},
		{",,gzip,,", onTheFly, gzip, false},
		{"compress, deflate", onTheFly, none, false},
		{"gzip;q=0, gzip;q=1", onTheFly, gzip, false}, // the last element counts
		{"gzip;q=1, gzip;q=0", onTheFly, none, false},
		{"gzip", nil, none, false},
		{"gzip", []string{"GZIP"}, 0, false},
	}
	for _, tt := range tests {
		got, refused := Encoding(tt.accept, tt.offered)
		if got != tt.want || refused != tt.refused {
			t.Errorf("Encoding(%q, %q) = %d, %v; want %d, %v", tt.accept, tt.offered, got, refused, tt.want, tt.refused)
		}
	}
}

func TestEncodingTooMany(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Encoding with 9 offered codings did not panic")
		}
	}()
	Encoding("gzip", make([]string, MaxOffered+1))
}

func TestParseQ(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1000, true}, {"1.", 1000, true}, {"1.000", 1000, true}, {"0", 0, true},
		{"0.5", 500, true}, {"0.05", 50, true}, {"0.123", 123, true},
		{"1.001", 0, false}, {"0.1234", 0, false}, {"2", 0, false}, {"", 0, false}, {".5", 0, false}, {"0,5", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseQ(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseQ(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestQValue(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 1000, true}, {" ", 1000, true}, {"q=0.5", 500, true}, {" Q=0.5 ", 500, true},
		{"level=1", 1000, true}, {"level=1;q=0", 0, true}, {"q=0.5;q=1", 500, true},
		{"q=5", 0, false}, {"q", 0, false},
	}
	for _, tt := range tests {
		got, ok := QValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("QValue(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEncodingAllocs(t *testing.T) {
	const accept = "gzip;q=0.8, deflate, BR;q=0.9, zstd;q=1.0, identity;q=0.1, *;q=0"
	if n := testing.AllocsPerRun(100, func() { Encoding(accept, onTheFly) }); n != 0 {
		t.Errorf("Encoding allocates %v times, want 0", n)
	}
}

// refEncoding is Encoding written the obvious way, from RFC 9110
// §12.5.3 and the rules of Encoding's doc comment, for the fuzzer to
// compare against: a map from lower-cased names to weights, parsed with
// strconv.
func refEncoding(accept string, offered []string) (int, bool) {
	weights := map[string]float64{}
	for _, elem := range strings.Split(accept, ",") {
		parts := strings.Split(elem, ";")
		name := strings.ToLower(strings.Trim(parts[0], " \t"))
		if name == "" {
			continue
		}
		w, valid := 1.0, true
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(strings.Trim(p, " \t"), "=")
			if strings.ToLower(k) != "q" {
				continue
			}
			valid = refQValid(v)
			if valid {
				w, _ = strconv.ParseFloat(v, 64)
			}
			break
		}
		if !valid {
			continue
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		weights[name] = w
	}
	weight := func(name string) (float64, bool) {
		if w, ok := weights[name]; ok {
			return w, true
		}
		w, ok := weights["*"]
		return w, ok
	}
	best, bestW := -1, 0.0
	for i, c := range offered {
		if c == "" {
			continue
		}
		if w, _ := weight(strings.ToLower(c)); w > bestW {
			best, bestW = i, w
		}
	}
	idW, idListed := weights["identity"]
	starW, starListed := weights["*"]
	refused := (idListed && idW == 0) || (!idListed && starListed && starW == 0)
	if best >= 0 && idListed && idW > bestW {
		best = -1
	}
	return best, refused
}

// refQValid is the qvalue grammar as a plain check.
func refQValid(v string) bool {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return false
	}
	if len(v) == 1 {
		return true
	}
	if v[1] != '.' || len(v) > 5 {
		return false
	}
	for _, c := range v[2:] {
		if c < '0' || c > '9' || (v[0] == '1' && c != '0') {
			return false
		}
	}
	return true
}

// FuzzEncoding compares Encoding with refEncoding on any field value, for
// the two orders the library offers. Its seeds (TestEncoding's values)
// run with every "go test".
func FuzzEncoding(f *testing.F) {
	for _, s := range []string{
		"", "gzip", "gzip, deflate, br, zstd", "gzip;q=0.5, br;q=0.8, zstd;q=0.7", "*;q=0",
		"identity;q=0, br", "*;q=0.5, zstd;q=0", "x-gzip", "Gzip ; Q=0.7", "br;q=1.5, gzip;q=0.1",
		"br;q=0.0001, gzip;q=0.1", "br;level=5;q=0.1, gzip;q=0.2", ",,gzip,,", "identity;q=1, br;q=0.5",
		"gzip;q=0, gzip;q=1", "zstd;q=1.000, br;q=1., gzip;q=0.999", "\tbr\t;\tq=0\t,*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		for _, offered := range [][]string{onTheFly, siblings, {"", "zstd", ""}} {
			got, refused := Encoding(accept, offered)
			want, wantRefused := refEncoding(accept, offered)
			if got != want || refused != wantRefused {
				t.Fatalf("Encoding(%q, %q) = %d, %v; the reference says %d, %v", accept, offered, got, refused, want, wantRefused)
			}
			if got >= len(offered) || got < -1 || (got >= 0 && offered[got] == "") {
				t.Fatalf("Encoding(%q, %q) = %d: not an offered coding", accept, offered, got)
			}
		}
	})
}
