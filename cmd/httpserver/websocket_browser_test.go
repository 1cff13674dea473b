package main

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/websocket"
)

// wsPage is the page TestBrowserWebSocket loads. It opens a WebSocket to
// /ws on its own server, sends a text message, a binary one and a long
// compressible text, checks each echo, closes with 1000 "done", and
// reports what happened in #status and in window.wsReport (a promise).
const wsPage = `<!DOCTYPE html>
<html lang="en"><meta charset="utf-8"><title>websocket</title>
<p id="status">starting</p>
<script>
const status = document.getElementById('status');
window.wsReport = new Promise(resolve => {
	const report = {echoes: [], errors: [], protocol: '', extensions: ''};
	const long = 'compressible '.repeat(2000);
	const sent = ['hello from chromium', new Uint8Array([0, 1, 2, 255]), long];
	const same = (a, b) => typeof a === 'string' ? a === b :
		b instanceof ArrayBuffer && a.length === b.byteLength && new Uint8Array(b).every((x, i) => x === a[i]);
	const ws = new WebSocket('ws://' + location.host + '/ws', ['echo.v1']);
	ws.binaryType = 'arraybuffer';
	ws.onopen = () => {
		report.protocol = ws.protocol;
		report.extensions = ws.extensions;
		status.textContent = 'open';
		ws.send(sent[0]);
	};
	ws.onmessage = ev => {
		const i = report.echoes.length;
		const ok = same(sent[i], ev.data);
		report.echoes.push(ok ? 'ok' : 'wrong: ' + String(ev.data).slice(0, 40));
		if (i + 1 < sent.length) {
			ws.send(sent[i + 1]);
		} else {
			ws.close(1000, 'done');
		}
	};
	ws.onerror = () => report.errors.push('error event');
	ws.onclose = ev => {
		report.code = ev.code;
		report.reason = ev.reason;
		report.clean = ev.wasClean;
		status.textContent = 'closed ' + ev.code + (ev.wasClean ? ' clean' : ' unclean');
		resolve(report);
	};
});
</script>
</html>
`

// TestBrowserWebSocket: headless Chromium opens a WebSocket to a handler
// of the websocket package (with permessage-deflate, which Chromium
// offers), sends text and binary messages, gets their echoes, and closes
// cleanly with 1000. The page's report (and its #status, read as the
// user would see it) and what the server saw must agree.
func TestBrowserWebSocket(t *testing.T) {
	b := startBrowser(t)

	type seen struct {
		msgs       []string
		end        error
		compressed bool
		sub        string
	}
	saw := make(chan seen, 1)
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /", func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: wsPage}
		resp.Headers.Set("Content-Type", "text/html; charset=utf-8")
		return resp
	})
	mux.Route("GET /ws", websocket.Handler(func(c *websocket.Conn) {
		s := seen{compressed: c.Compressed(), sub: c.Subprotocol()}
		defer func() { saw <- s }()
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil {
				s.end = err
				return
			}
			s.msgs = append(s.msgs, typ.String()+":"+string(msg[:min(len(msg), 24)]))
			if err := c.WriteMessage(typ, msg); err != nil {
				s.end = err
				return
			}
		}
	}, &websocket.Options{Subprotocols: []string{"echo.v1"}, Compression: websocket.CompressionNoContext}))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpserver.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-served
	})

	b.open("http://" + l.Addr().String() + "/")
	var report struct {
		Echoes     []string
		Errors     []string
		Protocol   string
		Extensions string
		Code       int
		Reason     string
		Clean      bool
	}
	b.execAsync(`const done = arguments[arguments.length - 1]; window.wsReport.then(done);`, &report)
	if want := []string{"ok", "ok", "ok"}; !slices.Equal(report.Echoes, want) || len(report.Errors) > 0 {
		t.Errorf("the page's echoes %q, errors %q; want %q and none", report.Echoes, report.Errors, want)
	}
	if report.Code != 1000 || !report.Clean || report.Protocol != "echo.v1" || !strings.HasPrefix(report.Extensions, "permessage-deflate") {
		t.Errorf("the page reports %+v; want a clean close 1000, echo.v1, permessage-deflate", report)
	}
	if got, want := b.text(b.find("#status")), "closed 1000 clean"; got != want {
		t.Errorf("#status shows %q, want %q", got, want)
	}

	var s seen
	select {
	case s = <-saw:
	case <-time.After(30 * time.Second):
		t.Fatal("the server's handler did not end")
	}
	wantMsgs := []string{"text:hello from chromium", "binary:\x00\x01\x02\xff", "text:compressible compressibl"}
	var ce *websocket.CloseError
	if !slices.Equal(s.msgs, wantMsgs) || !errors.As(s.end, &ce) || *ce != (websocket.CloseError{Code: websocket.StatusNormalClosure, Reason: "done"}) {
		t.Errorf("the server read %q, then %v; want %q, then the page's close 1000 \"done\"", s.msgs, s.end, wantMsgs)
	}
	if !s.compressed || s.sub != "echo.v1" {
		t.Errorf("the server's Conn: compressed %v, subprotocol %q; want true, echo.v1", s.compressed, s.sub)
	}
}
