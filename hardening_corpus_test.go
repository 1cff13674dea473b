package httpserver

// The bad-input corpus: raw requests in testdata/badrequests/*.txt, each
// with the answer it must get, replayed over a loopback connection of
// every mode against a Server with the default limits. The file format is described in
// testdata/badrequests/README.md.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// corpusCase is one request of the corpus and the answer it must get.
type corpusCase struct {
	file, name string
	line       int    // where the case starts in file
	raw        []byte // the bytes the client sends
	statuses   []int  // one per response, in order; empty: no response at all
	close      bool   // the server must close the connection after them
	handler    string // "no", "yes" or "may-run"
	eof        bool   // the client half-closes after sending
	body       string // the last response's body must contain this
	ref        string
}

// loadCorpus parses every *.txt file in dir.
func loadCorpus(t *testing.T, dir string) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var all []corpusCase
	names := map[string]string{}
	for _, f := range files {
		cases, err := parseCorpusFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if prev, ok := names[c.name]; ok {
				t.Fatalf("%s:%d: case name %q already used in %s", c.file, c.line, c.name, prev)
			}
			names[c.name] = c.file
		}
		all = append(all, cases...)
	}
	return all
}

// parseCorpusFile reads one corpus file.
func parseCorpusFile(path string) ([]corpusCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		cases []corpusCase
		cur   *corpusCase
		seen  map[string]bool
		raw   strings.Builder
	)
	base := filepath.Base(path)
	finish := func() error {
		if cur == nil {
			return nil
		}
		b, err := decodeCorpusBytes(raw.String())
		if err != nil {
			return fmt.Errorf("%s:%d: %v", base, cur.line, err)
		}
		cur.raw = b
		for _, k := range []string{"status", "close", "handler"} {
			if !seen[k] {
				return fmt.Errorf("%s:%d: case %q has no %s: line", base, cur.line, cur.name, k)
			}
		}
		if len(cur.raw) == 0 {
			return fmt.Errorf("%s:%d: case %q sends nothing", base, cur.line, cur.name)
		}
		if !cur.close && (len(cur.statuses) == 0 || cur.eof) {
			return fmt.Errorf("%s:%d: case %q: the connection cannot stay usable without a response or after EOF", base, cur.line, cur.name)
		}
		cases = append(cases, *cur)
		cur = nil
		return nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "==="):
			if err := finish(); err != nil {
				return nil, err
			}
			cur = &corpusCase{file: base, line: n, name: strings.TrimSpace(line[3:])}
			seen = map[string]bool{}
			raw.Reset()
			if cur.name == "" {
				return nil, fmt.Errorf("%s:%d: case without a name", base, n)
			}
		case strings.HasPrefix(line, ">"):
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: request bytes outside a case", base, n)
			}
			raw.WriteString(strings.TrimPrefix(line[1:], " "))
		case strings.HasPrefix(line, "#"), strings.TrimSpace(line) == "":
		default:
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: %q outside a case", base, n, line)
			}
			key, value, ok := strings.Cut(line, ":")
			value = strings.TrimSpace(value)
			if !ok || seen[key] {
				return nil, fmt.Errorf("%s:%d: malformed or repeated line %q", base, n, line)
			}
			seen[key] = true
			var err error
			switch key {
			case "status":
				if value != "none" {
					for _, s := range strings.Fields(value) {
						code, cerr := strconv.Atoi(s)
						if cerr != nil || code < 100 || code > 599 {
							err = fmt.Errorf("bad status %q", s)
						}
						cur.statuses = append(cur.statuses, code)
					}
				}
			case "close":
				cur.close, err = corpusBool(value)
			case "eof":
				cur.eof, err = corpusBool(value)
			case "handler":
				cur.handler = value
				if value != "no" && value != "yes" && value != "may-run" {
					err = fmt.Errorf("handler: %q is not no, yes or may-run", value)
				}
			case "body":
				var b []byte
				b, err = decodeCorpusBytes(value)
				cur.body = string(b)
			case "ref":
				cur.ref = value
			default:
				err = fmt.Errorf("unknown key %q", key)
			}
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", base, n, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return cases, nil
}

