package h2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

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
			_, fr := dialH2(t, ts)
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

// TestIdleTimeout: a connection without open streams for IdleTimeout gets
// a GOAWAY and is closed. (The client opens no stream: one opened before
// the short timeout ran out could not be told apart from one after it.)
func TestIdleTimeout(t *testing.T) {
	srv := &httpserver.Server{
		IdleTimeout: 20 * time.Millisecond,
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: "hello"}
		}),
	}
	ts := start(t, srv, nil, true)
	_, fr := dialH2(t, ts)
	fr.WriteSettings()
	var goaway *http2.GoAwayFrame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			if ne := (net.Error)(nil); errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the idle connection was not closed: %v", err)
			}
			break
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.GoAwayFrame:
			goaway = f
		}
	}
	if goaway == nil || goaway.ErrCode != http2.ErrCodeNo || goaway.LastStreamID != 0 {
		t.Errorf("before closing, the server sent GOAWAY %v, want one with NO_ERROR and no stream", goaway)
	}
}

// TestProgressTimeouts: a body read that gets no data fails after
// ReadTimeout, or at the deadline the handler set
// (StreamWriter.SetReadDeadline), which replaces ReadTimeout; a write the
// client takes nothing of (it grants no flow-control window) fails after
// WriteTimeout, or at the handler's own deadline. The server's timeout is
// long where the handler's deadline is the one under test, so that only
// the deadline can end the wait within the hang guard; nothing is
// asserted about how long anything took.
func TestProgressTimeouts(t *testing.T) {
	const short, long = 20 * time.Millisecond, time.Hour
	for _, tt := range []struct {
		name                      string
		write                     bool          // a write is stuck, else a read
		readTimeout, writeTimeout time.Duration // the Server's
		own                       time.Duration // the handler's deadline from now, if not 0
	}{
		{"read, ReadTimeout", false, short, long, 0},
		{"read, handler's deadline", false, long, long, short},
		{"write, WriteTimeout", true, long, short, 0},
		{"write, handler's deadline", true, long, long, short},
	} {
		t.Run(tt.name, func(t *testing.T) {
			failed := make(chan error, 1)
			srv := &httpserver.Server{
				ReadTimeout:  tt.readTimeout,
				WriteTimeout: tt.writeTimeout,
				Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
					return &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
						var err error
						switch {
						case tt.write && tt.own != 0:
							err = w.SetWriteDeadline(time.Now().Add(tt.own))
						case tt.own != 0:
							err = w.SetReadDeadline(time.Now().Add(tt.own))
						}
						if err != nil {
							failed <- fmt.Errorf("setting the deadline: %w", err)
							return err
						}
						if !tt.write {
							_, err = io.ReadAll(req.Body)
							failed <- err
							return err
						}
						chunk := make([]byte, 1<<10)
						for err == nil {
							if _, err = w.Write(chunk); err == nil {
								err = w.Flush()
							}
						}
						failed <- err
						return err
					}}
				}),
			}
			ts := start(t, srv, nil, true)
			_, fr := dialH2(t, ts)
			fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 4 << 10})
			var hb bytes.Buffer
			enc := hpack.NewEncoder(&hb)
			for _, f := range [][2]string{{":method", "POST"}, {":scheme", "https"}, {":authority", ts.addr}, {":path", "/"}} {
				enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
			}
			// The body never comes (the stream stays open), and no
			// WINDOW_UPDATE either.
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
			go func() {
				for {
					f, err := fr.ReadFrame()
					if err != nil {
						return
					}
					if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
						fr.WriteSettingsAck()
					}
				}
			}()
			select {
			case err := <-failed:
				if err == nil {
					t.Error("the stuck operation succeeded")
				} else if !tt.write && !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("the read failed with %v, want os.ErrDeadlineExceeded", err)
				}
			case <-time.After(hangGuard):
				t.Fatal("the stuck operation never failed")
			}
		})
	}
}
