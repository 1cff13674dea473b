package forwarded_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/forwarded"
)

// A proxy at 10.0.0.7 appended the address it saw to the X-Forwarded-For
// its client sent, and said the client came over TLS. The same fields
// from a peer outside the trusted networks are ignored.
func ExampleTrusted_Resolve() {
	prefixes, err := forwarded.ParsePrefixes("10.0.0.0/8, fd00::/8")
	if err != nil {
		log.Fatal(err)
	}
	t := &forwarded.Trusted{Prefixes: prefixes}

	var h httpserver.Header
	h.Add("X-Forwarded-For", "203.0.113.66, 192.0.2.43") // 203.0.113.66 is the client's own claim
	h.Add("X-Forwarded-Proto", "https")

	c := t.Resolve(netip.MustParseAddrPort("10.0.0.7:51000"), false, &h)
	fmt.Println(c.Addr.Addr(), c.Proto)

	c = t.Resolve(netip.MustParseAddrPort("198.51.100.9:40000"), false, &h)
	fmt.Println(c.Addr.Addr(), c.Proto)

	// With proxies that send RFC 7239's Forwarded field instead.
	t.UseForwarded = true
	h.Add("Forwarded", `for="[2001:db8::17]:4711";proto=https;host=example.com, for=10.0.0.9`)
	c = t.Resolve(netip.MustParseAddrPort("10.0.0.7:51000"), false, &h)
	fmt.Println(c.Addr, c.Proto, c.Host)
	// Output:
	// 192.0.2.43 https
	// 198.51.100.9 http
	// [2001:db8::17]:4711 https example.com
}

func ExampleParsePrefixes() {
	prefixes, err := forwarded.ParsePrefixes("10.0.0.0/8, 192.0.2.1, 2001:db8::1")
	fmt.Println(prefixes, err)

	_, err = forwarded.ParsePrefixes("10.1.2.3/8")
	fmt.Println(err)
	// Output:
	// [10.0.0.0/8 192.0.2.1/32 2001:db8::1/128] <nil>
	// forwarded: trusted proxy "10.1.2.3/8" has address bits set beyond its /8 prefix: write 10.0.0.0/8 for the network, or the address alone for one host
}
