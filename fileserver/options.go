package fileserver

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// Options configures a file server. The zero value (and a nil *Options) is
// the safe default: listings on, dotfiles hidden, precompressed siblings
// used, at most 16 ranges per request, and "Cache-Control: no-cache".
//
// The handler copies Options when it is created; changing them afterwards
// has no effect on it.
type Options struct {
	// CacheControl chooses the Cache-Control value for a file or a
	// directory listing: name is the slash-separated path of the file
	// within the served tree ("." for the root; for a precompressed
	// sibling, the name of the file it stands for) and fi describes it. An
	// empty result sends no Cache-Control. It is called once per response,
	// concurrently from many requests, and must be safe for that. nil means
	// DefaultCacheControl. See also FixedCacheControl and AssetCacheControl.
	CacheControl func(name string, fi fs.FileInfo) string

	// Prefix is removed from the request path before it is mapped to a
	// file, for a handler mounted below the root of a site: with Prefix
	// "/static/", "/static/css/a.css" serves "css/a.css" and "/static/"
	// the root. A request path that does not begin with Prefix is 404.
	// Prefix is compared with the raw (percent-encoded) path and should
	// end with '/'. "" (the default) maps "/" to the root.
	Prefix string

	// NoListing switches off directory listings: a directory without an
	// index.html is then 403 Forbidden. Listings are on by default, as
	// with Python's http.server.
	NoListing bool

	// ShowDotfiles serves names with a segment that begins with '.'
	// ("/.env", "/.git/config", "/.well-known/…") and shows them in
	// listings. By default they are 404 and hidden: they are far more
	// often secrets or repository metadata than content.
	ShowDotfiles bool

	// NoPrecompressed stops the server from looking for precompressed
	// siblings (".br", ".zst", ".gz"), saving three stat calls per file
	// request. See Handle on the handler New returns.
	NoPrecompressed bool

	// MaxRanges bounds the ranges honored in one Range header: a request
	// naming more gets the whole file (200), which RFC 9110 §14.2 permits.
	// 0 means the default, 16; a negative value switches range support
	// off (Range is ignored and "Accept-Ranges: none" is sent).
	MaxRanges int
}

// DefaultMaxRanges is the default for Options.MaxRanges.
const DefaultMaxRanges = 16

func (o *Options) maxRanges() int {
	switch {
	case o.MaxRanges == 0:
		return DefaultMaxRanges
	case o.MaxRanges < 0:
		return 0
	}
	return o.MaxRanges
}

func (o *Options) cacheControl(name string, fi fs.FileInfo) string {
	if o.CacheControl == nil {
		return DefaultCacheControl(name, fi)
	}
	return o.CacheControl(name, fi)
}

// DefaultCacheControl is the policy used when Options.CacheControl is nil:
// "no-cache" for everything, files and listings alike.
//
// "no-cache" lets browsers and shared caches store a response but obliges
// them to revalidate it before each reuse (RFC 9111 §5.2.2.4). Every file
// carries a strong ETag, so revalidation of an unchanged file costs one
// round trip and a 304 without a body. A file server cannot know which of
// its files are versioned by name, and a response sent with a freshness
// lifetime cannot be recalled: without this header a cache may even invent
// one from Last-Modified (heuristic freshness, RFC 9111 §4.2.2) and keep
// serving a file after it has changed. Sites whose asset names change with
// their content should choose AssetCacheControl or their own policy.
func DefaultCacheControl(name string, fi fs.FileInfo) string {
	return "no-cache"
}

// FixedCacheControl returns a policy that gives every file and listing the
// Cache-Control value v ("" for none).
func FixedCacheControl(v string) func(name string, fi fs.FileInfo) string {
	return func(string, fs.FileInfo) string { return v }
}

// AssetCacheControl returns a policy for sites whose assets change name
// when their content changes: HTML files and directory listings get
// "no-cache" (the pages that name the assets are always revalidated); every
// other file gets "public, max-age=N" for maxAge in whole seconds, and
// ", immutable" as well when maxAge is a year or more (RFC 8246). A maxAge
// below one second gives "no-cache" to everything.
func AssetCacheControl(maxAge time.Duration) func(name string, fi fs.FileInfo) string {
	secs := int64(maxAge / time.Second)
	if secs <= 0 {
		return DefaultCacheControl
	}
	v := "public, max-age=" + strconv.FormatInt(secs, 10)
	if maxAge >= 365*24*time.Hour {
		v += ", immutable"
	}
	return func(name string, fi fs.FileInfo) string {
		if fi == nil || fi.IsDir() {
			return "no-cache"
		}
		switch strings.ToLower(path.Ext(name)) {
		case ".html", ".htm", ".xhtml":
			return "no-cache"
		}
		return v
	}
}
