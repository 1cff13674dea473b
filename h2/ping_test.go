package h2

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
)

// TestPingTimeout: a client silent for ReadTimeout gets a PING; one that
// answers keeps its connection (it gets the next PING), one that does not
// is disconnected after PingTimeout, so that a dead peer cannot hold a
// connection and its streams open. The silence is short so that the
// test is quick, and so is PingTimeout where nothing answers; where the
// client answers, PingTimeout is long, so that a loaded machine cannot
// make the answer late. Nothing is asserted about how long anything took.
func TestPingTimeout(t *testing.T) {
	for _, tt := range []struct {
		name        string
		answer      bool
		pingTimeout time.Duration
	}{
		{"answered", true, hangGuard},
		{"unanswered", false, 20 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := &httpserver.Server{
				ReadTimeout: 20 * time.Millisecond,
				Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
					return &httpserver.Response{StatusCode: 200, Message: "hello"}
				}),
			}
			ts := start(t, srv, &Config{PingTimeout: tt.pingTimeout}, true)
			_, pool := testCert(t)
			tc, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
			if err != nil {
				t.Fatal(err)
			}
			defer tc.Close()
			tc.SetDeadline(time.Now().Add(hangGuard))
			io.WriteString(tc, http2.ClientPreface)
			fr := http2.NewFramer(tc, tc)
			fr.WriteSettings()

			pings := 0
			for {
				f, err := fr.ReadFrame()
				if err != nil {
					if tt.answer {
						t.Fatalf("after %d PINGs answered, the connection ended: %v", pings, err)
					}
					if ne := (net.Error)(nil); errors.As(err, &ne) && ne.Timeout() {
						t.Fatalf("the connection was not closed after an unanswered PING: %v", err)
					}
					if pings != 1 {
						t.Errorf("%d PINGs before the connection closed, want 1", pings)
					}
					return // closed, as it should be
				}
				switch f := f.(type) {
				case *http2.SettingsFrame:
					if !f.IsAck() {
						fr.WriteSettingsAck()
					}
				case *http2.PingFrame:
					if f.IsAck() {
						t.Fatalf("a PING ACK for a PING never sent")
					}
					pings++
					if !tt.answer {
						continue
					}
					fr.WritePing(true, f.Data)
					if pings == 3 {
						return // alive through three rounds of silence
					}
				case *http2.GoAwayFrame:
					if tt.answer {
						t.Fatalf("GOAWAY (%v) to a client that answers PINGs", f.ErrCode)
					}
				}
			}
		})
	}
}
