package metrics

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
)

// TestInstrument serves HTTP/1 and HTTP/2 requests, and a refusal, on an
// instrumented Server and checks what the Observer is told, in what
// order, and that the Server's own AccessLog still gets every entry
// after it; with Instrument called before h2.Configure and after it.
func TestInstrument(t *testing.T) {
	for _, order := range []string{"before h2.Configure", "after h2.Configure"} {
		t.Run(order, func(t *testing.T) {
			rec := newRecorder()
			srv := &httpserver.Server{Handler: testHandler, AccessLog: rec.accessLog, MaxHeaderCount: 8}
			configure := func() {
				if err := h2.Configure(srv, &h2.Config{H2C: true}); err != nil {
					t.Fatal(err)
				}
			}
			if order == "after h2.Configure" {
				configure()
			}
			Instrument(srv, rec)
			in := findInstrumented(t, srv.Handler)
			if order == "before h2.Configure" {
				configure()
			}
			addr := serve(t, srv)

			okHead := "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
			echoHead := "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
			brewHead := "BREW /ok HTTP/1.0\r\n\r\n"
			deleteHead := "DELETE /nothing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
			failHead := "GET /fail HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
			n := func(s string) string { return strconv.Itoa(len(s)) }
			tests := []struct {
				name   string
				do     func() int // returns the status the client got
				status int
				want   []string
			}{
				{"GET 200", func() int { return rawRequest(t, addr, okHead) }, 200, []string{
					"start GET HTTP/1.1 /ok",
					"done GET 2xx HTTP/1.1 /ok 200 in=" + n(okHead) + " out=3 started=true refused=false",
					"log 200",
				}},
				{"POST with a body", func() int { return rawRequest(t, addr, echoHead+"hello") }, 200, []string{
					"start POST HTTP/1.1 /echo",
					"done POST 2xx HTTP/1.1 /echo 200 in=" + strconv.Itoa(len(echoHead)+5) + " out=5 started=true refused=false",
					"log 200",
				}},
				{"an unknown method, HTTP/1.0", func() int { return rawRequest(t, addr, brewHead) }, 200, []string{
					"start _OTHER HTTP/1.0 /ok",
					"done _OTHER 2xx HTTP/1.0 /ok 200 in=" + n(brewHead) + " out=3 started=true refused=false",
					"log 200",
				}},
				{"DELETE 404", func() int { return rawRequest(t, addr, deleteHead) }, 404, []string{
					"start DELETE HTTP/1.1 /nothing",
					"done DELETE 4xx HTTP/1.1 /nothing 404 in=" + n(deleteHead) + " out=14 started=true refused=false",
					"log 404",
				}},
				{"GET 500", func() int { return rawRequest(t, addr, failHead) }, 500, []string{
					"start GET HTTP/1.1 /fail",
					"done GET 5xx HTTP/1.1 /fail 500 in=" + n(failHead) + " out=7 started=true refused=false",
					"log 500",
				}},
				{"a refused head", func() int { return rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n") }, 400, []string{
					"done _OTHER 4xx  - 400 in=0 out=" + n(refusalBody(400, "invalid header field name")) + " started=false refused=true",
					"log 400",
				}},
				{"GET over HTTP/2", func() int { return h2Get(t, addr, "/ok", 0) }, 200, []string{
					"start GET HTTP/2 /ok",
					"done GET 2xx HTTP/2 /ok 200 in=" + strconv.Itoa(goH2Get(addr, "/ok", 0)) + " out=3 started=true refused=false",
					"log 200",
				}},
				{"HTTP/2 over MaxHeaderCount", func() int { return h2Get(t, addr, "/ok", 9) }, 431, []string{
					// h2's limits answer before the handler: no Start.
					"done GET 4xx HTTP/2 /ok 431 in=" + strconv.Itoa(goH2Get(addr, "/ok", 9)) + " out=" + n(http.StatusText(http.StatusRequestHeaderFieldsTooLarge)+"\n") + " started=false refused=false",
					"log 431",
				}},
			}
			for _, tt := range tests {
				if got := tt.do(); got != tt.status {
					t.Errorf("%s: got status %d, want %d", tt.name, got, tt.status)
				}
				rec.waitLogged(t, 1)
				if got := rec.take(); !slices.Equal(got, tt.want) {
					t.Errorf("%s: the observer and the access log were told\n\t%s\nwant\n\t%s", tt.name, strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
				}
			}
			if got := in.live.len(); got != 0 {
				t.Errorf("%d requests are still remembered as in flight, want 0", got)
			}
		})
	}
}

// refusalBody is the body the server answers a refused head with.
func refusalBody(status int, reason string) string {
	return http.StatusText(status) + ": " + reason + "\n"
}

// findInstrumented returns the instrumented Handler h is.
func findInstrumented(t *testing.T, h httpserver.Handler) *instrumented {
	t.Helper()
	in, ok := h.(*instrumented)
	if !ok {
		t.Fatalf("the Server's Handler is a %T, not Instrument's", h)
	}
	return in
}

// h2Get fetches path over h2c with extra header fields and returns the
// status.
func h2Get(t *testing.T, addr, path string, extra int) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range extra {
		req.Header.Set("X-Extra-"+strconv.Itoa(i), "x")
	}
	resp, err := h2cClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.ProtoMajor != 2 {
		t.Errorf("GET %s: answered over %s, want HTTP/2", path, resp.Proto)
	}
	return resp.StatusCode
}

