package h2

//lint:file-ignore SA1019 see h2.go: ServeConn is the one API that serves a connection accepted elsewhere.

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http2"

	"github.com/gohttpserver/httpserver"
)

// upgradeHandler answers HTTP/1.1 requests that ask to upgrade to h2c
// (RFC 7540 §3.2) with 101 Switching Protocols and serves HTTP/2 on the
// connection, the request becoming stream 1; every other request goes to
// next. The connection is handed off (StreamWriter.HandOff), so the
// server keeps counting it and Shutdown waits for it.
//
// Only a request without a body is upgraded. RFC 7540 lets a request
// with a body upgrade too, but then the whole body has to be read (and
// held) before the 101, for a mechanism RFC 9113 has deprecated; such a
// request is answered over HTTP/1.1, as the Upgrade field allows (RFC
// 9110 §7.8: a server may ignore it). curl --http2 upgrades only bodiless
// requests for the same reason.
type upgradeHandler struct {
	sv   *server
	next httpserver.Handler // nil: 404
}

func (u *upgradeHandler) Handle(req *httpserver.Request) *httpserver.Response {
	settings, ok := h2cUpgrade(req)
	if !ok {
		if u.next == nil {
			return &httpserver.Response{StatusCode: 404, Message: "404 Not Found\n"}
		}
		return u.next.Handle(req)
	}
	resp := &httpserver.Response{StatusCode: 101, Stream: func(w *httpserver.StreamWriter) error {
		return w.HandOff(func(c net.Conn) {
			u.sv.init()
			ctx := u.sv.connContext(req.Context())
			ctx = context.WithValue(ctx, http.ServerContextKey, u.sv.base)
			if a := req.LocalAddr(); a != nil {
				ctx = context.WithValue(ctx, http.LocalAddrContextKey, a)
			}
			u.sv.h2.ServeConn(c, &http2.ServeConnOpts{
				Context:        ctx,
				BaseConfig:     u.sv.base,
				Handler:        u.sv.h,
				UpgradeRequest: upgradeRequest(ctx, req),
				Settings:       settings,
			})
		})
	}}
	resp.Headers.Set("Connection", "Upgrade")
	resp.Headers.Set("Upgrade", "h2c")
	return resp
}

// h2cUpgrade reports whether req asks to upgrade to h2c in a way this
// package accepts, and returns the decoded HTTP2-Settings. It is a pure
// function of the request's head, table-tested.
//
// The request must be HTTP/1.1 without a body (see upgradeHandler), list
// "h2c" in Upgrade and both "Upgrade" and "HTTP2-Settings" in Connection
// (RFC 7540 §3.2.1: HTTP2-Settings is a connection-specific field), and
// carry exactly one HTTP2-Settings field whose base64url value (padding
// allowed) decodes to whole settings of 6 bytes each.
func h2cUpgrade(req *httpserver.Request) (settings []byte, ok bool) {
	h := &req.Headers
	if req.Version != "1.1" || req.ContentLength > 0 || h.Has("Transfer-Encoding") {
		return nil, false
	}
	if !hasToken(h.Values("Upgrade"), "h2c") {
		return nil, false
	}
	conn := h.Values("Connection")
	if !hasToken(conn, "upgrade") || !hasToken(conn, "http2-settings") {
		return nil, false
	}
	vals := h.Values("HTTP2-Settings")
	if len(vals) != 1 {
		return nil, false
	}
	v := strings.TrimRight(strings.TrimSpace(vals[0]), "=")
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b)%6 != 0 {
		return nil, false
	}
	return b, true
}

// hasToken reports whether the comma-separated lists in vals hold token,
// case-insensitively (RFC 9110 §5.6.1; Upgrade's protocol names compare
// case-insensitively too, §7.8).
func hasToken(vals []string, token string) bool {
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			// "h2c/1" would be a version of h2c, which does not exist.
			if strings.EqualFold(part, token) {
				return true
			}
		}
	}
	return false
}

// connectionSpecific are the fields an upgraded request loses on its way
// to HTTP/2, where they mean nothing (RFC 9113 §8.2.2).
var connectionSpecific = []string{"Connection", "Upgrade", "Http2-Settings", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te"}

// upgradeRequest is the net/http form of the request that upgraded, which
// x/net/http2 answers as stream 1 (its body, which it has none, already
// read).
func upgradeRequest(ctx context.Context, req *httpserver.Request) *http.Request {
	u, err := url.ParseRequestURI(req.Target)
	if err != nil {
		u = &url.URL{Path: req.Path, RawQuery: req.QueryStr}
	}
	hdr := make(http.Header, req.Headers.Len())
	for name, value := range req.Headers.All() {
		if strings.EqualFold(name, "Host") {
			continue
		}
		hdr.Add(name, value)
	}
	for _, name := range connectionSpecific {
		hdr.Del(name)
	}
	r := &http.Request{
		Method:     req.Verb,
		URL:        u,
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     hdr,
		Body:       http.NoBody,
		Host:       req.Host,
		RemoteAddr: req.RemoteAddr(),
		RequestURI: req.Target,
	}
	return r.WithContext(ctx)
}
