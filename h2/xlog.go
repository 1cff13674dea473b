package h2

import (
	"context"
	"log"
	"log/slog"
	"strings"
	"time"
)

// clientCaused are the beginnings of x/net/http2's log messages about
// what a client did: broke the protocol, sent a bad preface, let the
// SETTINGS or PING deadline pass, went away with an error code. They are
// not the server's faults, which Server.ErrorLog is for, and a client
// could otherwise put an error record in that log for every connection
// it opens and breaks; CountError counts them instead.
var clientCaused = []string{
	"http2: server connection error from ",
	"http2: server closing client connection: ",
	"http2: server: error reading preface from client ",
	"timeout waiting for SETTINGS frames from ",
	"timeout waiting for PING response",
	"http2: received GOAWAY ",
}

// xnetLogger returns the *log.Logger x/net/http2 logs through (the
// http.Server's ErrorLog): each message becomes a record of h, at
// slog.LevelDebug for the client-caused ones and slog.LevelError for the
// rest (a handler's panic that reached x/net, a trailer it refused).
func xnetLogger(h slog.Handler) *log.Logger {
	return log.New(xnetLog{h}, "", 0)
}

type xnetLog struct{ h slog.Handler }

func (w xnetLog) Write(p []byte) (int, error) {
	msg := strings.TrimSuffix(string(p), "\n")
	level := slog.LevelError
	for _, prefix := range clientCaused {
		if strings.HasPrefix(msg, prefix) {
			level = slog.LevelDebug
			break
		}
	}
	ctx := context.Background()
	if w.h.Enabled(ctx, level) {
		w.h.Handle(ctx, slog.NewRecord(time.Now(), level, msg, 0))
	}
	return len(p), nil
}
