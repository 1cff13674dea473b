package forwarded

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The fuzz target's input is a list of field lines separated by '\n',
// each a letter naming the field and its value: F Forwarded, X
// X-Forwarded-For, P X-Forwarded-Proto, H X-Forwarded-Host, anything
// else a field Resolve does not read. peer picks one of fuzzPeers, mode
// sets UseForwarded (bit 0) and TLS (bit 1).

var fuzzNames = map[byte]string{'F': "Forwarded", 'X': "X-Forwarded-For", 'P': "X-Forwarded-Proto", 'H': "X-Forwarded-Host"}

var fuzzPeers = []netip.AddrPort{
	netip.MustParseAddrPort("10.0.0.1:4000"),
	netip.MustParseAddrPort("[fd00::1]:4000"),
	netip.MustParseAddrPort("[::ffff:10.0.0.1]:4000"),
	netip.MustParseAddrPort("192.0.2.9:5000"),
	{},
}

// fuzzHeader decodes the fuzz input into a header; the values without
// the whitespace around them, as the server's parser hands them over.
func fuzzHeader(in string) header {
	var h header
	for line := range strings.SplitSeq(in, "\n") {
		if line == "" {
			continue
		}
		name, ok := fuzzNames[line[0]]
		if !ok {
			name = "Other"
		}
		h = append(h, name+": "+trimOWS(line[1:]))
	}
	return h
}

// encodeFuzz writes a header in the fuzz input's form.
func encodeFuzz(h header) string {
	var b strings.Builder
	for _, line := range h {
		name, value, _ := strings.Cut(line, ":")
		code := byte('O')
		for c, n := range fuzzNames {
			if strings.EqualFold(n, name) {
				code = c
			}
		}
		b.WriteByte(code)
		b.WriteString(value)
		b.WriteByte('\n')
	}
	return b.String()
}

func FuzzResolve(f *testing.F) {
	for _, tests := range [][]resolveTest{untrustedPeerTests, xForwardedTests, forwardedTests} {
		for _, tt := range tests {
			peer := uint8(0)
			if tt.peer == direct {
				peer = 3
			}
			mode := uint8(0)
			if tt.std {
				mode |= 1
			}
			if tt.tls {
				mode |= 2
			}
			f.Add(encodeFuzz(tt.header), peer, mode)
		}
	}
	f.Add("X192.0.2.1, 10.0.0.2\nF for=192.0.2.43;proto=https\nPhttps\nHexample.com", uint8(0), uint8(0))
	f.Add("X192.0.2.1, 10.0.0.2\nF for=192.0.2.43;proto=https\nPhttps\nHexample.com", uint8(0), uint8(1))
	f.Add(`Ffor="[fd00::2]:80";proto=https, for=198.18.0.7;host=a, for="[::ffff:10.0.0.3]:_x"`, uint8(2), uint8(1))

	f.Fuzz(func(t *testing.T, in string, peerSel, mode uint8) {
		if len(in) > 16<<10 {
			return
		}
		peer := fuzzPeers[int(peerSel)%len(fuzzPeers)]
		tr := *testTrusted
		tr.UseForwarded = mode&1 != 0
		tls := mode&2 != 0
		h := fuzzHeader(in)
		got := tr.Resolve(peer, tls, h)
		checkResolved(t, &tr, peer, tls, h, got)
		for _, v := range h.Values("Forwarded") {
			checkBackward(t, v)
		}
	})
}

// checkBackward checks the parse from the right of one Forwarded line
// against refParseForwarded, which parses from the left: each element
// lastElement accepts starts a suffix of the line that parses from the
// left into the same elements (what the walk reads is what a parser
// starting there would read, whatever precedes it), and the whole line
// parses from the left exactly when it does from the right.
func checkBackward(t *testing.T, v string) {
	t.Helper()
	whole, wholeOK := refParseForwarded(v)
	var read []refEntry // the elements lastElement accepted, rightmost first
	for rest := trimEmptyTail(v); rest != ""; rest = trimEmptyTail(rest) {
		e, before, ok := lastElement(rest)
		if !ok {
			if wholeOK {
				t.Fatalf("Forwarded %q parses from the left into %+v, but not from the right: malformed at the end of %q", v, whole, rest)
			}
			return
		}
		read = append(read, refEntry{
			node: unquote(e.node), hasNode: e.node != "",
			proto: unquote(e.proto), hasProto: e.proto != "",
			host: unquote(e.host), hasHost: e.host != "",
		})
		suffix := v
		if before != "" {
			suffix = v[len(before)+1:]
		}
		fwd, ok := refParseForwarded(suffix)
		if !ok || !sameEntries(fwd, read) {
			t.Fatalf("Forwarded %q: from the right, the elements from %q on are %+v; from the left they are %+v (ok=%v)", v, suffix, read, fwd, ok)
		}
		rest = before
	}
	if !wholeOK || !sameEntries(whole, read) {
		t.Fatalf("Forwarded %q: from the right %+v; from the left %+v (ok=%v)", v, read, whole, wholeOK)
	}
}

