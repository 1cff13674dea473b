// Command soakclient is the load and the judge of scripts/soak.sh. It
// drives a soakserver with a mix of keep-alive, pipelined, chunked-upload,
// streaming and early-disconnect clients for a given duration, samples the
// server's RSS, open descriptors, threads and goroutines every second, and
// fails when one of them keeps growing or does not come back down once the
// load stops.
//
// The rules (see judge):
//
//   - Growth under load: a least-squares line through the second half of
//     the samples taken under load may not rise, across that half, by more
//     than max(floor, 10% of the half's mean). Floors: 16 MiB of RSS, 16
//     descriptors, 16 goroutines; the first half is warm-up (heap growth to
//     its working size, pools filling).
//   - Back to baseline: after the clients have closed every connection,
//     goroutines and descriptors must return to within 2 of their values
//     before the load (measured after a warm-up request of each kind)
//     within the settle time.
//   - No errors: every response to a checked client (all but the early
//     disconnects) must be complete and correct.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	addr      = flag.String("addr", "", "the soakserver's address")
	statsAddr = flag.String("stats", "", "the soakserver's statistics address")
	pid       = flag.Int("pid", 0, "the soakserver's process id (for /proc)")
	duration  = flag.Duration("duration", 10*time.Minute, "how long to load the server")
	settle    = flag.Duration("settle", 20*time.Second, "how long the server may take to come back to its baseline")
	csvPath   = flag.String("csv", "", "file to write the samples to (CSV)")
)

func main() {
	flag.Parse()
	if *addr == "" || *statsAddr == "" || *pid == 0 {
		fmt.Fprintln(os.Stderr, "usage: soakclient -addr ADDR -stats ADDR -pid PID [-duration D] [-csv FILE]")
		os.Exit(2)
	}
	var csv io.Writer = io.Discard
	if *csvPath != "" {
		f, err := os.Create(*csvPath)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		csv = f
	}
	fmt.Fprintln(csv, "seconds,phase,rss_kib,fds,threads,goroutines,heap_inuse,ops,errors")

	// Warm up: one client of each kind, so that pools and lazily started
	// goroutines exist before the baseline is taken.
	warm := newLoad()
	rng := rand.New(rand.NewSource(1))
	for _, k := range kinds {
		if err := k.once(rng, warm.kind(k.name)); err != nil && k.checked {
			fatal(fmt.Errorf("warm-up %s: %v", k.name, err))
		}
	}
	base, err := takeSample()
	if err != nil {
		fatal(err)
	}
	fmt.Printf("baseline: rss %d KiB, %d fds, %d threads, %d goroutines\n", base.rssKiB, base.fds, base.threads, base.goroutines)

	load := newLoad()
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var wg sync.WaitGroup
	for i, k := range kinds {
		for w := range k.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(ctx, k, load.kind(k.name), int64(100*i+w))
			}()
		}
	}
	start := time.Now()
	var under []sample
	tick := time.NewTicker(time.Second)
	for ctx.Err() == nil {
		select {
		case <-tick.C:
		case <-ctx.Done():
			continue
		}
		s, err := takeSample()
		if err != nil {
			fatal(err)
		}
		s.t = time.Since(start).Seconds()
		under = append(under, s)
		ops, errs := load.totals()
		fmt.Fprintf(csv, "%.1f,load,%d,%d,%d,%d,%d,%d,%d\n", s.t, s.rssKiB, s.fds, s.threads, s.goroutines, s.heapInuse, ops, errs)
		if len(under)%30 == 0 {
			fmt.Printf("%4.0fs: rss %d KiB, %d fds, %d threads, %d goroutines; %d operations, %d errors\n",
				s.t, s.rssKiB, s.fds, s.threads, s.goroutines, ops, errs)
		}
	}
	wg.Wait()

	// Settle: every client connection is closed; the server must come back.
	var after sample
	deadline := time.Now().Add(*settle)
	for {
		after, err = takeSample()
		if err != nil {
			fatal(err)
		}
		after.t = time.Since(start).Seconds()
		fmt.Fprintf(csv, "%.1f,settle,%d,%d,%d,%d,%d,,\n", after.t, after.rssKiB, after.fds, after.threads, after.goroutines, after.heapInuse)
		if (after.goroutines <= base.goroutines+2 && after.fds <= base.fds+2) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	tick.Stop()

	ok := report(load, base, under, after)
	if !ok {
		fmt.Println("SOAK FAILED")
		os.Exit(1)
	}
	fmt.Println("SOAK PASSED")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "soakclient:", err)
	os.Exit(1)
}

