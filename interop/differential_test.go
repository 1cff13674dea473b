package interop

// The harness of the differential suite: every handler under test is served
// twice, by net/http's own http.Server and by an httpserver.Server through
// nethttp.FromHTTP, each on its own loopback port; the same requests go to
// both and the answers are compared field by field. A difference is either a
// bug or one of the known differences listed in README.md, which the
// comparison normalises by name (see compare) and nothing else.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/nethttp"
)

// failAfter bounds every wait in this suite. It is a failure timeout only:
// nothing waits for it to pass, and no result depends on how long anything
// took.
const failAfter = 20 * time.Second

// Write buffers before a streamed body's framing is chosen: net/http
// buffers bufferBeforeChunkingSize (2 KiB) of a handler's output, the engine
// its write window (httpserver.DefaultWriteBufferSize, 16 KiB). A body whose
// length lies between the two is chunked by net/http and gets a
// Content-Length from the engine (README: known differences, "framing").
const (
	stdChunkingBuffer  = 2 << 10
	oursChunkingBuffer = httpserver.DefaultWriteBufferSize
)

// defaultLog receives slog.Default()'s output for the whole run: FromHTTP
// logs what net/http logs to its Server's ErrorLog (panics, superfluous
// WriteHeader calls) through slog.Default() (README: known differences,
// "FromHTTP's log").
var defaultLog = new(syncBuffer)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(defaultLog, nil)))
	os.Exit(m.Run())
}

// A server is one side of a pair.
type server struct {
	name string // "net/http" or "httpserver"
	addr string // host:port on 127.0.0.1
	url  string // "http://" + addr
	log  *syncBuffer
}

// A pair is the same http.Handler served by both servers.
type pair struct {
	std, ours *server
	// stdServer and ourServer are the two servers, for tests that shut
	// them down or look at them.
	stdServer *http.Server
	ourServer *httpserver.Server
}

// newPair serves h on net/http and on the engine through FromHTTP, both on
// 127.0.0.1:0, until the test ends. configure, if given, adjusts the
// engine's Server before it serves; the net/http server keeps its defaults,
// as a net/http user's would be.
func newPair(t testing.TB, h http.Handler, configure ...func(*httpserver.Server)) *pair {
	t.Helper()
	p := &pair{
		std:  &server{name: "net/http", log: new(syncBuffer)},
		ours: &server{name: "httpserver", log: new(syncBuffer)},
	}

	stdLn := listen(t)
	std := &http.Server{Handler: h, ErrorLog: log.New(p.std.log, "", 0)}
	stdDone := make(chan struct{})
	go func() { defer close(stdDone); std.Serve(stdLn) }()

	ourLn := listen(t)
	ours := &httpserver.Server{
		Handler:  nethttp.FromHTTP(h),
		ErrorLog: slog.New(slog.NewTextHandler(p.ours.log, nil)),
	}
	for _, f := range configure {
		f(ours)
	}
	ourDone := make(chan struct{})
	go func() { defer close(ourDone); ours.Serve(ourLn) }()
	p.stdServer, p.ourServer = std, ours

	p.std.addr, p.ours.addr = stdLn.Addr().String(), ourLn.Addr().String()
	p.std.url, p.ours.url = "http://"+p.std.addr, "http://"+p.ours.addr
	t.Cleanup(func() {
		std.Close()
		ours.Close()
		<-stdDone
		<-ourDone
	})
	return p
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// both returns net/http's side first, then the engine's.
func (p *pair) both() []*server { return []*server{p.std, p.ours} }

// each runs f as a subtest against each server, net/http first: the same
// client-side test, where the answer is judged by a client's own checks
// rather than compared byte for byte.
func (p *pair) each(t *testing.T, f func(t *testing.T, s *server)) {
	t.Helper()
	for _, s := range p.both() {
		t.Run(s.name, func(t *testing.T) { f(t, s) })
	}
}

// client returns an http.Client of its own (its own connection pool), so
// that tests do not share connections.
func (s *server) client(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: failAfter}
}

// An answer is everything a response tells a client, read off the wire.
type answer struct {
	interim []*interim // 1xx answers before the final one, in order
	status  int
	reason  string // the reason phrase
	proto   string
	// header is the response's header fields, without Date, Content-Length
	// and Transfer-Encoding: Date differs by the clock, and the framing
	// fields are compared as framing (contentLength, chunked).
	header        http.Header
	contentLength int64 // -1: none
	chunked       bool
	close         bool // the answer says the connection closes (an HTTP/1.1 "Connection: close" is taken out of header into this)
	body          []byte
	bodyErr       error // reading the body failed (a truncated answer)
	trailer       http.Header
	wire          []byte // the bytes read, for messages
	// framingHidden: the answer was read by Go's client, which decoded a
	// compressed body and removed its Content-Length; its framing cannot
	// be compared.
	framingHidden bool
}

