// Package compress compresses the responses of any httpserver.Handler on
// the fly, with Zstandard and gzip (github.com/klauspost/compress) and
// Brotli (github.com/andybalholm/brotli): these dependencies are this
// package's alone, the engine stays standard library only.
//
//	h := compress.Handler(files, nil) // nil: the defaults
//
// # What is compressed
//
// A response is compressed when all of these hold (the first that fails
// sends it as it is; judge in judge.go is the table):
//
//   - the request's Accept-Encoding accepts one of Options.Encodings
//     (zstd, br and gzip by default): q-values are honoured (RFC 9110
//     §12.5.3), "q=0" refuses a coding, "*" stands for those not listed,
//     "identity" weighed above every coding of ours keeps the body as it
//     is, and on a tie the earlier in Options.Encodings wins (zstd, then
//     br, then gzip). A request without Accept-Encoding gets no coding.
//     A client that refuses identity too and accepts none of ours gets
//     identity all the same, not 406;
//   - the request has no Range field (ranges are of the identity body);
//   - the status is one with a body, and not 206 (nor is there a
//     Content-Range field: 416s are left alone); 1xx, 204 and 304 have
//     no body, and a 101 or a CONNECT tunnel is never touched;
//   - the response has no Content-Encoding of its own (a precompressed
//     file from fileserver, a handler's own gzip), and no
//     "Cache-Control: no-transform" (RFC 9111 §5.2.2.6);
//   - its Content-Type's media type passes Options.Types (DefaultTypes:
//     text, JSON, JavaScript, XML, SVG, WebAssembly, uncompressed fonts
//     and images; not images, audio or video that are compressed already,
//     nor archives); a response without a Content-Type is not compressed;
//   - its body is at least Options.MinSize bytes (1 KiB by default):
//     by Response.KnownLength when the length is known without producing
//     the body; otherwise the first MinSize bytes are held back until
//     they are there (the body is compressed) or the body has ended (it
//     is sent as it is). An Endless response, and a Stream that flushes
//     before MinSize bytes, are compressed whatever their size.
//
// # The fields of a compressed response
//
// Content-Encoding names the coding. Content-Length is removed (the
// server frames the compressed body: with a Content-Length when it fits
// the server's write window, else chunked or close-delimited, as for any
// body of unknown length) and so is Accept-Ranges (ranges of the
// compressed form are never served). The ETag becomes the compressed
// form's own: the coding's name inside the quotes ("abc" becomes
// "abc-gzip", W/"abc" becomes W/"abc-gzip"; a malformed ETag is
// dropped). Every response with a final status carries
// "Vary: Accept-Encoding" (added to an existing Vary list), whether it
// was compressed or not, 304s included, since another Accept-Encoding
// could have changed it; a Vary of "*" is left as it is.
//
// An answer to HEAD gets the fields GET would: Content-Encoding, the
// compressed form's ETag, Vary, and no Content-Length (the compressed
// length is not known without compressing). A HEAD response whose length
// is unknown counts as long enough.
//
// # Conditional requests
//
// A client that holds the compressed form revalidates it with its tag
// (If-None-Match: "abc-gzip"), which the inner handler does not know.
// Before calling it, Handler adds to If-None-Match, for each tag with
// the suffix of the coding it would use, the tag without it ("abc"), so
// that the inner handler's own conditional logic (fileserver's, or
// net/http's through nethttp.FromHTTP) answers 304; Handler then puts the
// compressed tag on that 304 when that is the one the client sent. The
// tags as sent stay in the field. If-Match and If-Range are left alone:
// a range request is answered from the identity body anyway.
//
// # Bodies and streams
//
// Every kind of body is compressed: a Message, a Body (read, and closed
// by the server as usual, when it is an io.Closer) and a Stream. A
// Stream may set its status and fields until it has written MinSize
// bytes, flushed, or returned: the response is judged then, with the
// fields as they are (and the length it declared, if any). From then on
// the StreamWriter of a compressed one reports HeadSent, its fields
// being those of the compressed form; one sent as it is behaves as
// without this package. Each Flush of the Stream flushes the encoder (a sync flush:
// what was written so far is whole blocks the client can decode) and
// then the connection, so server-sent events reach the client one by
// one; an Endless Body (a live feed) is flushed so after each read. Interim responses (WriteHeader with a 1xx code), trailers and
// deadlines pass through; a 101 or a CONNECT tunnel, and Hijack, leave
// the bytes as they are.
//
// Memory stays bounded: a response holds at most MinSize bytes back,
// and an encoder from a pool (sync.Pool, per coding and level: gzip about
// 1 MB, zstd about 2 MB with a 128 KiB window, Brotli about 3 MB with a
// 256 KiB one)
// whose output goes to the server's write window, where a slow client
// blocks the producer. Nothing holds a whole body.
//
// # With the file server
//
// Wrapping a fileserver handler compresses files that have no
// precompressed sibling and listings; an answer from a sibling (app.js.br)
// already has its Content-Encoding and is left as it is; a Range request
// gets the identity 206. The sendfile path is kept for what is not
// compressed (images, video, archives, small files).
package compress
