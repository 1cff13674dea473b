package websocket

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
)

var rsv1 = ws.Rsv(true, false, false)

// peerDeflate is a client's side of permessage-deflate, written apart
// from the server's: a flate writer kept across messages (the client's
// context takeover) or fresh for each, and an inflater with the window of
// the server's earlier messages when the server keeps its context.
type peerDeflate struct {
	fw     *flate.Writer
	buf    bytes.Buffer
	window []byte
}

func newPeerDeflate() *peerDeflate {
	p := new(peerDeflate)
	p.fw, _ = flate.NewWriter(&p.buf, flate.DefaultCompression)
	return p
}

// compress compresses a message, keeping the window across calls.
func (p *peerDeflate) compress(t *testing.T, msg []byte) []byte {
	t.Helper()
	p.buf.Reset()
	p.fw.Write(msg)
	p.fw.Flush()
	b, ok := bytes.CutSuffix(p.buf.Bytes(), []byte("\x00\x00\xff\xff"))
	if !ok {
		t.Fatal("no sync tail")
	}
	return bytes.Clone(b)
}

// inflate inflates one of the server's messages; takeover keeps the
// window of the earlier ones.
func (p *peerDeflate) inflate(t *testing.T, payload []byte, takeover bool) []byte {
	t.Helper()
	in := io.MultiReader(bytes.NewReader(payload), strings.NewReader("\x00\x00\xff\xff\x01\x00\x00\xff\xff"))
	var dict []byte
	if takeover {
		dict = p.window
	}
	b, err := io.ReadAll(flate.NewReaderDict(in, dict))
	if err != nil {
		t.Fatalf("inflating the server's message: %v", err)
	}
	if takeover {
		p.window = append(p.window, b...)
		if len(p.window) > windowSize {
			p.window = p.window[len(p.window)-windowSize:]
		}
	}
	return b
}

// deflateCase is a message a client sends compressed (or not), and how
// the server's echo must come.
type deflateCase struct {
	name       string
	frames     []frame
	want       []byte
	compressed bool // the echo comes compressed
}

// runDeflate sends each case on c and checks its echo, inflated by peer
// with the server's window when takeover.
func runDeflate(t *testing.T, c *client, peer *peerDeflate, takeover bool, cases []deflateCase) {
	t.Helper()
	for _, cs := range cases {
		c.send(cs.frames...)
		f := c.read()
		for f.h.OpCode == ws.OpPong {
			f = c.read()
		}
		got := f.payload
		if f.h.Rsv1() {
			got = peer.inflate(t, f.payload, takeover)
		}
		if !bytes.Equal(got, cs.want) || f.h.Rsv1() != cs.compressed || f.h.OpCode != cs.frames[0].op {
			t.Errorf("%s: echo of %d bytes: opcode %d, %d bytes, compressed %v; want compressed %v", cs.name, len(cs.want), f.h.OpCode, len(got), f.h.Rsv1(), cs.compressed)
		}
	}
}

var (
	longJSON    = []byte(strings.Repeat(`{"event":"tick","value":42} `, 100))
	similarJSON = bytes.ReplaceAll(longJSON, []byte("42"), []byte("43"))
)

