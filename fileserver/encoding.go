package fileserver

import (
	"io/fs"
	"strings"

	"github.com/gohttpserver/httpserver/internal/negotiate"
)

// codings are the content codings of precompressed siblings, in order of
// preference when a client accepts several equally: Brotli and Zstandard
// compress better than gzip.
var codings = [...]struct{ name, ext string }{
	{"br", ".br"},
	{"zstd", ".zst"},
	{"gzip", ".gz"},
}

// isCodingName reports whether name is itself a precompressed file, whose
// own siblings are not looked for ("a.gz.br" stands for nothing served).
func isCodingName(name string) bool {
	for _, c := range codings {
		if strings.HasSuffix(name, c.ext) {
			return true
		}
	}
	return false
}

// siblings reports which precompressed siblings of the regular file name
// (described by fi) may stand for it: regular files named name plus the
// coding's extension, modified no earlier than the original. An older
// sibling is stale (the original was edited after it was compressed) and
// is ignored, so that no client gets an outdated version because of its
// Accept-Encoding.
func siblings(fsys fs.FS, name string, fi fs.FileInfo) (avail [len(codings)]bool, any bool) {
	for i, c := range codings {
		sfi, err := fs.Stat(fsys, name+c.ext)
		if err != nil || !sfi.Mode().IsRegular() || sfi.ModTime().Before(fi.ModTime()) {
			continue
		}
		avail[i], any = true, true
	}
	return avail, any
}

// chooseCoding picks the precompressed sibling to send for the
// Accept-Encoding value accept, among avail; -1 means the original file.
// The rules are negotiate.Encoding's (RFC 9110 §12.5.3 with q-values;
// ties go to the earlier in codings: br, zstd, gzip); a request without
// Accept-Encoding gets the original.
func chooseCoding(accept string, avail [len(codings)]bool) int {
	var offered [len(codings)]string // "" for a coding without a sibling
	for i, c := range codings {
		if avail[i] {
			offered[i] = c.name
		}
	}
	best, _ := negotiate.Encoding(accept, offered[:])
	return best
}