type interim struct {
	status int
	header http.Header
}

// rawRoundTrip sends req, verbatim, on a new connection to s and reads
// the answer (and any 1xx answers before it). The connection is closed
// afterwards.
func rawRoundTrip(t testing.TB, s *server, req string) *answer {
	t.Helper()
	a, err := rawTry(t, s, req)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	return a
}

// rawTry is rawRoundTrip for a request that may get no answer: it returns
// the error reading one.
func rawTry(t testing.TB, s *server, req string) (*answer, error) {
	t.Helper()
	c := dial(t, s)
	// The request is written while the answer is read: a server may answer
	// (and stop reading) before a large body is all sent, or send a large
	// answer before it reads the body.
	written := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c, req)
		written <- err
	}()
	rec := &recorder{r: c}
	a, err := readAnswer(bufio.NewReader(rec), methodOf(req))
	c.Close()
	werr := <-written
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %q: %w (writing the request: %v)\nread: %q", firstLine(req), err, werr, rec.buf.Bytes())
	}
	a.wire = rec.buf.Bytes()
	return a, nil
}

// dial connects to s with failAfter as the connection's deadline.
func dial(t testing.TB, s *server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	c.SetDeadline(time.Now().Add(failAfter))
	return c
}

// readAnswer reads one final answer, and the 1xx answers before it, from
// br; method is the request's (a HEAD answer has no body).
func readAnswer(br *bufio.Reader, method string) (*answer, error) {
	req := &http.Request{Method: method}
	a := &answer{}
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			a.interim = append(a.interim, &interim{status: resp.StatusCode, header: withoutDate(resp.Header)})
			continue
		}
		a.fill(resp)
		return a, nil
	}
}

// fill reads resp's body and takes down what it says.
func (a *answer) fill(resp *http.Response) {
	a.status, a.proto = resp.StatusCode, resp.Proto
	a.reason = strings.TrimPrefix(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)), " ")
	a.header = withoutDate(resp.Header)
	a.header.Del("Content-Length")
	a.contentLength = -1
	if resp.Header.Get("Content-Length") != "" {
		a.contentLength = resp.ContentLength
	}
	a.chunked = slices.Contains(resp.TransferEncoding, "chunked")
	a.close = resp.Close
	a.body, a.bodyErr = io.ReadAll(resp.Body)
	resp.Body.Close()
	a.trailer = resp.Trailer
}

func withoutDate(h http.Header) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Date")
	return h
}

// clientAnswer is resp, read to its end, as an answer.
func clientAnswer(resp *http.Response) *answer {
	a := &answer{}
	a.fill(resp)
	a.framingHidden = resp.Uncompressed
	return a
}

// A difference is one thing two answers disagree on.
type difference struct {
	what      string
	std, ours string
	detail    string // instead of std and ours, when a comparator said it
}

func (d difference) String() string {
	if d.detail != "" {
		return d.what + ": " + d.detail
	}
	return fmt.Sprintf("%s: net/http %s, httpserver %s", d.what, d.std, d.ours)
}

// compareOptions say which known differences (README.md) a comparison
// normalises, beyond those it always does (Date; framing within the
// buffers' gap). Each is named after its row in the table.
type compareOptions struct {
	// ignoreHeader are header fields not compared, each a known difference.
	ignoreHeader []string
	// body compares the bodies instead of bytes.Equal; it returns a
	// description of the difference, or "".
	body func(std, ours []byte) string
	// head: the answers are to HEAD requests, whose bodies are empty, so
	// the framing rule cannot look at the body's length.
	head bool
	// normalize, if set, is applied to both answers (copies) before they
	// are compared: it replaces what is expected to differ (a random
	// multipart boundary) by a fixed text.
	normalize func(*answer)
	// oursNoInterim: the engine sends no 1xx answers to this request, and
	// net/http does: to an HTTP/1.0 client (RFC 9110 §15.2; README: "1xx to
	// HTTP/1.0"), or to HEAD, whose handler FromHTTP runs before the
	// engine answers (README: "1xx to HEAD"). The engine's must be none;
	// net/http's are not compared.
	oursNoInterim bool
	// oursKeepsAlive: net/http closes the connection after this answer
	// and says so (Connection: close); the engine keeps it, with no
	// Connection field (README: "MaxBytesReader").
	oursKeepsAlive bool
}

