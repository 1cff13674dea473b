package interop

// Server-sent events: a handler that writes one event at a time and
// flushes it, and a client that reads each as it comes. The handler writes
// event i only when the test releases it, after the client has read event
// i-1: so each event the client reads was delivered by Flush alone, not by
// the end of the response or a buffer filling.

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

const sseEvents = 5

// sseHandler streams sseEvents events, each after a receive on release.
func sseHandler(release <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		f := w.(http.Flusher)
		io.WriteString(w, ": stream open\n\n")
		f.Flush()
		for i := range sseEvents {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, "id: %d\nevent: tick\ndata: event %d\n\n", i, i)
			f.Flush()
		}
	})
}

// readEvent reads one event (up to its blank line) from br.
func readEvent(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\n" {
			return b.String(), nil
		}
	}
}

func TestSSE(t *testing.T) {
	release := make(chan struct{})
	p := newPair(t, sseHandler(release))
	var heads []*answer
	p.each(t, func(t *testing.T, s *server) {
		req, _ := http.NewRequest("GET", s.url+"/events", nil)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := s.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		if ev, err := readEvent(br); err != nil || ev != ": stream open\n\n" {
			t.Fatalf("the opening comment: %q, %v", ev, err)
		}
		for i := range sseEvents {
			send(t, release, "event "+fmt.Sprint(i)+"'s release")
			ev, err := readEvent(br)
			if want := fmt.Sprintf("id: %d\nevent: tick\ndata: event %d\n\n", i, i); err != nil || ev != want {
				t.Fatalf("event %d: %q, %v; want %q", i, ev, err, want)
			}
		}
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Errorf("after the last event: %q, %v; want the end of the body", rest, err)
		}
		a := clientAnswer(resp)
		heads = append(heads, a)
	})
	if len(heads) == 2 {
		reportDiff(t, "GET /events (heads)", heads[0], heads[1], compareOptions{})
		if !heads[0].chunked {
			t.Errorf("net/http's event stream is not chunked: the test's premise is wrong")
		}
	}
}
