// Command idleconns measures what an idle keep-alive connection costs a
// server: it reads the server's resident set size, opens n connections that
// each complete one request and then stay open and silent, waits for the
// server to settle, reads the RSS again and prints the difference per
// connection.
//
//	idleconns -addr 127.0.0.1:8080 -pid 1234 -n 10000 [-src 127.0.0.1,127.0.0.2]
//
// Each source address gives at most about 28,000 connections to one server
// port (the kernel's ephemeral port range), so 100,000 connections need
// several loopback sources (-src) and a raised open-file limit in both
// processes. Only loopback addresses are accepted.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gohttpserver/httpserver/bench"
)

func main() {
	var (
		addr     = flag.String("addr", "127.0.0.1:8080", "server address (loopback only)")
		pid      = flag.Int("pid", 0, "server process id, whose /proc/<pid>/status is read")
		n        = flag.Int("n", 10000, "connections to open and hold")
		srcs     = flag.String("src", "127.0.0.1", "comma-separated loopback source addresses, used in turn")
		workers  = flag.Int("workers", 64, "connections opened concurrently")
		settle   = flag.Duration("settle", 3*time.Second, "wait after the last connection before reading RSS")
		path     = flag.String("path", "/plaintext", "request sent on each connection")
		label    = flag.String("label", "", "name printed with the result")
		deadline = flag.Duration("timeout", 120*time.Second, "give up after this long")
	)
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("idleconns: ")
	if *pid <= 0 {
		log.Fatal("-pid is required")
	}
	if err := checkLoopback(*addr); err != nil {
		log.Fatal(err)
	}
	var locals []*net.TCPAddr
	for s := range strings.SplitSeq(*srcs, ",") {
		ip := net.ParseIP(strings.TrimSpace(s))
		if ip == nil || !ip.IsLoopback() {
			log.Fatalf("-src %q: not a loopback address", s)
		}
		locals = append(locals, &net.TCPAddr{IP: ip})
	}
	raiseNoFile(uint64(*n) + 256)
	time.AfterFunc(*deadline, func() { log.Fatalf("gave up after %v", *deadline) })

	// One request first, so that lazily built server state (pools, the
	// Date cache, the first goroutines) is in the baseline.
	if c, err := openIdle(*addr, nil, *path); err != nil {
		log.Fatalf("first request: %v", err)
	} else {
		c.Close()
	}
	time.Sleep(*settle)
	before := mustRSS(*pid)

	conns := make([]net.Conn, *n)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= *n {
					return
				}
				c, err := openIdle(*addr, locals[i%len(locals)], *path)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	opened := int64(*n) - failed.Load()
	openTime := time.Since(start)
	time.Sleep(*settle)
	after := mustRSS(*pid)
	breakdown := fetchBreakdown(*addr)

	// Are they still open? A server that closed them early (an idle
	// timeout shorter than the test) would flatter its figure.
	alive := countAlive(conns)
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	if failed.Load() > 0 {
		log.Printf("%d connections failed; first error: %v", failed.Load(), firstErr.Load())
	}
	perConn := 0.0
	if opened > 0 {
		perConn = float64(after-before) / float64(opened)
	}
	fmt.Printf("%s\tconns=%d\talive=%d\topen_s=%.1f\trss_before_kB=%d\trss_after_kB=%d\tkB_per_conn=%.2f%s\n",
		*label, opened, alive, openTime.Seconds(), before, after, perConn, breakdown)
}

// openIdle connects, sends one keep-alive request, reads the whole
// response and returns the still-open connection.
func openIdle(addr string, local *net.TCPAddr, path string) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if local != nil {
		d.LocalAddr = local
		// Choose the source port at connect time, from the whole 4-tuple,
		// not at bind time: otherwise every source port must be unique on
		// the machine, and the previous run's TIME_WAIT sockets exhaust
		// the range.
		d.Control = bindAddressNoPort
	}
	var c net.Conn
	var err error
	for try := 0; ; try++ {
		// A SYN dropped by a full listen queue is retried by the kernel
		// only after a second or more; a few more attempts ride it out.
		if c, err = d.Dial("tcp", addr); err == nil || try == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: idleconns\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	if err := readResponse(bufio.NewReaderSize(c, 512)); err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// readResponse reads one response with a Content-Length body; that is all
// the benchmark handlers send.
func readResponse(r *bufio.Reader) error {
	status, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200")) {
		return fmt.Errorf("status line %q", status)
	}
	length := -1
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(name), "Content-Length") {
			length, err = strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil {
				return err
			}
		}
		if ok && strings.EqualFold(string(name), "Connection") && bytes.Contains(bytes.ToLower(value), []byte("close")) {
			return errors.New("server closes the connection")
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	_, err = r.Discard(length)
	return err
}

// countAlive reports how many connections the server has not closed: a
// read that times out at once means the peer is still there.
func countAlive(conns []net.Conn) int {
	alive := 0
	var one [1]byte
	for _, c := range conns {
		if c == nil {
			continue
		}
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		_, err := c.Read(one[:])
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			alive++
		}
	}
	return alive
}

func mustRSS(pid int) int64 {
	kb, err := bench.RSSKB(pid, "VmRSS")
	if err != nil {
		log.Fatal(err)
	}
	return kb
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", addr)
		}
	}
	return nil
}

// raiseNoFile raises the soft open-file limit towards want, up to the hard
// limit.
func raiseNoFile(want uint64) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return
	}
	if rl.Cur >= want {
		return
	}
	rl.Cur = min(want, rl.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		fmt.Fprintf(os.Stderr, "idleconns: raising the open-file limit: %v\n", err)
	}
	if rl.Cur < want {
		fmt.Fprintf(os.Stderr, "idleconns: open-file limit %d < %d wanted: raise it with ulimit -n\n", rl.Cur, want)
	}
}

// fetchBreakdown asks the server for its own memory figures (GET /rss on
// one more connection) while the idle connections are held, and returns
// them as tab-separated name=value pairs, or "" if that fails.
func fetchBreakdown(addr string) string {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return ""
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /rss HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		return ""
	}
	_, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok {
		return ""
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || (name != "HeapInuse_kB" && name != "StackInuse_kB" && name != "Goroutines") {
			continue
		}
		out.WriteString("\t" + name + "=" + value)
	}
	return out.String()
}

// ipBindAddressNoPort is Linux's IP_BIND_ADDRESS_NO_PORT (linux/in.h),
// which the syscall package does not name.
const ipBindAddressNoPort = 24

func bindAddressNoPort(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
