package fileserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gohttpserver/httpserver"
)

// A variant is the open file that answers a request for a file: the file
// itself, or a precompressed sibling standing for it.
type variant struct {
	name   string      // the name requested (for Content-Type and Cache-Control)
	fi     fs.FileInfo // the requested file's, from the stat that found it
	f      fs.File     // what is sent
	sfi    fs.FileInfo // f's, from an fstat after opening it
	coding int         // index in codings, or -1 for the file itself
	vary   bool        // the file has a usable sibling: "Vary: Accept-Encoding"
}

// codingName is the Content-Encoding of v, or "".
func (v *variant) codingName() string {
	if v.coding < 0 {
		return ""
	}
	return codings[v.coding].name
}

// serveFile answers for the regular file name, which fi describes (as
// found by a stat just before).
func (h *handler) serveFile(req *httpserver.Request, name string, fi fs.FileInfo) *httpserver.Response {
	if !fi.Mode().IsRegular() {
		return errorResponse(404)
	}
	v := &variant{name: name, fi: fi, coding: -1}
	if !h.opts.NoPrecompressed && !isCodingName(name) {
		var avail [len(codings)]bool
		avail, v.vary = siblings(h.fsys, name, fi)
		if v.vary {
			v.coding = chooseCoding(fieldList(&req.Headers, "Accept-Encoding"), avail)
		}
	}
	if err := h.open(v); err != nil {
		return openError(err)
	}
	resp, keep := h.fileResponse(req, v)
	if !keep {
		v.f.Close()
	}
	return resp
}

// open opens v's sibling for v.coding (or the file itself for -1), falling
// back to the file itself if the sibling has gone meanwhile.
func (h *handler) open(v *variant) error {
	var err error
	if v.coding >= 0 {
		if v.f, v.sfi, err = openRegular(h.fsys, v.name+codings[v.coding].ext); err == nil {
			return nil
		}
		v.coding = -1
	}
	v.f, v.sfi, err = openRegular(h.fsys, v.name)
	return err
}

