package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

func TestAppendCLF(t *testing.T) {
	now := time.Date(2026, 3, 14, 15, 9, 26, 500_000_000, time.FixedZone("", 2*3600))
	get := &httpserver.Request{Verb: "GET", Path: "/a.txt", Version: "1.1"}
	tests := []struct {
		name string
		e    httpserver.AccessEntry
		want string
	}{
		{
			name: "a GET",
			e:    httpserver.AccessEntry{Request: get, RemoteIP: "127.0.0.1", RemotePort: 5000, Status: 200, Bytes: 1234, Duration: 412 * time.Microsecond},
			want: `127.0.0.1 - - [14/Mar/2026:15:09:26 +0200] "GET /a.txt HTTP/1.1" 200 1234 0.412` + "\n",
		},
		{
			name: "the time is when the request began",
			e:    httpserver.AccessEntry{Request: get, RemoteIP: "127.0.0.1", Status: 200, Bytes: 1, Duration: 90 * time.Second},
			want: `127.0.0.1 - - [14/Mar/2026:15:07:56 +0200] "GET /a.txt HTTP/1.1" 200 1 90000.000` + "\n",
		},
		{
			name: "a query, a range answered, IPv6",
			e: httpserver.AccessEntry{
				Request:  &httpserver.Request{Verb: "GET", Path: "/v.webm", QueryStr: "t=1&x", Version: "1.1"},
				RemoteIP: "::1", Status: 206, Bytes: 65536, Duration: 3*time.Millisecond + 5*time.Microsecond,
			},
			want: `::1 - - [14/Mar/2026:15:09:26 +0200] "GET /v.webm?t=1&x HTTP/1.1" 206 65536 3.005` + "\n",
		},
		{
			name: "HEAD sends no body bytes",
			e:    httpserver.AccessEntry{Request: &httpserver.Request{Verb: "HEAD", Path: "/", Version: "1.0"}, RemoteIP: "10.0.0.1", Status: 200},
			want: `10.0.0.1 - - [14/Mar/2026:15:09:26 +0200] "HEAD / HTTP/1.0" 200 - 0.000` + "\n",
		},
		{
			name: "HTTP/0.9",
			e:    httpserver.AccessEntry{Request: &httpserver.Request{Verb: "GET", Path: "/", Version: "0.9"}, RemoteIP: "10.0.0.1", Status: 200, Bytes: 7},
			want: `10.0.0.1 - - [14/Mar/2026:15:09:26 +0200] "GET / HTTP/0.9" 200 7 0.000` + "\n",
		},
		{
			name: "refused before parsing",
			e:    httpserver.AccessEntry{RemoteIP: "192.0.2.7", RemotePort: 1, Status: 400, Bytes: 36},
			want: `192.0.2.7 - - [14/Mar/2026:15:09:26 +0200] "-" 400 36 0.000` + "\n",
		},
		{
			name: "refused, with the reason",
			e: httpserver.AccessEntry{RemoteIP: "192.0.2.7", RemotePort: 1, Status: 400, Bytes: 36,
				Err: errors.New("httpserver: bad request: invalid header field name")},
			want: `192.0.2.7 - - [14/Mar/2026:15:09:26 +0200] "-" 400 36 0.000 "httpserver: bad request: invalid header field name"` + "\n",
		},
		{
			name: "a reason with quotes and a line break is escaped",
			e:    httpserver.AccessEntry{RemoteIP: "192.0.2.7", Status: 400, Bytes: 36, Err: errors.New("bad \"x\"\n1.2.3.4 - - forged")},
			want: `192.0.2.7 - - [14/Mar/2026:15:09:26 +0200] "-" 400 36 0.000 "bad \x22x\x22\x0A1.2.3.4 - - forged"` + "\n",
		},
		{
			name: "nothing could be sent, no IP address",
			e:    httpserver.AccessEntry{Request: get, Err: errors.New("broken pipe")},
			want: `- - - [14/Mar/2026:15:09:26 +0200] "GET /a.txt HTTP/1.1" - - 0.000 "broken pipe"` + "\n",
		},
		{
			name: "quotes, backslashes, control and non-ASCII bytes are escaped",
			e: httpserver.AccessEntry{
				Request:  &httpserver.Request{Verb: "GET", Path: "/a\"b\\c\x1b[31m\n\xff", QueryStr: "q=\"", Version: "1.1"},
				RemoteIP: "127.0.0.1", Status: 404, Bytes: 10,
			},
			want: `127.0.0.1 - - [14/Mar/2026:15:09:26 +0200] "GET /a\x22b\x5Cc\x1B[31m\x0A\xFF?q=\x22 HTTP/1.1" 404 10 0.000` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendCLF(nil, tt.e, now))
			if got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestJSONLog(t *testing.T) {
	tests := []struct {
		name string
		e    httpserver.AccessEntry
		want string // the JSON line without its time
	}{
		{
			name: "a range request",
			e: httpserver.AccessEntry{
				Request:  &httpserver.Request{Verb: "GET", Path: "/v.webm", Version: "1.1"},
				RemoteIP: "127.0.0.1", RemotePort: 5000, Status: 206, Bytes: 65536, Duration: 1500 * time.Microsecond,
			},
			want: `{"level":"INFO","msg":"request","method":"GET","path":"/v.webm","proto":"HTTP/1.1","status":206,"bytes":65536,"duration":1500000,"remote":"127.0.0.1:5000"}`,
		},
		{
			name: "a query and an IPv6 peer",
			e: httpserver.AccessEntry{
				Request:  &httpserver.Request{Verb: "HEAD", Path: "/", QueryStr: "sort=size", Version: "1.0"},
				RemoteIP: "::1", RemotePort: 443, Status: 200,
			},
			want: `{"level":"INFO","msg":"request","method":"HEAD","path":"/","query":"sort=size","proto":"HTTP/1.0","status":200,"bytes":0,"duration":0,"remote":"[::1]:443"}`,
		},
		{
			name: "refused before parsing",
			e:    httpserver.AccessEntry{RemoteIP: "192.0.2.7", RemotePort: 1, Status: 431, Bytes: 49},
			want: `{"level":"INFO","msg":"refused","status":431,"bytes":49,"duration":0,"remote":"192.0.2.7:1"}`,
		},
		{
			name: "refused, with the reason",
			e: httpserver.AccessEntry{RemoteIP: "192.0.2.7", RemotePort: 1, Status: 400, Bytes: 36,
				Err: errors.New("httpserver: bad request: invalid header field name")},
			want: `{"level":"INFO","msg":"refused","status":400,"bytes":36,"duration":0,"remote":"192.0.2.7:1","error":"httpserver: bad request: invalid header field name"}`,
		},
		{
			name: "a response cut short, no IP address",
			e: httpserver.AccessEntry{
				Request: &httpserver.Request{Verb: "GET", Path: "/big\"\n", Version: "1.1"},
				Status:  200, Bytes: 16384, Err: errors.New("write: broken pipe"),
			},
			want: `{"level":"INFO","msg":"request","method":"GET","path":"/big\"\n","proto":"HTTP/1.1","status":200,"bytes":16384,"duration":0,"error":"write: broken pipe"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			noTime := func(groups []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey && len(groups) == 0 {
					return slog.Attr{}
				}
				return a
			}
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}))
			msg, attrs := jsonAttrs(tt.e)
			logger.LogAttrs(t.Context(), slog.LevelInfo, msg, attrs...)
			if got := strings.TrimSuffix(buf.String(), "\n"); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestAccessLogLines checks that every mode writes one whole line per
// entry, however many connections log at once.
func TestAccessLogLines(t *testing.T) {
	if newAccessLog("off", &bytes.Buffer{}) != nil {
		t.Errorf(`newAccessLog("off") is not nil`)
	}
	for _, mode := range []string{"clf", "json"} {
		t.Run(mode, func(t *testing.T) {
			var w lockedBuffer
			log := newAccessLog(mode, &w)
			const n = 200
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Go(func() {
					log(httpserver.AccessEntry{
						Request:  &httpserver.Request{Verb: "GET", Path: "/" + strings.Repeat("x", i), Version: "1.1"},
						RemoteIP: "127.0.0.1", RemotePort: 1, Status: 200, Bytes: int64(i),
					})
				})
			}
			wg.Wait()
			lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
			if len(lines) != n {
				t.Fatalf("got %d lines, want %d", len(lines), n)
			}
			for _, line := range lines {
				switch mode {
				case "clf":
					if !strings.HasPrefix(line, "127.0.0.1 - - [") || !strings.Contains(line, `" 200 `) {
						t.Errorf("line %q is not a CLF line", line)
					}
				case "json":
					var v struct {
						Time   time.Time
						Msg    string
						Status int
					}
					if err := json.Unmarshal([]byte(line), &v); err != nil || v.Msg != "request" || v.Status != 200 || v.Time.IsZero() {
						t.Errorf("line %q: %+v, %v", line, v, err)
					}
				}
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer that panics when two goroutines write to
// it at once, which the access log must never do.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	if !b.mu.TryLock() {
		panic("concurrent writes to the access log's writer")
	}
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
