package forwarded

import (
	"net/netip"
	"strings"
)

// header is a Header for tests: field lines written "Name: value", their
// values taken without the whitespace around them, as the server's
// parser hands them over.
type header []string

func (h header) Values(name string) []string {
	var vs []string
	for _, line := range h {
		n, v, _ := strings.Cut(line, ":")
		if strings.EqualFold(n, name) {
			vs = append(vs, strings.Trim(v, " \t"))
		}
	}
	return vs
}

// testTrusted is the configuration of most tests: two private networks,
// and one written in its IPv4-mapped IPv6 form.
var testTrusted = &Trusted{Prefixes: []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("fd00::/8"),
	netip.MustParsePrefix("::ffff:198.18.0.0/111"),
}}

// show is how tables write a Client: "addr:port proto host".
func show(c Client) string {
	return c.Addr.String() + " " + c.Proto + " " + c.Host
}
