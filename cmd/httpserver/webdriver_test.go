package main

// A small client of the W3C WebDriver protocol
// (https://www.w3.org/TR/webdriver2/), enough to drive headless Chromium
// through chromedriver with net/http alone.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
)

// elementKey is the key under which WebDriver returns an element reference.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// browser is a WebDriver session with a headless Chromium.
type browser struct {
	t       *testing.T
	base    string // chromedriver's URL
	session string // base + "/session/" + id
	client  *http.Client
}

// startBrowser starts chromedriver on a free port and a headless Chromium
// session through it, with Chromium's command-line flags extended by
// flags; both end with the test. It skips the test when Chromium or
// chromedriver is not installed, unless the CI variable is set (.ci/run
// installs them, so there a missing browser is a failure).
func startBrowser(t *testing.T, flags ...string) *browser {
	t.Helper()
	for _, p := range []string{chromiumPath, chromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing; .ci/run should have installed it", p)
			}
			t.Skipf("%s is missing (apt-get install chromium chromium-driver)", p)
		}
	}

	port := freePort(t)
	logFile := filepath.Join(t.TempDir(), "chromedriver.log")
	cmd := exec.Command(chromedriverPath, "--port="+strconv.Itoa(port), "--log-path="+logFile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			if b, err := os.ReadFile(logFile); err == nil {
				const keep = 20000
				if len(b) > keep {
					b = b[len(b)-keep:]
				}
				t.Logf("the end of chromedriver's log:\n%s", b)
			}
		}
	})

	b := &browser{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 90 * time.Second}}
	poll(t, 30*time.Second, "chromedriver to be ready", func() bool {
		select {
		case <-exited:
			t.Fatal("chromedriver exited at start")
		default:
		}
		var status struct{ Ready bool }
		return b.call("GET", b.base+"/status", nil, &status) == nil && status.Ready
	})

	// The machines this runs on have no network beyond loopback: these
	// flags keep Chromium from reaching for Google's services (and from
	// waiting on them), and from touching anything outside its own
	// profile directory.
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName":      "chrome",
				"pageLoadStrategy": "normal",
				"timeouts":         map[string]int{"pageLoad": 60000, "script": 60000, "implicit": 0},
				"goog:chromeOptions": map[string]any{
					"binary": chromiumPath,
					"args": append([]string{
						"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
						"--no-first-run", "--no-default-browser-check",
						"--disable-background-networking", "--disable-component-update",
						"--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
						"--disable-features=Translate,OptimizationHints,MediaRouter",
						"--autoplay-policy=no-user-gesture-required",
						"--password-store=basic", "--window-size=960,600",
						"--user-data-dir=" + t.TempDir(),
					}, flags...),
				},
			},
		},
	}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call("POST", b.base+"/session", caps, &created); err != nil {
		t.Fatalf("starting a Chromium session: %v", err)
	}
	b.session = b.base + "/session/" + created.SessionID
	t.Cleanup(func() { b.call("DELETE", b.session, nil, nil) })
	return b
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// poll calls cond every 50ms until it returns true, failing the test
// after timeout. what names the wait in the failure message.
func poll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// webdriverError is an error answer of the protocol.
type webdriverError struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *webdriverError) Error() string { return "webdriver: " + e.Code + ": " + e.Message }

// call sends a command and decodes the "value" of its answer into out
// (when out is not nil).
func (b *browser) call(method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		j, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var answer struct{ Value json.RawMessage }
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("webdriver: %s %s: %d %.200q", method, url, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var we webdriverError
		if json.Unmarshal(answer.Value, &we) == nil && we.Code != "" {
			return &we
		}
		return fmt.Errorf("webdriver: %s %s: %d %.200q", method, url, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer.Value, out)
}

// must is call for the session, failing the test on error.
func (b *browser) must(method, path string, in, out any) {
	b.t.Helper()
	if err := b.call(method, b.session+path, in, out); err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
}

// open navigates to url and waits for the page to load.
func (b *browser) open(url string) {
	b.t.Helper()
	b.must("POST", "/url", map[string]string{"url": url}, nil)
}

// url returns the address of the current page.
func (b *browser) url() string {
	b.t.Helper()
	var u string
	b.must("GET", "/url", nil, &u)
	return u
}

// findAll returns the elements matching a CSS selector, in document order.
func (b *browser) findAll(css string) []string {
	b.t.Helper()
	var refs []map[string]string
	b.must("POST", "/elements", map[string]string{"using": "css selector", "value": css}, &refs)
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r[elementKey]
	}
	return ids
}

// find returns the one element matching a CSS selector.
func (b *browser) find(css string) string {
	b.t.Helper()
	ids := b.findAll(css)
	if len(ids) != 1 {
		b.t.Fatalf("%d elements match %q, want 1", len(ids), css)
	}
	return ids[0]
}

// text returns an element's rendered text.
func (b *browser) text(el string) string {
	b.t.Helper()
	var s string
	b.must("GET", "/element/"+el+"/text", nil, &s)
	return s
}

// texts returns the rendered text of every element matching css.
func (b *browser) texts(css string) []string {
	b.t.Helper()
	var out []string
	for _, el := range b.findAll(css) {
		out = append(out, b.text(el))
	}
	return out
}

// attr returns an element's attribute ("" when absent).
func (b *browser) attr(el, name string) string {
	b.t.Helper()
	var s *string
	b.must("GET", "/element/"+el+"/attribute/"+name, nil, &s)
	if s == nil {
		return ""
	}
	return *s
}

// click clicks an element as a user would.
func (b *browser) click(el string) {
	b.t.Helper()
	b.must("POST", "/element/"+el+"/click", map[string]any{}, nil)
}

// waitURL waits for the current page's address to satisfy cond (a click
// on a link navigates asynchronously).
func (b *browser) waitURL(what string, cond func(string) bool) {
	b.t.Helper()
	poll(b.t, 30*time.Second, what, func() bool { return cond(b.url()) })
}

// exec runs script as the body of a function and decodes what it
// returns into out.
func (b *browser) exec(script string, out any, args ...any) {
	b.t.Helper()
	if args == nil {
		args = []any{}
	}
	b.must("POST", "/execute/sync", map[string]any{"script": script, "args": args}, out)
}

// execAsync runs script as the body of an asynchronous function whose
// last argument is the callback that ends it, and decodes the value given
// to the callback into out. The session's script timeout bounds it.
func (b *browser) execAsync(script string, out any, args ...any) {
	b.t.Helper()
	if args == nil {
		args = []any{}
	}
	b.must("POST", "/execute/async", map[string]any{"script": script, "args": args}, out)
}

// screenshot returns a PNG of the viewport.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var s string
	b.must("GET", "/screenshot", nil, &s)
	png, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}

// joined is strings.Join with " | ", for messages.
func joined(s []string) string { return strings.Join(s, " | ") }
