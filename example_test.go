package httpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"hash/crc32"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/fileserver"
)

// The callback API: register a function on a host and port, get an id,
// serve until Ctrl-C or SIGTERM, stop by id. StopCallback lets requests in
// flight finish (for up to 30 seconds).
//
// The README shows this program with port 8080. Here port 0 picks a free
// port, and instead of waiting for Ctrl-C the example makes one request
// and then stops itself.
func ExampleRegisterCallback() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	id, err := httpserver.RegisterCallback("127.0.0.1", 0, func(req *httpserver.Request) *httpserver.Response {
		resp := &httpserver.Response{StatusCode: 200, Message: "hello, " + req.QueryDict.Get("name") + "\n"}
		resp.Headers.Set("Content-Type", "text/plain; charset=utf-8")
		return resp
	})
	if err != nil {
		log.Fatal(err)
	}

	// Example only: one request to the port chosen, then stop as Ctrl-C would.
	addr, err := httpserver.ListenerAddr(id)
	if err != nil {
		log.Fatal(err)
	}
	res, err := http.Get("http://" + addr.String() + "/greet?name=world")
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Status, " ", string(body))
	stop()

	<-ctx.Done()
	if err := httpserver.StopCallback(id); err != nil {
		log.Fatal(err)
	}
	// Output: 200 OK hello, world
}

// A Server with a handler, served on a listener of your own and stopped
// gracefully.
func ExampleServer() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Message: req.Verb + " " + req.Path + "\n"}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // port 0: a free port
	if err != nil {
		log.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	res, err := http.Post("http://"+l.Addr().String()+"/items", "text/plain", strings.NewReader("x"))
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(string(body))

	if err := srv.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-served)
	// Output:
	// POST /items
	// httpserver: server closed
}

// ReuseRequests, for a handler that keeps nothing of its Request but
// strings: the server reuses each Request for a later one, so a request
// costs no allocation. Strings taken from the Request (here the path, as
// a map key) stay valid; the *Request itself must not be kept.
func ExampleServer_reuseRequests() {
	hits := map[string]int{}
	var mu sync.Mutex // handlers of different connections run concurrently
	srv := &httpserver.Server{
		ReuseRequests: true,
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			mu.Lock()
			hits[req.Path]++ // a string from the Request: safe to keep
			n := hits[req.Path]
			mu.Unlock()
			return &httpserver.Response{StatusCode: 200, Message: fmt.Sprintf("%s %d\n", req.Path, n)}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	for _, path := range []string{"/a", "/b", "/a"} {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(string(body))
	}
	// Output:
	// /a 1
	// /b 1
	// /a 2
}

// A body produced in parts: each Flush sends what was written so far, in
// chunks for HTTP/1.1 clients. A slow client slows the writes down instead
// of making the server buffer.
func ExampleStreamWriter() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				for i := 1; i <= 3; i++ {
					fmt.Fprintf(w, "event %d\n", i)
					if err := w.Flush(); err != nil {
						return err
					}
				}
				return nil
			}}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	res, err := http.Get("http://" + l.Addr().String() + "/events")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(res.TransferEncoding, "\n", string(body))
	// Output:
	// [chunked]
	// event 1
	// event 2
	// event 3
}

// A Mux routes by method and path pattern; a Mux is itself a Handler, so
// it can be called directly, without a socket.
func ExampleMux() {
	m := httpserver.NewMux()
	m.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id")}
	})
	m.RouteFunc("GET /users/new", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "new-user form"}
	})
	for _, req := range []*httpserver.Request{
		{Verb: "GET", Path: "/users/42"},
		{Verb: "GET", Path: "/users/new"},
		{Verb: "DELETE", Path: "/users/42"},
		{Verb: "GET", Path: "/users/../etc"},
	} {
		resp := m.Handle(req)
		fmt.Println(req.Verb, req.Path, "->", resp.StatusCode, strings.TrimSpace(resp.Message))
		if allow := resp.Headers.Get("Allow"); allow != "" {
			fmt.Println("  Allow:", allow)
		}
	}
	// Output:
	// GET /users/42 -> 200 user 42
	// GET /users/new -> 200 new-user form
	// DELETE /users/42 -> 405 Method Not Allowed
	//   Allow: GET, HEAD
	// GET /users/../etc -> 404 Not Found
}

