package fileserver

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/internal/negotiate"
)

// entry is one line of a listing.
type entry struct {
	name    string
	dir     bool
	size    int64     // 0 for directories
	modTime time.Time // zero when unknown
}

// readEntries reads the directory name for a listing, leaving out what a
// request for the entry could not get: dotfiles (unless showDot), names
// resolvePath would refuse (those that are not UTF-8 among them: an fs.FS
// cannot open them, so a link would only lead to a 404), special files,
// and symbolic links that are broken or (through os.Root) lead out of the
// root. A link is listed as what it points to. Every name returned is
// valid UTF-8.
func readEntries(fsys fs.FS, name string, showDot bool) ([]entry, error) {
	des, err := fs.ReadDir(fsys, name)
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		n := de.Name()
		if !validName(n) || !utf8.ValidString(n) || n == "." || n == ".." || (!showDot && n[0] == '.') {
			continue
		}
		fi, err := de.Info()
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			fi, err = fs.Stat(fsys, path.Join(name, n))
		}
		if err != nil || !(fi.IsDir() || fi.Mode().IsRegular()) {
			continue
		}
		e := entry{name: n, dir: fi.IsDir()}
		if !e.dir {
			e.size = fi.Size()
		}
		if hasModTime(fi.ModTime()) {
			e.modTime = fi.ModTime().UTC().Truncate(time.Second)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// listingOrder is how a listing is sorted, from the request's query.
type listingOrder struct {
	key  string // "name", "size" or "modified"
	desc bool
}

func orderFrom(q httpserver.Query) listingOrder {
	o := listingOrder{key: "name"}
	switch k := q.Get("sort"); k {
	case "size", "modified":
		o.key = k
	}
	o.desc = q.Get("order") == "desc"
	return o
}

// sortEntries sorts directories first, then by o; ties go by name.
func sortEntries(es []entry, o listingOrder) {
	slices.SortStableFunc(es, func(a, b entry) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		c := 0
		switch o.key {
		case "size":
			c = cmp.Compare(a.size, b.size)
		case "modified":
			c = a.modTime.Compare(b.modTime)
		}
		if c == 0 {
			c = cmp.Or(cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), strings.Compare(a.name, b.name))
		}
		if o.desc {
			c = -c
		}
		return c
	})
}

// serveListing answers with the listing of the directory name.
func (h *handler) serveListing(req *httpserver.Request, name string, fi fs.FileInfo) *httpserver.Response {
	entries, err := readEntries(h.fsys, name, h.opts.ShowDotfiles)
	if err != nil {
		return openError(err)
	}
	o := orderFrom(req.QueryDict)
	sortEntries(entries, o)

	asJSON := prefersJSON(fieldList(&req.Headers, "Accept"))
	var body, ctype string
	if asJSON {
		body, ctype = listingJSON(entries), "application/json"
	} else {
		body, ctype = listingHTML(req.Path, name == ".", entries, o), "text/html; charset=utf-8"
	}
	sum := sha256.Sum256([]byte(body))
	v := validators{etag: `"l-` + hex.EncodeToString(sum[:16]) + `"`}

	var hdr httpserver.Header
	if cc := h.opts.cacheControl(name, fi); cc != "" {
		hdr.Set("Cache-Control", cc)
	}
	hdr.Set("ETag", v.etag)
	hdr.Set("Vary", "Accept")
	hdr.Set("X-Content-Type-Options", "nosniff")
	switch checkPreconditions(req.Verb, &req.Headers, v) {
	case 304:
		return &httpserver.Response{StatusCode: 304, Headers: hdr}
	case 412:
		setText(&hdr)
		return &httpserver.Response{StatusCode: 412, Headers: hdr, Message: errorTexts[412]}
	}
	hdr.Set("Content-Type", ctype)
	if !asJSON {
		hdr.Set("Content-Security-Policy", listingCSP)
	}
	return &httpserver.Response{StatusCode: 200, Headers: hdr, Message: body}
}

// prefersJSON reports whether the Accept value gives application/json a
// higher weight than text/html (RFC 9110 §12.5.1: the most specific media
// range that matches a type gives its weight). Without Accept, or on a
// tie, the answer is HTML.
func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	type best struct{ spec, q int }
	var js, ht best
	for elem := range strings.SplitSeq(accept, ",") {
		mr, params, _ := strings.Cut(elem, ";")
		mr = strings.ToLower(strings.Trim(mr, " \t"))
		q, ok := negotiate.QValue(params)
		if !ok {
			continue
		}
		if spec := specificity(mr, "application", "json"); spec > js.spec {
			js = best{spec, q}
		}
		if spec := specificity(mr, "text", "html"); spec > ht.spec {
			ht = best{spec, q}
		}
	}
	return js.q > ht.q
}

// specificity returns how closely the media range mr matches typ/sub: 3
// exactly, 2 as "typ/*", 1 as "*/*", 0 not at all.
func specificity(mr, typ, sub string) int {
	switch {
	case mr == "*/*":
		return 1
	case !strings.HasPrefix(mr, typ) || len(mr) <= len(typ) || mr[len(typ)] != '/':
		return 0
	case mr[len(typ)+1:] == "*":
		return 2
	case mr[len(typ)+1:] == sub:
		return 3
	}
	return 0
}

