package proxyproto_test

import (
	"fmt"

	"github.com/gohttpserver/httpserver/proxyproto"
)

// An accept loop parses what has arrived, reads more while the header is
// incomplete, and hands what follows it to the application protocol.
func ExampleParse() {
	// What a connection from a trusted proxy delivered, in two reads.
	reads := []string{
		"PROXY TCP4 203.0.113.7 192.0.2.10 5",
		"1234 443\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
	}
	var buf []byte
	for _, r := range reads {
		buf = append(buf, r...)
		h, n, err := proxyproto.Parse(buf)
		if err == proxyproto.ErrIncomplete {
			fmt.Println("incomplete: read more")
			continue
		}
		if err != nil {
			fmt.Println("close the connection:", err)
			return
		}
		if h.Source.IsValid() {
			fmt.Println("client", h.Source, "connected to", h.Destination)
		} else {
			fmt.Println("use the connection's own addresses")
		}
		fmt.Printf("then %q\n", buf[n:n+16])
	}
	// Output:
	// incomplete: read more
	// client 203.0.113.7:51234 connected to 192.0.2.10:443
	// then "GET / HTTP/1.1\r\n"
}

// A v2 header can carry TLVs: here the ALPN protocol and the host name
// the client sent, and what the proxy knows of its TLS connection.
func ExampleHeader_TLV() {
	hdr := "\r\n\r\n\x00\r\nQUIT\n" + // the v2 signature
		"\x21\x11\x00\x31" + // PROXY, TCP over IPv4, 49 bytes follow
		"\xcb\x00\x71\x07\xc0\x00\x02\x0a\xc8\xf2\x01\xbb" + // 203.0.113.7:51442 -> 192.0.2.10:443
		"\x01\x00\x02h2" + // ALPN
		"\x02\x00\x0bexample.com" + // AUTHORITY
		"\x20\x00\x0f\x01\x00\x00\x00\x00\x21\x00\x07TLSv1.3" // SSL: over TLS, version
	h, _, err := proxyproto.Parse([]byte(hdr))
	if err != nil {
		fmt.Println(err)
		return
	}
	alpn, _ := h.TLV(proxyproto.TypeALPN)
	host, _ := h.TLV(proxyproto.TypeAuthority)
	fmt.Printf("%s from %v, ALPN %s, host %s\n", h.Transport, h.Source, alpn, host)
	if s, ok := h.SSL(); ok && s.Client&proxyproto.ClientSSL != 0 {
		fmt.Printf("TLS %s\n", s.Version)
	}
	// Output:
	// TCP4 from 203.0.113.7:51442, ALPN h2, host example.com
	// TLS TLSv1.3
}

// A refusal says what is wrong; errors.Is tells its kind.
func ExampleErrMalformed() {
	_, _, err := proxyproto.Parse([]byte("PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n"))
	fmt.Println(err)
	_, _, err = proxyproto.Parse([]byte("GET / HTTP/1.1\r\n"))
	fmt.Println(err)
	// Output:
	// proxyproto: malformed header: v1: invalid source address for the protocol
	// proxyproto: no PROXY protocol header: input begins with neither "PROXY " nor the v2 signature
}