// A program: a Mux with a route of its own and the current directory's
// files below /static/, on a Server with the default limits, serving until
// Ctrl-C or SIGTERM and then shutting down gracefully.
//
// The README shows this program calling srv.ListenAndServe() (":8000").
// Here srv.Serve(l) serves a listener on a free port instead, and rather
// than wait for Ctrl-C the example makes two requests and stops itself.
func Example_mux() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id") + "\n"}
	})
	// The files of the current directory at /static/: ranges, validators,
	// listings; dotfiles stay hidden.
	files, err := fileserver.New(".", &fileserver.Options{Prefix: "/static/"})
	if err != nil {
		log.Fatal(err)
	}
	mux.Route("GET /static/", files)

	// Example only: a listener on a free port, for srv.Serve(l) below.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}

	srv := &httpserver.Server{Handler: mux} // zero value works; safe limits by default
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	// Example only: two requests, then stop as Ctrl-C would.
	for _, path := range []string{"/users/42", "/static/go.mod"} {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		line, _ := bufio.NewReader(res.Body).ReadString('\n')
		res.Body.Close()
		fmt.Print(path, ": ", res.Status, " ", line)
	}
	stop()

	<-ctx.Done() // Ctrl-C or SIGTERM
	// Stop accepting, close idle connections, and give requests in flight
	// 10 seconds to finish before their connections are closed.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// /users/42: 200 OK user 42
	// /static/go.mod: 200 OK module github.com/gohttpserver/httpserver
}

// TestREADMEExamples keeps README.md's whole programs from going stale.
// Each must be the body of the Example the paragraph after it names, with
// that Example's "Example only" blocks (a comment line beginning so, up to
// the next blank line) removed and one line substituted, and each must
// compile as a package main of its own.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	bodies := exampleBodies(t, "example_test.go")
	// What the README's programs have in place of an Example's line.
	substitutions := map[string][2]string{
		"ExampleRegisterCallback": {`RegisterCallback("127.0.0.1", 0,`, `RegisterCallback("127.0.0.1", 8080,`},
		"Example_mux":             {"srv.Serve(l)", "srv.ListenAndServe()"},
	}
	progs := readmePrograms(string(readme))
	if len(progs) != len(substitutions) {
		t.Errorf("got %d package main programs in README.md, want %d", len(progs), len(substitutions))
	}
	for _, p := range progs {
		t.Run(p.example, func(t *testing.T) {
			body, ok := bodies[p.example]
			if !ok {
				t.Fatalf("README.md names %s after a program; example_test.go has no such function", p.example)
			}
			sub, ok := substitutions[p.example]
			if !ok {
				t.Fatalf("README.md names %s after a program; the test has no substitution for it", p.example)
			}
			var want []string
			for _, line := range withoutExampleOnly(body) {
				want = append(want, strings.Replace(line, sub[0], sub[1], 1))
			}
			got := p.mainBody
			for i := 0; i < len(got) || i < len(want); i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Fatalf("README program line %d of main:\n got %q\nwant %q (from %s)", i+1, g, w, p.example)
				}
			}
			buildProgram(t, p.source)
		})
	}
}

// A readmeProgram is a ```go block of README.md that begins "package main".
type readmeProgram struct {
	source   string
	mainBody []string // the lines inside func main's braces, one tab removed
	example  string   // the first `Example...` named after the block
}

func readmePrograms(readme string) []readmeProgram {
	var progs []readmeProgram
	rest := readme
	for {
		_, after, ok := strings.Cut(rest, "```go\n")
		if !ok {
			return progs
		}
		src, after, _ := strings.Cut(after, "```\n")
		rest = after
		if !strings.HasPrefix(src, "package main\n") {
			continue
		}
		p := readmeProgram{source: src}
		_, m, _ := strings.Cut(src, "func main() {\n")
		m, _, _ = strings.Cut(m, "\n}\n")
		for _, line := range strings.Split(m, "\n") {
			p.mainBody = append(p.mainBody, strings.TrimPrefix(line, "\t"))
		}
		if i := strings.Index(after, "`Example"); i >= 0 {
			name := after[i+1:]
			p.example, _, _ = strings.Cut(name, "`")
		}
		progs = append(progs, p)
	}
}

// exampleBodies returns the lines of each function body in file, one tab
// removed, by function name.
func exampleBodies(t *testing.T, file string) map[string][]string {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	bodies := make(map[string][]string)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		body := string(src[fset.Position(fd.Body.Lbrace).Offset+2 : fset.Position(fd.Body.Rbrace).Offset-1])
		var lines []string
		for _, line := range strings.Split(body, "\n") {
			lines = append(lines, strings.TrimPrefix(line, "\t"))
		}
		bodies[fd.Name.Name] = lines
	}
	return bodies
}

