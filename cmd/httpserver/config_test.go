package main

import (
	"errors"
	"flag"
	"io/fs"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gohttpserver/httpserver"
)

// fakeInfo is the fs.FileInfo of a file or directory, for cache policies.
type fakeInfo struct{ dir bool }

func (fi fakeInfo) Name() string { return "x" }
func (fi fakeInfo) Size() int64  { return 1 }
func (fi fakeInfo) Mode() fs.FileMode {
	if fi.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (fi fakeInfo) ModTime() time.Time { return time.Time{} }
func (fi fakeInfo) IsDir() bool        { return fi.dir }
func (fi fakeInfo) Sys() any           { return nil }

// policyOf shows what a cache policy answers for a stylesheet, an HTML
// page and a directory: "css|html|dir". nil is the file server's default.
func policyOf(p func(string, fs.FileInfo) string) string {
	if p == nil {
		return "default"
	}
	return p("app.css", fakeInfo{}) + "|" + p("index.html", fakeInfo{}) + "|" + p("sub", fakeInfo{dir: true})
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want config // cacheControl is compared through policy
		// policy is policyOf(cfg.cacheControl).
		policy string
	}{
		{
			name:   "defaults",
			args:   nil,
			want:   config{dir: ".", addr: ":8000", cache: "no-cache", listing: true, logMode: "clf", h2: true},
			policy: "default",
		},
		{
			name:   "a directory",
			args:   []string{"/srv/www"},
			want:   config{dir: "/srv/www", addr: ":8000", cache: "no-cache", listing: true, logMode: "clf", h2: true},
			policy: "default",
		},
		{
			name: "every flag",
			args: []string{"-addr", "127.0.0.1:0", "-tls-cert", "c.pem", "-tls-key", "k.pem",
				"-cache", "assets=24h", "-listing=false", "-dotfiles", "-log", "json", "-h2=false", "-h2c", "-drain", "5s",
				"-metrics", "127.0.0.1:9090", "-reuseport", "-max-conns", "50000", "-max-conns-per-ip", "0", "site"},
			want: config{dir: "site", addr: "127.0.0.1:0", tlsCert: "c.pem", tlsKey: "k.pem",
				cache: "assets=24h", listing: false, dotfiles: true, logMode: "json", h2: false, h2c: true, drain: 5 * time.Second,
				metrics: "127.0.0.1:9090", reusePort: true, maxConns: 50000, maxConnsPerIP: httpserver.Unlimited},
			policy: "public, max-age=86400|no-cache|no-cache",
		},
		{
			name:   "double dashes and = syntax",
			args:   []string{"--addr=:9000", "--log=off", "--", "-dir-with-dash"},
			want:   config{dir: "-dir-with-dash", addr: ":9000", cache: "no-cache", listing: true, logMode: "off", h2: true},
			policy: "default",
		},
		{
			name:   "a bare port",
			args:   []string{"-addr", "8080"},
			want:   config{dir: ".", addr: ":8080", cache: "no-cache", listing: true, logMode: "clf", h2: true},
			policy: "default",
		},
		{
			name:   "metrics on a bare port",
			args:   []string{"-metrics", "9090"},
			want:   config{dir: ".", addr: ":8000", cache: "no-cache", listing: true, logMode: "clf", h2: true, metrics: ":9090"},
			policy: "default",
		},
		{
			name:   "a year of assets is immutable",
			args:   []string{"-cache", "assets=8760h"},
			want:   config{dir: ".", addr: ":8000", cache: "assets=8760h", listing: true, logMode: "clf", h2: true},
			policy: "public, max-age=31536000, immutable|no-cache|no-cache",
		},
		{
			name:   "no Cache-Control at all",
			args:   []string{"-cache", "off"},
			want:   config{dir: ".", addr: ":8000", cache: "off", listing: true, logMode: "clf", h2: true},
			policy: "||",
		},
		{
			name:   "a literal value",
			args:   []string{"-cache", "public, max-age=300"},
			want:   config{dir: ".", addr: ":8000", cache: "public, max-age=300", listing: true, logMode: "clf", h2: true},
			policy: "public, max-age=300|public, max-age=300|public, max-age=300",
		},
		{
			name:   "no compression on the fly",
			args:   []string{"-compress=false"},
			want:   config{dir: ".", addr: ":8000", cache: "no-cache", listing: true, logMode: "clf", h2: true, noCompress: true},
			policy: "default",
		},
		{
			name:   "no-store is a literal too",
			args:   []string{"-cache=no-store"},
			want:   config{dir: ".", addr: ":8000", cache: "no-store", listing: true, logMode: "clf", h2: true},
			policy: "no-store|no-store|no-store",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			cfg, err := parseConfig(tt.args, &out)
			if err != nil {
				t.Fatalf("parseConfig(%q): %v\n%s", tt.args, err, out.String())
			}
			if got := policyOf(cfg.cacheControl); got != tt.policy {
				t.Errorf("cache policy: got %q, want %q", got, tt.policy)
			}
			if cfg.grace != defaultGrace {
				t.Errorf("grace: got %v, want %v", cfg.grace, defaultGrace)
			}
			cfg.cacheControl, cfg.grace = nil, 0
			if !reflect.DeepEqual(*cfg, tt.want) {
				t.Errorf("parseConfig(%q):\n got %+v\nwant %+v", tt.args, *cfg, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q for a good command line", out.String())
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in what is printed
	}{
		{"unknown flag", []string{"-port", "80"}, "flag provided but not defined: -port"},
		{"flag after DIR", []string{"site", "-addr", ":80"}, `flags must come before DIR: "-addr"`},
		{"two directories", []string{"a", "b"}, `one directory at most, got ["a" "b"]`},
		{"empty DIR", []string{""}, "DIR is empty"},
		{"empty address", []string{"-addr", ""}, "-addr is empty"},
		{"an address with no port", []string{"-addr", "1.2.3.4"}, `-addr "1.2.3.4": missing port in address`},
		{"not an address", []string{"-addr", "not an addr"}, `-addr "not an addr": missing port in address`},
		{"a port out of range", []string{"-addr", ":99999"}, `-addr ":99999": port "99999": want a number from 0 to 65535`},
		{"a bare port out of range", []string{"-addr", "65536"}, `-addr ":65536": port "65536"`},
		{"metrics with no port", []string{"-metrics", "1.2.3.4"}, `-metrics "1.2.3.4": missing port in address`},
		{"metrics on a port out of range", []string{"-metrics", "70000"}, `-metrics ":70000": port "70000"`},
		{"certificate without key", []string{"-tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{"negative drain", []string{"-drain", "-1s"}, "-drain -1s: want a duration of 0 or more"},
		{"negative max-conns", []string{"-max-conns", "-1"}, "-max-conns -1: want 0 (no limit) or more"},
		{"negative max-conns-per-ip", []string{"-max-conns-per-ip", "-5"}, "-max-conns-per-ip -5: want 0 (no limit) or more"},
		{"max-conns not a number", []string{"-max-conns", "many"}, `invalid value "many" for flag -max-conns`},
		{"bad trusted proxies", []string{"-trusted-proxies", "10.0.0.0/8,nonsense"}, "-trusted-proxies: "},
		{"PROXY protocol without trusted proxies", []string{"-proxy-protocol"}, "-proxy-protocol needs -trusted-proxies"},
		{"key without certificate", []string{"-tls-key", "k.pem"}, "-tls-cert and -tls-key go together"},
		{"unknown log format", []string{"-log", "combined"}, `-log "combined": want clf, json or off`},
		{"bad boolean", []string{"-listing=maybe"}, `invalid boolean value "maybe" for -listing`},
		{"bad asset duration", []string{"-cache", "assets=1y"}, `-cache "assets=1y": bad duration`},
		{"asset duration under a second", []string{"-cache", "assets=500ms"}, "duration below one second"},
		{"empty cache value", []string{"-cache", " "}, "empty value (use off for none)"},
		{"CR LF in a cache value", []string{"-cache", "max-age=1\r\nSet-Cookie: x=y"}, "byte 0x0d is not allowed"},
		{"non-ASCII in a cache value", []string{"-cache", "max-âge=1"}, "byte 0xc3 is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			cfg, err := parseConfig(tt.args, &out)
			if !errors.Is(err, errUsage) {
				t.Fatalf("parseConfig(%q) = %+v, %v; want a usage error", tt.args, cfg, err)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("parseConfig(%q) printed\n%s\nwant it to contain %q", tt.args, out.String(), tt.want)
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		var out strings.Builder
		_, err := parseConfig([]string{arg}, &out)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("parseConfig(%q): got error %v, want flag.ErrHelp", arg, err)
		}
		// The help states the exact formats it promises.
		for _, want := range []string{
			"Usage: httpserver [flags] [DIR]",
			`HOST - - [02/Jan/2006:15:04:05 -0700] "METHOD PATH HTTP/1.1" STATUS BYTES DURATION_MS`,
			"assets=DURATION",
			"-tls-cert",
			"Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...",
			"130 for Ctrl-C",
			`"-" 400 BYTES 0.000 "REASON"`,
			"with a stack's lines",
			"-compress",
			"-metrics",
			"httpserver_requests_total{method,code_class,proto}",
			"Metrics on http://127.0.0.1:9090/metrics",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: help lacks %q", arg, want)
			}
		}
	}
}

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr string
		want string // "" for a good address, else in the error
	}{
		{":8000", ""},
		{":0", ""},
		{":65535", ""},
		{"127.0.0.1:8000", ""},
		{"localhost:8000", ""},
		{"my-host.example_1.org:80", ""},
		{"[::]:8000", ""},
		{"[::1]:0", ""},
		{"[fe80::1%eth0]:80", ""},
		{"nosuchhost.invalid:80", ""}, // well-formed: listening fails, not parsing

		{"1.2.3.4", "missing port in address"},
		{"not an addr", "missing port in address"},
		{"::1", "too many colons in address"},
		{"[::1:80", "missing ']' in address"},
		{":", `port "": want a number from 0 to 65535`},
		{":99999", `port "99999": want a number from 0 to 65535`},
		{":-1", `port "-1"`},
		{":+80", `port "+80"`},
		{":http", `port "http"`},
		{"not an:80", `host "not an" is neither an IP address nor a host name`},
		{"-x:80", `host "-x"`},
		{"[a b]:80", `host "a b"`},
	}
	for _, tt := range tests {
		err := checkAddr(tt.addr)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("checkAddr(%q): got %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestRunExitStatus(t *testing.T) {
	// A port in use: a well-formed address that cannot be bound.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-help"}, 0},
		{"bad usage", []string{"-log", "xml"}, 2},
		{"a malformed address", []string{"-addr", "not an addr", "."}, 2},
		{"a port out of range", []string{"-addr", ":99999", "."}, 2},
		{"an address with no port", []string{"-addr", "1.2.3.4", "."}, 2},
		{"a port in use", []string{"-addr", busy.Addr().String(), "."}, 1},
		{"metrics on a port in use", []string{"-addr", "127.0.0.1:0", "-metrics", busy.Addr().String(), "."}, 1},
		{"a malformed metrics address", []string{"-metrics", "not an addr", "."}, 2},
		{"missing directory", []string{"-addr", "127.0.0.1:0", t.TempDir() + "/missing"}, 1},
		{"a port given as the directory", []string{"-addr", "127.0.0.1:0", "8080"}, 1},
		{"a file is not a directory", []string{"-addr", "127.0.0.1:0", "config_test.go"}, 1},
		{"unreadable certificate", []string{"-addr", "127.0.0.1:0", "-tls-cert", "none.pem", "-tls-key", "none.pem", "."}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			if got := run(tt.args, &out); got != tt.want {
				t.Errorf("run(%q) = %d, want %d; it printed\n%s", tt.args, got, tt.want, out.String())
			}
		})
	}
}

func TestBanner(t *testing.T) {
	tests := []struct {
		addr  string
		bound net.Addr
		tls   bool
		want  string
	}{
		{":8000", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8000}, false,
			"Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ..."},
		{":0", &net.TCPAddr{IP: net.IPv4zero, Port: 41234}, true,
			"Serving HTTPS on 0.0.0.0 port 41234 (https://0.0.0.0:41234/) ..."},
		{"127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}, false,
			"Serving HTTP on 127.0.0.1 port 5000 (http://127.0.0.1:5000/) ..."},
		{"[::]:8000", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8000}, false,
			"Serving HTTP on :: port 8000 (http://[::]:8000/) ..."},
		{"[::1]:8443", &net.TCPAddr{IP: net.IPv6loopback, Port: 8443}, true,
			"Serving HTTPS on ::1 port 8443 (https://[::1]:8443/) ..."},
		{"localhost:8000", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8000}, false,
			"Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ..."},
	}
	for _, tt := range tests {
		if got := banner(tt.addr, tt.bound, tt.tls); got != tt.want {
			t.Errorf("banner(%q, %v, %v):\n got %s\nwant %s", tt.addr, tt.bound, tt.tls, got, tt.want)
		}
	}
}

func TestMetricsBanner(t *testing.T) {
	tests := []struct {
		addr  string
		bound net.Addr
		want  string
	}{
		{":9090", &net.TCPAddr{IP: net.IPv6unspecified, Port: 9090}, "Metrics on http://0.0.0.0:9090/metrics"},
		{"127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}, "Metrics on http://127.0.0.1:5000/metrics"},
		{"[::1]:9090", &net.TCPAddr{IP: net.IPv6loopback, Port: 9090}, "Metrics on http://[::1]:9090/metrics"},
	}
	for _, tt := range tests {
		if got := metricsBanner(tt.addr, tt.bound); got != tt.want {
			t.Errorf("metricsBanner(%q, %v):\n got %s\nwant %s", tt.addr, tt.bound, got, tt.want)
		}
	}
}