// sample is one measurement of the server process.
type sample struct {
	t          float64 // seconds since the load started
	rssKiB     int
	fds        int
	threads    int
	goroutines int
	heapInuse  int
}

func takeSample() (sample, error) {
	var s sample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		f := strings.Fields(value)
		if len(f) == 0 {
			continue
		}
		switch name {
		case "VmRSS":
			s.rssKiB, _ = strconv.Atoi(f[0])
		case "Threads":
			s.threads, _ = strconv.Atoi(f[0])
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", *pid))
	if err != nil {
		return s, err
	}
	s.fds = len(fds)
	nc, err := net.DialTimeout("tcp", *statsAddr, 5*time.Second)
	if err != nil {
		return s, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: stats\r\nConnection: close\r\n\r\n")
	r, err := readResponse(bufio.NewReader(nc), false)
	if err != nil {
		return s, fmt.Errorf("statistics: %v", err)
	}
	for _, line := range strings.Split(string(r.body), "\n") {
		name, value, _ := strings.Cut(line, " ")
		n, _ := strconv.Atoi(value)
		switch name {
		case "goroutines":
			s.goroutines = n
		case "heap_inuse":
			s.heapInuse = n
		}
	}
	return s, nil
}

// A kind of client: workers run it in a loop; once makes one connection's
// worth of requests and reports the first wrong outcome.
type kind struct {
	name    string
	workers int
	checked bool          // errors count against the soak (not for early disconnects)
	pace    time.Duration // at most one connection per pace and worker; 0: no pause
	once    func(rng *rand.Rand, c *counter) error
}

var kinds = []kind{
	{"keep-alive", 4, true, 0, keepAlive},
	{"pipelined", 2, true, 0, pipelined},
	{"chunked upload", 2, true, 0, chunkedUpload},
	{"stream", 1, true, 0, stream},
	// Paced: each one is a new connection, and unpaced they would be most
	// of the load.
	{"early disconnect", 2, false, 5 * time.Millisecond, earlyDisconnect},
}

type counter struct {
	ops, errs atomic.Int64
	mu        sync.Mutex
	firstErrs []string
}

func (c *counter) fail(err error) {
	c.errs.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.firstErrs) < 5 {
		c.firstErrs = append(c.firstErrs, err.Error())
	}
}

type load struct {
	mu     sync.Mutex
	byKind map[string]*counter
}

func newLoad() *load { return &load{byKind: map[string]*counter{}} }

func (l *load) kind(name string) *counter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byKind[name] == nil {
		l.byKind[name] = &counter{}
	}
	return l.byKind[name]
}

func (l *load) totals() (ops, errs int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.byKind {
		ops += c.ops.Load()
		errs += c.errs.Load()
	}
	return ops, errs
}

func run(ctx context.Context, k kind, c *counter, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	var tick <-chan time.Time
	if k.pace > 0 {
		t := time.NewTicker(k.pace)
		defer t.Stop()
		tick = t.C
	}
	for ctx.Err() == nil {
		if tick != nil {
			select {
			case <-tick:
			case <-ctx.Done():
				return
			}
		}
		if err := k.once(rng, c); err != nil && k.checked && ctx.Err() == nil {
			c.fail(err)
		}
	}
}

