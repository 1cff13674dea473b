package h2

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gohttpserver/httpserver"
)

// TestCountError: Config.CountError hears of the protocol errors that
// end a connection or reset a stream before any handler ran, named by
// x/net/http2; the handler and AccessLog see none of them.
func TestCountError(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(fr *http2.Framer, head []byte)
		want string
	}{
		{"DATA on an idle stream", func(fr *http2.Framer, _ []byte) {
			fr.WriteData(1, true, []byte("x"))
		}, "conn_PROTOCOL_ERROR_data_on_idle"},
		{"HEADERS on an even stream", func(fr *http2.Framer, head []byte) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 2, BlockFragment: head, EndStream: true, EndHeaders: true})
		}, "conn_PROTOCOL_ERROR_headers_even"},
		{"PING on a stream", func(fr *http2.Framer, _ []byte) {
			fr.WriteRawFrame(http2.FramePing, 0, 1, make([]byte, 8))
		}, "frame_ping_has_stream"}, // the framer's errors have no scope or code
	} {
		t.Run(tc.name, func(t *testing.T) {
			counted := make(chan string, 10)
			handled := make(chan struct{}, 1)
			logged := make(chan struct{}, 1)
			srv := &httpserver.Server{
				Handler: httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
					handled <- struct{}{}
					return &httpserver.Response{StatusCode: 200}
				}),
				AccessLog: func(httpserver.AccessEntry) { logged <- struct{}{} },
			}
			ts := start(t, srv, &Config{CountError: func(errType string) { counted <- errType }}, true)
			tc2, fr := dialH2(t, ts)
			fr.WriteSettings()
			var hb bytes.Buffer
			enc := hpack.NewEncoder(&hb)
			for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", ts.addr}, {":path", "/"}} {
				enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
			}
			tc.send(fr, hb.Bytes())
			// The server answers with GOAWAY (and closes a second later).
			var goaway *http2.GoAwayFrame
			for goaway == nil {
				f, err := fr.ReadFrame()
				if err != nil {
					break
				}
				goaway, _ = f.(*http2.GoAwayFrame)
			}
			tc2.Close()
			if goaway == nil || goaway.ErrCode != http2.ErrCodeProtocol {
				t.Errorf("got GOAWAY %v, want one with PROTOCOL_ERROR", goaway)
			}
			select {
			case got := <-counted:
				if got != tc.want {
					t.Errorf("CountError got %q, want %q", got, tc.want)
				}
			case <-time.After(hangGuard):
				t.Fatalf("CountError was not called")
			}
			if strings.Contains(ts.logs.String(), "level=ERROR") {
				t.Errorf("ErrorLog got an error record for a client's protocol error:\n%s", ts.logs)
			}
			select {
			case <-handled:
				t.Errorf("the handler ran")
			case <-logged:
				t.Errorf("AccessLog got an entry")
			default:
			}
		})
	}
}

// TestXnetLogLevels: x/net/http2's messages about a client go to
// ErrorLog at Debug, the others at Error.
func TestXnetLogLevels(t *testing.T) {
	var b strings.Builder
	lg := xnetLogger(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, tc := range []struct{ msg, level string }{
		{"http2: server connection error from 127.0.0.1:1: connection error: PROTOCOL_ERROR", "DEBUG"},
		{"http2: server closing client connection: boom", "DEBUG"},
		{"http2: server: error reading preface from client 127.0.0.1:1: bogus greeting", "DEBUG"},
		{"timeout waiting for SETTINGS frames from 127.0.0.1:1", "DEBUG"},
		{"timeout waiting for PING response", "DEBUG"},
		{"http2: received GOAWAY [FrameHeader GOAWAY len=8], starting graceful shutdown", "DEBUG"},
		{"http2: panic serving 127.0.0.1:1: boom", "ERROR"},
		{`ignoring invalid trailer "Content-Length"`, "ERROR"},
	} {
		b.Reset()
		lg.Print(tc.msg)
		if want := "level=" + tc.level + " msg="; !strings.Contains(b.String(), want) || !strings.Contains(b.String(), strings.Fields(tc.msg)[1]) {
			t.Errorf("%q: logged %q, want a record with %s", tc.msg, b.String(), want)
		}
	}
	// Below the handler's level nothing is formatted or written.
	b.Reset()
	xnetLogger(slog.NewTextHandler(&b, nil)).Print("timeout waiting for PING response")
	if b.Len() != 0 {
		t.Errorf("a Debug message with the handler at Info: logged %q", b.String())
	}
}
