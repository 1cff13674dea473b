package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
)

// newAccessLog returns the Server.AccessLog for -log mode writing lines to
// w, or nil for "off". Lines are written whole, one Write each, however
// many connections log at once.
func newAccessLog(mode string, w io.Writer) func(httpserver.AccessEntry) {
	switch mode {
	case "clf":
		var mu sync.Mutex
		return func(e httpserver.AccessEntry) {
			line := appendCLF(nil, e, time.Now())
			mu.Lock()
			defer mu.Unlock()
			w.Write(line)
		}
	case "json":
		// The handler serializes its writes itself.
		logger := slog.New(slog.NewJSONHandler(w, nil))
		return func(e httpserver.AccessEntry) {
			msg, attrs := jsonAttrs(e)
			logger.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
		}
	}
	return nil
}

// clfTime is the time layout of the common log format.
const clfTime = "02/Jan/2006:15:04:05 -0700"

// appendCLF appends e as a line of the common log format with the
// duration in milliseconds after it, and then, when e.Err is set, the
// error quoted (why a request was refused, or why its response did not
// complete):
//
//	127.0.0.1 - - [02/Jan/2006:15:04:05 -0700] "GET /a.txt?x=1 HTTP/1.1" 200 1234 0.412
//	127.0.0.1 - - [02/Jan/2006:15:04:05 -0700] "-" 400 36 0.000 "httpserver: bad request: invalid header field name"
//
// The time is when the request's head was parsed (now less the duration).
// Fields that are unknown are "-": the host of a connection without an IP
// address, the request line of a request refused before it was parsed,
// the status when nothing could be sent, and the bytes when there were
// none (as in Apache's %b). The error is escaped as the request line is.
func appendCLF(b []byte, e httpserver.AccessEntry, now time.Time) []byte {
	host := e.RemoteIP
	if r := e.Request; r != nil {
		// Behind -trusted-proxies, the client they name.
		if ip, port := r.Client(); ip != r.RemoteIP || port != r.RemotePort {
			host = ip
		}
	}
	b = appendOrDash(b, host)
	b = append(b, " - - ["...)
	b = now.Add(-e.Duration).AppendFormat(b, clfTime)
	b = append(b, "] \""...)
	if r := e.Request; r != nil {
		b = appendEscaped(b, r.Verb)
		b = append(b, ' ')
		b = appendEscaped(b, r.Path)
		if r.QueryStr != "" {
			b = append(b, '?')
			b = appendEscaped(b, r.QueryStr)
		}
		b = append(b, ' ')
		b = appendEscaped(b, h2.Proto(r))
	} else {
		b = append(b, '-')
	}
	b = append(b, "\" "...)
	if e.Status > 0 {
		b = strconv.AppendInt(b, int64(e.Status), 10)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	if e.Bytes > 0 {
		b = strconv.AppendInt(b, e.Bytes, 10)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	b = strconv.AppendFloat(b, float64(e.Duration)/float64(time.Millisecond), 'f', 3, 64)
	if e.Err != nil {
		b = append(b, " \""...)
		b = appendEscaped(b, e.Err.Error())
		b = append(b, '"')
	}
	return append(b, '\n')
}

func appendOrDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

// appendEscaped appends s with '"', '\\' and every byte outside printable
// ASCII written as \xHH (as nginx does), so that whatever a client put in
// its request line cannot end the quoted field, forge a second line, or
// send escape sequences to a terminal.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
			continue
		}
		b = append(b, c)
	}
	return b
}

// jsonAttrs gives the message and attributes of e's JSON log line: msg is
// "request", or "refused" for bytes that did not parse as a request; the
// "error" attribute, when e.Err is set, says why it was refused or why
// the response did not complete.
func jsonAttrs(e httpserver.AccessEntry) (msg string, attrs []slog.Attr) {
	msg = "refused"
	attrs = make([]slog.Attr, 0, 10)
	if r := e.Request; r != nil {
		msg = "request"
		attrs = append(attrs, slog.String("method", r.Verb), slog.String("path", r.Path))
		if r.QueryStr != "" {
			attrs = append(attrs, slog.String("query", r.QueryStr))
		}
		attrs = append(attrs, slog.String("proto", h2.Proto(r)))
	}
	attrs = append(attrs,
		slog.Int("status", e.Status),
		slog.Int64("bytes", e.Bytes),
		slog.Duration("duration", e.Duration),
	)
	if e.RemoteIP != "" {
		peer := net.JoinHostPort(e.RemoteIP, strconv.Itoa(e.RemotePort))
		remote := peer
		if e.Request != nil {
			// Behind -trusted-proxies, the client they name; the proxy
			// itself as "peer".
			if ip, port := e.Request.Client(); ip != e.Request.RemoteIP || port != e.Request.RemotePort {
				remote = net.JoinHostPort(ip, strconv.Itoa(port))
			}
		}
		attrs = append(attrs, slog.String("remote", remote))
		if remote != peer {
			attrs = append(attrs, slog.String("peer", peer))
		}
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	return msg, attrs
}
