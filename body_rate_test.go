package httpserver

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// TestBodySlowButHonest: an upload well above MinBodyRate on average gets
// through even though it takes far longer than the grace period, in every
// mode. The client sends 50 bytes every 50 ms (1000 B/s against a minimum
// of 240): a loaded machine would have to stall it for seconds in a run of
// 1.5 s to bring it under the rate.
func TestBodySlowButHonest(t *testing.T) {
	const steps, step = 30, 50
	body := strings.Repeat("x", steps*step)
	runModes(t, func(t *testing.T, m mode) {
		got := make(chan error, 1)
		ts := m.start(t, &Server{
			MinBodyRate:   240,
			BodyRateGrace: 100 * time.Millisecond,
			ReadTimeout:   generousTimeout,
			Handler: HandlerFunc(func(req *Request) *Response {
				b, err := io.ReadAll(req.Body)
				if err == nil && string(b) != body {
					err = fmt.Errorf("read %d bytes, want %d", len(b), len(body))
				}
				got <- err
				return &Response{StatusCode: 200, Message: "ok"}
			}),
		})
		rc := ts.dialRaw(t)
		rc.send(fmt.Sprintf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", len(body)))
		if sent := dribble(rc.nc, body, step, 50*time.Millisecond, nil); sent != len(body) {
			t.Fatalf("sent %d of %d bytes", sent, len(body))
		}
		if err := recvWithin(t, got, "the handler's read"); err != nil {
			t.Fatalf("Body read: %v", err)
		}
		if r := rc.response("POST"); r.Status != 200 {
			t.Errorf("status: got %d, want 200", r.Status)
		}
	})
}