// TestInstrumentNilHandler: a Server without a Handler answers 404, and
// still does so instrumented.
func TestInstrumentNilHandler(t *testing.T) {
	rec := newRecorder()
	srv := &httpserver.Server{}
	Instrument(srv, rec)
	addr := serve(t, srv)
	head := "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	if got := rawRequest(t, addr, head); got != 404 {
		t.Errorf("GET /x: got %d, want 404", got)
	}
	waitTokens(t, rec.dones, 1) // the Server has no AccessLog of its own
	got := rec.take()
	want := []string{
		"start GET HTTP/1.1 /x",
		"done GET 4xx HTTP/1.1 /x 404 in=" + strconv.Itoa(len(head)) + " out=10 started=true refused=false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestInstrumentNoObserver leaves the Server as it was.
func TestInstrumentNoObserver(t *testing.T) {
	srv := &httpserver.Server{Handler: testHandler}
	Instrument(srv)
	if srv.AccessLog != nil {
		t.Error("Instrument without Observers set an AccessLog")
	}
	if _, ok := srv.Handler.(*instrumented); ok {
		t.Error("Instrument without Observers wrapped the Handler")
	}
}

// TestInstrumentH2CUpgrade upgrades a connection with "Upgrade: h2c":
// the upgrading request becomes HTTP/2 stream 1, and its own entry, a
// 101, comes when the HTTP/2 connection ends. Instrumented before
// h2.Configure, the 101 never reaches Start; after, it does, and it is
// in flight while the HTTP/2 connection lasts (as Instrument's doc says).
func TestInstrumentH2CUpgrade(t *testing.T) {
	head := "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n\r\n"
	upgrade101 := func(started bool) string {
		return "done GET 1xx HTTP/1.1 /ok 101 in=" + strconv.Itoa(len(head)) + " out=0 started=" + strconv.FormatBool(started) + " refused=false"
	}
	// Stream 1 is the upgrading request, its connection-specific fields
	// gone: the pseudo-header fields remain.
	stream1 := []string{
		"start GET HTTP/2 /ok",
		"done GET 2xx HTTP/2 /ok 200 in=" + strconv.Itoa(h2HeadSize(":authority", "a", ":method", "GET", ":path", "/ok", ":scheme", "http")) + " out=3 started=true refused=false",
		"log 200",
	}
	tests := []struct {
		order string
		want  []string
	}{
		{"before h2.Configure", append(slices.Clone(stream1), upgrade101(false), "log 101")},
		{"after h2.Configure", append(append([]string{"start GET HTTP/1.1 /ok"}, stream1...), upgrade101(true), "log 101")},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			rec := newRecorder()
			srv := &httpserver.Server{Handler: testHandler, AccessLog: rec.accessLog}
			configure := func() {
				if err := h2.Configure(srv, &h2.Config{H2C: true}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.order == "after h2.Configure" {
				configure()
			}
			Instrument(srv, rec)
			in := findInstrumented(t, srv.Handler)
			if tt.order == "before h2.Configure" {
				configure()
			}
			addr := serve(t, srv)
			h2cUpgrade(t, addr, head)
			rec.waitLogged(t, 2)
			if got := rec.take(); !slices.Equal(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
			if got := in.live.len(); got != 0 {
				t.Errorf("%d requests are still remembered as in flight, want 0", got)
			}
		})
	}
}

// h2cUpgrade sends head, an "Upgrade: h2c" request, to addr, speaks
// HTTP/2 until the response to stream 1 has ended, and closes the
// connection.
func h2cUpgrade(t *testing.T, addr, head string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(hangGuard))
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 {
		t.Fatalf("the upgrade got %d, want 101", resp.StatusCode)
	}
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(c, br)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading the response to stream 1: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			if f.StreamID == 1 && f.StreamEnded() {
				return
			}
		case *http2.DataFrame:
			if f.StreamID == 1 && f.StreamEnded() {
				return
			}
		}
	}
}
