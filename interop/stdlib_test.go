package interop

// net/http's own handler-facing behaviour, differentially: what a handler
// is given in its *http.Request, and what becomes of what it does with its
// http.ResponseWriter (sniffing, implicit and explicit lengths, statuses
// without bodies, HEAD, late header changes, HTTP/1.0, keep-alive).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// echoed is what echoHandler reports of the request it was given.
type echoed struct {
	Method           string
	URL              string
	Path, RawPath    string
	RawQuery         string
	Proto            string
	ProtoMajor       int
	ProtoMinor       int
	Host             string
	RequestURI       string
	RemoteHost       string // RemoteAddr's host; the port differs by connection
	RemotePortOK     bool   // RemoteAddr is host:port with a numeric port
	Header           http.Header
	ContentLength    int64
	TransferEncoding []string
	Close            bool
	Body             string
	BodyErr          string
	Trailer          http.Header
	Form             url.Values
	PostForm         url.Values
	Cookies          []string
	Pattern          string
	PathValue        string
	TLS              bool
	LocalAddrHost    string // http.LocalAddrContextKey's host, if any
	ContextErr       string
}

// echoHandler answers with a JSON description of its request.
func echoHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(w http.ResponseWriter, r *http.Request) {
		e := echoed{
			Method: r.Method, URL: r.URL.String(), Path: r.URL.Path, RawPath: r.URL.RawPath,
			RawQuery: r.URL.RawQuery, Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
			Host: r.Host, RequestURI: r.RequestURI, Header: r.Header, ContentLength: r.ContentLength,
			TransferEncoding: r.TransferEncoding, Close: r.Close, Pattern: r.Pattern,
			PathValue: r.PathValue("rest"), TLS: r.TLS != nil,
		}
		host, port, err := net.SplitHostPort(r.RemoteAddr)
		e.RemoteHost = host
		if _, perr := fmt.Sscan(port, new(uint16)); err == nil && perr == nil {
			e.RemotePortOK = true
		}
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			e.LocalAddrHost, _, _ = net.SplitHostPort(a.String())
		}
		if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				e.BodyErr = err.Error()
			}
			e.Form, e.PostForm = r.Form, r.PostForm
		} else {
			b, err := io.ReadAll(r.Body)
			e.Body = string(b)
			if err != nil {
				e.BodyErr = err.Error()
			}
			e.Form = r.URL.Query()
		}
		e.Trailer = r.Trailer
		for _, c := range r.Cookies() {
			e.Cookies = append(e.Cookies, c.String())
		}
		if err := r.Context().Err(); err != nil {
			e.ContextErr = err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		enc.Encode(e)
	}
	mux.HandleFunc("/echo", handle)
	mux.HandleFunc("/echo/{rest...}", handle)
	mux.HandleFunc("POST /form", handle)
	return mux
}

func TestRequestFields(t *testing.T) {
	p := newPair(t, echoHandler())
	for _, req := range []string{
		get("/echo?a=1&b=2&a=3", "X-Multi: one", "X-Multi: two", "x-lower: v", "Cookie: a=1; b=2", "User-Agent: interop"),
		get("/echo/a%2Fb/c?q=%20x+y", "Accept: */*"),
		get("/echo/%E2%82%AC/plain"),
		"GET http://other.test/echo?abs=1 HTTP/1.1\r\nHost: interop.test\r\n\r\n",
		"GET /echo HTTP/1.0\r\n\r\n",
		"GET /echo HTTP/1.0\r\nHost: old.test\r\nConnection: keep-alive\r\n\r\n",
		get("/echo", "Connection: close"),
		request("POST", "/echo", "hello body", "Content-Type: text/plain"),
		request("POST", "/form?q=1", "a=2&b=%20three", "Content-Type: application/x-www-form-urlencoded"),
		"POST /echo HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
			"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: interop.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
		request("PUT", "/echo", "", "Content-Length: 0"),
		request("DELETE", "/echo", ""),
		request("OPTIONS", "/echo", ""),
		"OPTIONS * HTTP/1.1\r\nHost: interop.test\r\n\r\n",
	} {
		p.diff(t, req, compareOptions{body: func(std, ours []byte) string {
			return compareJSON(std, ours, nil)
		}})
	}
}

