package compress

import (
	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/negotiate"
	"github.com/gohttpserver/httpserver/internal/wire"
)

// Handler returns a Handler that answers each request with next's
// response, compressed with the content coding the client prefers among
// opts.Encodings when the response is worth compressing (see the package
// documentation for which are, and what the fields become); nil opts
// means the defaults. It panics if next is nil or opts is invalid (an
// unknown encoding, a level out of range): both are programming errors,
// found when the handler is built.
//
// The Handler never modifies the Response next returns, which may be
// shared between requests: what it sends is a new Response (with the
// same Body, so that the server still closes it). It does modify the
// Request's If-None-Match field before next sees it, so that next's
// 304s work for clients holding the compressed form (see the package
// documentation on entity-tags). It is safe for concurrent use, as next
// must be.
func Handler(next httpserver.Handler, opts *Options) httpserver.Handler {
	if next == nil {
		panic("compress: nil Handler")
	}
	return &handler{next: next, cfg: newConfig(opts)}
}

type handler struct {
	next httpserver.Handler
	cfg  *config
}

func (x *handler) Handle(req *httpserver.Request) *httpserver.Response {
	c := x.cfg
	f := facts{verb: req.Verb, head: req.Verb == "HEAD", ranged: req.Headers.Has("Range")}
	if req.Headers.Has("Accept-Encoding") {
		// A client that refuses identity ("identity;q=0", "*;q=0") and
		// accepts none of our codings gets identity all the same: RFC
		// 9110 §12.5.3 lets a server answer 406 then, but a page the
		// client may well be able to read beats an error it surely
		// cannot use, and a 406 cached for such a client would hide the
		// resource from it. (negotiate.Encoding reports the refusal.)
		if i, _ := negotiate.Encoding(fieldList(&req.Headers, "Accept-Encoding"), c.names); i >= 0 {
			f.coding = c.codings[i]
		}
	}
	if f.coding != nil {
		f.inm = rewriteIfNoneMatch(&req.Headers, f.coding)
	}
	resp := x.next.Handle(req)
	if resp == nil || isTunnel(req.Verb, resp.StatusCode) {
		return resp // a fault for the server to answer; a tunnel is not HTTP content
	}
	return c.respond(resp, &f)
}

// respond returns what is sent for resp, next's response to the request
// f describes.
func (c *config) respond(resp *httpserver.Response, f *facts) *httpserver.Response {
	n := resp.KnownLength()
	if resp.Stream != nil && !resp.Endless && wire.HasBody(f.head, resp.StatusCode) {
		// The Stream may still set its status and fields (a net/http
		// handler through nethttp.FromHTTP sets them all there): it is
		// judged as it writes (writer.decide), with the length it
		// declared, if any.
		out := c.wrap(resp, f, stateUndecided)
		out.Headers.Del("Content-Length") // put back if it goes as it is
		return out
	}
	switch c.judge(f, resp.StatusCode, &resp.Headers, n, f.head || resp.Endless) {
	case sendEncoded:
		if f.head {
			// The fields GET would get, without a body or its length.
			out := copyResponse(resp)
			markEncoded(&out.Headers, f.coding)
			out.Stream, out.Message, out.BodyLength = noStream, "", 0
			return out
		}
		out := c.wrap(resp, f, stateEncoding)
		markEncoded(&out.Headers, f.coding)
		return out
	case undecided:
		// A Body of unknown length.
		return c.wrap(resp, f, stateUndecided)
	}
	if !needsVary(&resp.Headers) && (resp.StatusCode != 304 || f.inm == "") {
		return resp
	}
	out := copyResponse(resp)
	c.markIdentity(&out.Headers, f, out.StatusCode)
	return out
}

// wrap returns a copy of resp whose body is resp's, written through a
// writer in state st.
func (c *config) wrap(resp *httpserver.Response, f *facts, st state) *httpserver.Response {
	x := &writer{c: c, f: *f, resp: resp, status: resp.StatusCode, state: st, declared: -1}
	if resp.Stream != nil {
		x.declared = declaredLength(&resp.Headers)
	}
	out := &x.out
	*out = *resp
	out.Headers = cloneHeader(&resp.Headers)
	// Body stays: it is read by x.run, and closed by the server (or any
	// host) when the response ends, however it ends, as Response.Body's
	// contract says, also when Stream is set.
	out.Stream, out.Message, out.BodyLength = x.run, "", 0
	return out
}

// copyResponse returns a copy of resp with its own header fields.
func copyResponse(resp *httpserver.Response) *httpserver.Response {
	out := new(httpserver.Response)
	*out = *resp
	out.Headers = cloneHeader(&resp.Headers)
	return out
}

// cloneHeader copies h with room for the fields Handle adds.
func cloneHeader(h *httpserver.Header) httpserver.Header {
	var out httpserver.Header
	out.Grow(h.Len() + 3)
	for name, v := range h.All() {
		out.Add(name, v)
	}
	return out
}

// noStream is the Stream of a compressed answer to HEAD, which the
// server never runs: it makes the answer one whose length only producing
// the body would tell, so that no Content-Length (of the identity body)
// goes with it.
func noStream(*httpserver.StreamWriter) error { return nil }

// isTunnel reports whether status, to verb, opens a tunnel (RFC 9110
// §15.2.2 for 101, §9.3.6 for CONNECT): what follows is not content.
func isTunnel(verb string, status int) bool {
	return status == 101 || (verb == "CONNECT" && status >= 200 && status < 300)
}

// fieldList joins every line of the list-valued field name, as RFC 9110
// §5.3 allows a recipient to.
func fieldList(h *httpserver.Header, name string) string {
	var v string
	n := 0
	for k, line := range h.All() {
		if wire.EqualFoldASCII(k, name) {
			if n == 0 {
				v = line
			} else {
				v += ", " + line
			}
			n++
		}
	}
	return v
}
