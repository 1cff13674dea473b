package proxyproto

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// tableInputs are the inputs of every table in the package's tests.
func tableInputs() []string {
	var in []string
	for _, tc := range validV1 {
		in = append(in, tc.in)
	}
	for _, tc := range validV2 {
		in = append(in, tc.in)
	}
	for _, tc := range invalidV1 {
		in = append(in, tc.in)
	}
	for _, tc := range invalidV2 {
		in = append(in, tc.in)
	}
	for _, tc := range earlyVerdicts {
		in = append(in, tc.in)
	}
	return in
}

// validInputs are the valid headers of the tables, with what they parse to.
func validInputs() []validCase {
	all := append(append([]validCase(nil), validV1...), validV2...)
	for i := range all {
		all[i].want.N = len(all[i].in)
	}
	return all
}

// TestSplits gives Parse every prefix of every table input, each in a
// buffer of its own (so that nothing past the prefix can be read): each
// must return ErrIncomplete or the verdict on the whole, and, since the
// tables' inputs are whole headers, the whole must not be incomplete.
func TestSplits(t *testing.T) {
	for _, in := range tableInputs() {
		whole := parse([]byte(in))
		if whole.err == ErrIncomplete {
			t.Errorf("Parse(%q): ErrIncomplete for a table input", in)
			continue
		}
		decided := -1 // the shortest prefix with the whole's verdict
		for i := 0; i < len(in); i++ {
			got := parse([]byte(in[:i]))
			switch {
			case got.err == ErrIncomplete:
				if decided >= 0 {
					t.Errorf("Parse(%q[:%d]): ErrIncomplete after the verdict at %d", in, i, decided)
				}
			case got.equal(whole):
				if decided < 0 {
					decided = i
				}
			default:
				t.Errorf("Parse(%q[:%d]):\n got %v\nwant ErrIncomplete or %v", in, i, got, whole)
			}
		}
	}
}

// earlyVerdicts are inputs refused as soon as a byte condemns them: the
// prefix of at bytes gets the verdict, the one before it ErrIncomplete.
var earlyVerdicts = []struct {
	in   string
	at   int
	want error
}{
	{"GET / HTTP/1.1\r\n", 1, errNoSignature},
	{"\x16\x03\x01", 1, errNoSignature},
	{"PUT / HTTP/1.1\r\n", 2, errNoSignature},
	{"PRI * HTTP/2.0\r\n", 3, errNoSignature},
	{"PROXY\r\n", 6, errNoSignature},
	{"\r\n\r\n\x00\r\nQUIT\r", 12, errNoSignature},
	{"PROXY TCP5 1.2.3.4", 10, errV1Protocol},
	{"PROXY TCP4\r\n", 11, errV1Protocol},
	{"PROXY X", 7, errV1Protocol},
	{"PROXY UNKNOWNx\r\n", 14, errV1Protocol},
	{"PROXY UNKNOWN a\nb", 16, errV1CRLF},
	{"PROXY TCP4 1.2.3.x", 18, errV1Source},
	{"PROXY TCP4 1.2.3.4.5.6.7.8.9.0.1 ", 27, errV1Source},
	{"PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", 20, errV1Source},
	{"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 31, errV1CRLF},
	{"PROXY TCP4 1.2.3.4 5.6.7.8 123456", 33, errV1SrcPort},
	{"PROXY UNKNOWN " + strings.Repeat("x", 200), 107, errV1TooLong},
	{v2(0x11, famTCP4, addrs4), 13, errV2Version},
	{v2(0x23, famTCP4, addrs4), 13, errV2Command},
	{v2(cmdProxy, 0x14, addrs4), 14, errV2Family},
	{v2len(cmdProxy, famTCP4, 0xffff, addrs4), 16, errV2TooLong},
	{v2len(cmdProxy, famTCP6, 12, addrs4), 16, errV2Short},
	{v2(cmdProxy, famTCP4, addrs4, tlv(TypeCRC32C, "abcd")), 16 + 12 + 7, ErrChecksum},
}

func TestEarlyVerdict(t *testing.T) {
	for _, tc := range earlyVerdicts {
		if got := parse([]byte(tc.in[:tc.at-1])); got.err != ErrIncomplete {
			t.Errorf("Parse(%q): got %v, want ErrIncomplete", tc.in[:tc.at-1], got)
		}
		if got := parse([]byte(tc.in[:tc.at])); got.err != tc.want {
			t.Errorf("Parse(%q): got %v, want %v", tc.in[:tc.at], got, tc.want)
		}
	}
}

// TestPipelined: whatever follows a header, n is exactly the header's
// length, and the header is the same.
func TestPipelined(t *testing.T) {
	for _, tc := range validInputs() {
		for _, rest := range []string{
			httpRequest,
			"\r\n",
			"\x16\x03\x01\x00\xa5\x01", // a TLS ClientHello
			"PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\n",
			v2(cmdProxy, famTCP4, ip4("1.1.1.1", "2.2.2.2", 1, 2)),
			strings.Repeat("\x00", 300),
			strings.Repeat("\xff", 5000),
		} {
			want := outcome{view: tc.want}
			if got := parse([]byte(tc.in + rest)); !got.equal(want) {
				t.Errorf("%s: Parse(%q + %.20q...)\n got %v\nwant %v", tc.name, tc.in, rest, got, want)
			}
		}
	}
}

// TestHeaderOwnsMemory: the input may be overwritten once Parse returns.
func TestHeaderOwnsMemory(t *testing.T) {
	for _, tc := range validInputs() {
		b := []byte(tc.in + httpRequest)
		h, n, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range b {
			b[i] = 0xaa
		}
		if got := viewOf(&h, n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: after the input was overwritten:\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
}

// TestErrors: every error is one of the package's values, its message is
// prefixed, and it matches exactly one kind.
func TestErrors(t *testing.T) {
	kinds := []error{ErrNotProxy, ErrMalformed, ErrUnsupported, ErrTooLong, ErrChecksum}
	seen := map[error]bool{}
	for _, in := range tableInputs() {
		_, _, err := Parse([]byte(in))
		if err == nil {
			continue
		}
		seen[err] = true
		if !strings.HasPrefix(err.Error(), "proxyproto: ") {
			t.Errorf("Parse(%q): error %q without the package prefix", in, err)
		}
		matched := 0
		for _, k := range kinds {
			if errors.Is(err, k) {
				matched++
			}
		}
		if matched != 1 {
			t.Errorf("Parse(%q): %v matches %d kinds, want 1", in, err, matched)
		}
	}
	// Every check is exercised by some table.
	for _, err := range []error{errNoSignature, errV1Protocol, errV1Source, errV1Dest, errV1SrcPort, errV1DstPort,
		errV1CRLF, errV1Short, errV1TooLong, errV2Version, errV2Command, errV2Family, errV2TooLong, errV2Short,
		errTLVOverrun, errTLVRepeated, errCRCLength, errAuthority, errUniqueID, errSSLShort, errSSLOverrun,
		errSSLRepeated, ErrChecksum} {
		if !seen[err] {
			t.Errorf("no table input fails with %v", err)
		}
	}
}
