package httpserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log"
	"net"
	"net/http"
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
