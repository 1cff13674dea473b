package interop

// Full duplex: a handler that enables it with
// http.NewResponseController(w).EnableFullDuplex() may read its request's
// body while it writes the answer. The clients here write a line, then
// read its echo, then write the next: each echo must arrive before the
// client sends more, so neither side may wait for the other's end.

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

const duplexLines = 5

// duplexEcho answers each line of the request body with its echo, as it
// arrives, and "bye" at the body's end.
func duplexEcho() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			http.Error(w, "EnableFullDuplex: "+err.Error(), http.StatusNotImplemented)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		if err := rc.Flush(); err != nil {
			return
		}
		br := bufio.NewReader(r.Body)
		for {
			line, err := br.ReadString('\n')
			if err == io.EOF && line == "" {
				io.WriteString(w, "bye\n")
				return
			}
			if err != nil {
				fmt.Fprintf(w, "read error: %v\n", err)
				return
			}
			fmt.Fprintf(w, "echo: %s", line)
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}

// TestFullDuplexClient uses Go's client with a request body fed through
// an io.Pipe: the transport sends each write as a chunk at once, and
// returns the response as soon as its head arrives.
func TestFullDuplexClient(t *testing.T) {
	p := newPair(t, duplexEcho())
	p.each(t, func(t *testing.T, s *server) {
		pr, pw := io.Pipe()
		defer pw.Close()
		req, _ := http.NewRequest("POST", s.url+"/duplex", pr)
		resp, err := s.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %q", resp.StatusCode, b)
		}
		br := bufio.NewReader(resp.Body)
		for i := range duplexLines {
			line := fmt.Sprintf("line %d\n", i)
			if _, err := io.WriteString(pw, line); err != nil {
				t.Fatalf("writing %q: %v", line, err)
			}
			got, err := br.ReadString('\n')
			if err != nil || got != "echo: "+line {
				t.Fatalf("after sending %q, read %q, %v", line, got, err)
			}
		}
		pw.Close()
		rest, err := io.ReadAll(br)
		if err != nil || string(rest) != "bye\n" {
			t.Errorf("after the end of the request body: %q, %v; want \"bye\\n\"", rest, err)
		}
	})
}

// TestFullDuplexRaw does the same over raw TCP, with the chunked framing
// of both directions written and read by hand.
func TestFullDuplexRaw(t *testing.T) {
	p := newPair(t, duplexEcho())
	var heads []*answer
	p.each(t, func(t *testing.T, s *server) {
		c := dial(t, s)
		defer c.Close()
		io.WriteString(c, "POST /duplex HTTP/1.1\r\nHost: interop.test\r\nTransfer-Encoding: chunked\r\n\r\n")
		cbr := bufio.NewReader(c)
		resp, err := http.ReadResponse(cbr, nil)
		if err != nil {
			t.Fatalf("reading the head: %v", err)
		}
		br := bufio.NewReader(resp.Body)
		for i := range duplexLines {
			line := fmt.Sprintf("raw line %d\n", i)
			fmt.Fprintf(c, "%x\r\n%s\r\n", len(line), line)
			got, err := br.ReadString('\n')
			if err != nil || got != "echo: "+line {
				t.Fatalf("after sending %q, read %q, %v", line, got, err)
			}
		}
		io.WriteString(c, "0\r\n\r\n")
		rest, err := io.ReadAll(br)
		if err != nil || string(rest) != "bye\n" {
			t.Errorf("after the end of the request body: %q, %v; want \"bye\\n\"", rest, err)
		}
		heads = append(heads, clientAnswer(resp))
	})
	if len(heads) == 2 {
		reportDiff(t, "POST /duplex (raw, heads)", heads[0], heads[1], compareOptions{})
	}
}

// TestHalfDuplex: without EnableFullDuplex, net/http reads and discards
// what remains of the body when the head goes (so that a client that sends
// its whole request before reading cannot deadlock), and a handler's later
// body read fails. The same handler must see the same on the engine.
func TestHalfDuplex(t *testing.T) {
	results := make(chan string, 2)
	p := newPair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "head first\n")
		w.(http.Flusher).Flush()
		b, err := io.ReadAll(r.Body)
		results <- fmt.Sprintf("read %q, error %v", b, err)
	}))
	body := strings.Repeat("b", 1000)
	p.diff(t, request("POST", "/half", body), compareOptions{})
	std, ours := wait(t, results, "net/http's handler"), wait(t, results, "httpserver's handler")
	if std != ours {
		t.Errorf("a body read after the head was flushed, without EnableFullDuplex: net/http %s; httpserver %s", std, ours)
	}
}