// fresh compresses msg on its own, as a client without context takeover
// does (and as any client may).
func fresh(t *testing.T, msg []byte) []byte {
	t.Helper()
	b, err := wsflate.DefaultHelper.Compress(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeflate: with permessage-deflate negotiated in either mode,
// messages the client compressed (whole or in fragments, with a ping
// between) and uncompressed ones are read as sent, and the server's
// echoes come compressed when they are long enough, decodable with the
// window the mode gives.
func TestDeflate(t *testing.T) {
	for _, tc := range []struct {
		mode     Compression
		answer   string
		takeover bool // the server keeps its window
	}{
		{CompressionNoContext, "permessage-deflate; server_no_context_takeover; client_no_context_takeover", false},
		{CompressionContextTakeover, "permessage-deflate", true},
	} {
		t.Run(fmt.Sprint(tc.mode), func(t *testing.T) {
			runModes(t, func(t *testing.T, m mode) {
				out := make(chan ended, 1)
				ts := serveWS(t, m, &Options{Compression: tc.mode}, echo(out))
				c := ts.connect(t, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
				if got := c.resp.Header.Get("Sec-WebSocket-Extensions"); got != tc.answer {
					t.Fatalf("Sec-WebSocket-Extensions %q, want %q", got, tc.answer)
				}
				half := fresh(t, similarJSON)
				n := len(half) / 2
				runDeflate(t, c, newPeerDeflate(), tc.takeover, []deflateCase{
					{"compressed", []frame{{op: ws.OpText, rsv: rsv1, payload: fresh(t, longJSON)}}, longJSON, true},
					{"uncompressed, short", []frame{text("short")}, []byte("short"), false},
					{"uncompressed, long", []frame{binary(longJSON)}, longJSON, true},
					{"compressed, short", []frame{{op: ws.OpText, rsv: rsv1, payload: fresh(t, []byte("hi"))}}, []byte("hi"), false},
					{"compressed, empty", []frame{{op: ws.OpBinary, rsv: rsv1, payload: fresh(t, nil)}}, []byte{}, false},
					{"in fragments, with a ping", []frame{
						{op: ws.OpText, rsv: rsv1, notFin: true, payload: half[:n]},
						{op: ws.OpPing, payload: []byte("p")},
						{op: ws.OpContinuation, payload: half[n:]},
					}, similarJSON, true},
					{"again", []frame{{op: ws.OpText, rsv: rsv1, payload: fresh(t, similarJSON)}}, similarJSON, true},
				})
				c.send(closeFrame(StatusNormalClosure, ""))
				c.expectClose(StatusNormalClosure)
				wait(t, out, "the serve function")
			})
		})
	}
}

// TestDeflateClientWindow: in CompressionContextTakeover the client may
// keep its window across messages (the answer has no
// client_no_context_takeover), and the server's inflater follows it.
func TestDeflateClientWindow(t *testing.T) {
	out := make(chan ended, 1)
	ts := serveWS(t, modeTCP, &Options{Compression: CompressionContextTakeover}, echo(out))
	c := ts.connect(t, "Sec-WebSocket-Extensions: permessage-deflate")
	peer := newPeerDeflate()
	var cases []deflateCase
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*windowSize/16) // moves the window on
	for i, msg := range [][]byte{longJSON, similarJSON, []byte("short, and in the window"), big, similarJSON, longJSON} {
		p := peer.compress(t, msg)
		if i == 1 && len(p) > 30 {
			t.Fatalf("the client's window did not shrink a repeat: %d bytes", len(p))
		}
		cases = append(cases, deflateCase{fmt.Sprint("message ", i), []frame{{op: ws.OpText, rsv: rsv1, payload: p}}, msg, len(msg) >= minCompressTakeover})
	}
	runDeflate(t, c, peer, true, cases)
}

// TestDeflateFaults: compressed input the server must refuse.
func TestDeflateFaults(t *testing.T) {
	tests := []struct {
		name   string
		frames []frame
		code   StatusCode
		err    error
	}{
		{"not deflate data", []frame{{op: ws.OpText, rsv: rsv1, payload: []byte{0xff, 0xff, 0xff, 0xff}}}, StatusInvalidPayload, ErrInvalidPayload},
		{"RSV1 on a continuation", []frame{
			{op: ws.OpText, notFin: true, payload: []byte("a")},
			{op: ws.OpContinuation, rsv: rsv1, payload: []byte("b")},
		}, StatusProtocolError, ErrProtocol},
		{"RSV1 on a ping", []frame{{op: ws.OpPing, rsv: rsv1}}, StatusProtocolError, ErrProtocol},
		{"RSV2", []frame{{op: ws.OpText, rsv: ws.Rsv(false, true, false), payload: []byte("a")}}, StatusProtocolError, ErrProtocol},
		{"compressed text not UTF-8", []frame{{op: ws.OpText, rsv: rsv1, payload: fresh(t, []byte("\xff\xfe"))}}, StatusInvalidPayload, ErrInvalidPayload},
	}
	out := make(chan ended, 1)
	ts := serveWS(t, modeTCP, &Options{Compression: CompressionNoContext}, echo(out))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.connect(t, "Sec-WebSocket-Extensions: permessage-deflate")
			c.send(tt.frames...)
			c.expectClose(tt.code)
			c.expectEOF()
			c.nc.Close()
			if e := wait(t, out, "the serve function"); !errors.Is(e.err, tt.err) {
				t.Errorf("the read failed with %v, want %v", e.err, tt.err)
			}
		})
	}
}

// TestDeflateBomb: a small message that inflates to 100 MiB is stopped
// at MaxMessageSize: the server closes with 1009, having allocated
// nowhere near what the message would inflate to.
func TestDeflateBomb(t *testing.T) {
	const inflated = 100 << 20
	// 1 MiB of zeros, sync-flushed: its blocks refer only to their own
	// bytes, so repeating them makes a valid deflate stream of as many
	// MiB, without compressing them all.
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Flush()
	payload := bytes.Repeat(chunk.Bytes(), inflated>>20)
	payload = bytes.TrimSuffix(payload, []byte("\x00\x00\xff\xff"))

	out := make(chan ended, 1)
	ts := serveWS(t, modeTCP, &Options{Compression: CompressionNoContext}, echo(out))
	c := ts.connect(t, "Sec-WebSocket-Extensions: permessage-deflate")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.send(frame{op: ws.OpBinary, rsv: rsv1, payload: payload})
	c.expectClose(StatusMessageTooBig)
	c.expectEOF()
	c.nc.Close()
	e := wait(t, out, "the serve function")
	runtime.ReadMemStats(&after)
	if !errors.Is(e.err, ErrMessageTooBig) {
		t.Errorf("the read failed with %v, want ErrMessageTooBig", e.err)
	}
	// The message's buffer (1 MiB and one byte at most, grown by
	// doubling) and an inflater; the client's masked copy of the
	// payload. Far under the 100 MiB.
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte message inflating to %d MiB: %d KiB allocated", len(payload), inflated>>20, got>>10)
	if got > 16<<20 {
		t.Errorf("%d bytes of %d-byte bomb: the server allocated %d MB", len(payload), inflated, got>>20)
	}
}

// TestAppendWindow: the window keeps the last windowSize bytes, whatever
// the sizes of the appends.
func TestAppendWindow(t *testing.T) {
	var w, all []byte
	for i, n := range []int{1, 100, windowSize - 1, 3, windowSize, 7, 2 * windowSize, 5000, 20000, 1} {
		p := bytes.Repeat([]byte{byte(i)}, n)
		for j := range p {
			p[j] += byte(j)
		}
		w = appendWindow(w, p)
		all = append(all, p...)
		if got, want := lastWindow(w), all[max(0, len(all)-windowSize):]; !bytes.Equal(got, want) {
			t.Fatalf("after %d appends: the window is not the last %d bytes", i+1, windowSize)
		}
		if cap(w) > 2*windowSize {
			t.Fatalf("the window grew to %d bytes", cap(w))
		}
	}
}
