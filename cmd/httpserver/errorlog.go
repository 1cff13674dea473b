package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// newErrorLog returns the Server.ErrorLog for -log mode, writing to w:
// for "json" a JSON object per line, like the access log; otherwise
// slog's text format (key=value), with a handler panic's stack made
// readable (see stackHandler). -log off silences the access log only:
// faults are still worth seeing.
func newErrorLog(mode string, w io.Writer) *slog.Logger {
	if mode == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(newStackHandler(w, nil))
}

// stackKey is the attribute that holds a stack trace: the engine logs a
// handler panic with "stack", string(debug.Stack()).
const stackKey = "stack"

// stackHandler is slog's TextHandler, except that a "stack" attribute of
// the record whose value is a string of several lines is not written
// quoted on the line, where its "\n"s would make it unreadable, but after
// it, each of its lines indented by four spaces:
//
//	time=... level=ERROR msg="httpserver: handler panic" panic=boom verb=GET path=/x
//	    goroutine 7 [running]:
//	    main.f()
//	    	/src/main.go:10 +0x1d
//
// A record and its stack are written with a single Write, so records
// logged at once from several goroutines do not interleave. The indented
// lines cannot be mistaken for records, which never begin with a space.
type stackHandler struct {
	text slog.Handler // a TextHandler writing to out.buf
	out  *stackOutput // shared by the handlers WithAttrs and WithGroup derive
}

type stackOutput struct {
	mu  sync.Mutex   // guards buf, and serializes writes to w
	buf bytes.Buffer // the record being formatted
	w   io.Writer
}

func newStackHandler(w io.Writer, opts *slog.HandlerOptions) *stackHandler {
	out := &stackOutput{w: w}
	return &stackHandler{text: slog.NewTextHandler(&out.buf, opts), out: out}
}

func (h *stackHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.text.Enabled(ctx, l)
}

func (h *stackHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &stackHandler{text: h.text.WithAttrs(as), out: h.out}
}

func (h *stackHandler) WithGroup(name string) slog.Handler {
	return &stackHandler{text: h.text.WithGroup(name), out: h.out}
}

func (h *stackHandler) Handle(ctx context.Context, r slog.Record) error {
	var stack string
	r2 := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if stack == "" && a.Key == stackKey && a.Value.Kind() == slog.KindString && strings.Contains(a.Value.String(), "\n") {
			stack = a.Value.String()
		} else {
			r2.AddAttrs(a)
		}
		return true
	})

	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	h.out.buf.Reset()
	if err := h.text.Handle(ctx, r2); err != nil {
		return err
	}
	for line := range strings.Lines(stack) {
		h.out.buf.WriteString("    ")
		h.out.buf.WriteString(strings.TrimSuffix(line, "\n"))
		h.out.buf.WriteByte('\n')
	}
	_, err := h.out.w.Write(h.out.buf.Bytes())
	return err
}