// withoutExampleOnly drops each block of lines that begins with a comment
// "// Example only" up to and including the next blank line, and the
// Output comment at the end.
func withoutExampleOnly(lines []string) []string {
	var out []string
	skipping := false
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "// Example only"):
			skipping = true
		case strings.HasPrefix(line, "// Output:"):
			return out
		case skipping && line == "":
			skipping = false
		case !skipping:
			out = append(out, line)
		}
	}
	return out
}

// buildProgram vets src as the main package of a module of its own that
// uses this module from this directory.
func buildProgram(t *testing.T, src string) {
	if testing.Short() {
		t.Skip("builds a program with the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module readme\n\ngo 1.26\n\nrequire github.com/gohttpserver/httpserver v0.0.0\n\nreplace github.com/gohttpserver/httpserver => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "vet", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the README's program: %v\n%s", err, out)
	}
}

// WriteHeader with an interim status: 103 Early Hints tells the client
// what it may start fetching while the page is still being made; the
// fields go with the final response too. A client sees it as Go's does,
// through httptrace's Got1xxResponse.
func ExampleStreamWriter_WriteHeader() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				w.Header().Set("Link", "</style.css>; rel=preload; as=style")
				w.WriteHeader(103) // sent at once
				// ... the slow part: the final status and fields are
				// still the Stream's to change until its first write.
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, err := io.WriteString(w, "<!doctype html><title>hello</title>\n")
				return err
			}}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		fmt.Println(code, h.Get("Link"))
		return nil
	}}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+l.Addr().String()+"/", nil)
	if err != nil {
		log.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Link"))
	fmt.Print(string(body))
	// Output:
	// 103 </style.css>; rel=preload; as=style
	// 200 text/html; charset=utf-8 </style.css>; rel=preload; as=style
	// <!doctype html><title>hello</title>
}

// Hijack takes the connection over after a 101 Switching Protocols, here
// to a line-echo protocol a client asks for with "Upgrade: echo" (a
// WebSocket library does the same). What the client sent after its
// request, which the server had already read, comes back from Hijack.
func ExampleStreamWriter_Hijack() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			if req.Headers.Get("Upgrade") != "echo" {
				resp := &httpserver.Response{StatusCode: 426, Message: "this resource speaks echo\n"}
				resp.Headers.Set("Upgrade", "echo")
				return resp
			}
			return &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				w.Header().Set("Upgrade", "echo")
				w.Header().Set("Connection", "Upgrade")
				w.WriteHeader(101) // sent at once, without framing
				conn, rest, err := w.Hijack()
				if err != nil {
					return err
				}
				defer conn.Close()
				lines := bufio.NewScanner(io.MultiReader(bytes.NewReader(rest), conn))
				for lines.Scan() {
					if _, err := fmt.Fprintf(conn, "echo: %s\n", lines.Text()); err != nil {
						return err
					}
				}
				return lines.Err()
			}}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	// Example only: a client of the echo protocol.
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /chat HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.Header.Get("Upgrade"))
	line, _ := br.ReadString('\n')
	fmt.Print(line)
	io.WriteString(conn, "bye\n")
	line, _ = br.ReadString('\n')
	fmt.Print(line)
	// Output:
	// 101 Switching Protocols echo
	// echo: hello
	// echo: bye
}

// HandOff takes the connection over as Hijack does, for a protocol the
// server should go on counting: Shutdown waits for the function serving
// it (which watches the request's ShutdownNotice to say goodbye), and
// MaxConns counts it. The connection's first reads return what the
// client sent after its request.
func ExampleStreamWriter_HandOff() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			resp := &httpserver.Response{StatusCode: 101, Stream: func(w *httpserver.StreamWriter) error {
				return w.HandOff(func(conn net.Conn) {
					lines := bufio.NewScanner(conn)
					for lines.Scan() {
						select {
						case <-req.ShutdownNotice():
							fmt.Fprintln(conn, "goodbye")
							return
						default:
						}
						fmt.Fprintf(conn, "echo: %s\n", lines.Text())
					}
				})
			}}
			resp.Headers.Set("Upgrade", "echo")
			resp.Headers.Set("Connection", "Upgrade")
			return resp
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	began := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(began) })
	go srv.Serve(l)

	// Example only: a client of the echo protocol.
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /chat HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)
	line, _ := br.ReadString('\n')
	fmt.Print(line)

	// Shutdown waits for the echo connection: it ends when the client
	// sends its next line, which the server answers with goodbye.
	done := make(chan error)
	go func() { done <- srv.Shutdown(context.Background()) }()
	<-began
	io.WriteString(conn, "are you there?\n")
	line, _ = br.ReadString('\n')
	fmt.Print(line)
	fmt.Println("Shutdown:", <-done)
	// Output:
	// 101 Switching Protocols
	// echo: hello
	// goodbye
	// Shutdown: <nil>
}