func corpusBool(v string) (bool, error) {
	switch v {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", v)
}

// decodeCorpusBytes decodes the escapes of the corpus format: \r \n \t \v
// \f \0 \\ \xHH, and \{N:text} for text (itself with escapes, repeats
// included) repeated N times.
func decodeCorpusBytes(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(s) {
			return nil, errors.New("escape at the end of the input")
		}
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case 'f':
			out = append(out, '\f')
		case '0':
			out = append(out, 0)
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New("short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad \\x escape %q", s[i-1:i+3])
			}
			out = append(out, byte(v))
			i += 2
		case '{':
			end := repeatEnd(s[i:])
			colon := strings.IndexByte(s[i:], ':')
			if end < 0 || colon < 0 || colon > end {
				return nil, fmt.Errorf("malformed repeat at %q", abbrev(s[i-1:]))
			}
			n, err := strconv.Atoi(s[i+1 : i+colon])
			if err != nil || n < 0 || n > 4<<20 {
				return nil, fmt.Errorf("bad repeat count in %q", s[i-1:i+end+1])
			}
			unit, err := decodeCorpusBytes(s[i+colon+1 : i+end])
			if err != nil {
				return nil, err
			}
			for range n {
				out = append(out, unit...)
			}
			i += end
		default:
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return out, nil
}

// repeatEnd returns the index of the '}' that closes the repeat starting
// with the '{' at s[0], skipping nested repeats, or -1.
func repeatEnd(s string) int {
	depth := 0
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '\\':
			i++ // skip the escaped byte, so that "\\\\" is one backslash
		case s[i] == '}' && depth == 0:
			return i
		case s[i] == '}':
			depth--
		}
	}
	return -1
}

// corpusProbe is the request sent after a case whose connection must stay
// open; the handler answers it without counting a run.
const corpusProbe = "GET /probe HTTP/1.1\r\nHost: probe\r\nX-Corpus-Probe: 1\r\n\r\n"

// corpusHandler counts its runs in runs, reads the whole body, and answers
// 200 with what it saw; a body read that fails is answered 400 "handler:
// ...", so a test can tell that answer from the server's own.
func corpusHandler(runs *atomic.Int32) HandlerFunc {
	return func(req *Request) *Response {
		if req.Headers.Get("X-Corpus-Probe") == "1" {
			return &Response{StatusCode: 200, Message: "probe"}
		}
		runs.Add(1)
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return &Response{StatusCode: 400, Message: "handler: body read failed after " + strconv.Itoa(len(b)) + " bytes"}
		}
		return &Response{StatusCode: 200, Message: fmt.Sprintf("handler: %s %s HTTP/%s host=%s body=%d:%.64s",
			req.Verb, req.Path, req.Version, req.Host, len(b), b)}
	}
}

// TestHardeningCorpus replays every corpus case, in every mode, and checks
// the statuses, the close, and whether the handler ran.
func TestHardeningCorpus(t *testing.T) {
	checkNoGoroutineLeak(t)
	cases := loadCorpus(t, filepath.Join("testdata", "badrequests"))
	if len(cases) < 150 {
		t.Errorf("the corpus has %d cases, want at least 150", len(cases))
	}
	runModes(t, func(t *testing.T, m mode) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				replayCorpusCase(t, m, c, len(c.raw))
				if len(c.raw) <= maxBytewise {
					// The verdict must not depend on how the bytes arrive.
					replayCorpusCase(t, m, c, 1)
				}
			})
		}
	})
}

// maxBytewise bounds the cases also replayed one byte per write.
const maxBytewise = 512

