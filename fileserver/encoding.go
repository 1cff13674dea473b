package fileserver

import (
	"io/fs"
	"strings"
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
// Accept-Encoding value accept (RFC 9110 §12.5.3), among avail; -1 means
// the original file.
//
// A coding's weight is its own q-value, else that of "*", else 0 (not
// acceptable); "x-gzip" counts as "gzip". The sibling with the highest
// weight above 0 wins, ties going to the earlier in codings (br, zstd,
// gzip). The original is sent instead when "identity" is listed with a
// higher weight than the winner. A request without Accept-Encoding gets the
// original: RFC 9110 allows any coding then, but some clients that send no
// field cannot decode any. Elements that do not parse are skipped.
func chooseCoding(accept string, avail [len(codings)]bool) int {
	var q [len(codings)]int // -1: not listed
	for i := range q {
		q[i] = -1
	}
	star, identity := -1, -1
	for elem := range strings.SplitSeq(accept, ",") {
		name, params, _ := strings.Cut(elem, ";")
		name = strings.ToLower(strings.Trim(name, " \t"))
		w, ok := qValue(params)
		if !ok || name == "" {
			continue
		}
		switch name {
		case "*":
			star = w
		case "identity":
			identity = w
		case "x-gzip":
			name = "gzip"
		}
		for i, c := range codings {
			if c.name == name {
				q[i] = w
			}
		}
	}
	best, bestQ := -1, 0
	for i := range codings {
		w := q[i]
		if w < 0 {
			w = star
		}
		if avail[i] && w > bestQ {
			best, bestQ = i, w
		}
	}
	if best >= 0 && identity > bestQ {
		return -1
	}
	return best
}

// qValue returns the weight in the parameters that follow a coding
// (";q=0.5"), in thousandths: 1000 when there is none, ok false when it is
// malformed. Other parameters are ignored.
//
//	weight = OWS ";" OWS "q=" qvalue
//	qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
func qValue(params string) (int, bool) {
	if strings.Trim(params, " \t") == "" {
		return 1000, true
	}
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.Trim(p, " \t"), "=")
		if !strings.EqualFold(k, "q") {
			continue
		}
		return parseQ(v)
	}
	return 1000, true
}

func parseQ(v string) (int, bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0, false
	}
	whole := int(v[0] - '0')
	frac := v[1:]
	if frac == "" {
		return whole * 1000, true
	}
	if frac[0] != '.' || len(frac) > 4 {
		return 0, false
	}
	n, scale := 0, 100
	for i := 1; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' || (whole == 1 && c != '0') {
			return 0, false
		}
		n += int(c-'0') * scale
		scale /= 10
	}
	return whole*1000 + n, true
}
