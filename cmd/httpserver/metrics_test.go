package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver/internal/promtest"
)

var metricsRE = regexp.MustCompile(`^Metrics on http://(\S+)/metrics$`)

// clfLineRE matches an access-log line of the default format.
var clfLineRE = regexp.MustCompile(`^127\.0\.0\.1 - - \[`)

// TestCLIMetrics runs the command with -metrics, makes requests of
// several kinds, scrapes the metrics and checks they count exactly those;
// then checks that the shutdown shows in /ready and httpserver_ready,
// and that the metrics listener closes with the command.
func TestCLIMetrics(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"hello.txt": "hello, world\n"})
	p := startCLI(t, "-addr", "127.0.0.1:0", "-metrics", "127.0.0.1:0", "-h2c", "-drain", "60s", dir)
	m := metricsRE.FindStringSubmatch(p.waitLine(t, 10*time.Second, metricsRE.MatchString))
	maddr := m[1]
	if !strings.HasPrefix(maddr, "127.0.0.1:") || maddr == p.addr {
		t.Fatalf("metrics on %s, want a port of 127.0.0.1 other than the server's (%s)", maddr, p.addr)
	}
	if out := p.output(); len(out) < 2 || !bannerRE.MatchString(out[0]) || !metricsRE.MatchString(out[1]) {
		t.Errorf("the first two lines are %q, want the banner and then where the metrics are", out)
	}

	// Before any request: no series of requests, the gauges, and the Go
	// runtime's metrics.
	fams := scrapeMetrics(t, maddr)
	checkFamily(t, fams, "httpserver_requests_total")
	checkFamily(t, fams, "httpserver_ready", "{} 1")
	// (httpserver_listeners is checked after a request: the banner can
	// come before Serve has taken the listener, whose backlog holds the
	// connections meanwhile.)
	if fams["go_goroutines"] == nil || fams["process_open_fds"] == nil {
		t.Error("the scrape lacks go_goroutines or process_open_fds: the Go and process collectors")
	}

	head := func(method, path, version string) string {
		return method + " " + path + " HTTP/" + version + "\r\nHost: a\r\nConnection: close\r\n\r\n"
	}
	tests := []struct {
		raw     string
		status  int
		refused bool // the head does not parse: it counts no bytes received
		unread  int  // body bytes nobody reads (the connection closes): not received
	}{
		{head("GET", "/hello.txt", "1.1"), 200, false, 0},
		{head("GET", "/hello.txt", "1.0"), 200, false, 0},
		{head("HEAD", "/hello.txt", "1.1"), 200, false, 0},
		{head("GET", "/missing", "1.1"), 404, false, 0},
		{"POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 405, false, 3},
		{head("BREW", "/hello.txt", "1.1"), 405, false, 0},
		{"NOT HTTP\r\n\r\n", 400, true, 0},
	}
	var in, out int
	for i, tt := range tests {
		status, body := rawExchange(t, p.addr, tt.raw)
		if status != tt.status {
			t.Errorf("%.40q: got status %d, want %d", tt.raw, status, tt.status)
		}
		if !tt.refused {
			in += len(tt.raw) - tt.unread
		}
		out += len(body)
		waitLogLines(t, p, i+1)
	}
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	resp, body := get(t, &http.Client{Transport: h2c, Timeout: 30 * time.Second}, p.base+"/hello.txt")
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Errorf("GET /hello.txt over h2c: %s %d", resp.Proto, resp.StatusCode)
	}
	out += len(body)
	// An HTTP/2 head counts as its header list size (RFC 9113 section
	// 6.5.2): Go's client sends these six fields, 32 octets more each.
	in += len(":authority"+p.addr) + len(":method"+"GET") + len(":path"+"/hello.txt") + len(":scheme"+"http") +
		len("accept-encoding"+"gzip") + len("user-agent"+"Go-http-client/2.0") + 6*32
	h2c.CloseIdleConnections()
	waitLogLines(t, p, len(tests)+1)

	// An HTTP/2 connection that breaks the protocol: counted by
	// x/net/http2's name for the error (h2.Config.CountError), not as a
	// request.
	bad, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	bad.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(bad, http2.ClientPreface)
	fr := http2.NewFramer(bad, bad)
	fr.WriteSettings()
	fr.WriteData(1, true, []byte("x")) // on a stream never opened
	for {                              // the count is made before the GOAWAY is sent
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY: %v", err)
		}
		if _, ok := f.(*http2.GoAwayFrame); ok {
			break
		}
	}
	bad.Close()

	fams = scrapeMetrics(t, maddr)
	checkFamily(t, fams, "httpserver_requests_total",
		`{code_class="2xx",method="GET",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="GET",proto="HTTP/1.0",route=""} 1`,
		`{code_class="2xx",method="HEAD",proto="HTTP/1.1",route=""} 1`,
		`{code_class="4xx",method="GET",proto="HTTP/1.1",route=""} 1`,
		`{code_class="4xx",method="POST",proto="HTTP/1.1",route=""} 1`,
		`{code_class="4xx",method="_OTHER",proto="HTTP/1.1",route=""} 1`,
		`{code_class="2xx",method="GET",proto="HTTP/2",route=""} 1`,
	)
	if got, want := familyLines(fams, "httpserver_request_duration_seconds"), familyLines(fams, "httpserver_requests_total"); !slices.Equal(got, want) {
		t.Errorf("httpserver_request_duration_seconds: got sample counts\n\t%s\nwant those of httpserver_requests_total\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	checkFamily(t, fams, "httpserver_refused_total", `{code="400"} 1`)
	checkFamily(t, fams, "httpserver_http2_errors_total", `{type="conn_PROTOCOL_ERROR_data_on_idle"} 1`)
	checkFamily(t, fams, "httpserver_received_bytes_total", "{} "+strconv.Itoa(in))
	checkFamily(t, fams, "httpserver_sent_bytes_total", "{} "+strconv.Itoa(out))
	checkFamily(t, fams, "httpserver_requests_in_flight", "{} 0")
	checkFamily(t, fams, "httpserver_listeners", "{} 1")

	status, body := rawExchange(t, maddr, "GET /ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	if status != 200 || body != "ready\n" {
		t.Errorf("GET /ready: got %d %q, want 200 \"ready\\n\"", status, body)
	}

	// During the drain the server is not ready, and says so, while its
	// listener still accepts.
	idle, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.waitLine(t, 10*time.Second, func(l string) bool { return strings.HasPrefix(l, "Shutting down") })
	status, body = rawExchange(t, maddr, "GET /ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	if status != 503 || body != "draining\n" {
		t.Errorf("GET /ready while draining: got %d %q, want 503 \"draining\\n\"", status, body)
	}
	fams = scrapeMetrics(t, maddr)
	checkFamily(t, fams, "httpserver_ready", "{} 0")
	checkFamily(t, fams, "httpserver_listeners", "{} 1")

	// Ctrl-C again: the drain (60 s) is cut short.
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 130 {
		t.Errorf("exit status: %d, want 130", code)
	}
	if c, err := net.DialTimeout("tcp", maddr, 5*time.Second); err == nil {
		c.Close()
		t.Errorf("the metrics listener %s still accepts after the command exited", maddr)
	}
}

// waitLogLines waits for n access-log lines. The metrics are counted
// before the line is written, so once it is there they have it.
func waitLogLines(t *testing.T, p *proc, n int) {
	t.Helper()
	p.waitFor(t, 10*time.Second, strconv.Itoa(n)+" access-log lines", func(lines []string, _ bool) bool {
		k := 0
		for _, l := range lines {
			if clfLineRE.MatchString(l) {
				k++
			}
		}
		return k >= n
	})
}

// rawExchange sends raw on a new connection to addr and reads one
// response: its status and body.
func rawExchange(t *testing.T, addr, raw string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%.30q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%.30q: %v", raw, err)
	}
	return resp.StatusCode, string(body)
}

// scrapeMetrics fetches /metrics from addr and parses the text format.
func scrapeMetrics(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	status, body := rawExchange(t, addr, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	if status != 200 {
		t.Fatalf("scrape: status %d: %q", status, body)
	}
	return promtest.ParseText(t, strings.NewReader(body))
}

// familyLines and checkFamily are promtest's Samples and Check.
var familyLines = promtest.Samples

func checkFamily(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) {
	t.Helper()
	promtest.Check(t, fams, name, want...)
}
