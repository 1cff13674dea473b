package compress

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/httpservertest"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// codings are the encodings every round trip is run with.
var codings = []string{"gzip", "zstd", "br"}

// get builds a request; hdrs are name, value pairs.
func get(verb, target string, hdrs ...string) *httpserver.Request {
	req := httpservertest.NewRequest(verb, target, nil)
	for i := 0; i+1 < len(hdrs); i += 2 {
		req.Headers.Add(hdrs[i], hdrs[i+1])
	}
	return req
}

// page returns n bytes of HTML that compress well, as a listing does.
func page(n int) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><title>Index of /</title><table>\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<tr><td><a href=\"f%05d.txt\">f%05d.txt</a></td><td>%d KiB</td></tr>\n", i, i, i*7919%1000)
	}
	return b.String()[:n]
}

// decode returns body decoded from coding ("" for none) with the
// libraries' own decoders.
func decode(t testing.TB, coding string, body []byte) string {
	t.Helper()
	r, err := decoder(coding, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s decoder: %v", coding, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s (%d bytes): %v", coding, len(body), err)
	}
	return string(out)
}

// decoder returns a reader decoding r from coding.
func decoder(coding string, r io.Reader) (io.Reader, error) {
	switch coding {
	case "":
		return r, nil
	case "gzip":
		return gzip.NewReader(r)
	case "zstd":
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	case "br":
		return brotli.NewReader(r), nil
	}
	return nil, fmt.Errorf("no decoder for %q", coding)
}

// typed is a handler answering with resp's copy, Content-Type ctype.
func typed(ctype string, resp httpserver.Response) httpserver.Handler {
	return httpserver.HandlerFunc(func(*httpserver.Request) *httpserver.Response {
		r := resp
		r.Headers = resp.Headers.Clone()
		if r.StatusCode == 0 {
			r.StatusCode = 200
		}
		if ctype != "" {
			r.Headers.Set("Content-Type", ctype)
		}
		return &r
	})
}

// closer is a Body that counts its Close calls.
type closer struct {
	io.Reader
	closed int
}

func (c *closer) Close() error { c.closed++; return nil }

// unsized hides the Len of a reader: a Body of unknown length.
type unsized struct{ r io.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

// fieldsOf lists h's fields as "Name: value" lines, for messages.
func fieldsOf(h *httpserver.Header) string {
	var b strings.Builder
	for k, v := range h.All() {
		fmt.Fprintf(&b, "%s: %s; ", k, v)
	}
	return b.String()
}