// compareJSON compares two JSON objects key by key, for a readable account
// of how two echoed requests differ, after fix (if not nil) has undone
// known differences in them.
func compareJSON(std, ours []byte, fix func(std, ours map[string]any)) string {
	if bytes.Equal(std, ours) {
		return ""
	}
	var a, b map[string]any
	if err := json.Unmarshal(std, &a); err != nil {
		return fmt.Sprintf("net/http's body is not a JSON object (%v): %q", err, std)
	}
	if err := json.Unmarshal(ours, &b); err != nil {
		return fmt.Sprintf("httpserver's body is not a JSON object (%v): %q", err, ours)
	}
	if fix != nil {
		fix(a, b)
	}
	var d []string
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if !bytes.Equal(x, y) {
			d = append(d, fmt.Sprintf("%s: net/http %s, httpserver %s", k, x, y))
		}
	}
	return strings.Join(d, "; ")
}

// TestRefusals sends requests that no handler may see: both servers must
// refuse them with the same status. The rest of such an answer is each
// server's own (README: known differences, "refusals").
func TestRefusals(t *testing.T) {
	p := newPair(t, echoHandler())
	for _, tc := range []struct {
		req string
		// ours, if not 0, is the engine's status where it is not
		// net/http's, for the reason in README ("refusals").
		ours int
	}{
		{req: get("/echo", "Host: second.test")},
		{req: "GET /echo HTTP/1.1\r\n\r\n"},
		{req: "GET /echo HTTP/1.1\r\nHost: interop.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx"},
		// RFC 9112 §6.3 item 4: a request whose final transfer coding is
		// not chunked has no length, and the server MUST answer 400;
		// net/http answers 501 (Not Implemented).
		{req: "POST /echo HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: gzip\r\n\r\n", ours: 400},
		{req: "POST /echo HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
		{req: "GET /echo HTTP/1.1\r\nHost: interop.test\r\nBad Name: v\r\n\r\n"},
		{req: "GET /echo HTTP/2.0\r\nHost: interop.test\r\n\r\n"},
	} {
		std, ours := rawRoundTrip(t, p.std, tc.req), rawRoundTrip(t, p.ours, tc.req)
		want := std.status
		if tc.ours != 0 {
			want = tc.ours
		}
		if ours.status != want {
			t.Errorf("%q: httpserver refused with %d; want %d (net/http: %d)", tc.req, ours.status, want, std.status)
		}
		if std.status < 400 {
			t.Errorf("%q: net/http answered %d, not a refusal: this request does not belong here", tc.req, std.status)
		}
	}
}

// responseHandler does, on each path, one thing a handler may do with its
// ResponseWriter. Write errors go to errs, net/http's answer's first.
func responseHandler(errs chan<- string) http.Handler {
	report := func(err error) {
		s := "<nil>"
		if err != nil {
			s = err.Error()
		}
		errs <- s
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/sniff/html", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>hi</body></html>")
	})
	mux.HandleFunc("/sniff/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0})
	})
	mux.HandleFunc("/sniff/none", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>not sniffed</html>")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		w.WriteHeader(code)
		_, err := io.WriteString(w, "body for status")
		report(err)
	})
	mux.HandleFunc("/twice", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "created")
	})
	mux.HandleFunc("/length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/length/over", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3")
		_, err := io.WriteString(w, "hello")
		report(err)
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Kept", "1")
		http.Error(w, "nope", http.StatusTeapot)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target?x=1", http.StatusFound)
	})
	mux.HandleFunc("/notfound", http.NotFound)
	mux.HandleFunc("/size/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "text/plain")
		writeSized(w, n)
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "before flush;")
		w.(http.Flusher).Flush()
		io.WriteString(w, "after flush")
	})
	mux.HandleFunc("/late-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Early", "1")
		io.WriteString(w, "x")
		// After the first Write the head is fixed, even while the body is
		// still buffered: net/http ignores this.
		w.Header().Set("X-Late", "1")
	})
	mux.HandleFunc("/late-header/explicit", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Header().Set("X-Late", "1")
		io.WriteString(w, "x")
	})
	mux.HandleFunc("/header-case", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["x-raw-lower"] = []string{"v"}
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/own-date", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", "Thu, 01 Jan 2026 00:00:00 GMT")
		io.WriteString(w, "dated")
	})
	mux.HandleFunc("/connection-close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "closing")
	})
	mux.HandleFunc("/unread", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "did not read the body")
	})
	return mux
}

