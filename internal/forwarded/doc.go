// Package forwarded decides who a request's client is when it may have
// come through reverse proxies: from the peer's address, the forwarding
// header fields and the networks whose proxies are trusted to set them.
// It is pure (no I/O, no clock, no goroutines) and uses the standard
// library only (and internal/wire, for its case folding), so that the
// engine, the net/http bridge and the command can all call it.
//
//	t := &forwarded.Trusted{Prefixes: prefixes} // from ParsePrefixes("10.0.0.0/8,fd00::/8")
//	c := t.Resolve(peer, tls, &req.Headers)     // c.Addr, c.Proto, c.Host
//
// # The decision
//
// Resolve believes forwarding fields only from a peer inside one of
// Trusted.Prefixes. From any other peer they are ignored entirely,
// however they are spelled: the client is the peer and the scheme is the
// connection's ("https" over TLS, else "http").
//
// From a trusted peer, Resolve reads one source of fields, chosen by
// configuration, never by which fields the request carries (the client
// chooses those): X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host
// by default, or the Forwarded field of RFC 7239 with
// Trusted.UseForwarded. The other source is ignored even when it is the
// only one present. A proxy that sets X-Forwarded-For usually passes a
// client's Forwarded field through untouched, and the reverse; preferring
// whichever is present would let any client pick the field it forged.
// X-Forwarded-For is the default because it is what nearly every proxy
// and load balancer sends (nginx, HAProxy's forwardfor, Envoy, Traefik,
// Caddy, the clouds' load balancers).
//
// Every field line of a name is one list, the lines in order (RFC 9110
// §5.3). Each proxy appends the address of whoever connected to it, so
// the list is walked from its right end (the entry our peer added) to the
// left: an entry whose address is in a trusted prefix is one of our
// proxies and is skipped; the first that is not is the client. If every
// entry is trusted, the leftmost is the client.
//
// The walk stops early, and the client is the last trusted address it saw
// (the nearest proxy whose word we still have, the peer itself if it saw
// none), at:
//   - an entry that names no address: "unknown", an obfuscated identifier
//     such as "_hidden" (RFC 7239 §6.2, §6.3), a Forwarded element
//     without for=;
//   - a malformed entry: nothing to its left can be attributed to anyone;
//   - the 64th entry, trusted, so that a long list costs a bounded walk.
//
// No address reaches the result that a trusted proxy did not write, as
// long as each trusted proxy appends to the field it sets (or replaces
// it) rather than passing a client's on untouched: the walk reads an
// entry only after each entry to its right named a trusted proxy, so the
// entries it reads are the trusted proxies' own. A client can prepend
// what it likes to the lists; that part is never reached. The worst a
// client can do through a proxy that appends to a malformed field
// without checking it is make the walk stop at that proxy.
//
// # X-Forwarded-For, -Proto and -Host
//
// An X-Forwarded-For entry is an IPv4 or IPv6 address, bare or with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711", which some load balancers
// send), or an IPv6 address in brackets. Anything else (a host name,
// "unknown", a zone such as "%eth0") is malformed. Empty entries are
// skipped, as in any list (RFC 9110 §5.6.1).
//
// X-Forwarded-Proto and X-Forwarded-Host are single values in practice
// (the first proxy sets them, the others pass them on), but some chains
// append to them. Their entries cannot be paired with X-Forwarded-For's:
// a proxy that appends to one and not the other shifts the pairing, and a
// value a client sent can then be paired with the client. So the
// rightmost value is taken, the one our trusted peer set or passed on. A
// proto other than "http" or "https" (any case) is ignored and the
// connection's scheme stays; a host that is not a host name, IPv4 or
// bracketed IPv6 address with an optional port is ignored.
//
// # Forwarded
//
// The Forwarded field is parsed as RFC 7239 §4 has it: a list of
// forwarded-elements, each a list of token=value pairs separated by ";"
// (empty pairs allowed), values a token or a quoted-string with
// quoted-pairs, parameter names in any case, each at most once per
// element. No whitespace is allowed around ";" or "=", only around the
// commas. A for= node (§6) is an IPv4 address, a bracketed IPv6 address
// (quoted, since brackets and colons are not token characters), "unknown"
// or an obfuscated identifier, with an optional port, which may be
// obfuscated too (its port is then 0). An unquoted IPv6 address, one
// without brackets, a zone, a duplicate parameter or stray characters
// make the element malformed. by= and extension parameters are checked
// for syntax and otherwise ignored.
//
// Elements are parsed from the right end of each line, as the walk
// needs them, never from the left: a proxy's appended element is read
// whatever a client put before it (an unterminated quoted-string
// included), and the work is bounded by the elements walked.
//
// An element is the proxy's account of the connection it received, so
// its proto= and host= describe the client of that proxy. The result's
// Proto and Host are those of the leftmost well-formed element the walk
// read that has a valid one: the client's own element when the walk
// ended at an untrusted address, or the element that withheld the
// client's address when it stopped at one without a usable for= (that
// element is still a trusted proxy's word). A malformed element is not
// read at all. Without any, Proto is the connection's and Host is "".
//
// # Addresses
//
// IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) are taken as the IPv4
// address, in the peer, in the fields and in the prefixes, and are
// returned that way. A port not given is 0.
package forwarded
