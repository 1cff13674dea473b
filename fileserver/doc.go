// Package fileserver serves static files over httpserver: a directory (New
// for an OS directory, NewFS for any fs.FS such as embed.FS) or a single
// file (ServeFile).
//
// # What a request gets
//
//   - A method other than GET and HEAD is 405 with "Allow: GET, HEAD".
//   - The path below Options.Prefix is checked and decoded (400 or 404, see
//     "What is reachable") before the file system is touched.
//   - A directory requested without a trailing slash is redirected (301) to
//     the same path with one, keeping the query, so that relative links in
//     its page resolve. A file requested with one is 404.
//   - A directory is answered with its index.html, else its listing (see
//     "Listings"), else 403 when Options.NoListing is set.
//   - A regular file is sent as described below; anything else (a device, a
//     socket, a named pipe) is 404.
//
// Every regular file is sent with:
//
//   - validators: a strong ETag (from the file's size and modification
//     time, or a hash of its content when it has no modification time) and
//     Last-Modified (RFC 9110 §8.8);
//   - conditional requests, evaluated in the order of RFC 9110 §13.2.2:
//     If-Match, else If-Unmodified-Since (412 Precondition Failed); then
//     If-None-Match, else If-Modified-Since (304 Not Modified, carrying
//     ETag, Last-Modified, Cache-Control and Vary); then If-Range;
//   - byte ranges (RFC 9110 §14), for GET only: a single range as 206
//     Partial Content with Content-Range, several as multipart/byteranges
//     (each part with its Content-Type and Content-Range, the whole with a
//     Content-Length), suffix ("-500") and open-ended ("500-") ranges, and
//     unsatisfiable ones as 416 with "Content-Range: bytes */LEN";
//   - Content-Type from the extension (a built-in table of web types, then
//     the mime package), else sniffed from the first 512 bytes; text types
//     with "charset=utf-8"; and "X-Content-Type-Options: nosniff" on every
//     response;
//   - "Accept-Ranges: bytes" ("none" when ranges are off or the file
//     cannot seek);
//   - Cache-Control from Options.CacheControl: by default "no-cache"
//     (store, but revalidate each time; see DefaultCacheControl).
//
// # Ranges the server declines
//
// RFC 9110 §14.2 lets a server ignore Range and send the whole
// representation; it does so (200) when the field is malformed or names a
// unit other than "bytes", when it names more than Options.MaxRanges ranges
// (16 by default), when several ranges add up to more than the file
// (overlapping ranges, the amplification of CVE-2011-3192), when the
// multipart answer would be longer than the file itself (many small
// ranges), for an empty file, and when If-Range does not match (a weak
// entity-tag never does). Ranges are sent in the order requested.
//
// # Precompressed siblings
//
// Unless Options.NoPrecompressed is set, a request for "app.js" may be
// answered with "app.js.br", "app.js.zst" or "app.js.gz", when the client
// accepts that coding (Accept-Encoding with q-values; q=0 refuses; on a tie
// br beats zstd beats gzip) and the sibling is a regular file modified no
// earlier than "app.js" (an older one is stale and ignored). The answer has
// "Content-Encoding", the Content-Type of "app.js", and an ETag of its own
// (ending in "-br", "-zstd" or "-gzip"); ranges apply to the compressed
// bytes. Every response about a file that has a usable sibling carries
// "Vary: Accept-Encoding", 304s included. The siblings remain files like
// any other, served as themselves under their own names.
//
// # Listings
//
// A listing shows a directory's entries: directories first, then files,
// sorted by the query's "sort" (name, the default, size or modified) and
// "order" (asc, the default, or desc). Dotfiles are hidden unless
// Options.ShowDotfiles is set; broken links, links leading out of the root,
// special files and names the server would refuse (among them names that
// are not valid UTF-8, which no fs.FS can open) are left out.
//
// The HTML page is self-contained (no scripts, no external resources, and a
// Content-Security-Policy that allows none): a table with Name, Size and
// Modified columns whose headers are the sorting links (with aria-sort on
// the sorted one), a link to the parent directory except at the root,
// human-readable sizes and ISO 8601 times in UTC, readable on a phone.
// Names are HTML-escaped and links percent-encoded, whatever bytes the
// names hold.
//
// A client whose Accept field prefers application/json to text/html gets
//
//	[{"name":"a.txt","dir":false,"size":12,"modified":"2024-05-01T12:00:00Z"}]
//
// (size is 0 for directories; modified is left out when unknown).
// Listings carry "Vary: Accept", an ETag computed over their content (so
// If-None-Match gives 304) and the Cache-Control policy's value for the
// directory.
//
// # What is reachable
//
// The request path (raw, percent-encoded) is decoded once, strictly:
// malformed percent escapes, NUL and other control bytes, and backslashes
// are 400 Bad Request; "." and ".." segments (also when percent-encoded,
// "%2e%2e"), empty segments ("a//b"), an encoded slash ("%2F") inside a
// segment, and segments that do not decode to UTF-8 ("%FF") are 404 Not
// Found. Names with a segment beginning with '.'
// (".env", ".git/config", also ".well-known/") are 404 unless
// Options.ShowDotfiles is set.
//
// New opens its directory with os.OpenRoot, so no name (not even through a
// symbolic link, or a ".." inside a link's target) resolves outside it:
// relative links that stay inside the directory work; links that lead out,
// and absolute links wherever they point, are 404.
// NewFS relies on the fs.FS it is given for the same property (os.DirFS
// follows links anywhere: use New for an OS directory).
//
// Error responses have fixed short bodies ("Not Found\n"): they never
// contain a path, a file name or an error from the file system. A file
// that cannot be opened for lack of permission is 403; any other failure
// to open is 404.
//
// # Sending files
//
// A whole file, or a single range of it, is returned as the Response's Body
// with its BodyLength: for an OS directory the *os.File itself, positioned
// at the first byte to send, so the server can hand it to sendfile; for an
// fs.FS file the file, positioned the same way when it is an io.Seeker. The
// server closes it when the response ends. HEAD gets the same response as
// GET (the server sends only the head). Nothing is read into memory whole:
// multipart bodies are assembled lazily from the file, and only listings
// (which are generated) are built in memory.
package fileserver