type jsonEntry struct {
	Name     string `json:"name"`
	Dir      bool   `json:"dir"`
	Size     int64  `json:"size"`
	Modified string `json:"modified,omitempty"`
}

func listingJSON(es []entry) string {
	out := make([]jsonEntry, len(es))
	for i, e := range es {
		out[i] = jsonEntry{Name: e.name, Dir: e.dir, Size: e.size}
		if !e.modTime.IsZero() {
			out[i].Modified = e.modTime.Format(time.RFC3339)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings, bools and ints always marshal
	}
	return string(b) + "\n"
}

// listingCSS is the page's only style. The listing's
// Content-Security-Policy allows exactly this text (by its hash), and
// nothing else: no script, no external resource.
const listingCSS = `
:root{color-scheme:light dark;--line:#8884;--hover:#8882}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.25rem;font-weight:600;margin:.5rem 0 1rem;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse}
th,td{padding:.5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{white-space:nowrap}
th a{color:inherit}
tbody tr:hover{background:var(--hover)}
td.name{overflow-wrap:anywhere}
td.name a{display:inline-block;min-height:1.5rem}
.size{text-align:right;white-space:nowrap}
.mod{white-space:nowrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
@media (max-width:40rem){main{padding:.5rem}th,td{padding:.5rem .25rem}.time{display:none}}
`

var listingCSP = func() string {
	sum := sha256.Sum256([]byte(listingCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src data:"
}()

// listingHTML renders the listing page. reqPath is the raw request path,
// shown decoded in the title; root leaves out the parent link.
//
// The page is written directly rather than through html/template, which
// cost ten times as much per entry. Every piece of text that comes from
// outside (the path and the names) goes through html.EscapeString, which
// escapes the five characters that matter in text and in double-quoted
// attributes; links are url.PathEscape'd first, so they hold no quote, '<'
// or space, and begin with "./" so that a name with a ':' cannot read as a
// URL scheme (RFC 3986 §4.2).
func listingHTML(reqPath string, root bool, es []entry, o listingOrder) string {
	shown, err := url.PathUnescape(reqPath)
	if err != nil {
		shown = reqPath
	}
	title := html.EscapeString(strings.ToValidUTF8(shown, "\uFFFD"))
	var b strings.Builder
	b.Grow(2048 + 320*len(es))
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Index of ")
	b.WriteString(title)
	b.WriteString("</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>")
	b.WriteString(listingCSS)
	b.WriteString("</style>\n</head>\n<body>\n<main>\n<h1>Index of ")
	b.WriteString(title)
	b.WriteString("</h1>\n<table>\n<thead>\n<tr>\n")
	for _, c := range [...]struct{ key, label, class string }{
		{"name", "Name", "name"},
		{"size", "Size", "size"},
		{"modified", "Modified (UTC)", "mod"},
	} {
		// The sorted column links to the other order; the others to
		// themselves, ascending.
		b.WriteString(`<th scope="col" class="` + c.class + `"`)
		order, arrow := "asc", ""
		if o.key == c.key {
			if o.desc {
				b.WriteString(` aria-sort="descending"`)
				arrow = "▼"
			} else {
				b.WriteString(` aria-sort="ascending"`)
				order, arrow = "desc", "▲"
			}
		}
		b.WriteString(`><a href="?sort=` + c.key + `&amp;order=` + order + `">` + c.label)
		if arrow != "" {
			b.WriteString(` <span aria-hidden="true">` + arrow + `</span>`)
		}
		b.WriteString("</a></th>\n")
	}
	b.WriteString("</tr>\n</thead>\n<tbody>\n")
	if !root {
		b.WriteString(`<tr><td class="name"><a href="../">../</a> <span class="sr">(parent directory)</span></td>` +
			`<td class="size"></td><td class="mod"></td></tr>` + "\n")
	}
	for _, e := range es {
		name := html.EscapeString(e.name)
		href := html.EscapeString(url.PathEscape(e.name))
		if e.dir {
			name += "/"
			href += "/"
		}
		b.WriteString(`<tr><td class="name"><a href="./` + href + `">` + name + `</a></td><td class="size">`)
		if e.dir {
			b.WriteString(`<span aria-hidden="true">—</span><span class="sr">directory</span>`)
		} else {
			n := strconv.FormatInt(e.size, 10)
			b.WriteString(`<data value="` + n + `">` + humanSize(e.size) + `</data>`)
		}
		b.WriteString(`</td><td class="mod">`)
		if !e.modTime.IsZero() {
			// The date, and the time but on narrow screens.
			iso := e.modTime.Format(time.RFC3339)
			date, clock, _ := strings.Cut(iso, "T")
			b.WriteString(`<time datetime="` + iso + `">` + date + `<span class="time"> ` + clock + `</span></time>`)
		}
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	if len(es) == 0 {
		b.WriteString("<p>This directory is empty.</p>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.String()
}

// humanSize formats n bytes with a binary unit: "999 B", "1.5 KiB",
// "12 MiB" (one decimal below 10 units).
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / 1024
	i := 0
	for v >= 1023.5 && i < len(units)-1 { // what would print as "1024"
		v /= 1024
		i++
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + units[i]
}
