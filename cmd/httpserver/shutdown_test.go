package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// closeNotifyListener is a net.Listener that closes closed when it is
// closed: Shutdown closes the listeners first, so a test learns from it
// that the drain has begun.
type closeNotifyListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifyListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// drainRig is serveUntilSignal serving one request whose handler blocks
// until the test calls unblock.
type drainRig struct {
	l       *closeNotifyListener
	sigs    chan os.Signal
	release chan struct{} // closed by unblock
	once    sync.Once
	conn    net.Conn
	out     strings.Builder // serveUntilSignal's standard error; read once done has sent
	done    chan error      // serveUntilSignal's result
}

func startDrainRig(t *testing.T, grace time.Duration) *drainRig {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &drainRig{
		l:       &closeNotifyListener{Listener: l, closed: make(chan struct{})},
		sigs:    make(chan os.Signal, 2),
		release: make(chan struct{}),
		done:    make(chan error, 1),
	}
	entered := make(chan struct{}, 1)
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
			entered <- struct{}{}
			<-r.release // ignores its context, as a slow handler may
			return &httpserver.Response{StatusCode: 200, Message: "done\n"}
		}),
		ErrorLog: slog.New(slog.DiscardHandler),
	}
	t.Cleanup(r.unblock)
	go func() {
		r.done <- serveUntilSignal(srv, &listeners{ls: []net.Listener{r.l}}, r.sigs, nil, grace, &r.out)
	}()

	r.conn, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.conn.Close() })
	r.conn.SetDeadline(time.Now().Add(time.Minute)) // a bound on failure only
	fmt.Fprintf(r.conn, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	return r
}

// unblock lets the handler return.
func (r *drainRig) unblock() { r.once.Do(func() { close(r.release) }) }

// wait returns the exit status serveUntilSignal's result means, and what
// it printed.
func (r *drainRig) wait() (int, string) {
	err := <-r.done
	code := exitStatus(err, &r.out)
	return code, r.out.String()
}

// TestServeUntilSignal drives the shutdown with a request in flight that
// ends only when the test says so: no step waits for time to pass.
func TestServeUntilSignal(t *testing.T) {
	t.Run("the request finishes within the grace", func(t *testing.T) {
		r := startDrainRig(t, time.Hour)
		r.sigs <- os.Interrupt
		<-r.l.closed // the drain has begun, with the request in flight
		r.unblock()
		resp, err := http.ReadResponse(bufio.NewReader(r.conn), nil)
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "done\n" || !resp.Close {
			t.Errorf("got %d %q (close %v), want 200 \"done\\n\" with Connection: close", resp.StatusCode, body, resp.Close)
		}
		code, out := r.wait()
		if code != 0 || !strings.Contains(out, "Shutting down") || !strings.HasSuffix(out, "Stopped.\n") {
			t.Errorf("got status %d after printing\n%s\nwant 0 after \"Stopped.\"", code, out)
		}
	})
	t.Run("the grace runs out", func(t *testing.T) {
		r := startDrainRig(t, 0)
		r.sigs <- syscall.SIGTERM
		code, out := r.wait()
		const want = "httpserver: requests still in flight after 0s were cut off\n"
		if code != 1 || !strings.HasSuffix(out, want) {
			t.Errorf("got status %d after printing\n%s\nwant 1 after %q", code, out, want)
		}
		if got, _ := io.ReadAll(r.conn); len(got) != 0 {
			t.Errorf("the client got %q, want the connection closed without a response", got)
		}
	})
	t.Run("a second signal", func(t *testing.T) {
		r := startDrainRig(t, time.Hour)
		r.sigs <- os.Interrupt
		<-r.l.closed
		r.sigs <- os.Interrupt
		code, out := r.wait()
		const want = "httpserver: interrupt again: quit at once, cutting off requests in flight\n"
		if code != 130 || !strings.HasSuffix(out, want) {
			t.Errorf("got status %d after printing\n%s\nwant 130 after %q", code, out, want)
		}
		if got, _ := io.ReadAll(r.conn); len(got) != 0 {
			t.Errorf("the client got %q, want the connection closed without a response", got)
		}
	})
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"an error", fmt.Errorf("listen tcp: address in use"), 1},
		{"a second SIGINT", &quitError{os.Interrupt}, 130},
		{"a second SIGTERM", &quitError{syscall.SIGTERM}, 143},
		{"wrapped", fmt.Errorf("serving: %w", &quitError{syscall.SIGINT}), 130},
	}
	for _, tt := range tests {
		var out strings.Builder
		if got := exitStatus(tt.err, &out); got != tt.want {
			t.Errorf("exitStatus(%s): got %d, want %d", tt.name, got, tt.want)
		}
		if (tt.err == nil) != (out.Len() == 0) || strings.Contains(out.String(), "httpserver: httpserver:") {
			t.Errorf("exitStatus(%s) printed %q", tt.name, out.String())
		}
	}
}
