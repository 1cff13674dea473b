package httpservertest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
)

// TestDoAgreesWithServer runs each row of TestDo on a real Server and
// checks that the client reads what Do recorded: the status line, the
// handler's fields, the body, the trailers and the interim answers, and
// that the server logs a fault exactly where Do reports one. The framing
// and the server's own fields (Date, Content-Length, Transfer-Encoding,
// Connection) are left out, as Do leaves them out; names are compared
// canonicalized and in sorted order, as net/http's client reads them.
func TestDoAgreesWithServer(t *testing.T) {
	for _, tt := range doTests() {
		t.Run(tt.name, func(t *testing.T) {
			if tt.notOnServer != "" {
				t.Skip(tt.notOnServer)
			}
			do := summarize(httpservertest.Do(tt.h, tt.request()), func(h *httpserver.Header) string {
				return sortFields(fields(h))
			})
			// A fresh row for the server: its Bodies are unread.
			row := rowNamed(t, tt.name)
			wire, log := serveOnce(t, &row)
			fault := do.fault
			do.err, do.flushes, do.fault = nil, 0, "" // not visible on the wire
			if wire != do {
				t.Errorf("the server sent\n  %v\nDo recorded\n  %v", wire, do)
			}
			switch logged := strings.Contains(log, "invalid response from handler") ||
				strings.Contains(log, "than its length"); {
			case fault != "" && !strings.Contains(log, fault):
				t.Errorf("Do's Fault is %q; the server logged %q", fault, log)
			case fault == "" && logged:
				t.Errorf("Do's Fault is empty; the server logged %q", log)
			}
		})
	}
}

func rowNamed(t *testing.T, name string) doTest {
	for _, tt := range doTests() {
		if tt.name == name {
			return tt
		}
	}
	t.Fatalf("no row %q", name)
	return doTest{}
}

// serveOnce serves tt's request on a Server of its own and returns what
// a client read (the fault left as "") and what the server logged.
func serveOnce(t *testing.T, tt *doTest) (result, string) {
	var log lockedBuffer
	srv := &httpserver.Server{Handler: tt.h, ErrorLog: slog.New(slog.NewTextHandler(&log, nil))}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-served
	}()

	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a safety net, not a synchronisation
	req := tt.request()
	target := req.Path
	if req.QueryStr != "" {
		target += "?" + req.QueryStr
	}
	head := req.Verb + " " + target + " HTTP/" + req.Version + "\r\n" + strings.ReplaceAll(fields(&req.Headers), "\n", "\r\n") + "\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}

	var got result
	br := bufio.NewReader(conn)
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: req.Verb})
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			got.interim += fmt.Sprintf("%d %q; ", resp.StatusCode, netFields(resp.Header))
			continue
		}
		got.status = resp.StatusCode
		got.msg = strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" ")
		got.headers = netFields(resp.Header)
		body, _ := io.ReadAll(resp.Body) // a truncated body ends in an error
		got.body = string(body)
		got.trailers = netFields(resp.Trailer)
		break
	}
	conn.Close()
	return got, log.String()
}

// sortFields canonicalizes and sorts "Name: value" lines, leaving out the
// fields the server writes itself, and Trailer.
func sortFields(s string) string {
	var lines []string
	for _, ln := range strings.SplitAfter(s, "\n") {
		name, value, ok := strings.Cut(ln, ": ")
		if !ok {
			continue
		}
		name = textproto.CanonicalMIMEHeaderKey(name)
		switch name {
		case "Date", "Content-Length", "Transfer-Encoding", "Connection":
			continue
		case "Trailer":
			continue // net/http's client takes it out of the Header
		}
		lines = append(lines, name+": "+value)
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// netFields renders a net/http Header as sortFields does.
func netFields(h http.Header) string {
	var b strings.Builder
	for name, values := range h {
		for _, v := range values {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	return sortFields(b.String())
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