// openRegular opens name and checks, on the open file, that it is still a
// regular file.
func openRegular(fsys fs.FS, name string) (fs.File, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist // replaced by a directory or a device since the stat
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// fileResponse answers req with the open variant v. keep reports whether
// the response owns v.f (as its Body); if not, the caller closes it.
func (h *handler) fileResponse(req *httpserver.Request, v *variant) (resp *httpserver.Response, keep bool) {
	val, err := h.validators(v)
	if err != nil {
		return errorResponse(500), false
	}
	hdr := h.fileHeader(v, val)
	switch checkPreconditions(req.Verb, &req.Headers, val) {
	case 304:
		return &httpserver.Response{StatusCode: 304, Headers: hdr}, false
	case 412:
		setText(&hdr)
		return &httpserver.Response{StatusCode: 412, Headers: hdr, Message: errorTexts[412]}, false
	}

	ctype := typeByExtension(v.name)
	var prefix []byte // bytes sniffing consumed from a file that cannot rewind
	if ctype == "" {
		if ctype, prefix, err = h.sniffFor(v); err != nil {
			return errorResponse(500), false
		}
	}
	maxRanges := h.opts.maxRanges()
	rangesOK := maxRanges > 0 && prefix == nil && seekable(v.f)
	if rangesOK {
		hdr.Set("Accept-Ranges", "bytes")
	} else {
		hdr.Set("Accept-Ranges", "none")
	}

	size := v.sfi.Size()
	if rangesOK && size > 0 {
		if rg, ok := rangeField(req, val); ok {
			ranges, verdict := parseRange(rg, size, maxRanges)
			if resp, keep, ok := rangeResponse(v, &hdr, ctype, ranges, verdict); ok {
				return resp, keep
			}
		}
	}

	if c := v.codingName(); c != "" {
		hdr.Set("Content-Encoding", c)
	}
	hdr.Set("Content-Type", ctype)
	if size == 0 {
		return &httpserver.Response{StatusCode: 200, Headers: hdr}, false
	}
	var body io.Reader
	if prefix != nil {
		body = &fileBody{Reader: io.MultiReader(strings.NewReader(string(prefix)), v.f), f: v.f}
	} else if body, err = bodyFrom(v.f, 0, size); err != nil {
		return errorResponse(500), false
	}
	return &httpserver.Response{StatusCode: 200, Headers: hdr, Body: body, BodyLength: size}, true
}

// rangeField returns the Range field to honor, if any (RFC 9110 §14.2):
// for GET only, a single field, and only with a matching If-Range if there
// is one (§13.1.5). An empty file has no byte range; the caller checks.
func rangeField(req *httpserver.Request, val validators) (string, bool) {
	if req.Verb != "GET" || !req.Headers.Has("Range") {
		return "", false
	}
	rg := req.Headers.Values("Range")
	if len(rg) != 1 {
		return "", false
	}
	if req.Headers.Has("If-Range") && !ifRangeMatches(req.Headers.Get("If-Range"), val) {
		return "", false
	}
	return rg[0], true
}

// validators returns v's ETag and Last-Modified.
func (h *handler) validators(v *variant) (validators, error) {
	if mod := v.sfi.ModTime(); hasModTime(mod) {
		return validators{etag: fileETag(v.sfi, v.codingName()), modTime: lastModified(mod, time.Now())}, nil
	}
	sent := v.name
	if v.coding >= 0 {
		sent += codings[v.coding].ext
	}
	etag, err := h.hashETag(sent, v.sfi.Size(), v.codingName())
	return validators{etag: etag}, err
}

// fileHeader returns the fields every answer about v carries, 304 and 412
// included (RFC 9110 §15.4.5 lists what a 304 must repeat: ETag, Vary,
// Cache-Control; Last-Modified helps caches that store by date).
func (h *handler) fileHeader(v *variant, val validators) httpserver.Header {
	var hdr httpserver.Header
	if cc := h.opts.cacheControl(v.name, v.fi); cc != "" {
		hdr.Set("Cache-Control", cc)
	}
	hdr.Set("ETag", val.etag)
	if !val.modTime.IsZero() {
		hdr.Set("Last-Modified", val.modTime.Format(http.TimeFormat))
	}
	if v.vary {
		hdr.Set("Vary", "Accept-Encoding")
	}
	hdr.Set("X-Content-Type-Options", "nosniff")
	return hdr
}

// rangeResponse answers with the ranges parseRange found, if the verdict
// and their cost allow (ok); otherwise the caller sends the whole file. It
// adds its fields to hdr only when it answers.
func rangeResponse(v *variant, hdr *httpserver.Header, ctype string, ranges []byteRange, verdict rangeVerdict) (resp *httpserver.Response, keep, ok bool) {
	size := v.sfi.Size()
	switch {
	case verdict == rangeUnsatisfiable:
		hdr.Set("Content-Range", "bytes */"+itoa(size))
		setText(hdr)
		return &httpserver.Response{StatusCode: 416, Headers: *hdr, Message: errorTexts[416]}, false, true
	case verdict != rangeOK:
		return nil, false, false
	}
	var body io.Reader
	var length int64
	if len(ranges) == 1 {
		r := ranges[0]
		var err error
		if body, err = bodyFrom(v.f, r.start, r.length); err != nil {
			return errorResponse(500), false, true
		}
		hdr.Set("Content-Range", r.contentRange(size))
		hdr.Set("Content-Type", ctype)
		length = r.length
	} else {
		boundary := rand.Text()
		heads, closing, total := multipartHeads(ranges, size, ctype, boundary)
		if total >= size {
			// Many small ranges: with the parts' heads the answer would
			// be longer than the whole file, which is then the better
			// answer.
			return nil, false, false
		}
		hdr.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
		body, length = newMultipartBody(v.f, ranges, heads, closing), total
	}
	if c := v.codingName(); c != "" {
		hdr.Set("Content-Encoding", c) // the ranges are of the encoded bytes
	}
	return &httpserver.Response{StatusCode: 206, Headers: *hdr, Body: body, BodyLength: length}, true, true
}

// bodyFrom returns f as a Body that sends n bytes from off. An *os.File is
// returned itself, positioned at off, so that the server can send it with
// sendfile (it sends exactly BodyLength bytes); another seekable file is
// limited to n bytes, so a file that grew since its stat cannot send more.
// A file that cannot seek is only ever sent whole, from the start.
func bodyFrom(f fs.File, off, n int64) (io.Reader, error) {
	if s, ok := f.(io.Seeker); ok {
		if _, err := s.Seek(off, io.SeekStart); err != nil {
			return nil, err
		}
		if osf, ok := f.(*os.File); ok {
			return osf, nil
		}
		return &fileBody{Reader: io.LimitReader(f, n), f: f}, nil
	}
	if ra, ok := f.(io.ReaderAt); ok {
		return &fileBody{Reader: io.NewSectionReader(ra, off, n), f: f}, nil
	}
	return f, nil
}

// fileBody is a Body read through Reader that closes the file f it reads.
type fileBody struct {
	io.Reader
	f fs.File
}

func (b *fileBody) Close() error { return b.f.Close() }

// sniffFor detects the media type of v.name, whose extension did not
// tell: from v.f, or from the file itself when v.f is a precompressed
// sibling (compressed bytes say nothing about the content). prefix is
// what sniffing consumed from a file that cannot rewind (see sniff).
func (h *handler) sniffFor(v *variant) (ctype string, prefix []byte, err error) {
	if v.coding < 0 {
		return sniff(v.f)
	}
	orig, _, err := openRegular(h.fsys, v.name)
	if err != nil {
		return "application/octet-stream", nil, nil
	}
	defer orig.Close()
	ctype, _, err = sniff(orig)
	return ctype, nil, err
}

// hashETag returns the ETag of a file without a modification time: a
// SHA-256 of its content, truncated to 128 bits, computed once per name
// and size (such a file system is assumed not to change).
func (h *handler) hashETag(name string, size int64, coding string) (string, error) {
	key := hashKey{name, size}
	if v, ok := h.hashETags.Load(key); ok {
		return v.(string), nil
	}
	f, err := h.fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	etag := `"h-` + hex.EncodeToString(sum.Sum(nil)[:16])
	if coding != "" {
		etag += "-" + coding
	}
	etag += `"`
	h.hashETags.Store(key, etag)
	return etag, nil
}
