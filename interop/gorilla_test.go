package interop

// gorilla/handlers: compression, request logs, proxy fields. Its wrappers
// (httpsnoop) keep exactly the optional interfaces the ResponseWriter they
// wrap has (Flusher, Hijacker, io.ReaderFrom, ...), so they also check that
// the engine's ResponseWriter has the ones handlers rely on.

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/handlers"
)

// textHandler writes text of the size its path asks for, in 1000-byte
// writes; /flushed flushes halfway.
func textHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/text/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writeSized(w, n)
	})
	mux.HandleFunc("/flushed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writeSized(w, 5000)
		w.(http.Flusher).Flush()
		writeSized(w, 5000)
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "accepted")
	})
	return mux
}

func TestGorillaCompress(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", handlers.CompressHandler(textHandler()))
	mux.Handle("/files/", handlers.CompressHandler(http.StripPrefix("/files", http.FileServer(http.Dir(fileTree(t))))))
	p := newPair(t, mux)
	for _, req := range []string{
		get("/text/100", "Accept-Encoding: gzip"),
		get("/text/100000", "Accept-Encoding: gzip"),
		get("/text/100000", "Accept-Encoding: deflate"),
		get("/text/100000", "Accept-Encoding: br, gzip"),
		get("/text/100000", "Accept-Encoding: br"),
		get("/text/100000"),
		get("/flushed", "Accept-Encoding: gzip"),
		get("/status", "Accept-Encoding: gzip"),
		get("/files/data.bin", "Accept-Encoding: gzip"),
		get("/files/hello.txt", "Accept-Encoding: deflate"),
		request("HEAD", "/text/100000", "", "Accept-Encoding: gzip"),
	} {
		std, ours := p.diff(t, req, compareOptions{head: methodOf(req) == "HEAD"})
		if strings.Contains(req, "/text/100000") && strings.Contains(req, ": deflate") {
			for i, a := range []*answer{std, ours} {
				b, err := io.ReadAll(flate.NewReader(bytes.NewReader(a.body)))
				if err != nil || len(b) != 100000 {
					t.Errorf("%s: the deflate body inflates to %d bytes (%v), want 100000", p.both()[i].name, len(b), err)
				}
			}
		}
	}
}

// commonLogTime is the timestamp of a common or combined log line.
var commonLogTime = regexp.MustCompile(`\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} [-+][0-9]{4}\]`)

func TestGorillaLogging(t *testing.T) {
	common, combined := new(syncBuffer), new(syncBuffer)
	done := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.Handle("/common/", handlers.LoggingHandler(common, http.StripPrefix("/common", textHandler())))
	mux.Handle("/combined/", handlers.CombinedLoggingHandler(combined, http.StripPrefix("/combined", textHandler())))
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		mux.ServeHTTP(w, r)
	}))
	for _, tc := range []struct {
		req  string
		logs *syncBuffer
		want string
	}{
		{get("/common/text/100"), common,
			`127.0.0.1 - - [T] "GET /common/text/100 HTTP/1.1" 200 100`},
		{get("/common/text/100000?q=1"), common,
			`127.0.0.1 - - [T] "GET /common/text/100000?q=1 HTTP/1.1" 200 100000`},
		{get("/common/status"), common,
			`127.0.0.1 - - [T] "GET /common/status HTTP/1.1" 202 8`},
		{request("HEAD", "/common/text/100", ""), common,
			`127.0.0.1 - - [T] "HEAD /common/text/100 HTTP/1.1" 200 100`},
		{"GET /common/text/10 HTTP/1.0\r\n\r\n", common,
			`127.0.0.1 - - [T] "GET /common/text/10 HTTP/1.0" 200 10`},
		{get("/common/nothing"), common,
			`127.0.0.1 - - [T] "GET /common/nothing HTTP/1.1" 404 19`},
		{get("/combined/text/10", "Referer: http://ref.test/", "User-Agent: interop/1"), combined,
			`127.0.0.1 - - [T] "GET /combined/text/10 HTTP/1.1" 200 10 "http://ref.test/" "interop/1"`},
	} {
		before := len(tc.logs.String())
		std := rawRoundTrip(t, p.std, tc.req)
		wait(t, done, "net/http's handler to return")
		mid := len(tc.logs.String())
		ours := rawRoundTrip(t, p.ours, tc.req)
		wait(t, done, "httpserver's handler to return")
		all := tc.logs.String()
		reportDiff(t, firstLine(tc.req), std, ours, compareOptions{head: methodOf(tc.req) == "HEAD"})
		stdLog := commonLogTime.ReplaceAllString(strings.TrimSuffix(all[before:mid], "\n"), "[T]")
		ourLog := commonLogTime.ReplaceAllString(strings.TrimSuffix(all[mid:], "\n"), "[T]")
		if stdLog != ourLog {
			t.Errorf("%s: the request log: net/http %q, httpserver %q", firstLine(tc.req), stdLog, ourLog)
		}
		if stdLog != tc.want {
			t.Errorf("%s: the request log on net/http is %q; the test expects %q", firstLine(tc.req), stdLog, tc.want)
		}
	}
}

func TestGorillaProxyHeaders(t *testing.T) {
	p := newPair(t, handlers.ProxyHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote := r.RemoteAddr
		if strings.HasPrefix(remote, "127.0.0.1:") {
			remote = "127.0.0.1:port" // the port differs by connection
		}
		fmt.Fprintf(w, "remote=%s scheme=%s host=%s url=%s", remote, r.URL.Scheme, r.Host, r.URL)
	})))
	for _, req := range []string{
		get("/p"),
		get("/p", "X-Forwarded-For: 203.0.113.7, 10.0.0.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: public.test"),
		get("/p", "X-Real-IP: 198.51.100.2", "X-Forwarded-Scheme: https"),
		get("/p", `Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43`),
		get("/p", `Forwarded: for="[2001:db8::1]:4711"`),
	} {
		p.diff(t, req, compareOptions{})
	}
}