// sameEntries reports whether fwd, in order, are the entries of back,
// rightmost first.
func sameEntries(fwd, back []refEntry) bool {
	if len(fwd) != len(back) {
		return false
	}
	for i := range fwd {
		if fwd[i] != back[len(back)-1-i] {
			return false
		}
	}
	return true
}

// checkResolved checks the invariants of one Resolve call, and compares
// its result with refResolve's when that can decide.
func checkResolved(t *testing.T, tr *Trusted, peer netip.AddrPort, tls bool, h header, got Client) {
	t.Helper()
	base := Client{Addr: unmap(peer), Proto: "http"}
	if tls {
		base.Proto = "https"
	}
	if got.Proto != "http" && got.Proto != "https" {
		t.Fatalf("Resolve(%v, %q): Proto %q", peer, h, got.Proto)
	}
	if !tr.Contains(peer.Addr()) {
		if got != base {
			t.Fatalf("Resolve(%v, %q) = %+v from an untrusted peer, want %+v", peer, h, got, base)
		}
		return
	}

	// Only the configured source counts: without the other fields,
	// the answer is the same.
	var source header
	names := []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"}
	if tr.UseForwarded {
		names = []string{"Forwarded"}
	}
	for _, line := range h {
		for _, n := range names {
			if strings.HasPrefix(line, n+":") {
				source = append(source, line)
			}
		}
	}
	if alone := tr.Resolve(peer, tls, source); alone != got {
		t.Fatalf("Resolve(%v, %q) = %+v, but %+v with only %q", peer, h, got, alone, source)
	}

	// Nothing is made up: the address is the peer's or one written in
	// the source fields, and so is the host.
	var addrText, protoText, hostText string
	for _, line := range source {
		name, value, _ := strings.Cut(line, ": ")
		text := value + "\n" + naiveUnescape(value) + "\n"
		switch name {
		case "Forwarded":
			addrText += text
			protoText += text
			hostText += text
		case "X-Forwarded-For":
			addrText += text
		case "X-Forwarded-Proto":
			protoText += text
		case "X-Forwarded-Host":
			hostText += text
		}
	}
	if got.Addr != base.Addr && !addressesIn(addrText)[got.Addr.Addr()] {
		t.Fatalf("Resolve(%v, %q) = %+v: an address neither the peer nor in the fields", peer, h, got)
	}
	if got.Host != "" && !strings.Contains(hostText, got.Host) {
		t.Fatalf("Resolve(%v, %q) = %+v: a host not in the fields", peer, h, got)
	}
	if got.Proto != base.Proto && !strings.Contains(strings.ToLower(protoText), got.Proto) {
		t.Fatalf("Resolve(%v, %q) = %+v: a proto not in the fields", peer, h, got)
	}

	if want, ok := refResolve(tr, base, source); ok && got != want {
		t.Fatalf("Resolve(%v, tls=%v, %q) with UseForwarded=%v\n got %+v\nwant %+v (parsing from the left)",
			peer, tls, h, tr.UseForwarded, got, want)
	}
}

// naiveUnescape drops every backslash but keeps what follows it: the
// text a quoted-pair stands for.
func naiveUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// addressesIn returns every address written in text, as the fields may
// hold one: bare, bracketed, or with a port.
func addressesIn(text string) map[netip.Addr]bool {
	found := map[netip.Addr]bool{}
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;=\" \t\n\\", r) }) {
		if a, err := netip.ParseAddr(tok); err == nil {
			found[a.Unmap()] = true
		}
		if a, err := netip.ParseAddr(strings.Trim(tok, "[]")); err == nil {
			found[a.Unmap()] = true
		}
		if ap, err := netip.ParseAddrPort(tok); err == nil {
			found[ap.Addr().Unmap()] = true
		}
		if i := strings.LastIndexByte(tok, ':'); i > 0 {
			if a, err := netip.ParseAddr(strings.Trim(tok[:i], "[]")); err == nil {
				found[a.Unmap()] = true
			}
		}
	}
	return found
}

// refResolve is Resolve written the other way: each list parsed from the
// left into its entries, then walked. ok is false when a Forwarded line
// does not parse from the left: Resolve, parsing from the right, may
// then still find the elements it needs, which this cannot.
func refResolve(tr *Trusted, base Client, h header) (Client, bool) {
	c := base
	var entries []refEntry
	if tr.UseForwarded {
		for _, v := range h.Values("Forwarded") {
			es, ok := refParseForwarded(v)
			if !ok {
				return Client{}, false
			}
			entries = append(entries, es...)
		}
	} else {
		for _, e := range refList(h.Values("X-Forwarded-For")) {
			entries = append(entries, refEntry{node: e, hasNode: true})
		}
		if ps := refList(h.Values("X-Forwarded-Proto")); len(ps) > 0 {
			if p := strings.ToLower(ps[len(ps)-1]); p == "http" || p == "https" {
				c.Proto = p
			}
		}
		if hs := refList(h.Values("X-Forwarded-Host")); len(hs) > 0 && validHost(hs[len(hs)-1]) {
			c.Host = hs[len(hs)-1]
		}
	}
	for i, read := len(entries)-1, 0; i >= 0; i-- {
		e := entries[i]
		if p := strings.ToLower(e.proto); e.hasProto && (p == "http" || p == "https") {
			c.Proto = p
		}
		if e.hasHost && validHost(e.host) {
			c.Host = e.host
		}
		if !e.hasNode {
			break
		}
		var a netip.AddrPort
		var ok bool
		if tr.UseForwarded {
			a, ok = refNode(e.node)
		} else {
			a, ok = refXForwardedFor(e.node)
		}
		if !ok {
			break
		}
		c.Addr = a
		if read++; read == maxHops || !tr.Contains(a.Addr()) {
			break
		}
	}
	return c, true
}

