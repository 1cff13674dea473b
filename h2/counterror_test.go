package h2

import (
	"bytes"
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
