// Package bench holds the handlers that the load tests and the in-memory
// benchmarks serve on three servers: ours (github.com/gohttpserver/httpserver),
// net/http and fasthttp. The three versions of each handler do the same
// work, so that a difference in the figures is a difference in the servers:
//
//	/plaintext  "Hello, World!" as text/plain, nothing allocated by the handler
//	/json       {"message":"Hello, World!"} encoded per request with encoding/json
//	/file       a file (1 MB in the load test) opened per request and streamed
//	/rss        the server process's memory figures, as text
//
// Anything else is 404. Routing is a plain switch on the path in all three,
// so no router's cost is measured; Chi gives the net/http handler behind a
// chi router, for the net/http-handler comparisons (nethttp.FromHTTP
// against net/http's own server).
//
// This package is a separate module (see go.mod) so that the library itself
// keeps no dependency on fasthttp.
package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/gohttpserver/httpserver"
	"github.com/valyala/fasthttp"
)

// HelloWorld is the plaintext body.
const HelloWorld = "Hello, World!"

// message is the JSON payload, encoded anew for every request (the
// TechEmpower rule: no caching of the encoded form).
type message struct {
	Message string `json:"message"`
}

// Handlers configures the handlers of all three servers.
type Handlers struct {
	// FilePath is the file /file sends; it is opened for every request.
	FilePath string
}

// --- ours -----------------------------------------------------------------

// plaintextResponse is returned to every /plaintext request. Sharing it is
// allowed: the server only reads a Response that a handler returns. It is
// what a handler that allocates nothing looks like with our API, the
// counterpart of fasthttp's ctx.SetBodyString.
var plaintextResponse = &httpserver.Response{
	StatusCode: 200,
	Headers:    headerOf("Content-Type", "text/plain"),
	Message:    HelloWorld,
}

var (
	jsonHeaders   = headerOf("Content-Type", "application/json")
	fileHeaders   = headerOf("Content-Type", "application/octet-stream")
	textHeaders   = headerOf("Content-Type", "text/plain; charset=utf-8")
	notFoundOurs  = &httpserver.Response{StatusCode: 404, Headers: textHeaders, Message: "Not Found\n"}
	internalError = &httpserver.Response{StatusCode: 500, Headers: textHeaders, Message: "Internal Server Error\n"}
)

func headerOf(kv ...string) httpserver.Header {
	var h httpserver.Header
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// Ours returns the handler for our server.
func (hs *Handlers) Ours() httpserver.Handler {
	return httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		switch req.Path {
		case "/plaintext":
			return plaintextResponse
		case "/json":
			b, err := json.Marshal(message{Message: HelloWorld})
			if err != nil {
				return internalError
			}
			return &httpserver.Response{StatusCode: 200, Headers: jsonHeaders, Message: string(b)}
		case "/file":
			f, err := os.Open(hs.FilePath)
			if err != nil {
				return internalError
			}
			// The server takes the length from the *os.File, sends it with
			// sendfile where the connection allows, and closes it when the
			// response ends.
			return &httpserver.Response{StatusCode: 200, Headers: fileHeaders, Body: f}
		case "/rss":
			return &httpserver.Response{StatusCode: 200, Headers: textHeaders, Message: MemReport()}
		}
		return notFoundOurs
	})
}

// --- net/http -------------------------------------------------------------

var (
	plainCT = []string{"text/plain"}
	jsonCT  = []string{"application/json"}
	fileCT  = []string{"application/octet-stream"}
)

// NetHTTP returns the handler for net/http.
func (hs *Handlers) NetHTTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/plaintext":
			// Assigning the shared slice spares Set's allocation; net/http
			// only reads it.
			w.Header()["Content-Type"] = plainCT
			io.WriteString(w, HelloWorld)
		case "/json":
			b, err := json.Marshal(message{Message: HelloWorld})
			if err != nil {
				http.Error(w, "Internal Server Error", 500)
				return
			}
			w.Header()["Content-Type"] = jsonCT
			w.Write(b)
		case "/file":
			f, size, err := openFile(hs.FilePath)
			if err != nil {
				http.Error(w, "Internal Server Error", 500)
				return
			}
			defer f.Close()
			h := w.Header()
			h["Content-Type"] = fileCT
			h.Set("Content-Length", strconv.FormatInt(size, 10))
			// io.Copy reaches the TCP conn's ReadFrom: sendfile.
			io.Copy(w, f)
		case "/rss":
			io.WriteString(w, MemReport())
		default:
			http.NotFound(w, r)
		}
	})
}

// Chi returns the net/http handler routed by chi: the same work as
// NetHTTP's, each path a chi route (GET /plaintext, GET /json, GET
// /file), so that a router's cost is in the figures, as in a real
// application.
func (hs *Handlers) Chi() http.Handler {
	plain := hs.NetHTTP()
	r := chi.NewRouter()
	r.Get("/plaintext", plain.ServeHTTP)
	r.Get("/json", plain.ServeHTTP)
	r.Get("/file", plain.ServeHTTP)
	r.Get("/rss", plain.ServeHTTP)
	return r
}

// --- fasthttp -------------------------------------------------------------

// Fasthttp returns the handler for fasthttp.
func (hs *Handlers) Fasthttp() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) { // the compiler does not allocate here
		case "/plaintext":
			ctx.SetContentType("text/plain")
			ctx.SetBodyString(HelloWorld)
		case "/json":
			b, err := json.Marshal(message{Message: HelloWorld})
			if err != nil {
				ctx.Error("Internal Server Error", 500)
				return
			}
			ctx.SetContentType("application/json")
			ctx.SetBody(b)
		case "/file":
			f, size, err := openFile(hs.FilePath)
			if err != nil {
				ctx.Error("Internal Server Error", 500)
				return
			}
			ctx.SetContentType("application/octet-stream")
			// fasthttp closes f after sending; a bufio.Writer over the TCP
			// conn passes an *os.File on to sendfile.
			ctx.SetBodyStream(f, int(size))
		case "/rss":
			ctx.SetBodyString(MemReport())
		default:
			ctx.Error("Not Found", 404)
		}
	}
}

func openFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// --- memory ---------------------------------------------------------------

// RSSKB returns a field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"),
// for pid 0 meaning this process.
func RSSKB(pid int, field string) (int64, error) {
	p := "/proc/self/status"
	if pid > 0 {
		p = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		return strconv.ParseInt(num, 10, 64)
	}
	return 0, fmt.Errorf("%s: no %s field", p, field)
}

// MemReport describes this process's memory: resident set from the kernel
// and the Go runtime's view of heap and stacks, one "name value" per line.
func MemReport() string {
	rss, _ := RSSKB(0, "VmRSS")
	hwm, _ := RSSKB(0, "VmHWM")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("VmRSS_kB %d\nVmHWM_kB %d\nHeapInuse_kB %d\nStackInuse_kB %d\nSys_kB %d\nGoroutines %d\n",
		rss, hwm, ms.HeapInuse>>10, ms.StackInuse>>10, ms.Sys>>10, runtime.NumGoroutine())
}