// refEntry is one list entry: a forwarded-element's values, unquoted, or
// an X-Forwarded-For entry as node.
type refEntry struct {
	node, proto, host          string
	hasNode, hasProto, hasHost bool
}

// refList splits comma-separated lines into their non-empty entries.
func refList(lines []string) []string {
	var out []string
	for _, v := range lines {
		for _, e := range strings.Split(v, ",") {
			if e = strings.Trim(e, " \t"); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

func refXForwardedFor(s string) (netip.AddrPort, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), 0), a.Zone() == ""
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		a, err := netip.ParseAddr(s[1 : len(s)-1])
		return netip.AddrPortFrom(a.Unmap(), 0), err == nil && a.Is6() && a.Zone() == ""
	}
	ap, err := netip.ParseAddrPort(s)
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), err == nil && ap.Addr().Zone() == ""
}

var refNodeRE = regexp.MustCompile(`^(?:([0-9.]+)|\[([0-9A-Fa-f:.]+)\])(?::(?:([0-9]{1,5})|_[A-Za-z0-9._-]+))?$`)

// refNode parses a for= node (RFC 7239 §6) with a regular expression.
func refNode(s string) (netip.AddrPort, bool) {
	m := refNodeRE.FindStringSubmatch(s)
	if m == nil {
		return netip.AddrPort{}, false
	}
	a, err := netip.ParseAddr(m[1] + m[2])
	if err != nil || a.Is4() != (m[1] != "") {
		return netip.AddrPort{}, false
	}
	port := 0
	if m[3] != "" {
		if port, _ = strconv.Atoi(m[3]); port > 65535 {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), true
}

// refParseForwarded parses a Forwarded line from the left (RFC 7239 §4).
func refParseForwarded(v string) ([]refEntry, bool) {
	ows := func(c byte) bool { return c == ' ' || c == '\t' }
	var out []refEntry
	i := 0
	for {
		for i < len(v) && (ows(v[i]) || v[i] == ',') {
			i++
		}
		if i == len(v) {
			return out, true
		}
		var e refEntry
		seen := map[string]bool{}
		for i < len(v) && v[i] != ',' && !ows(v[i]) {
			if v[i] == ';' {
				i++
				continue
			}
			j := i
			for j < len(v) && tchar(v[j]) {
				j++
			}
			if j == i || j == len(v) || v[j] != '=' {
				return nil, false
			}
			name := strings.ToLower(v[i:j])
			i = j + 1
			var val []byte
			switch {
			case i < len(v) && v[i] == '"':
				for i++; ; i++ {
					if i == len(v) {
						return nil, false
					}
					if v[i] == '"' {
						i++
						break
					}
					if v[i] == '\\' {
						i++
						if i == len(v) {
							return nil, false
						}
					}
					if v[i] < 0x20 && v[i] != '\t' || v[i] == 0x7f {
						return nil, false
					}
					val = append(val, v[i])
				}
			default:
				j := i
				for j < len(v) && tchar(v[j]) {
					j++
				}
				if j == i {
					return nil, false
				}
				val = []byte(v[i:j])
				i = j
			}
			if i < len(v) && v[i] != ';' && v[i] != ',' && !ows(v[i]) {
				return nil, false
			}
			switch name {
			case "for", "by", "proto", "host":
				if seen[name] {
					return nil, false
				}
				seen[name] = true
			}
			switch name {
			case "for":
				e.node, e.hasNode = string(val), true
			case "proto":
				e.proto, e.hasProto = string(val), true
			case "host":
				e.host, e.hasHost = string(val), true
			}
		}
		for i < len(v) && ows(v[i]) {
			i++
		}
		if i < len(v) && v[i] != ',' {
			return nil, false
		}
		out = append(out, e)
	}
}

// TestRefResolve checks that the reference agrees with the tables, so
// that the fuzz target's comparison means something.
func TestRefResolve(t *testing.T) {
	for _, tests := range [][]resolveTest{xForwardedTests, forwardedTests} {
		for _, tt := range tests {
			tr := *testTrusted
			tr.UseForwarded = tt.std
			base := Client{Addr: netip.MustParseAddrPort(tt.peer), Proto: "http"}
			if tt.tls {
				base.Proto = "https"
			}
			got, ok := refResolve(&tr, base, tt.header)
			if ok && show(got) != tt.want {
				t.Errorf("%s: refResolve(%q) = %q, want %q", tt.name, tt.header, show(got), tt.want)
			}
		}
	}
}
