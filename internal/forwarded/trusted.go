package forwarded

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Trusted says which peers may tell who the client is, and in which
// fields. A nil *Trusted, or one without Prefixes, trusts no peer: Resolve
// then always answers with the peer itself. A Trusted must not be
// modified while Resolve or Contains may use it; reading it from several
// goroutines at once is safe.
type Trusted struct {
	// Prefixes are the networks of the proxies whose forwarding fields
	// are believed, such as those ParsePrefixes returns. A prefix with
	// an IPv4-mapped IPv6 address (::ffff:10.0.0.0/104) is taken as the
	// IPv4 prefix it maps (10.0.0.0/8). Listing 0.0.0.0/0 or ::/0 makes
	// every client able to say it is any other: only do so when no
	// connection can reach the server but through the proxies.
	Prefixes []netip.Prefix

	// UseForwarded reads the Forwarded field (RFC 7239) instead of
	// X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host. The
	// fields of the other kind are ignored either way (see the package
	// documentation): set it only when the trusted proxies set, or
	// remove, a client's Forwarded field.
	UseForwarded bool
}

// Contains reports whether a is in one of t's prefixes: whether a peer,
// or a hop in a forwarding field, with that address is a trusted proxy.
// An IPv4-mapped IPv6 address counts as its IPv4 address, and an IPv6
// zone is ignored. The invalid Addr is in no prefix.
func (t *Trusted) Contains(a netip.Addr) bool {
	if t == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range t.Prefixes {
		if p.Contains(a) {
			return true
		}
		// A mapped prefix such as ::ffff:10.0.0.0/104 holds the
		// mapped form of the IPv4 address a has been unmapped from.
		if a.Is4() && p.Addr().Is4In6() && p.Contains(netip.AddrFrom16(a.As16())) {
			return true
		}
	}
	return false
}

// ParsePrefixes parses a comma-separated list of trusted proxy networks,
// as the command's -trusted-proxies flag takes it: CIDR prefixes
// ("10.0.0.0/8", "fd00::/8") and bare addresses, each the prefix of that
// one address ("192.0.2.1" is 192.0.2.1/32, "2001:db8::1" is
// 2001:db8::1/128). Spaces around an entry are ignored. IPv4-mapped IPv6
// entries are returned as IPv4 prefixes.
//
// An empty or all-space s is an empty list: nil and no error. Anything
// else that is not such a list is an error that names the entry and says
// what is wrong with it: an empty entry (a stray comma), an address that
// does not parse, an IPv6 zone, a prefix length out of range, or address
// bits set below the prefix length ("10.1.2.3/8", more often a typo for
// /32 or for 10.0.0.0/8 than meant; trusting a network by mistake lets
// its hosts forge their address, so it is refused rather than masked).
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var ps []netip.Prefix
	for entry := range strings.SplitSeq(s, ",") {
		p, err := parsePrefix(strings.TrimSpace(entry))
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// parsePrefix parses one entry of ParsePrefixes' list.
func parsePrefix(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, errors.New("forwarded: empty entry in the trusted proxy list (a stray comma?)")
	}
	if strings.ContainsAny(s, " \t") {
		return netip.Prefix{}, fmt.Errorf("forwarded: trusted proxy %q: separate entries with commas", s)
	}
	addr, bits, hasBits := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("forwarded: trusted proxy %q: %q is not an IPv4 or IPv6 address (want a prefix such as 10.0.0.0/8 or fd00::/8, or an address)", s, addr)
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("forwarded: trusted proxy %q: an IPv6 zone has no place in a prefix", s)
	}
	n := a.BitLen()
	if hasBits {
		n, err = strconv.Atoi(bits)
		if err != nil || bits[0] == '+' || bits[0] == '-' || n > a.BitLen() {
			return netip.Prefix{}, fmt.Errorf("forwarded: trusted proxy %q: prefix length %q is not a number from 0 to %d", s, bits, a.BitLen())
		}
	}
	p := netip.PrefixFrom(a, n)
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("forwarded: trusted proxy %q has address bits set beyond its /%d prefix: write %s for the network, or the address alone for one host", s, n, m)
	}
	if a.Is4In6() && n >= 96 {
		p = netip.PrefixFrom(a.Unmap(), n-96)
	}
	return p, nil
}