// renamedReasons are the reason phrases RFC 9110 renamed: the engine
// sends the new names, net/http the old (README: "reason phrases").
var renamedReasons = map[int]string{
	413: "Content Too Large",
	416: "Range Not Satisfiable",
	422: "Unprocessable Content",
}

// compare returns the differences between net/http's answer and the
// engine's. It always leaves out Date (the clock), and it accepts one
// framing difference: a body of a length between net/http's 2 KiB and the
// engine's 16 KiB chunking buffers, which net/http chunks and the engine
// sends with a Content-Length (README: "framing").
func compare(std, ours *answer, o compareOptions) []difference {
	if o.normalize != nil {
		std, ours = std.copy(), ours.copy()
		o.normalize(std)
		o.normalize(ours)
	}
	var ds []difference
	add := func(what string, a, b any) {
		ds = append(ds, difference{what: what, std: fmt.Sprintf("%q", fmt.Sprint(a)), ours: fmt.Sprintf("%q", fmt.Sprint(b))})
	}
	if o.oursNoInterim {
		if len(ours.interim) != 0 {
			add("1xx answers to HTTP/1.0", "(not compared)", interimString(ours.interim))
		}
	} else if len(std.interim) != len(ours.interim) {
		add("1xx answers", interimString(std.interim), interimString(ours.interim))
	} else {
		for i := range std.interim {
			if std.interim[i].status != ours.interim[i].status {
				add(fmt.Sprintf("1xx answer %d status", i), std.interim[i].status, ours.interim[i].status)
			}
			ds = append(ds, compareHeader(fmt.Sprintf("1xx answer %d field", i), std.interim[i].header, ours.interim[i].header, o.ignoreHeader)...)
		}
	}
	if std.status != ours.status {
		add("status", std.status, ours.status)
	} else if std.reason != ours.reason &&
		!(std.reason == http.StatusText(std.status) && ours.reason == renamedReasons[std.status]) {
		add("reason phrase", std.reason, ours.reason)
	}
	if std.proto != ours.proto {
		add("protocol", std.proto, ours.proto)
	}
	stdHeader, ourHeader := std.header, ours.header
	if std.proto == "HTTP/1.0" && std.close && ours.close &&
		stdHeader.Get("Connection") == "" && slices.Equal(ourHeader["Connection"], []string{"close"}) {
		// Closing is HTTP/1.0's default: the engine says it, net/http
		// does not (README: "Connection: close to HTTP/1.0").
		ourHeader = ourHeader.Clone()
		ourHeader.Del("Connection")
	}
	if o.oursKeepsAlive && std.close && !ours.close {
		// (http.ReadResponse takes an HTTP/1.1 "Connection: close" out of
		// the fields into close.)
		ours = ours.copy()
		ours.close = true
	}
	ds = append(ds, compareHeader("field", stdHeader, ourHeader, o.ignoreHeader)...)
	if !std.framingHidden && !ours.framingHidden && !framingAgrees(std, ours, o.head, o.body != nil) {
		add("framing", framingString(std), framingString(ours))
	}
	if std.close != ours.close {
		add("closes the connection", std.close, ours.close)
	}
	if o.body != nil {
		if d := o.body(std.body, ours.body); d != "" {
			ds = append(ds, difference{what: "body", detail: d})
		}
	} else if !bytes.Equal(std.body, ours.body) {
		add("body", abbreviate(std.body), abbreviate(ours.body))
	}
	if (std.bodyErr == nil) != (ours.bodyErr == nil) {
		add("body read error", std.bodyErr, ours.bodyErr)
	}
	ds = append(ds, compareHeader("trailer", std.trailer, ours.trailer, nil)...)
	return ds
}

// copy returns a copy of a whose header and body may be changed.
func (a *answer) copy() *answer {
	c := *a
	c.header = a.header.Clone()
	c.body = bytes.Clone(a.body)
	return &c
}