// Trailer fields follow the body: here a checksum of a body sent in
// parts, known only at its end. The "Trailer" field announces it, which
// makes the body chunked so that the trailer can go.
func ExampleStreamWriter_Trailer() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			resp := &httpserver.Response{StatusCode: 200, Stream: func(w *httpserver.StreamWriter) error {
				sum := crc32.NewIEEE()
				for _, part := range []string{"hello, ", "world\n"} {
					if _, err := io.WriteString(io.MultiWriter(w, sum), part); err != nil {
						return err
					}
				}
				w.Trailer().Set("X-Checksum", fmt.Sprintf("crc32=%08x", sum.Sum32()))
				return nil
			}}
			resp.Headers.Set("Trailer", "X-Checksum")
			return resp
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	res, err := http.Get("http://" + l.Addr().String() + "/file")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body) // trailers arrive after the body
	res.Body.Close()
	fmt.Print(res.TransferEncoding, " ", string(body))
	fmt.Println("X-Checksum:", res.Trailer.Get("X-Checksum"))
	// Output:
	// [chunked] hello, world
	// X-Checksum: crc32=f4247453
}

// SetBodyLimit gives one request a body limit of its own, above or below
// the server's MaxBodyBytes; BodyLimit does it for a Mux route. A body
// over its limit is refused with 413 at the handler's first read.
func ExampleRequest_SetBodyLimit() {
	mux := httpserver.NewMux()
	mux.RouteFunc("POST /upload", func(req *httpserver.Request) *httpserver.Response {
		if err := req.SetBodyLimit(10 << 20); err != nil { // before the first read
			return &httpserver.Response{StatusCode: 500, Message: err.Error()}
		}
		n, err := io.Copy(io.Discard, req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 400, Message: err.Error()} // the server answers 413 instead
		}
		return &httpserver.Response{StatusCode: 200, Message: fmt.Sprintf("stored %d bytes\n", n)}
	})
	mux.Route("POST /comment", httpserver.BodyLimit(1<<10, httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 400, Message: err.Error()}
		}
		return &httpserver.Response{StatusCode: 200, Message: fmt.Sprintf("comment of %d bytes\n", len(b))}
	})))
	srv := &httpserver.Server{MaxBodyBytes: 64 << 10, Handler: mux}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	for _, post := range []struct {
		path string
		size int
	}{{"/upload", 1 << 20}, {"/comment", 100}, {"/comment", 2 << 10}} {
		res, err := http.Post("http://"+l.Addr().String()+post.path, "text/plain", strings.NewReader(strings.Repeat("x", post.size)))
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(post.path, " ", res.StatusCode, " ", string(body))
	}
	// Output:
	// /upload 200 stored 1048576 bytes
	// /comment 200 comment of 100 bytes
	// /comment 413 Content Too Large: request body too large
}

// Pattern tells what served a request by the route that matched, not
// by its path: a label whose values the program chose (package metrics
// labels requests with it), here read in the AccessLog.
func ExampleRequest_Pattern() {
	mux := httpserver.NewMux()
	mux.RouteFunc("GET /users/{id}", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "user " + httpserver.PathValue(req, "id") + "\n"}
	})
	logged := make(chan string, 1)
	srv := &httpserver.Server{
		Handler: mux,
		AccessLog: func(e httpserver.AccessEntry) {
			logged <- fmt.Sprintf("%s %s -> %d, route %q", e.Request.Verb, e.Request.Path, e.Status, e.Request.Pattern())
		},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	for _, path := range []string{"/users/7", "/users/8", "/nowhere"} {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		fmt.Println(<-logged)
	}
	// Output:
	// GET /users/7 -> 200, route "GET /users/{id}"
	// GET /users/8 -> 200, route "GET /users/{id}"
	// GET /nowhere -> 404, route ""
}

