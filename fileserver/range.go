package fileserver

import (
	"errors"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// A byteRange is a satisfiable range of a representation: length > 0 bytes
// from start.
type byteRange struct{ start, length int64 }

// contentRange formats r as the value of a Content-Range field for a
// representation of size bytes (RFC 9110 §14.4).
func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" +
		strconv.FormatInt(r.start+r.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// rangeVerdict is what to do with a Range header field.
type rangeVerdict uint8

const (
	rangeIgnore        rangeVerdict = iota // serve the whole representation, 200
	rangeOK                                // serve the ranges, 206
	rangeUnsatisfiable                     // 416 with "Content-Range: bytes */size"
)

// parseRange parses the value of a Range header field (RFC 9110 §14.2) for
// a representation of size bytes and decides what to do with it.
//
//	Range       = range-unit "=" range-set
//	range-set   = 1#range-spec            ; empty list elements are skipped
//	range-spec  = first-pos "-" [ last-pos ] / "-" suffix-length
//
// The verdict is rangeOK with the satisfiable ranges, in the order
// requested (unsatisfiable specs among satisfiable ones are dropped); or
// rangeUnsatisfiable when no spec is satisfiable: every first-pos is at or
// past the end, or every suffix-length is 0. It is rangeIgnore (RFC 9110
// §14.2 lets a server ignore Range and send the whole representation) when:
//
//   - the unit is not "bytes" (compared case-insensitively);
//   - the value is malformed: no '=', signs, spaces inside a spec, a
//     last-pos before its first-pos, no spec at all;
//   - there are more than max specs (max <= 0 allows none), before even
//     looking at them;
//   - there are several ranges whose lengths add up to more than size:
//     overlapping ranges, the amplification attack of CVE-2011-3192 in
//     which a few bytes of header make the server send a file many times.
//
// Positions too large for an int64 are taken as math.MaxInt64: a first-pos
// that large is simply past the end.
func parseRange(s string, size int64, max int) ([]byteRange, rangeVerdict) {
	unit, set, ok := strings.Cut(s, "=")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return nil, rangeIgnore
	}
	var ranges []byteRange
	specs := 0
	for spec := range strings.SplitSeq(set, ",") {
		spec = strings.Trim(spec, " \t")
		if spec == "" {
			continue
		}
		if specs++; specs > max {
			return nil, rangeIgnore
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return nil, rangeIgnore
		}
		if first == "" {
			n, ok := parsePos(last)
			if !ok {
				return nil, rangeIgnore
			}
			if n == 0 || size == 0 {
				continue // unsatisfiable
			}
			n = min(n, size)
			ranges = append(ranges, byteRange{size - n, n})
			continue
		}
		start, ok := parsePos(first)
		if !ok {
			return nil, rangeIgnore
		}
		end := int64(math.MaxInt64)
		if last != "" {
			if end, ok = parsePos(last); !ok || end < start {
				return nil, rangeIgnore
			}
		}
		if start >= size {
			continue // unsatisfiable
		}
		end = min(end, size-1)
		ranges = append(ranges, byteRange{start, end - start + 1})
	}
	switch {
	case specs == 0:
		return nil, rangeIgnore
	case len(ranges) == 0:
		return nil, rangeUnsatisfiable
	}
	if len(ranges) > 1 {
		var sum int64
		for _, r := range ranges {
			sum += r.length // each length <= size, and sum <= size before: no overflow
			if sum > size {
				return nil, rangeIgnore
			}
		}
	}
	return ranges, rangeOK
}

// parsePos parses 1*DIGIT, saturating at math.MaxInt64.
func parsePos(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			n = math.MaxInt64
			continue // keep checking the syntax
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// multipartHeads returns the text that precedes each part of a
// multipart/byteranges body (RFC 9110 §14.6) and the closing delimiter,
// and the length of the whole body. Each part has its own Content-Type and
// Content-Range; the format is the one mime/multipart reads and writes.
func multipartHeads(ranges []byteRange, size int64, ctype, boundary string) (heads []string, closing string, total int64) {
	heads = make([]string, len(ranges))
	for i, r := range ranges {
		var b strings.Builder
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("--")
		b.WriteString(boundary)
		b.WriteString("\r\nContent-Type: ")
		b.WriteString(ctype)
		b.WriteString("\r\nContent-Range: ")
		b.WriteString(r.contentRange(size))
		b.WriteString("\r\n\r\n")
		heads[i] = b.String()
		total += int64(len(heads[i])) + r.length
	}
	closing = "\r\n--" + boundary + "--\r\n"
	return heads, closing, total + int64(len(closing))
}

// multipartBody is a multipart/byteranges body read lazily from a file:
// the parts' heads interleaved with sections of the file, which it closes.
type multipartBody struct {
	io.Reader
	f fs.File
}

func (m *multipartBody) Close() error { return m.f.Close() }

// newMultipartBody returns the body whose text multipartHeads describes.
// f must be an io.ReaderAt or an io.Seeker (see seekable).
func newMultipartBody(f fs.File, ranges []byteRange, heads []string, closing string) *multipartBody {
	rs := make([]io.Reader, 0, 2*len(ranges)+1)
	for i, r := range ranges {
		rs = append(rs, strings.NewReader(heads[i]), section(f, r))
	}
	rs = append(rs, strings.NewReader(closing))
	return &multipartBody{Reader: io.MultiReader(rs...), f: f}
}

// seekable reports whether ranges of f can be read: f is an io.ReaderAt
// or an io.Seeker.
func seekable(f fs.File) bool {
	switch f.(type) {
	case io.ReaderAt, io.Seeker:
		return true
	}
	return false
}

// section returns a reader of the range r of f, which is seekable.
func section(f fs.File, r byteRange) io.Reader {
	if ra, ok := f.(io.ReaderAt); ok {
		return io.NewSectionReader(ra, r.start, r.length)
	}
	return &seekSection{f: f.(io.ReadSeeker), off: r.start, n: r.length}
}

// seekSection reads n bytes from off of a file that can seek but not
// ReadAt. It seeks when first read, so sections of one file can follow
// each other in a MultiReader.
type seekSection struct {
	f      io.ReadSeeker
	off, n int64
	seeked bool
}

var errShortFile = errors.New("fileserver: file shorter than its size")

func (s *seekSection) Read(p []byte) (int, error) {
	if s.n <= 0 {
		return 0, io.EOF
	}
	if !s.seeked {
		if _, err := s.f.Seek(s.off, io.SeekStart); err != nil {
			return 0, err
		}
		s.seeked = true
	}
	if int64(len(p)) > s.n {
		p = p[:s.n]
	}
	n, err := s.f.Read(p)
	s.n -= int64(n)
	if err == io.EOF && s.n > 0 {
		err = errShortFile
	} else if err == io.EOF {
		err = nil
	}
	return n, err
}