// writeSized writes n bytes of text in writes of at most 1000 bytes.
func writeSized(w io.Writer, n int) {
	line := strings.Repeat("0123456789", 100)
	for n > 0 {
		k := min(n, len(line))
		io.WriteString(w, line[:k])
		n -= k
	}
}

func TestResponseWriter(t *testing.T) {
	errs := make(chan string, 2)
	p := newPair(t, responseHandler(errs))
	for _, tc := range []struct {
		req string
		// writeErr: the handler reports its Write's error, which must be
		// the same on both.
		writeErr bool
		head     bool
	}{
		{req: get("/sniff/html")},
		{req: get("/sniff/binary")},
		{req: get("/sniff/none")},
		{req: get("/empty")},
		{req: get("/status/201"), writeErr: true},
		{req: get("/status/204"), writeErr: true},
		{req: get("/status/304"), writeErr: true},
		{req: get("/status/404"), writeErr: true},
		{req: get("/status/500"), writeErr: true},
		{req: get("/twice")},
		{req: get("/length")},
		{req: get("/length/over"), writeErr: true},
		{req: get("/error")},
		{req: get("/redirect")},
		{req: request("HEAD", "/redirect", ""), head: true},
		{req: get("/notfound")},
		{req: get("/nothing-here")},
		{req: get("/size/0")},
		{req: get("/size/2048")},
		{req: get("/size/2049")},
		{req: get("/size/10000")},
		{req: get("/size/16384")},
		{req: get("/size/16385")},
		{req: get("/size/100000")},
		{req: request("HEAD", "/size/100", ""), head: true},
		{req: request("HEAD", "/size/10000", ""), head: true},
		{req: request("HEAD", "/size/100000", ""), head: true},
		{req: request("HEAD", "/empty", ""), head: true},
		{req: get("/flush")},
		{req: get("/late-header")},
		{req: get("/late-header/explicit")},
		{req: get("/header-case")},
		{req: get("/connection-close")},
		{req: "GET /size/100 HTTP/1.0\r\n\r\n"},
		{req: "GET /size/100000 HTTP/1.0\r\n\r\n"},
		{req: "GET /size/100000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
		{req: "GET /flush HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
		{req: request("POST", "/unread", "small body")},
		{req: request("POST", "/unread", strings.Repeat("x", 300<<10))},
		{req: "POST /unread HTTP/1.1\r\nHost: interop.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"},
	} {
		std, ours := p.diff(t, tc.req, compareOptions{head: tc.head})
		_, _ = std, ours
		if tc.writeErr {
			stdErr, ourErr := wait(t, errs, "net/http's write error"), wait(t, errs, "httpserver's write error")
			if stdErr != ourErr {
				t.Errorf("%s: the handler's Write returned %q on net/http, %q on httpserver", firstLine(tc.req), stdErr, ourErr)
			}
		}
	}

	// A second WriteHeader is logged, as net/http logs it.
	const superfluous = "superfluous response.WriteHeader call"
	if !strings.Contains(p.std.log.String(), superfluous) || !strings.Contains(defaultLog.String(), superfluous) {
		t.Errorf("a superfluous WriteHeader: net/http logged %q; FromHTTP logged %q", p.std.log, defaultLog)
	}

	// The Date a handler sets is its own on both.
	std := rawRoundTrip(t, p.std, get("/own-date"))
	ours := rawRoundTrip(t, p.ours, get("/own-date"))
	if s, o := dateOf(std), dateOf(ours); s != o {
		t.Errorf("a handler's own Date: net/http sent %q, httpserver %q", s, o)
	}
}

// dateOf is the Date field of a's head, as it came off the wire.
func dateOf(a *answer) string {
	for _, line := range strings.Split(string(a.wire), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Date: "); ok {
			return v
		}
		if line == "" {
			break
		}
	}
	return ""
}

// TestKeepAlive sends requests one after another on one connection: each
// server's answers, and whether it keeps the connection, must agree.
func TestKeepAlive(t *testing.T) {
	errs := make(chan string, 16)
	p := newPair(t, responseHandler(errs))
	seq := []string{
		get("/size/10"),
		get("/size/100000"),
		request("POST", "/unread", "small unread body"),
		get("/flush"),
		request("HEAD", "/size/100000", ""),
		get("/status/204"),
		get("/connection-close"),
	}
	var answers [2][]*answer
	for i, s := range p.both() {
		c := dial(t, s)
		rec := &recorder{r: c}
		br := bufio.NewReader(rec)
		for _, req := range seq {
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatalf("%s: %s: %v", s.name, firstLine(req), err)
			}
			rec.buf.Reset()
			a, err := readAnswer(br, methodOf(req))
			if err != nil {
				t.Fatalf("%s: %s: %v", s.name, firstLine(req), err)
			}
			a.wire = append([]byte(nil), rec.buf.Bytes()...)
			answers[i] = append(answers[i], a)
		}
		// After Connection: close, the server closes.
		if n, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("%s: after the Connection: close answer, Read gave %d, %v; want EOF", s.name, n, err)
		}
		c.Close()
	}
	for i, req := range seq {
		reportDiff(t, firstLine(req)+" (keep-alive)", answers[0][i], answers[1][i], compareOptions{head: methodOf(req) == "HEAD"})
	}
}

