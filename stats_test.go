package httpserver

import (
	"io"
	"testing"
)

// TestAccessEntryBytesIn: the entry counts the head's bytes and the body
// bytes read, decoded.
func TestAccessEntryBytesIn(t *testing.T) {
	entries := make(chan AccessEntry, 4)
	srv := &Server{
		Handler: HandlerFunc(func(req *Request) *Response {
			io.Copy(io.Discard, req.Body)
			return &Response{StatusCode: 200}
		}),
		AccessLog: func(e AccessEntry) { entries <- e },
	}
	ts := startE2E(t, srv)
	tests := []struct {
		name string
		req  string
		head int
		body int64
	}{
		{"no body", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 27, 0},
		{"length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", 48, 10},
		{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n0\r\n\r\n", 56, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := ts.dialRaw(t)
			rc.roundTrip(tt.req, "GET")
			e := recvWithin(t, entries, "the access log entry")
			if want := int64(tt.head) + tt.body; e.BytesIn != want {
				t.Errorf("BytesIn = %d, want %d (head %d, body %d)", e.BytesIn, want, tt.head, tt.body)
			}
		})
	}
}