// framingAgrees says whether the two answers are framed alike, or differ
// only as the chunking buffers make them (README: "framing"). With
// ownBodies, the bodies are not expected to be the same (a CPU profile,
// counters): a complete body's Content-Length must then be its own, and
// the two framed the same way. A body cut short (a panic) is framed by
// what the handler declared, so its framing must be the same as the
// other's exactly.
func framingAgrees(std, ours *answer, head, ownBodies bool) bool {
	if ownBodies && !head && std.bodyErr == nil && ours.bodyErr == nil {
		own := func(a *answer) bool { return a.contentLength < 0 || a.contentLength == int64(len(a.body)) }
		if !own(std) || !own(ours) {
			return false
		}
		if (std.contentLength >= 0) == (ours.contentLength >= 0) && std.chunked == ours.chunked {
			return true
		}
	}
	if std.contentLength == ours.contentLength && std.chunked == ours.chunked {
		return true
	}
	if head {
		// A HEAD answer tells the length of the body the handler wrote, when
		// it fit the buffer; with nothing of the body to look at, the gap
		// is recognised by the length the engine gives.
		return !ours.chunked && std.contentLength == -1 &&
			ours.contentLength > stdChunkingBuffer && ours.contentLength <= oursChunkingBuffer
	}
	n := int64(len(ours.body))
	return std.chunked && !ours.chunked && ours.contentLength == n &&
		n > stdChunkingBuffer && n <= oursChunkingBuffer
}

func framingString(a *answer) string {
	switch {
	case a.chunked:
		return "chunked"
	case a.contentLength >= 0:
		return fmt.Sprintf("Content-Length %d", a.contentLength)
	case a.close:
		return "close-delimited"
	}
	return "no body"
}

func interimString(is []*interim) string {
	var b strings.Builder
	for _, i := range is {
		fmt.Fprintf(&b, "%d %v; ", i.status, i.header)
	}
	return b.String()
}

// compareHeader compares two sets of fields, name by name and value by
// value in order, leaving out the names in ignore.
func compareHeader(what string, std, ours http.Header, ignore []string) []difference {
	var ds []difference
	names := map[string]bool{}
	for k := range std {
		names[k] = true
	}
	for k := range ours {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		if !slices.ContainsFunc(ignore, func(n string) bool { return http.CanonicalHeaderKey(n) == k }) {
			sorted = append(sorted, k)
		}
	}
	slices.Sort(sorted)
	for _, k := range sorted {
		if !slices.Equal(std[k], ours[k]) {
			ds = append(ds, difference{what: what + " " + k, std: fmt.Sprintf("%q", std[k]), ours: fmt.Sprintf("%q", ours[k])})
		}
	}
	return ds
}

func abbreviate(b []byte) string {
	const max = 300
	if len(b) > max {
		return fmt.Sprintf("%s... (%d bytes)", b[:max], len(b))
	}
	return string(b)
}

// diff sends req verbatim to both servers and reports every difference
// between the answers as a test error; it returns the two answers for
// further checks.
func (p *pair) diff(t *testing.T, req string, o compareOptions) (std, ours *answer) {
	t.Helper()
	std = rawRoundTrip(t, p.std, req)
	ours = rawRoundTrip(t, p.ours, req)
	reportDiff(t, firstLine(req), std, ours, o)
	return std, ours
}

// reportDiff reports the differences between two answers as test errors,
// with both answers as they came off the wire.
func reportDiff(t *testing.T, what string, std, ours *answer, o compareOptions) {
	t.Helper()
	ds := compare(std, ours, o)
	if len(ds) == 0 {
		return
	}
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n\t%s", d)
	}
	t.Errorf("%s: the answers differ:%s\nnet/http sent:\n%s\nhttpserver sent:\n%s", what, b.String(), wireString(std.wire), wireString(ours.wire))
}

func wireString(b []byte) string {
	if b == nil {
		return "\t(read by http.Client)"
	}
	return "\t" + strings.ReplaceAll(abbreviate(b), "\n", "\n\t")
}

func firstLine(req string) string {
	line, _, _ := strings.Cut(req, "\r\n")
	return line
}

func methodOf(req string) string {
	m, _, _ := strings.Cut(req, " ")
	return m
}

// A recorder keeps a copy of what is read through it.
type recorder struct {
	r   io.Reader
	buf bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

// A syncBuffer is a bytes.Buffer safe for concurrent use: loggers write to
// it from the servers' goroutines while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// get builds a raw HTTP/1.1 GET request for path, with the extra header
// lines given ("Name: value").
func get(path string, fields ...string) string {
	return request("GET", path, "", fields...)
}

// request builds a raw HTTP/1.1 request with the given fields; a
// non-empty body gets a Content-Length. The connection is left open, so
// that each server's keep-alive decision shows in its answer.
func request(method, path, body string, fields ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: interop.test\r\n", method, path)
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// wait receives from ch, failing the test after failAfter.
func wait[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// send sends an empty value on ch, failing the test after failAfter.
func send(t testing.TB, ch chan<- struct{}, what string) {
	t.Helper()
	select {
	case ch <- struct{}{}:
	case <-time.After(failAfter):
		t.Fatalf("timed out waiting to send %s", what)
	}
}
