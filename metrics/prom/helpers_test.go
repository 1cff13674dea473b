package prom

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/promtest"
)

// hangGuard bounds every wait in these tests: it is not a timing
// assertion, only how long a broken test takes to fail instead of
// hanging.
const hangGuard = 20 * time.Second

// serve serves srv on a port of 127.0.0.1 until the test ends and
// returns the address.
func serve(t testing.TB, srv *httpserver.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

// metricsServer serves prom.Handler for a registry holding c on a Server
// of its own, as a program should (a scrape is then no request of the
// server it measures), and returns its address.
func metricsServer(t testing.TB, c *Collector) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return serve(t, &httpserver.Server{Handler: Handler(reg)})
}

// rawRequest sends raw on a new connection to addr and reads one
// response; it returns its status and body.
func rawRequest(t testing.TB, addr, raw string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(hangGuard))
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

// scrape fetches the text exposition from the metrics server at addr
// and parses it.
func scrape(t testing.TB, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	c := &http.Client{Timeout: hangGuard}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("scrape: Content-Type %q, want the text format", ct)
	}
	return parseText(t, resp.Body)
}

func parseText(t testing.TB, r io.Reader) map[string]*dto.MetricFamily {
	return promtest.ParseText(t, r)
}

// samples and checkSeries are promtest's Samples and Check.
var samples = promtest.Samples

func checkSeries(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) {
	t.Helper()
	promtest.Check(t, fams, name, want...)
}

// logWaiter is an AccessLog that hands out a token per entry. Instrument
// calls the Observers before it, so once it has had an entry, so has the
// Collector.
type logWaiter chan struct{}

func (w logWaiter) log(httpserver.AccessEntry) { w <- struct{}{} }

func (w logWaiter) wait(t testing.TB, n int) {
	t.Helper()
	timer := time.NewTimer(hangGuard)
	defer timer.Stop()
	for range n {
		select {
		case <-w:
		case <-timer.C:
			t.Fatalf("gave up after %v waiting for the access log", hangGuard)
		}
	}
}

// waitStats polls srv.Stats until cond holds for it. There is no event
// for a connection's state to wait on; the hang guard bounds the wait.
func waitStats(t testing.TB, srv *httpserver.Server, what string, cond func(httpserver.Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		st := srv.Stats()
		if cond(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s: the last Stats were %+v", hangGuard, what, st)
		}
		time.Sleep(time.Millisecond)
	}
}

// h2cClient returns a client that speaks HTTP/2 over cleartext TCP with
// prior knowledge.
func h2cClient(t testing.TB) (*http.Client, *http.Transport) {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hangGuard}, tr
}

// h2Get fetches url over h2c with c and returns the status and body.
func h2Get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("GET %s: answered over %s, want HTTP/2", url, resp.Proto)
	}
	return resp.StatusCode, string(body)
}
