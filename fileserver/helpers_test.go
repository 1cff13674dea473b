package fileserver

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// newReq builds a request as the server would hand it to a handler: target
// is the raw path with an optional query; hdrs are name, value pairs.
func newReq(verb, target string, hdrs ...string) *httpserver.Request {
	p, q, _ := strings.Cut(target, "?")
	req := &httpserver.Request{Verb: verb, Path: p, QueryStr: q, Version: "1.1", Body: strings.NewReader("")}
	req.QueryDict, req.QueryErr = httpserver.ParseQuery(q)
	for i := 0; i+1 < len(hdrs); i += 2 {
		req.Headers.Add(hdrs[i], hdrs[i+1])
	}
	return req
}

// result is a response with its body read and closed.
type result struct {
	status  int
	hdr     httpserver.Header
	body    string
	bodyLen int64 // BodyLength as returned (0 for Message bodies)
	isFile  bool  // Body was an *os.File (the zero-copy path)
	fileOff int64 // its offset when returned
}

func (r result) get(name string) string { return r.hdr.Get(name) }

// serve calls h and reads the response as the server would, closing the
// Body.
func serve(t *testing.T, h httpserver.Handler, req *httpserver.Request) result {
	t.Helper()
	resp := h.Handle(req)
	if resp == nil {
		t.Fatalf("%s %s: nil response", req.Verb, req.Path)
	}
	return readResp(t, resp)
}

func readResp(t *testing.T, resp *httpserver.Response) result {
	t.Helper()
	r := result{status: resp.StatusCode, hdr: resp.Headers, body: resp.Message, bodyLen: resp.BodyLength}
	if resp.Body != nil {
		if f, ok := resp.Body.(*os.File); ok {
			r.isFile = true
			r.fileOff, _ = f.Seek(0, io.SeekCurrent)
		}
		var b []byte
		var err error
		if resp.BodyLength > 0 {
			// The server sends exactly BodyLength bytes.
			b, err = io.ReadAll(io.LimitReader(resp.Body, resp.BodyLength))
		} else {
			b, err = io.ReadAll(resp.Body)
		}
		if err != nil {
			t.Fatalf("reading body: %v", err)
		}
		r.body = string(b)
		if c, ok := resp.Body.(io.Closer); ok {
			if err := c.Close(); err != nil {
				t.Errorf("closing body: %v", err)
			}
		}
	}
	return r
}

// closeBody closes resp's Body if it has one that can be closed.
func closeBody(resp *httpserver.Response) {
	if c, ok := resp.Body.(io.Closer); ok {
		c.Close()
	}
}

// writeFile writes content to dir/name (making directories) with the
// modification time mod.
func writeFile(t testing.TB, dir, name, content string, mod time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

func mustNew(t *testing.T, dir string, opts *Options) httpserver.Handler {
	t.Helper()
	h, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// testContent returns n bytes of printable, position-dependent data.
func testContent(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+i/len(alphabet))%len(alphabet)]
	}
	return string(b)
}

// fakeInfo is an fs.FileInfo for tests of functions that only look at it.
type fakeInfo struct {
	name string
	size int64
	mod  time.Time
	dir  bool
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return f.size }
func (f fakeInfo) ModTime() time.Time { return f.mod }
func (f fakeInfo) IsDir() bool        { return f.dir }
func (f fakeInfo) Sys() any           { return nil }
func (f fakeInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
