// Package proxyproto parses the PROXY protocol header, versions 1 and 2,
// that HAProxy, nginx, Envoy and the AWS, GCP and Azure load balancers put
// in front of the bytes of a connection they relay, to tell the server who
// the client really is (the spec: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt).
//
// It is a pure codec: [Parse] looks at the bytes a connection has
// delivered so far and says "here is the header, it took n bytes", "not
// yet: read more" ([ErrIncomplete]), or why the bytes are not an
// acceptable header. It does no I/O, starts no goroutines, keeps no state
// between calls and never blocks, so any accept loop can drive it from its
// own read buffer: call Parse on what has arrived, read more on
// ErrIncomplete, and hand b[n:] to the application protocol once it
// succeeds. Parsing a v1 header, a v2 header over TCP or UDP without TLVs,
// or a LOCAL one allocates nothing; a v2 header with TLVs or AF_UNIX
// addresses allocates once, for the copy the Header keeps.
//
// # Trust
//
// A PROXY header is a claim, and only a proxy you run can make it: the
// spec (§2) says a receiver must accept it only from trusted sources and
// must not guess whether a header is present. Decide from the peer's
// address whether a connection must begin with a header before calling
// Parse; a connection from anywhere else must never be parsed for one. For
// the same reason the parser does not skip a missing header: bytes that
// cannot begin one fail at once with [ErrNotProxy].
//
// # Strictness
//
// The parser accepts exactly the grammar of the spec and refuses the rest
// early (see Parse), so that a broken sender is noticed at its first
// connection (§2.1: "Any sequence which does not exactly match the
// protocol must be discarded"). In particular:
//
//   - v1 (§2.1): "PROXY", single spaces, "TCP4", "TCP6" or "UNKNOWN", and
//     for TCP4 and TCP6 two addresses of that family and two ports, then
//     CRLF, within 107 bytes. IPv4 is a dotted quad without leading zeros;
//     IPv6 is hex groups with at most one "::" and, as inet_ntop writes
//     IPv4-mapped addresses, an optional dotted quad at the end; no zone.
//     Ports are decimal 0-65535 without leading zeros. A bare CR or LF,
//     two spaces, a lower-case keyword or an IPv4 address in a TCP6 line
//     are refused. After "UNKNOWN" anything up to the CRLF is ignored, as
//     the spec requires, except a CR or LF that does not form the CRLF.
//   - v2 (§2.2): version 2 only, command LOCAL or PROXY, one of the seven
//     defined family and protocol bytes (also for LOCAL, whose family is
//     otherwise ignored), and a length at least the size of the family's
//     addresses for PROXY. The TLVs after the addresses must tile the rest
//     of the header exactly; a CRC32C TLV must be 4 bytes and match
//     (§2.2.3: the receiver MUST check it), UNIQUE_ID is at most 128 bytes
//     (§2.2.5), AUTHORITY at most 255 (a host name's limit, and HAProxy's),
//     an SSL TLV holds its 5 fixed bytes and sub-TLVs that tile it, and
//     none of the registered types (and none of SSL's sub-types) appears
//     twice: a header that gives two values leaves the reader a choice, and
//     two readers that choose differently see different clients.
//   - v2 LOCAL (§2.2): the proxy's own connection (a health check). The
//     address block and any TLVs are skipped unread, as the spec says, and
//     the Header says only that the connection's real endpoints apply.
//   - v2 PROXY with the UNSPEC family is accepted and carries no addresses,
//     like v1's UNKNOWN (§2.2 leaves accepting it to the receiver).
//   - IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are returned as the IPv4
//     address they denote, so that per-address decisions (trusted ranges,
//     per-client limits, logs) treat an IPv4 client alike whichever family
//     the proxy's socket used; [Header.Transport] still says TCP6 (or UDP6).
//
// How this compares with github.com/pires/go-proxyproto, verdict by
// verdict, is in interop/README.md; the interop module checks it on every
// test run.
//
// # Limits
//
// A v1 header is at most [V1MaxBytes] (107) bytes, by the spec. A v2
// header's length field allows 16+65535 bytes, far more than any sender
// needs: the largest TLV in use is a client certificate (SSL sub-type
// CLIENT_CERT, 1-2 KiB). So [Limits] bounds it, by default to
// [DefaultMaxV2Bytes] (4096) bytes in all: room for such a certificate
// and the usual TLVs besides, about github.com/pires/go-proxyproto's
// default (4096 bytes after the fixed 16), and within the httpserver
// engine's first read buffer (4 KiB + 64), so that no connection makes the
// server grow its buffer, or hold more for a header than for a request. The limit is
// checked as soon as the length field has arrived.
package proxyproto
