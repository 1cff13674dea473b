package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ListenerID identifies a server started by RegisterCallback. Ids start at
// 1 and are never reused within a process.
type ListenerID uint64

// registry holds the servers started by RegisterCallback.
var registry struct {
	mu      sync.Mutex
	next    ListenerID
	servers map[ListenerID]*callbackServer
}

type callbackServer struct {
	srv  *Server
	addr net.Addr
	done chan struct{} // closed when Serve has returned
}

// stopTimeout bounds how long StopCallback waits for in-flight responses
// before it closes their connections.
const stopTimeout = 30 * time.Second

// RegisterCallback starts serving HTTP on host:port in the background,
// answering every request with cb, and returns an id for StopCallback and
// ListenerAddr.
//
// host is what to bind to: an IP address ("127.0.0.1", "::1"), an IPv6
// address in brackets as in a URL ("[::1]", the same as "::1"), a host
// name ("localhost"), or "" for every interface. Brackets around anything
// but an IPv6 address ("[localhost]") or left unclosed ("[::1") make host
// invalid. port 0 picks a free port (ListenerAddr tells which). The
// server has the default limits and timeouts of a zero Server; for other
// settings use a Server with HandlerFunc(cb) directly.
//
// cb is called on the connection's goroutine, once per request, possibly
// on many connections at once. See Handler for what happens when cb
// panics or returns an invalid response.
//
// Errors: a nil cb, a port outside 0..65535 or an invalid host is refused
// before anything is bound, with an error that says which; an
// address that is in use or not permitted returns the listen error,
// wrapped (errors.Is works, e.g. with syscall.EADDRINUSE).
func RegisterCallback(host string, port int, cb func(*Request) *Response) (ListenerID, error) {
	if cb == nil {
		return 0, errors.New("httpserver: RegisterCallback: nil callback")
	}
	if port < 0 || port > 65535 {
		return 0, fmt.Errorf("httpserver: RegisterCallback: port %d outside 0..65535", port)
	}
	h, ok := listenHost(host)
	if !ok {
		return 0, fmt.Errorf("httpserver: RegisterCallback: invalid host %q (want an IP address, an IPv6 address in brackets, a host name, or \"\")", host)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(port)))
	if err != nil {
		return 0, &callbackError{call: "RegisterCallback", err: err}
	}

	registry.mu.Lock()
	if registry.servers == nil {
		registry.servers = make(map[ListenerID]*callbackServer)
	}
	registry.next++
	id := registry.next
	cs := &callbackServer{
		srv:  &Server{Handler: HandlerFunc(cb), listenerID: id},
		addr: l.Addr(),
		done: make(chan struct{}),
	}
	registry.servers[id] = cs
	registry.mu.Unlock()

	go func() {
		defer close(cs.done)
		if err := cs.srv.Serve(l); err != nil && !errors.Is(err, ErrServerClosed) {
			cs.srv.logger().Error("httpserver: listener stopped", "id", uint64(id), "err", err)
		}
	}()
	return id, nil
}

// listenHost returns host as net.JoinHostPort wants it: "" (every
// interface), an IP address without brackets ("[::1]" gives "::1"; an
// IPv6 zone such as "%eth0" is kept), or a DNS host name. It reports false
// for anything else: brackets that are unclosed ("[::1") or that enclose
// anything but an IPv6 address ("[localhost]", "[127.0.0.1]"), and names
// with bytes a host name cannot have.
func listenHost(host string) (string, bool) {
	if inner, ok := strings.CutPrefix(host, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if a, err := netip.ParseAddr(inner); !ok || err != nil || !a.Is6() {
			return "", false
		}
		return inner, true
	}
	if host == "" {
		return "", true
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host, true
	}
	return host, validHostName(host)
}

// validHostName reports whether host is made of DNS labels: letters,
// digits, '-' and '_', at most 63 bytes each and 253 in all, separated
// by single dots (a final dot is allowed).
func validHostName(host string) bool {
	if len(host) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		label++
		if label > 63 {
			return false
		}
	}
	return true
}

// StopCallback stops the server RegisterCallback started as id: it stops
// accepting at once, closes idle connections, lets in-flight requests
// finish with a complete response (for up to 30 seconds, after which their
// connections are closed), and returns when all of that is done. Other
// listeners are not affected. An id that is unknown or already stopped
// returns an error for which errors.Is(err, ErrUnknownListener) holds.
func StopCallback(id ListenerID) error {
	registry.mu.Lock()
	cs, ok := registry.servers[id]
	delete(registry.servers, id)
	registry.mu.Unlock()
	if !ok {
		return &callbackError{call: callName("StopCallback", id), err: ErrUnknownListener}
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	err := cs.srv.Shutdown(ctx)
	<-cs.done
	if err != nil {
		return &callbackError{call: callName("StopCallback", id), err: err}
	}
	return nil
}

// ListenerAddr returns the address the server started as id is bound to;
// with port 0 in RegisterCallback this is where to find the port chosen.
func ListenerAddr(id ListenerID) (net.Addr, error) {
	registry.mu.Lock()
	cs, ok := registry.servers[id]
	registry.mu.Unlock()
	if !ok {
		return nil, &callbackError{call: callName("ListenerAddr", id), err: ErrUnknownListener}
	}
	return cs.addr, nil
}

// A callbackError is an error of the callback API wrapping its cause. Its
// text names the package and the call once, "httpserver: StopCallback(7):
// unknown listener id", also when the cause is one of this package's
// errors, whose own text begins "httpserver: ". Unwrap returns the cause,
// so errors.Is(err, ErrUnknownListener) and errors.Is(err,
// syscall.EADDRINUSE) work.
type callbackError struct {
	call string // "RegisterCallback", "StopCallback(7)"
	err  error
}

func (e *callbackError) Error() string {
	return "httpserver: " + e.call + ": " + strings.TrimPrefix(e.err.Error(), "httpserver: ")
}

func (e *callbackError) Unwrap() error { return e.err }

// callName returns the call for a callbackError: fn with id as argument.
func callName(fn string, id ListenerID) string {
	return fn + "(" + strconv.FormatUint(uint64(id), 10) + ")"
}