func dial() (net.Conn, *bufio.Reader, error) {
	nc, err := net.DialTimeout("tcp", *addr, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return nc, bufio.NewReader(nc), nil
}

// keepAlive makes up to 300 requests on one connection: GET / and POST
// /echo with bodies of up to 64 KiB, alternately at random.
func keepAlive(rng *rand.Rand, c *counter) error {
	nc, br, err := dial()
	if err != nil {
		return err
	}
	defer nc.Close()
	for range 1 + rng.Intn(300) {
		var r *response
		if rng.Intn(2) == 0 {
			io.WriteString(nc, "GET / HTTP/1.1\r\nHost: soak\r\n\r\n")
			if r, err = readResponse(br, false); err != nil {
				return err
			}
			if r.status != 200 || string(r.body) != "Hello, World!\n" {
				return fmt.Errorf("GET /: %d %q", r.status, r.body)
			}
		} else {
			n := rng.Intn(64 << 10)
			io.WriteString(nc, "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: "+strconv.Itoa(n)+"\r\n\r\n"+strings.Repeat("e", n))
			if r, err = readResponse(br, false); err != nil {
				return err
			}
			if want := fmt.Sprintf("\n%d body bytes from ", n); r.status != 200 || !strings.Contains(string(r.body), want) {
				return fmt.Errorf("POST /echo of %d bytes: %d %q", n, r.status, r.body)
			}
		}
		c.ops.Add(1)
		if r.close {
			return nil // MaxRequestsPerConn reached
		}
	}
	return nil
}

// pipelined sends batches of 16 requests in one write and reads their
// responses, checking their order.
func pipelined(rng *rand.Rand, c *counter) error {
	nc, br, err := dial()
	if err != nil {
		return err
	}
	defer nc.Close()
	for range 1 + rng.Intn(20) {
		var batch strings.Builder
		for i := range 16 {
			fmt.Fprintf(&batch, "GET /echo?i=%d HTTP/1.1\r\nHost: soak\r\n\r\n", i)
		}
		if _, err := io.WriteString(nc, batch.String()); err != nil {
			return err
		}
		for i := range 16 {
			r, err := readResponse(br, false)
			if err != nil {
				return fmt.Errorf("pipelined response %d: %v", i, err)
			}
			if want := fmt.Sprintf("GET /echo?i=%d ", i); r.status != 200 || !strings.HasPrefix(string(r.body), want) {
				return fmt.Errorf("pipelined response %d: %d %q", i, r.status, r.body)
			}
			c.ops.Add(1)
			if r.close {
				return nil
			}
		}
	}
	return nil
}

// chunkedUpload sends a chunked body of up to 512 KiB in chunks of 64
// bytes to 16 KiB.
func chunkedUpload(rng *rand.Rand, c *counter) error {
	nc, br, err := dial()
	if err != nil {
		return err
	}
	defer nc.Close()
	total := rng.Intn(512 << 10)
	w := bufio.NewWriterSize(nc, 32<<10)
	io.WriteString(w, "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n")
	for left := total; left > 0; {
		k := min(left, 64+rng.Intn(16<<10))
		fmt.Fprintf(w, "%x\r\n%s\r\n", k, strings.Repeat("c", k))
		left -= k
	}
	io.WriteString(w, "0\r\n\r\n")
	if err := w.Flush(); err != nil {
		return err
	}
	r, err := readResponse(br, false)
	if err != nil {
		return err
	}
	if want := fmt.Sprintf("\n%d body bytes from ", total); r.status != 200 || !strings.Contains(string(r.body), want) {
		return fmt.Errorf("chunked upload of %d bytes: %d %q", total, r.status, r.body)
	}
	c.ops.Add(1)
	return nil
}

// stream reads a streamed response of three parts, 100ms apart.
func stream(_ *rand.Rand, c *counter) error {
	nc, br, err := dial()
	if err != nil {
		return err
	}
	defer nc.Close()
	io.WriteString(nc, "GET /stream?n=3 HTTP/1.1\r\nHost: soak\r\n\r\n")
	r, err := readResponse(br, false)
	if err != nil {
		return err
	}
	if r.status != 200 || string(r.body) != "part 0\npart 1\npart 2\n" {
		return fmt.Errorf("stream: %d %q", r.status, r.body)
	}
	c.ops.Add(1)
	return nil
}

// earlyDisconnect leaves in one of eight ways; the outcome is not checked,
// only what it leaves behind on the server.
func earlyDisconnect(rng *rand.Rand, c *counter) error {
	nc, br, err := dial()
	if err != nil {
		c.fail(err)
		return err
	}
	defer nc.Close()
	c.ops.Add(1)
	switch rng.Intn(8) {
	case 0: // connect and leave
	case 1: // part of a head
		io.WriteString(nc, "GET / HTTP/1.1\r\nHo")
	case 2: // part of a body
		io.WriteString(nc, "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 1000))
	case 3: // the start of a stream
		io.WriteString(nc, "GET /stream?n=20 HTTP/1.1\r\nHost: soak\r\n\r\n")
		br.ReadString('\n')
	case 4: // pipelined requests, no reading
		io.WriteString(nc, strings.Repeat("GET / HTTP/1.1\r\nHost: soak\r\n\r\n", 8))
	case 5: // a reset mid-body
		io.WriteString(nc, "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 5000\r\n\r\n"+strings.Repeat("x", 100))
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	case 6: // part of a chunked body
		io.WriteString(nc, "POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n"+strings.Repeat("x", 300))
	case 7: // part of a response
		io.WriteString(nc, "GET / HTTP/1.1\r\nHost: soak\r\n\r\n")
		br.Peek(5)
	}
	return nil
}

// response is a parsed response.
type response struct {
	status int
	close  bool
	body   []byte
}

// readResponse reads a response framed by Content-Length or chunked.
func readResponse(br *bufio.Reader, head bool) (*response, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("status line: %w", err)
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	r := &response{}
	r.status, _ = strconv.Atoi(f[1])
	length, chunked := -1, false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			length, _ = strconv.Atoi(value)
		case "transfer-encoding":
			chunked = value == "chunked"
		case "connection":
			r.close = strings.EqualFold(value, "close")
		}
	}
	switch {
	case head:
	case chunked:
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return nil, fmt.Errorf("chunk size: %w", err)
			}
			n, err := strconv.ParseInt(strings.TrimRight(line, "\r\n"), 16, 64)
			if err != nil {
				return nil, fmt.Errorf("chunk size %q", line)
			}
			if n == 0 {
				if _, err := br.ReadString('\n'); err != nil {
					return nil, fmt.Errorf("last chunk: %w", err)
				}
				break
			}
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(br, buf); err != nil {
				return nil, fmt.Errorf("chunk: %w", err)
			}
			r.body = append(r.body, buf[:n]...)
		}
	case length >= 0:
		r.body = make([]byte, length)
		if _, err := io.ReadFull(br, r.body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	default:
		return nil, errors.New("response without framing")
	}
	return r, nil
}

