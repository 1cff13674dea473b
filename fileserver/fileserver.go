package fileserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gohttpserver/httpserver"
)

// New returns a handler serving the directory dir of the operating system.
//
// dir is opened once, with os.OpenRoot, and every name is resolved inside
// it: no request reaches a file outside dir, whether through "..", a
// symbolic link, or a link to a link. Relative links whose target stays
// inside dir are followed; links leading out, and absolute links (which
// os.Root refuses wherever they point), are 404 and left out of listings.
// The handler keeps dir open for as long as it is reachable; if dir is
// renamed meanwhile, it goes on serving it under its new name.
//
// opts may be nil for the defaults (see Options). The only error is from
// opening dir.
//
// The handler is safe for concurrent use. The package documentation says
// what it answers.
func New(dir string, opts *Options) (httpserver.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("fileserver: %w", err)
	}
	return newHandler(root.FS(), opts), nil
}

// NewFS returns a handler serving fsys, such as an embed.FS or an
// fstest.MapFS. opts may be nil for the defaults (see Options).
//
// The handler trusts fsys to keep names inside it: os.DirFS, for one,
// follows symbolic links wherever they lead, so serve an OS directory with
// New. Files that implement io.Seeker (or io.ReaderAt) support ranges;
// others are always sent whole, with "Accept-Ranges: none". A file whose
// modification time is unknown (zero, as in embed.FS) gets an ETag from a
// hash of its content, computed once per name and size and remembered for
// the life of the handler: such a file system is assumed not to change.
//
// The handler is safe for concurrent use as long as fsys is.
func NewFS(fsys fs.FS, opts *Options) httpserver.Handler {
	return newHandler(fsys, opts)
}

// ServeFile answers req with the regular file name, a path of the
// operating system, as a handler from New would answer a request for it:
// validators, conditional requests, ranges, precompressed siblings next to
// it, Content-Type and Cache-Control (opts may be nil). The request's path
// is not looked at, and name is not subject to the path rules of New (it
// may be a dotfile, and symbolic links are followed): the caller chose it.
// A directory, or a name that does not exist, is 404; a method other than
// GET or HEAD is 405.
func ServeFile(req *httpserver.Request, name string, opts *Options) *httpserver.Response {
	if resp := checkMethod(req); resp != nil {
		return resp
	}
	h := newHandler(os.DirFS(filepath.Dir(name)), opts)
	base := filepath.Base(name)
	fi, err := fs.Stat(h.fsys, base)
	if err != nil {
		return openError(err)
	}
	if fi.IsDir() {
		return errorResponse(404)
	}
	return h.serveFile(req, base, fi)
}

// handler is the Handler New and NewFS return.
type handler struct {
	fsys fs.FS   // for New, the os.Root's FS, which keeps the root open
	opts Options // a copy, with Prefix normalized

	// hashETags remembers the content-hash ETags of files without a
	// modification time, by hashKey. It only grows, by at most one entry
	// per file of fsys.
	hashETags sync.Map
}

type hashKey struct {
	name string
	size int64
}

func newHandler(fsys fs.FS, opts *Options) *handler {
	h := &handler{fsys: fsys}
	if opts != nil {
		h.opts = *opts
	}
	p := h.opts.Prefix
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	h.opts.Prefix = p
	return h
}

// Handle answers req as the package documentation describes.
func (h *handler) Handle(req *httpserver.Request) *httpserver.Response {
	if resp := checkMethod(req); resp != nil {
		return resp
	}
	prefix := h.opts.Prefix
	if req.Path == prefix[:len(prefix)-1] && prefix != "/" {
		return redirectToDir(req) // the root, without its slash
	}
	rel, ok := strings.CutPrefix(req.Path, prefix)
	if !ok {
		return errorResponse(404)
	}
	name, dirSlash, status := resolvePath(rel, h.opts.ShowDotfiles)
	if status != 0 {
		return errorResponse(status)
	}
	fi, err := fs.Stat(h.fsys, name)
	if err != nil {
		return openError(err)
	}
	switch {
	case fi.IsDir() && !dirSlash:
		return redirectToDir(req)
	case fi.IsDir():
		return h.serveDir(req, name, fi)
	case dirSlash:
		return errorResponse(404)
	}
	return h.serveFile(req, name, fi)
}

func checkMethod(req *httpserver.Request) *httpserver.Response {
	if req.Verb == "GET" || req.Verb == "HEAD" {
		return nil
	}
	resp := errorResponse(405)
	resp.Headers.Set("Allow", "GET, HEAD")
	return resp
}

// redirectToDir redirects to req's path with a slash appended. The path
// has been checked (no empty segment, so it cannot become "//host", a
// network-path reference that would leave the site).
func redirectToDir(req *httpserver.Request) *httpserver.Response {
	loc := req.Path + "/"
	if req.QueryStr != "" {
		loc += "?" + req.QueryStr
	}
	resp := &httpserver.Response{StatusCode: 301, Message: "Moved Permanently\n"}
	resp.Headers.Set("Location", loc)
	resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
	resp.Headers.Set("X-Content-Type-Options", "nosniff")
	return resp
}

// serveDir answers for the directory name: its index.html, else a
// listing.
func (h *handler) serveDir(req *httpserver.Request, name string, fi fs.FileInfo) *httpserver.Response {
	index := path.Join(name, "index.html")
	ifi, err := fs.Stat(h.fsys, index)
	switch {
	case err == nil && ifi.Mode().IsRegular():
		return h.serveFile(req, index, ifi)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		// An index.html that exists but cannot be read (or leads out of
		// the root) must not turn into a listing of what it hides.
		return openError(err)
	case h.opts.NoListing:
		return errorResponse(403)
	}
	return h.serveListing(req, name, fi)
}
