package interop

// http.Hijacker without a WebSocket library: the handler takes the
// connection, reads what the client sent after its request (whether the
// server had read it into its buffer already or not), and writes an answer
// of its own on the raw connection.

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func hijackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before-Hijack", "not sent") // the head is the handler's own now
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "Hijack: "+err.Error(), http.StatusInternalServerError)
			return
		}
		defer c.Close()
		line, err := brw.ReadString('\n')
		if err != nil {
			return
		}
		body := fmt.Sprintf("after the request came %q", line)
		fmt.Fprintf(brw, "HTTP/1.1 299 Hijacked\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		brw.Flush()
		// A Write on the ResponseWriter after Hijack fails, and so does a
		// second Hijack.
		_, werr := w.Write([]byte("x"))
		_, _, herr := http.NewResponseController(w).Hijack()
		fmt.Fprintf(c, "\nWrite after Hijack: %v; second Hijack: %v\n", werr, herr)
	})
}

func TestHijack(t *testing.T) {
	p := newPair(t, hijackHandler())
	var outs []string
	for _, s := range p.both() {
		c := dial(t, s)
		// One write: the request and the line after it, which the server
		// may well have read with the request.
		io.WriteString(c, get("/hijack")+"EXTRA LINE\n")
		b, err := io.ReadAll(bufio.NewReader(c))
		c.Close()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		outs = append(outs, string(b))
	}
	if outs[0] != outs[1] {
		t.Errorf("after Hijack the connections carried:\nnet/http:\n%s\nhttpserver:\n%s", outs[0], outs[1])
	}
	if !strings.Contains(outs[0], `after the request came "EXTRA LINE\n"`) {
		t.Errorf("net/http's hijacked connection carried %q: the test's premise is wrong", outs[0])
	}
}