// metric names a sampled quantity and its growth floor.
type metric struct {
	name  string
	unit  string
	floor float64
	get   func(sample) float64
}

var metrics = []metric{
	{"RSS", "KiB", 16 << 10, func(s sample) float64 { return float64(s.rssKiB) }},
	{"fds", "", 16, func(s sample) float64 { return float64(s.fds) }},
	{"goroutines", "", 16, func(s sample) float64 { return float64(s.goroutines) }},
	{"threads", "", 16, func(s sample) float64 { return float64(s.threads) }},
}

// report prints the outcome and judges it.
func report(l *load, base sample, under []sample, after sample) bool {
	ok := true
	fmt.Printf("\nload for %s, %d samples\n", *duration, len(under))
	names := make([]string, 0, len(l.byKind))
	for name := range l.byKind {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := l.byKind[name]
		fmt.Printf("  %-17s %9d operations, %d errors\n", name, c.ops.Load(), c.errs.Load())
		checked := name != "early disconnect"
		for _, e := range c.firstErrs {
			fmt.Printf("    error: %s\n", e)
		}
		if checked && c.errs.Load() > 0 {
			ok = false
		}
	}
	if len(under) < 4 {
		fmt.Println("too few samples to judge growth")
		return false
	}
	half := under[len(under)/2:]
	fmt.Printf("\n%-11s %10s %10s %10s %10s %12s %10s  %s\n", "metric", "baseline", "min", "max", "after", "growth/2nd½", "tolerance", "verdict")
	for _, m := range metrics {
		xs, ys := make([]float64, len(half)), make([]float64, len(half))
		lo, hi, mean := m.get(under[0]), m.get(under[0]), 0.0
		for _, s := range under {
			lo, hi = min(lo, m.get(s)), max(hi, m.get(s))
		}
		for i, s := range half {
			xs[i], ys[i] = s.t, m.get(s)
			mean += ys[i] / float64(len(half))
		}
		growth := slope(xs, ys) * (xs[len(xs)-1] - xs[0])
		tol := max(m.floor, 0.1*mean)
		verdict := "ok"
		if growth > tol {
			verdict = "GROWING"
			ok = false
		}
		fmt.Printf("%-11s %10.0f %10.0f %10.0f %10.0f %12.1f %10.0f  %s\n", m.name, m.get(base), lo, hi, m.get(after), growth, tol, verdict)
	}
	fmt.Printf("\nafter the load: %d goroutines (baseline %d), %d fds (baseline %d)\n", after.goroutines, base.goroutines, after.fds, base.fds)
	if after.goroutines > base.goroutines+2 || after.fds > base.fds+2 {
		fmt.Println("not back to the baseline: something leaked")
		ok = false
	}
	return ok
}

// slope is the least-squares slope of ys over xs.
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}
