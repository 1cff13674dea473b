package compress

import (
	"fmt"
	"strings"
	"sync"
)

// Defaults of Options' fields.
const (
	// DefaultMinSize is the smallest body compressed: below about one
	// TCP segment, compressing saves no round trip and costs CPU on both
	// sides (Caddy's encode and klauspost's gzhttp use the same bound).
	DefaultMinSize = 1024

	// DefaultGzipLevel is klauspost/compress's own default: nearly the
	// ratio of level 6 at about 1.2 times its speed (on a 100 KB HTML
	// page: 8.6:1 at 480 MB/s, against 8.6:1 at 390 MB/s).
	DefaultGzipLevel = 5

	// DefaultZstdLevel is zstd's own default (its command's -3).
	DefaultZstdLevel = 3

	// DefaultBrotliLevel is a Brotli quality that keeps the pure-Go
	// encoder above 100 MB/s on HTML while still compressing better than
	// gzip (12:1 on the page above); qualities from 5 up halve the speed.
	DefaultBrotliLevel = 4
)

// defaultEncodings is what Options.Encodings nil means.
var defaultEncodings = []string{"zstd", "br", "gzip"}

// Options configure Handler. The zero value (and a nil *Options) is the
// default configuration, described on each field.
type Options struct {
	// MinSize is the smallest body, in bytes, that is compressed;
	// 0 means DefaultMinSize (1 KiB). A body whose length is known
	// without producing it (Response.KnownLength) is judged by that
	// length; one of unknown length is held back, up to MinSize bytes,
	// until it is known to reach MinSize (then it is compressed), or has
	// ended short of it (sent as it is). A Stream that flushes before
	// MinSize bytes, and an Endless response, are judged by their type
	// alone: they are compressed as long bodies are.
	MinSize int

	// Types reports whether a media type is worth compressing. It is
	// given the Content-Type's media type in lower case without its
	// parameters ("text/html", never "text/html; charset=utf-8"); a
	// response without a Content-Type is never compressed. nil means
	// DefaultTypes. It must be safe for concurrent use.
	Types func(mediaType string) bool

	// Encodings are the content codings offered, in order of preference
	// when a client weighs several equally: any of "zstd", "br" and
	// "gzip". nil (or empty) means zstd, br, gzip: Zstandard compresses
	// better than gzip and faster than the pure-Go Brotli encoder, and
	// both beat gzip on ratio. Handler panics on another name.
	Encodings []string

	// GzipLevel is the gzip level, 1 (fastest) to 9 (smallest);
	// 0 means DefaultGzipLevel (5).
	GzipLevel int

	// ZstdLevel is the Zstandard level as the zstd command numbers them,
	// 1 to 22; klauspost/compress maps them to its four speeds (1; 2-5,
	// the default; 6-10; 11 and up). 0 means DefaultZstdLevel (3).
	ZstdLevel int

	// BrotliLevel is the Brotli quality, 1 (fastest) to 11 (smallest);
	// 0 means DefaultBrotliLevel (4).
	BrotliLevel int
}

// config is Options checked, with the encoders' pools.
type config struct {
	minSize int
	types   func(string) bool
	names   []string    // offered codings, for negotiate.Encoding
	codings []*encoding // in the same order
	bufs    sync.Pool   // *[]byte of capacity minSize: bodies held back
}

// newConfig checks opts (nil for the defaults) and builds the config; it
// panics on an unknown encoding or a level out of range.
func newConfig(opts *Options) *config {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &config{minSize: o.MinSize, types: o.Types}
	if c.minSize <= 0 {
		c.minSize = DefaultMinSize
	}
	if c.types == nil {
		c.types = DefaultTypes
	}
	names := o.Encodings
	if len(names) == 0 {
		names = defaultEncodings
	}
	for _, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		var e *encoding
		switch name {
		case "gzip":
			e = newGzip(level("GzipLevel", o.GzipLevel, DefaultGzipLevel, 1, 9))
		case "zstd":
			e = newZstd(level("ZstdLevel", o.ZstdLevel, DefaultZstdLevel, 1, 22))
		case "br":
			e = newBrotli(level("BrotliLevel", o.BrotliLevel, DefaultBrotliLevel, 1, 11))
		default:
			panic(fmt.Sprintf("compress: unknown encoding %q in Options.Encodings (want zstd, br or gzip)", name))
		}
		for _, have := range c.names {
			if have == name {
				panic(fmt.Sprintf("compress: encoding %q twice in Options.Encodings", name))
			}
		}
		c.names = append(c.names, name)
		c.codings = append(c.codings, e)
	}
	size := c.minSize
	c.bufs.New = func() any {
		b := make([]byte, 0, size)
		return &b
	}
	return c
}

// level returns v, or def for 0, and panics when it is outside lo..hi.
func level(field string, v, def, lo, hi int) int {
	if v == 0 {
		return def
	}
	if v < lo || v > hi {
		panic(fmt.Sprintf("compress: Options.%s %d out of range %d..%d", field, v, lo, hi))
	}
	return v
}

// DefaultTypes is the allow-list of media types compressed by default
// (mediaType lower case, without parameters, as Options.Types gets it):
// formats that are text, or binary but uncompressed, and large enough on
// the web to matter.
//
//   - every text/* type: HTML, CSS, JavaScript, plain text, CSV,
//     Markdown, XML, and text/event-stream (server-sent events);
//   - every type with a +json or +xml suffix (RFC 6839): image/svg+xml,
//     application/xhtml+xml, rss+xml, atom+xml, ld+json, manifest+json,
//     problem+json, geo+json ...;
//   - application/json, application/x-ndjson, application/javascript,
//     application/x-javascript, application/ecmascript, application/xml,
//     application/yaml, application/x-yaml, application/toml,
//     application/graphql, application/x-www-form-urlencoded;
//   - application/wasm (WebAssembly modules shrink to a third or less);
//   - uncompressed fonts: font/ttf, font/otf, font/collection,
//     application/vnd.ms-fontobject, and their old application/x-font-ttf
//     and application/x-font-otf names;
//   - uncompressed images: image/bmp, image/x-icon,
//     image/vnd.microsoft.icon.
//
// Everything else is sent as it is: images that are compressed already
// (PNG, JPEG, GIF, WebP, AVIF), audio and video, WOFF and WOFF2 fonts,
// archives (zip, gzip, zstd, tar, which may hold anything), PDF,
// application/octet-stream and unknown types. Combine it with your own
// test to widen it:
//
//	Types: func(t string) bool { return compress.DefaultTypes(t) || t == "application/x-tar" }
func DefaultTypes(mediaType string) bool {
	if strings.HasPrefix(mediaType, "text/") ||
		strings.HasSuffix(mediaType, "+json") || strings.HasSuffix(mediaType, "+xml") {
		return true
	}
	switch mediaType {
	case "application/json", "application/x-ndjson",
		"application/javascript", "application/x-javascript", "application/ecmascript",
		"application/xml", "application/yaml", "application/x-yaml", "application/toml",
		"application/graphql", "application/x-www-form-urlencoded",
		"application/wasm",
		"font/ttf", "font/otf", "font/collection", "application/vnd.ms-fontobject",
		"application/x-font-ttf", "application/x-font-otf",
		"image/bmp", "image/x-icon", "image/vnd.microsoft.icon":
		return true
	}
	return false
}
