package websocket

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/gohttpserver/httpserver/httpservertest"
)

// fuzzFrames turns fuzz input into masked client frames, so that the
// fuzzer reaches past the masking check: each frame is a first byte as
// on the wire (FIN, RSV, opcode), a length byte, and that many payload
// bytes (as many as are left).
func fuzzFrames(in []byte) []byte {
	var out appender
	for len(in) >= 2 {
		b0, n := in[0], int(in[1])
		in = in[2:]
		n = min(n, len(in))
		h := ws.Header{Fin: b0&0x80 != 0, Rsv: (b0 >> 4) & 7, OpCode: ws.OpCode(b0 & 0xf), Length: int64(n), Masked: true, Mask: [4]byte{1, 2, 3, 4}}
		p := bytes.Clone(in[:n])
		in = in[n:]
		ws.Cipher(p, h.Mask, 0)
		ws.WriteHeader(&out, h)
		out.Write(p)
	}
	return out.b
}

// FuzzConnRead feeds frames made from fuzz input to a Conn's reader, with
// and without permessage-deflate: reading never panics nor hangs, ends
// with an error, returns text that is UTF-8 and messages within the
// limit, and the failure says why with one of the package's errors.
func FuzzConnRead(f *testing.F) {
	for _, seed := range [][]byte{
		{0x81, 5, 'h', 'e', 'l', 'l', 'o'},
		{0x01, 3, 'h', 'e', 'l', 0x89, 1, 'p', 0x80, 2, 'l', 'o', 0x88, 2, 0x03, 0xe8},
		{0x82, 0, 0x8a, 0, 0x88, 0},
		{0x81, 2, 0xc3, 0x28},
		{0xc1, 7, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, // "Hello", compressed
		{0x41, 3, 1, 2, 3, 0x80, 1, 0},
		{0x88, 1, 3},
		{0x83, 0},
		{0x02, 200},
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, in []byte, deflate bool) {
		const limit = 1000
		srvSide, cliSide := net.Pipe()
		defer cliSide.Close()
		go io.Copy(io.Discard, cliSide) // the server's pongs and close
		go func() {
			cliSide.Write(fuzzFrames(in))
			cliSide.Close()
		}()
		req := httpservertest.NewRequest("GET", "/", nil)
		cfg := (&Options{MaxMessageSize: limit, IdleTimeout: -1, Compression: CompressionNoContext}).resolve()
		hs := handshake{deflate: deflate}
		if deflate {
			hs.params = deflateParams{serverNoContext: true}
		}
		c := newConn(srvSide, req, cfg, hs)
		defer c.shut(nil)
		for range len(in) + 1 { // every message takes at least two bytes of input
			typ, msg, err := c.ReadMessage()
			if err != nil {
				if !strings.HasPrefix(err.Error(), "websocket: ") {
					t.Fatalf("the read failed with %q, not an error of the package", err)
				}
				return
			}
			if len(msg) > limit || typ == TextMessage && !utf8.Valid(msg) {
				t.Fatalf("ReadMessage returned a %v message of %d bytes: %q", typ, len(msg), msg)
			}
		}
		t.Fatal("reading did not end")
	})
}