// Trailer gives the fields a client sends after a chunked body, such as
// a checksum it could compute only once the body was sent: they are
// there once Body has returned io.EOF.
func ExampleRequest_Trailer() {
	srv := &httpserver.Server{Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		sum := sha256.New()
		if _, err := io.Copy(sum, req.Body); err != nil {
			return &httpserver.Response{StatusCode: 400, Message: err.Error()}
		}
		if req.Trailer().Get("X-Sha256") != hex.EncodeToString(sum.Sum(nil)) {
			return &httpserver.Response{StatusCode: 400, Message: "checksum mismatch\n"}
		}
		return &httpserver.Response{StatusCode: 200, Message: "stored\n"}
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	for _, checksum := range []string{
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", // sha256("hello")
		"0000",
	} {
		// An io.MultiReader has no length: Go's client sends it chunked,
		// with req.Trailer after the last chunk.
		req, _ := http.NewRequest("PUT", "http://"+l.Addr().String()+"/file", io.MultiReader(strings.NewReader("hello")))
		req.Trailer = http.Header{"X-Sha256": {checksum}}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(res.StatusCode, " ", string(body))
	}
	// Output:
	// 200 stored
	// 400 checksum mismatch
}

// ShutdownNotice lets an endless response (server-sent events here) end
// cleanly when the server shuts down, so that Shutdown need not wait for
// its deadline and close the connection under it.
func ExampleRequest_ShutdownNotice() {
	srv := &httpserver.Server{
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			resp := &httpserver.Response{StatusCode: 200, Endless: true, Stream: func(w *httpserver.StreamWriter) error {
				ticks := time.NewTicker(time.Hour) // the events' source
				defer ticks.Stop()
				fmt.Fprint(w, "data: hello\n\n")
				for {
					if err := w.Flush(); err != nil {
						return err // the client went away
					}
					select {
					case t := <-ticks.C:
						fmt.Fprintf(w, "data: %s\n\n", t.Format(time.RFC3339))
					case <-req.ShutdownNotice():
						fmt.Fprint(w, "event: bye\ndata: the server is shutting down\n\n")
						return nil
					}
				}
			}}
			resp.Headers.Set("Content-Type", "text/event-stream")
			return resp
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)

	res, err := http.Get("http://" + l.Addr().String() + "/events")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	events := bufio.NewReader(res.Body)
	first, _ := events.ReadString('\n')
	events.ReadString('\n') // the blank line that ends the event
	fmt.Printf("%q\n", first)

	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(context.Background()) }()
	rest, _ := io.ReadAll(events) // the response ends, cleanly
	fmt.Printf("%q\n", rest)
	fmt.Println("Shutdown:", <-shutdown)
	// Output:
	// "data: hello\n"
	// "event: bye\ndata: the server is shutting down\n\n"
	// Shutdown: <nil>
}

// ExampleServer_ReadyHandler stops a server behind a load balancer: once
// Shutdown begins, the readiness probe says 503 so that the balancer
// takes the server out, while the server goes on accepting and
// answering (each answer with "Connection: close") for Drain; then it
// closes its listeners and idle connections, and waits for the requests
// in flight.
func ExampleServer_ReadyHandler() {
	srv := &httpserver.Server{
		// As long as the balancer takes to mark the server down (a few
		// seconds); an hour here, which the example cuts short.
		Drain: time.Hour,
	}
	mux := httpserver.NewMux()
	mux.Route("/ready", srv.ReadyHandler()) // the balancer's health check
	mux.RouteFunc("/", func(req *httpserver.Request) *httpserver.Response {
		return &httpserver.Response{StatusCode: 200, Message: "hello\n"}
	})
	srv.Handler = mux
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	get := func(path string) {
		res, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%s: %d %q, close %v\n", path, res.StatusCode, body, res.Close)
	}
	get("/ready")

	began := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(began) })
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(context.Background()) }()
	<-began
	get("/ready")
	get("/") // a new connection, during the drain
	// Example only: the listener's owner closes it, and with no
	// connection left the drain ends at once.
	l.Close()
	fmt.Println("Shutdown:", <-shutdown)
	// Output:
	// /ready: 200 "ready\n", close false
	// /ready: 503 "draining\n", close true
	// /: 200 "hello\n", close true
	// Shutdown: <nil>
}
