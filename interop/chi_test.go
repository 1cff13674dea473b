package interop

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// chiLogFormatter is chi's DefaultLogFormatter, writing to a buffer, with
// panics logged to the same buffer instead of os.Stderr.
type chiLogFormatter struct{ middleware.DefaultLogFormatter }

func (f *chiLogFormatter) NewLogEntry(r *http.Request) middleware.LogEntry {
	return chiLogEntry{f.DefaultLogFormatter.NewLogEntry(r), f.Logger}
}

type chiLogEntry struct {
	middleware.LogEntry
	out middleware.LoggerInterface
}

func (e chiLogEntry) Panic(v any, stack []byte) { e.out.Print(fmt.Sprintf("panic: %v", v)) }

// chiRouter is a chi router with the usual middleware stack: request ids,
// the client address from proxy fields, a request log, panics recovered as
// 500. done receives once each request's handler chain has returned, so
// the log is read only when it is complete.
func chiRouter(logs *syncBuffer, done chan<- struct{}) http.Handler {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() { done <- struct{}{} }()
			next.ServeHTTP(w, r)
		})
	})
	r.Use(middleware.RequestID)
	// RealIP is deprecated (it believes any client's X-Forwarded-For);
	// it is here because applications still use it, and both servers
	// must treat it alike.
	//lint:ignore SA1019 tested for compatibility, not recommended
	r.Use(middleware.RealIP)
	r.Use(middleware.RequestLogger(&chiLogFormatter{middleware.DefaultLogFormatter{
		Logger: log.New(logs, "", 0), NoColor: true,
	}}))
	r.Use(middleware.Recoverer)

	type user struct {
		ID        string `json:"id"`
		Name      string `json:"name,omitempty"`
		RequestID string `json:"request_id"`
		Remote    string `json:"remote"`
	}
	remote := func(r *http.Request) string {
		// RealIP sets a bare address; without proxy fields it is host:port,
		// and the port differs by connection.
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			return host + ":port"
		}
		return r.RemoteAddr
	}
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(user{
			ID: chi.URLParam(r, "id"), RequestID: middleware.GetReqID(r.Context()), Remote: remote(r),
		})
	})
	r.Post("/users", func(w http.ResponseWriter, r *http.Request) {
		var u user
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		u.ID, u.RequestID, u.Remote = "7", middleware.GetReqID(r.Context()), remote(r)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/users/7")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(u)
	})
	r.Route("/api", func(r chi.Router) {
		r.Use(middleware.NoCache)
		r.Get("/items/{kind}/{n:[0-9]+}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "kind=%s n=%s pattern=%s", chi.URLParam(r, "kind"), chi.URLParam(r, "n"),
				chi.RouteContext(r.Context()).RoutePattern())
		})
	})
	r.With(middleware.Compress(5, "text/plain")).Get("/compressed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, strings.Repeat("compress me, chi; ", 1000))
	})
	r.Get("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("chi handler panicked")
	})
	return r
}

// chiLogLine matches a line of chi's default request log with its elapsed
// time, which differs from run to run, at the end.
var chiElapsed = regexp.MustCompile(` in [0-9.]+[µnm]?s$`)