// replayCorpusCase sends c in writes of step bytes to a server of mode m
// of its own, and checks the answer. The server is the replay's alone so
// that its handler's runs are this replay's: counted by the client's port
// instead, a run of an earlier connection that had the same port (the
// kernel reuses them) was charged to a case whose handler must never run.
func replayCorpusCase(t *testing.T, m mode, c corpusCase, step int) {
	where := fmt.Sprintf("%s:%d", c.file, c.line)
	if step < len(c.raw) {
		where += fmt.Sprintf(" (in writes of %d bytes)", step)
	}
	var runs atomic.Int32
	// Default limits, so that the corpus checks the documented defaults;
	// timeouts short enough that a case waiting on one fails quickly with
	// a 408 rather than hanging (no case relies on a timeout).
	ts := m.start(t, &Server{
		ReadHeaderTimeout: 3 * time.Second,
		ReadTimeout:       3 * time.Second,
		Handler:           corpusHandler(&runs),
	})
	nc := ts.dial(t)

	// Send from another goroutine: the server may answer and close before
	// it has read everything (a 413 by Content-Length), and the test must
	// read that answer rather than block in a write.
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for rest := c.raw; len(rest) > 0; {
			k := min(step, len(rest))
			if _, err := nc.Write(rest[:k]); err != nil {
				return
			}
			rest = rest[k:]
		}
		if c.eof {
			closeWrite(nc)
		}
	}()
	defer func() { nc.Close(); <-sent }()
	method := "GET"
	if strings.HasPrefix(string(c.raw), "HEAD ") {
		method = "HEAD"
	}
	br := bufio.NewReader(nc)
	var last *rawResp
	for i, want := range c.statuses {
		r, err := readRawResponse(br, method, nil)
		if err != nil {
			t.Fatalf("%s: response %d: %v (want %d; %s)", where, i+1, err, want, c.ref)
		}
		if r.Status != want {
			t.Errorf("%s: response %d: got %d %q, want %d (%s)", where, i+1, r.Status, abbrev(string(r.Body)), want, c.ref)
		}
		last = r
	}
	if last != nil && c.body != "" && !strings.Contains(string(last.Body), c.body) {
		t.Errorf("%s: body: got %q, want it to contain %q", where, abbrev(string(last.Body)), c.body)
	}
	if c.close {
		if last != nil {
			if v, _ := last.get("Connection"); v != "close" {
				t.Errorf("%s: last response: Connection %q, want close", where, v)
			}
		}
		// The connection must end with nothing more: a second response
		// here would be a smuggled request being answered.
		rest, err := io.ReadAll(br)
		if len(rest) > 0 {
			t.Errorf("%s: got %d more bytes %q, want the connection closed", where, len(rest), abbrev(string(rest)))
		}
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%s: got %v, want the connection closed", where, err)
		}
	} else {
		<-sent
		if _, err := io.WriteString(nc, corpusProbe); err != nil {
			t.Fatalf("%s: writing the probe: %v", where, err)
		}
		r, err := readRawResponse(br, "GET", nil)
		if err != nil || r.Status != 200 || string(r.Body) != "probe" {
			t.Errorf("%s: the connection should stay usable; probe got %v, %v", where, r, err)
		}
	}
	// The connection has ended or answered the probe: every request of
	// the case that the server will ever read has been read, and a
	// handler counts its run before it answers.
	switch n := runs.Load(); {
	case c.handler == "no" && n > 0:
		t.Errorf("%s: the handler ran %d times, want never", where, n)
	case c.handler == "yes" && n == 0:
		t.Errorf("%s: the handler did not run", where)
	}
}

// TestHardeningCorpusFormat checks the loader's escapes.
func TestHardeningCorpusFormat(t *testing.T) {
	for in, want := range map[string]string{
		`a\r\nb`:         "a\r\nb",
		`\t\v\f\0\\`:     "\t\v\f\x00\\",
		`\x41\xff`:       "A\xff",
		`\{3:ab}c`:       "abababc",
		`\{2:\r\n}`:      "\r\n\r\n",
		`\{0:x}`:         "",
		`\{2:a\{2:b}}`:   "abbabb",
		`x-\{2:\x20}-y`:  "x-  -y",
		`GET / HTTP/1.1`: "GET / HTTP/1.1",
	} {
		got, err := decodeCorpusBytes(in)
		if err != nil || string(got) != want {
			t.Errorf("decode(%q): got %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`\`, `\q`, `\x4`, `\xzz`, `\{3ab}`, `\{x:a}`} {
		if _, err := decodeCorpusBytes(in); err == nil {
			t.Errorf("decode(%q): got no error", in)
		}
	}
}