// TestResponseWriterInterfaces lists the optional interfaces of the
// ResponseWriter a handler is given, and what http.ResponseController's
// methods return: middleware (httpsnoop, chi's wrapper) passes on exactly
// these, and libraries choose their path by them.
func TestResponseWriterInterfaces(t *testing.T) {
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var has []string
		check := func(name string, ok bool) {
			if ok {
				has = append(has, name)
			}
		}
		_, flusher := w.(http.Flusher)
		_, hijacker := w.(http.Hijacker)
		_, readerFrom := w.(io.ReaderFrom)
		_, stringWriter := w.(io.StringWriter)
		//lint:ignore SA1019 CloseNotifier is deprecated, and still looked for by old middleware.
		_, closeNotifier := w.(http.CloseNotifier)
		_, pusher := w.(http.Pusher)
		_, unwrapper := w.(interface{ Unwrap() http.ResponseWriter })
		check("http.Flusher", flusher)
		check("http.Hijacker", hijacker)
		check("io.ReaderFrom", readerFrom)
		check("io.StringWriter", stringWriter)
		check("http.CloseNotifier", closeNotifier)
		check("http.Pusher", pusher)
		check("Unwrap", unwrapper)
		rc := http.NewResponseController(w)
		errs := map[string]string{}
		for name, err := range map[string]error{
			"SetReadDeadline(zero)":  rc.SetReadDeadline(time.Time{}),
			"SetWriteDeadline(zero)": rc.SetWriteDeadline(time.Time{}),
			"EnableFullDuplex":       rc.EnableFullDuplex(),
		} {
			errs[name] = fmt.Sprint(err)
		}
		w.Header().Set("Content-Type", "application/json")
		errs["Flush"] = fmt.Sprint(rc.Flush())
		errs["SetWriteDeadline(zero) after the head"] = fmt.Sprint(rc.SetWriteDeadline(time.Time{}))
		json.NewEncoder(w).Encode(map[string]any{"interfaces": has, "controller": errs})
	}))
	p.diff(t, get("/"), compareOptions{body: func(std, ours []byte) string {
		return compareJSON(std, ours, func(std, ours map[string]any) {
			// FromHTTP's writer is no http.CloseNotifier, deprecated since
			// Go 1.11 for the request's context (README: "CloseNotifier").
			if has, _ := std["interfaces"].([]any); len(has) > 0 {
				std["interfaces"] = slices.DeleteFunc(has, func(v any) bool { return v == "http.CloseNotifier" })
			}
		})
	}})
}