func TestChi(t *testing.T) {
	logs := new(syncBuffer)
	done := make(chan struct{}, 1)
	p := newPair(t, chiRouter(logs, done))

	sameCounter := regexp.MustCompile(`-[0-9]{6}"`)
	for _, tc := range []struct {
		req string
		o   compareOptions
		// log is the request log's line, with the elapsed time cut off;
		// "" where the line differs by request (a generated request id).
		log string
	}{
		{req: get("/users/42", "X-Request-Id: req-1"),
			log: `[req-1] "GET http://interop.test/users/42 HTTP/1.1" from 127.0.0.1:port - 200 59B`},
		{req: get("/users/42", "X-Request-Id: req-2", "X-Real-IP: 203.0.113.9"),
			log: `[req-2] "GET http://interop.test/users/42 HTTP/1.1" from 203.0.113.9 - 200 56B`},
		{req: get("/users/42", "X-Forwarded-For: 198.51.100.1, 10.0.0.1", "X-Request-Id: req-3"),
			log: `[req-3] "GET http://interop.test/users/42 HTTP/1.1" from 198.51.100.1 - 200 57B`},
		// A generated id carries a per-process counter, one more for each
		// request: the two answers differ in it and nothing else.
		{req: get("/users/9"), o: compareOptions{body: func(std, ours []byte) string {
			s, o := sameCounter.ReplaceAllString(string(std), `-N"`), sameCounter.ReplaceAllString(string(ours), `-N"`)
			if s != o || !strings.Contains(s, `-N"`) {
				return fmt.Sprintf("net/http %q, httpserver %q", std, ours)
			}
			return ""
		}}},
		{req: request("POST", "/users", `{"name":"ada"}`, "Content-Type: application/json", "X-Request-Id: req-4"),
			log: `[req-4] "POST http://interop.test/users HTTP/1.1" from 127.0.0.1:port - 201 71B`},
		{req: request("POST", "/users", `{"name":`, "X-Request-Id: req-5"),
			log: `[req-5] "POST http://interop.test/users HTTP/1.1" from 127.0.0.1:port - 400 25B`},
		{req: get("/api/items/book/12?x=1", "X-Request-Id: req-6"),
			log: `[req-6] "GET http://interop.test/api/items/book/12?x=1 HTTP/1.1" from 127.0.0.1:port - 200 51B`},
		{req: get("/api/items/book/twelve", "X-Request-Id: req-7"),
			log: `[req-7] "GET http://interop.test/api/items/book/twelve HTTP/1.1" from 127.0.0.1:port - 404 19B`},
		{req: request("DELETE", "/users/42", "", "X-Request-Id: req-8"),
			log: `[req-8] "DELETE http://interop.test/users/42 HTTP/1.1" from 127.0.0.1:port - 405 0B`},
		{req: get("/compressed", "Accept-Encoding: gzip", "X-Request-Id: req-9")},
		{req: get("/compressed", "X-Request-Id: req-10"),
			log: `[req-10] "GET http://interop.test/compressed HTTP/1.1" from 127.0.0.1:port - 200 18000B`},
		{req: get("/panic", "X-Request-Id: req-11"),
			log: "panic: chi handler panicked\n" +
				`[req-11] "GET http://interop.test/panic HTTP/1.1" from 127.0.0.1:port - 500 0B`},
	} {
		before := len(logs.String())
		std := rawRoundTrip(t, p.std, tc.req)
		wait(t, done, "net/http's handler to return")
		mid := len(logs.String())
		ours := rawRoundTrip(t, p.ours, tc.req)
		wait(t, done, "httpserver's handler to return")
		all := logs.String()
		reportDiff(t, firstLine(tc.req), std, ours, tc.o)

		stdLog, ourLog := chiLog(all[before:mid]), chiLog(all[mid:])
		if stdLog != ourLog {
			t.Errorf("%s: chi's request log: net/http %q, httpserver %q", firstLine(tc.req), stdLog, ourLog)
		}
		if tc.log != "" && stdLog != tc.log {
			t.Errorf("%s: chi's request log on net/http is %q; the test expects %q", firstLine(tc.req), stdLog, tc.log)
		}
	}
}

// chiLog is a stretch of chi's request log with what differs from request
// to request cut out: the times, the client ports, the counter in a
// generated request id.
func chiLog(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	port := regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	counter := regexp.MustCompile(`^(\[[^ ]+)-[0-9]{6}\]`)
	for i, l := range lines {
		l = chiElapsed.ReplaceAllString(l, "")
		l = counter.ReplaceAllString(l, "$1-N]")
		lines[i] = port.ReplaceAllString(l, "127.0.0.1:port")
	}
	return strings.Join(lines, "\n")
}

// TestChiClient drives the chi router with Go's client (which asks for
// gzip and decompresses transparently), as a browser-like client sees it.
func TestChiClient(t *testing.T) {
	logs := new(syncBuffer)
	done := make(chan struct{}, 1)
	p := newPair(t, chiRouter(logs, done))
	var answers []*answer
	for _, s := range p.both() {
		resp, err := s.client(t).Get(s.url + "/compressed")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !resp.Uncompressed {
			t.Errorf("%s: the client did not get a gzip body it decompressed (Content-Encoding %q)", s.name, resp.Header.Get("Content-Encoding"))
		}
		answers = append(answers, clientAnswer(resp))
		wait(t, done, s.name+"'s handler to return")
	}
	reportDiff(t, "GET /compressed (Go's client)", answers[0], answers[1], compareOptions{})
	if want := strings.Repeat("compress me, chi; ", 1000); string(answers[1].body) != want {
		t.Errorf("httpserver: the decompressed body is %d bytes, want %d", len(answers[1].body), len(want))
	}
}
