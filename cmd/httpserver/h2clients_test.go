package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file run HTTP/2 clients nobody here wrote against
// the command: curl (built with nghttp2) and nghttp2's h2load. They skip
// themselves where a client is not installed, except under CI, where
// .ci/run installs them.

const (
	curlInstall   = "apt-get install curl"
	h2loadInstall = "apt-get install nghttp2-client"
)

// TestCurlHTTP2 fetches files, a range, a head and a listing from the
// command with curl over HTTP/2: over TLS (negotiated by ALPN, as curl
// --http2 asks) and in cleartext with -h2c, both by "Upgrade: h2c" (what
// curl --http2 does for an http:// URL) and with prior knowledge. curl
// reports the version it spoke (-w %{http_version}), its status lines
// show the upgrade, and the access log shows each request as HTTP/2.0.
func TestCurlHTTP2(t *testing.T) {
	curl := lookTool(t, "curl", curlInstall)
	numbers := make([]byte, 1000)
	for i := range numbers {
		numbers[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[i%36]
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hello.txt":   "hello, world\n",
		"numbers.bin": string(numbers),
		"sub/a.txt":   "a",
	})
	certFile, keyFile, _ := makeCert(t, t.TempDir())
	tlsCLI := startCLI(t, "-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile, dir)
	h2cCLI := startCLI(t, "-addr", "127.0.0.1:0", "-h2c", dir)

	tests := []struct {
		name     string
		p        *proc
		args     []string // curl's flags before the URL
		path     string   // with a query naming the case, so that its log line is its own
		status   int
		head     []string // lines of the response heads curl shows (-D), in order
		body     []string // what the body contains
		bodyLen  int      // the body's length; -1: not checked (curl -I writes the head there)
		logLines []string // the access log's lines for it, after the time
	}{
		{"TLS GET", tlsCLI, []string{"--http2", "-k"}, "/hello.txt?c=get", 200,
			[]string{"HTTP/2 200", "content-length: 13"}, []string{"hello, world\n"}, 13,
			[]string{`"GET /hello.txt?c=get HTTP/2.0" 200 13 `}},
		{"TLS range", tlsCLI, []string{"--http2", "-k", "-r", "0-99"}, "/numbers.bin?c=range", 206,
			[]string{"HTTP/2 206", "content-range: bytes 0-99/1000", "content-length: 100"}, []string{string(numbers[:100])}, 100,
			[]string{`"GET /numbers.bin?c=range HTTP/2.0" 206 100 `}},
		{"TLS HEAD", tlsCLI, []string{"--http2", "-k", "-I"}, "/numbers.bin?c=head", 200,
			[]string{"HTTP/2 200", "content-length: 1000"}, nil, -1,
			[]string{`"HEAD /numbers.bin?c=head HTTP/2.0" 200 - `}},
		{"TLS listing", tlsCLI, []string{"--http2", "-k"}, "/?c=listing", 200,
			[]string{"HTTP/2 200", "content-type: text/html; charset=utf-8"},
			[]string{"<title>Index of /</title>", `href="./sub/"`, `href="./hello.txt"`, `href="./numbers.bin"`}, -1,
			[]string{`"GET /?c=listing HTTP/2.0" 200 `}},
		{"h2c upgrade", h2cCLI, []string{"--http2"}, "/hello.txt?c=upgrade", 200,
			[]string{"HTTP/1.1 101 Switching Protocols", "HTTP/2 200", "content-length: 13"}, []string{"hello, world\n"}, 13,
			[]string{`"GET /hello.txt?c=upgrade HTTP/1.1" 101 - `, `"GET /hello.txt?c=upgrade HTTP/2.0" 200 13 `}},
		{"h2c prior knowledge", h2cCLI, []string{"--http2-prior-knowledge"}, "/hello.txt?c=prior", 200,
			[]string{"HTTP/2 200", "content-length: 13"}, []string{"hello, world\n"}, 13,
			[]string{`"GET /hello.txt?c=prior HTTP/2.0" 200 13 `}},
		{"h2c prior knowledge range", h2cCLI, []string{"--http2-prior-knowledge", "-r", "900-"}, "/numbers.bin?c=prior-range", 206,
			[]string{"HTTP/2 206", "content-range: bytes 900-999/1000"}, []string{string(numbers[900:])}, 100,
			[]string{`"GET /numbers.bin?c=prior-range HTTP/2.0" 206 100 `}},
		{"h2c listing", h2cCLI, []string{"--http2-prior-knowledge", "-H", "Accept: application/json"}, "/?c=json", 200,
			[]string{"HTTP/2 200", "content-type: application/json"}, []string{`"name":"sub"`, `"name":"hello.txt"`}, -1,
			[]string{`"GET /?c=json HTTP/2.0" 200 `}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			headFile, bodyFile := filepath.Join(tmp, "head"), filepath.Join(tmp, "body")
			args := append([]string{"-sS", "--max-time", "30", "-D", headFile, "-o", bodyFile, "-w", "%{http_version} %{response_code}"}, tt.args...)
			args = append(args, tt.p.base+tt.path)
			out, err := exec.CommandContext(t.Context(), curl, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if got, want := string(out), "2 "+strconv.Itoa(tt.status); got != want {
				t.Errorf("curl -w '%%{http_version} %%{response_code}': got %q, want %q", got, want)
			}
			head, err := os.ReadFile(headFile)
			if err != nil {
				t.Fatal(err)
			}
			if got := headLines(string(head)); !containsInOrder(got, tt.head) {
				t.Errorf("response heads:\n%s\nwant the lines %q in that order", head, tt.head)
			}
			body, err := os.ReadFile(bodyFile)
			if err != nil {
				t.Fatal(err)
			}
			if tt.bodyLen >= 0 && len(body) != tt.bodyLen {
				t.Errorf("body: got %d bytes, want %d", len(body), tt.bodyLen)
			}
			for _, want := range tt.body {
				if !strings.Contains(string(body), want) {
					t.Errorf("body %.300q lacks %q", body, want)
				}
			}
			for _, want := range tt.logLines {
				tt.p.waitLine(t, 10*time.Second, func(s string) bool { return strings.Contains(s, want) })
			}
		})
	}
}

// headLines returns the lines of the response heads curl -D writes, each
// without its line ending and trailing spaces (curl writes "HTTP/2 200 "),
// field names as they came (lower case in HTTP/2).
func headLines(head string) []string {
	var lines []string
	for l := range strings.SplitSeq(head, "\n") {
		if l = strings.TrimRight(l, "\r "); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// containsInOrder reports whether want is a subsequence of got.
func containsInOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestH2load loads the command with h2load (nghttp2's HTTP/2 benchmark
// client): 2000 requests on 10 connections, 10 streams at a time on each,
// over TLS and with -h2c, and checks that every one succeeded, each with a
// 2xx, and that the access log has them all as HTTP/2.0 requests.
func TestH2load(t *testing.T) {
	h2load := lookTool(t, "h2load", h2loadInstall)
	dir := t.TempDir()
	page := strings.Repeat("<p>h2load</p>\n", 73) // 1022 bytes
	writeFiles(t, dir, map[string]string{"page.html": page})
	certFile, keyFile, _ := makeCert(t, t.TempDir())
	const n = 2000
	for _, tt := range []struct {
		name  string
		args  []string // the command's flags
		proto string   // what h2load says it negotiated
	}{
		{"TLS", []string{"-tls-cert", certFile, "-tls-key", keyFile}, "h2"},
		{"h2c", []string{"-h2c"}, "h2c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := startCLI(t, append(append([]string{"-addr", "127.0.0.1:0"}, tt.args...), dir)...)
			// A hang guard only: the run takes well under a second.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			args := []string{"-n", strconv.Itoa(n), "-c", "10", "-m", "10", p.base + "/page.html"}
			out, err := exec.CommandContext(ctx, h2load, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("h2load %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			got, err := parseH2load(string(out))
			if err != nil {
				t.Fatalf("%v; h2load's output:\n%s", err, out)
			}
			want := h2loadResult{Proto: tt.proto, Total: n, Started: n, Done: n, Succeeded: n, Status2xx: n}
			if got != want {
				t.Errorf("h2load: got  %+v\nwant %+v\n%s", got, want, out)
			}
			logged := fmt.Sprintf(`"GET /page.html HTTP/2.0" 200 %d `, len(page))
			p.waitFor(t, 30*time.Second, "every request in the access log", func(lines []string, _ bool) bool {
				return countMatching(lines, logged) == n
			})
			if c := countMatching(p.output(), "HTTP/"); c != n {
				t.Errorf("the access log has %d requests, want %d", c, n)
			}
		})
	}
}

func countMatching(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// h2loadResult is what h2load reports of a run.
type h2loadResult struct {
	Proto                                                   string // "Application protocol:", h2 or h2c
	Total, Started, Done, Succeeded, Failed, Errored, Timed int    // "requests:"
	Status2xx                                               int    // "status codes:"
}

var (
	h2loadProtoRE    = regexp.MustCompile(`(?m)^Application protocol: (\S+)$`)
	h2loadRequestsRE = regexp.MustCompile(`(?m)^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout$`)
	h2loadStatusRE   = regexp.MustCompile(`(?m)^status codes: (\d+) 2xx,`)
)

// parseH2load reads h2load's summary (nghttp2 1.52's format).
func parseH2load(out string) (h2loadResult, error) {
	var r h2loadResult
	m := h2loadRequestsRE.FindStringSubmatch(out)
	s := h2loadStatusRE.FindStringSubmatch(out)
	p := h2loadProtoRE.FindStringSubmatch(out)
	if m == nil || s == nil || p == nil {
		return r, fmt.Errorf("h2load's output has no protocol, requests or status codes line")
	}
	var nums [8]int
	for i, v := range append(m[1:], s[1]) {
		nums[i], _ = strconv.Atoi(v) // \d+
	}
	r = h2loadResult{Proto: p[1], Total: nums[0], Started: nums[1], Done: nums[2], Succeeded: nums[3],
		Failed: nums[4], Errored: nums[5], Timed: nums[6], Status2xx: nums[7]}
	return r, nil
}

// TestParseH2load reads h2load's summaries.
func TestParseH2load(t *testing.T) {
	const tlsRun = `starting benchmark...
spawning thread #0: 10 total client(s). 2000 total requests
TLS Protocol: TLSv1.3
Cipher: TLS_AES_128_GCM_SHA256
Server Temp Key: X25519 253 bits
Application protocol: h2
progress: 10% done
progress: 100% done

finished in 105.87ms, 18890.91 req/s, 70.64MB/s
requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 7.48MB (7841890) total, 18.77KB (19220) headers (space savings 95.89%), 7.43MB (7786000) data
`
	const failedRun = `Application protocol: h2c
finished in 2.01s, 0.00 req/s, 0B/s
requests: 2000 total, 10 started, 3 done, 1 succeeded, 1999 failed, 1999 errored, 0 timeout
status codes: 1 2xx, 0 3xx, 2 4xx, 0 5xx
`
	tests := []struct {
		name    string
		out     string
		want    h2loadResult
		wantErr bool
	}{
		{"TLS run", tlsRun, h2loadResult{Proto: "h2", Total: 2000, Started: 2000, Done: 2000, Succeeded: 2000, Status2xx: 2000}, false},
		{"failures", failedRun, h2loadResult{Proto: "h2c", Total: 2000, Started: 10, Done: 3, Succeeded: 1, Failed: 1999, Errored: 1999, Status2xx: 1}, false},
		{"no protocol negotiated", "No protocol negotiated. Aborted.\n", h2loadResult{}, true},
		{"no summary", strings.SplitAfter(tlsRun, "finished in")[0], h2loadResult{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseH2load(tt.out)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
