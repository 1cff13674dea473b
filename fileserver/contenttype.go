package fileserver

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// builtinTypes maps the extensions of common web files to their media
// types, so that what a browser is told does not depend on the host's
// /etc/mime.types (some list .js as application/x-javascript, others miss
// .wasm or .webp). Text types carry their charset.
var builtinTypes = map[string]string{
	".avif":        "image/avif",
	".css":         "text/css; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".flac":        "audio/flac",
	".gif":         "image/gif",
	".gz":          "application/gzip",
	".htm":         "text/html; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".ico":         "image/vnd.microsoft.icon",
	".jpeg":        "image/jpeg",
	".jpg":         "image/jpeg",
	".js":          "text/javascript; charset=utf-8",
	".json":        "application/json",
	".m4a":         "audio/mp4",
	".m4v":         "video/mp4",
	".map":         "application/json",
	".md":          "text/markdown; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".mov":         "video/quicktime",
	".mp3":         "audio/mpeg",
	".mp4":         "video/mp4",
	".oga":         "audio/ogg",
	".ogg":         "audio/ogg",
	".ogv":         "video/ogg",
	".opus":        "audio/ogg",
	".otf":         "font/otf",
	".pdf":         "application/pdf",
	".png":         "image/png",
	".svg":         "image/svg+xml",
	".tar":         "application/x-tar",
	".ttf":         "font/ttf",
	".txt":         "text/plain; charset=utf-8",
	".vtt":         "text/vtt; charset=utf-8",
	".wasm":        "application/wasm",
	".wav":         "audio/wav",
	".webm":        "video/webm",
	".webmanifest": "application/manifest+json",
	".webp":        "image/webp",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".xhtml":       "application/xhtml+xml",
	".xml":         "application/xml",
	".zip":         "application/zip",
	".zst":         "application/zstd",
}

// typeByExtension returns the media type for name's extension: from
// builtinTypes, else from the mime package (which reads the host's tables),
// or "" if neither knows it. A text/* type without parameters gets
// "; charset=utf-8".
func typeByExtension(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" {
		return ""
	}
	if t, ok := builtinTypes[ext]; ok {
		return t
	}
	t := mime.TypeByExtension(ext)
	if strings.HasPrefix(t, "text/") && !strings.Contains(t, ";") {
		t += "; charset=utf-8"
	}
	return t
}

// sniffLen is how much DetectContentType looks at.
const sniffLen = 512

// sniff detects f's media type from its first bytes (net/http's
// algorithm, https://mimesniff.spec.whatwg.org) and leaves f positioned at
// its start. It reads with ReadAt when f has it, else reads and seeks back.
// For a file that can do neither, the bytes it consumed are returned as
// prefix: they must be sent before the rest of f.
func sniff(f fs.File) (ctype string, prefix []byte, err error) {
	buf := make([]byte, sniffLen)
	var n int
	if ra, ok := f.(io.ReaderAt); ok {
		n, err = ra.ReadAt(buf, 0)
	} else {
		n, err = io.ReadFull(f, buf)
		if err == io.ErrUnexpectedEOF {
			err = nil
		}
		if err == nil || err == io.EOF {
			if s, ok := f.(io.Seeker); ok {
				_, err = s.Seek(0, io.SeekStart)
			} else {
				prefix = buf[:n]
			}
		}
	}
	if err != nil && err != io.EOF {
		return "", nil, err
	}
	return http.DetectContentType(buf[:n]), prefix, nil
}
