package main

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// panicStack is a stack as debug.Stack gives it.
const panicStack = "goroutine 7 [running]:\n" +
	"runtime/debug.Stack()\n" +
	"\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\n" +
	"main.handler()\n" +
	"\t/src/main.go:10 +0x1d\n"

// logPanic logs as the engine logs a handler panic.
func logPanic(l *slog.Logger, stack string) {
	l.Error("httpserver: handler panic", "panic", "boom", "verb", "GET", "path", "/x", "stack", stack)
}

func TestStackHandler(t *testing.T) {
	noTime := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}}
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{
			name: "a panic's stack, below its line",
			log:  func(l *slog.Logger) { logPanic(l, panicStack) },
			want: `level=ERROR msg="httpserver: handler panic" panic=boom verb=GET path=/x` + "\n" +
				"    goroutine 7 [running]:\n" +
				"    runtime/debug.Stack()\n" +
				"    \t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\n" +
				"    main.handler()\n" +
				"    \t/src/main.go:10 +0x1d\n",
		},
		{
			name: "a stack without a final newline",
			log:  func(l *slog.Logger) { logPanic(l, "goroutine 1 [running]:\nmain.f()") },
			want: `level=ERROR msg="httpserver: handler panic" panic=boom verb=GET path=/x` + "\n" +
				"    goroutine 1 [running]:\n    main.f()\n",
		},
		{
			name: "a one-line stack stays on the line",
			log:  func(l *slog.Logger) { logPanic(l, "none") },
			want: `level=ERROR msg="httpserver: handler panic" panic=boom verb=GET path=/x stack=none` + "\n",
		},
		{
			name: "other multi-line values stay quoted",
			log:  func(l *slog.Logger) { l.Error("httpserver: accept error; retrying", "err", "a\nb") },
			want: `level=ERROR msg="httpserver: accept error; retrying" err="a\nb"` + "\n",
		},
		{
			name: "attributes and groups of a derived logger",
			log:  func(l *slog.Logger) { logPanic(l.With("conn", 3).WithGroup("g"), "s1\ns2\n") },
			want: `level=ERROR msg="httpserver: handler panic" conn=3 g.panic=boom g.verb=GET g.path=/x` + "\n" +
				"    s1\n    s2\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			tt.log(slog.New(newStackHandler(&out, noTime)))
			if got := out.String(); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestErrorLogWholeRecords: records logged at once from several
// goroutines are written whole, their stacks with them.
func TestErrorLogWholeRecords(t *testing.T) {
	var w lockedBuffer
	l := newErrorLog("clf", &w)
	const n = 100
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { logPanic(l, panicStack) })
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	const perRecord = 6 // the line and the stack's five
	if len(lines) != n*perRecord {
		t.Fatalf("got %d lines, want %d", len(lines), n*perRecord)
	}
	for i := 0; i < len(lines); i += perRecord {
		if !strings.HasPrefix(lines[i], "time=") || !strings.HasSuffix(lines[i], " path=/x") || lines[i+1] != "    goroutine 7 [running]:" {
			t.Fatalf("record at line %d: %q", i, lines[i:i+perRecord])
		}
	}
}

// TestErrorLogJSON: with -log json the error log is JSON too, the stack a
// string in it.
func TestErrorLogJSON(t *testing.T) {
	var out strings.Builder
	logPanic(newErrorLog("json", &out), panicStack)
	var rec struct {
		Level, Msg, Panic, Path, Stack string
	}
	if err := json.Unmarshal([]byte(out.String()), &rec); err != nil || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("not one JSON line: %q: %v", out.String(), err)
	}
	if rec.Level != "ERROR" || rec.Msg != "httpserver: handler panic" || rec.Panic != "boom" || rec.Path != "/x" || rec.Stack != panicStack {
		t.Errorf("got %+v", rec)
	}
}
