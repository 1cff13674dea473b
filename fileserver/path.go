package fileserver

import (
	"runtime"
	"strings"
	"unicode/utf8"
)

// resolvePath maps rel, the raw (percent-encoded) request path below the
// handler's prefix without its leading '/', to a name for fs.FS: "." for
// the root, else slash-separated decoded segments. dir reports a trailing
// slash (the client asked for a directory). A non-zero status refuses the
// path before the file system is touched:
//
//   - 400 for what no client produces from a valid URL: a malformed escape
//     ("%zz", a lone '%'), a NUL or other control byte, a backslash
//     (a separator on Windows, so "..\..\x" must not reach a file system
//     that treats it as one), raw or encoded;
//   - 404 for a dot-segment ("." or "..", with dots raw or as "%2e"),
//     which RFC 3986 §5.2.4 clients remove before sending, so one that
//     arrives was made to climb out of the root; an empty segment ("a//b");
//     an encoded slash ("%2F"), which would make one segment on the wire
//     two in the file system; a segment that is not UTF-8, which no fs.FS
//     can open (fs.ValidPath); and, unless showDot, a segment beginning
//     with '.' (a dotfile or dot-directory).
//
// Decoding happens once, here, so "%252e" stays the three characters
// "%2e": no later step decodes again.
func resolvePath(rel string, showDot bool) (name string, dir bool, status int) {
	if rel == "" {
		return ".", true, 0
	}
	var b strings.Builder
	for seg := range strings.SplitSeq(rel, "/") {
		if dir {
			return "", false, 404 // an empty segment before the last
		}
		if seg == "" {
			dir = true
			continue
		}
		dec, st := decodeSegment(seg)
		if st != 0 {
			return "", false, st
		}
		if dec == "." || dec == ".." || (!showDot && dec[0] == '.') || !utf8.ValidString(dec) {
			return "", false, 404
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(dec)
	}
	return b.String(), dir, 0
}

// decodeSegment percent-decodes one raw path segment and checks the
// result (see resolvePath): status 400 for a malformed escape or a
// forbidden byte, 404 for an encoded slash.
func decodeSegment(seg string) (string, int) {
	if strings.IndexByte(seg, '%') < 0 {
		if !validName(seg) {
			return "", 400
		}
		return seg, 0
	}
	b := make([]byte, 0, len(seg))
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
				return "", 400
			}
			c = unhex(seg[i+1])<<4 | unhex(seg[i+2])
			i += 2
			if c == '/' {
				return "", 404
			}
		}
		b = append(b, c)
	}
	if !validName(string(b)) {
		return "", 400
	}
	return string(b), 0
}

// validName reports whether a decoded segment (or a directory entry's
// name) is one the server may serve: no control bytes (NUL truncates names
// in C APIs; CR and LF forge log lines), no backslash, and on Windows no
// ':' (alternate data streams, "file.txt::$DATA", and drive letters).
// Listings hide names that fail it, as links to them could only fail.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' || c == '/' {
			return false
		}
		if c == ':' && runtime.GOOS == "windows" {
			return false
		}
	}
	return s != ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
