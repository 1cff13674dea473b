package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// h2specInstall is how .ci/run installs h2spec, pinned (check the version
// with go list -m github.com/summerwind/h2spec@v2.2.1+incompatible).
const h2specInstall = "go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"

// h2specRetries is how many more times a case that ours failed and
// net/http passed is run alone against ours before it counts as a
// regression (see TestH2spec).
const h2specRetries = 5

// TestH2spec runs h2spec, the HTTP/2 conformance suite, against the
// command and against net/http's own HTTP/2 server serving the same
// directory, in the same run: over TLS (h2 by ALPN) and in cleartext (h2c
// with prior knowledge, the command with -h2c). Every case net/http
// passes, ours must pass too; the cases both fail are logged, with why.
//
// A case can fail by timing alone: in 8.1.2.6 the client sends a body
// longer or shorter than its content-length and expects the stream to be
// reset, but a server whose handler answers before the DATA frame is
// processed ends the stream first (RFC 9113 §8.1 lets it), and
// x/net/http2 (ours, and net/http's bundled copy) picks between the two
// at random (a select in its serve loop). So a case ours fails and net/http passes is
// run alone against ours up to h2specRetries more times, and counts as a
// regression only if it never passes.
func TestH2spec(t *testing.T) {
	bin := lookTool(t, "h2spec", h2specInstall)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "<!doctype html><p>h2spec</p>\n"})
	certFile, keyFile, _ := makeCert(t, t.TempDir())

	for _, mode := range []struct {
		name string
		tls  bool
		args []string // the command's flags
	}{
		{"TLS", true, []string{"-tls-cert", certFile, "-tls-key", keyFile}},
		{"h2c", false, []string{"-h2c"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ours := startCLI(t, append(append([]string{"-addr", "127.0.0.1:0"}, mode.args...), dir)...)
			theirs := startNetHTTP(t, dir, mode.tls, certFile, keyFile)

			// Both at once: h2spec spends most of its time waiting.
			type result struct {
				cases []h2specCase
				err   error
			}
			theirc := make(chan result, 1)
			go func() {
				cases, err := runH2spec(t.Context(), bin, t.TempDir(), theirs, mode.tls)
				theirc <- result{cases, err}
			}()
			oursCases, err := runH2spec(t.Context(), bin, t.TempDir(), ours.addr, mode.tls)
			if err != nil {
				t.Fatalf("h2spec against ours: %v", err)
			}
			r := <-theirc
			if r.err != nil {
				t.Fatalf("h2spec against net/http: %v", r.err)
			}
			theirCases := r.cases

			// A broken h2spec, or a peer that speaks no HTTP/2, would fail
			// everything for both and prove nothing.
			if n := countPassed(theirCases); n < len(theirCases)*9/10 {
				t.Fatalf("net/http passed only %d of %d cases: h2spec or the peer is not working", n, len(theirCases))
			}

			regressed, both, better := h2specDiff(oursCases, theirCases)
			var timing []string
			regressed = slices.DeleteFunc(regressed, func(id string) bool {
				for range h2specRetries {
					cases, err := runH2spec(t.Context(), bin, t.TempDir(), ours.addr, mode.tls, id)
					if err != nil {
						t.Fatalf("h2spec %s against ours: %v", id, err)
					}
					if countPassed(cases) == 1 && len(cases) == 1 {
						timing = append(timing, id)
						return true
					}
				}
				return false
			})

			byID := make(map[string]h2specCase, len(oursCases))
			for _, c := range append(theirCases, oursCases...) { // ours's where both have it
				byID[c.ID] = c
			}
			t.Logf("ours passed %d of %d cases in the full run, and %d more alone; net/http %d of %d",
				countPassed(oursCases), len(oursCases), len(timing), countPassed(theirCases), len(theirCases))
			for _, id := range both {
				t.Logf("failed by both: %s %s: %s", id, byID[id].Desc, byID[id].Detail)
			}
			for _, id := range better {
				t.Logf("failed by net/http only: %s %s", id, byID[id].Desc)
			}
			for _, id := range timing {
				t.Logf("failed by ours in the full run, passed alone (timing-dependent): %s %s", id, byID[id].Desc)
			}
			for _, id := range regressed {
				t.Errorf("failed by ours, passed by net/http: %s %s: %s", id, byID[id].Desc, byID[id].Detail)
			}
		})
	}
}

// startNetHTTP serves dir with net/http's FileServer on 127.0.0.1: over
// TLS (ServeTLS, which negotiates h2 by ALPN) when useTLS, else in
// cleartext with HTTP/2 by prior knowledge as well as HTTP/1.1
// (Protocols.SetUnencryptedHTTP2). It returns the address bound; the
// server closes when the test ends.
func startNetHTTP(t *testing.T, dir string, useTLS bool, certFile, keyFile string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:  http.FileServer(http.Dir(dir)),
		ErrorLog: log.New(io.Discard, "", 0), // a line for each connection h2spec breaks on purpose
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if useTLS {
			srv.ServeTLS(l, certFile, keyFile)
			return
		}
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

// runH2spec runs h2spec against addr (over TLS, without verifying the
// certificate, when useTLS), limited to the cases ids name (every case
// when none), with its JUnit report written in dir, and returns the cases
// it ran. Each case waits at most 2 s for the answer it expects (-o 2,
// h2spec's default).
func runH2spec(ctx context.Context, bin, dir, addr string, useTLS bool, ids ...string) ([]h2specCase, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	report := filepath.Join(dir, "h2spec.xml")
	args := []string{"-h", host, "-p", port, "-o", "2", "-j", report}
	if useTLS {
		args = append(args, "-t", "-k")
	}
	args = append(args, ids...)
	// A hang guard only: the whole suite takes about ten seconds.
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	out, runErr := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	// h2spec exits 1 when a case fails, and also when it cannot connect
	// at all; the report tells the two apart.
	b, err := os.ReadFile(report)
	if err != nil {
		return nil, fmt.Errorf("h2spec %s: %v, and no report (%v); its output:\n%s", strings.Join(args, " "), runErr, err, out)
	}
	cases, err := parseH2specReport(b)
	if err == nil && len(cases) == 0 {
		err = fmt.Errorf("no case in the report")
	}
	if err != nil {
		return nil, fmt.Errorf("h2spec %s: %v; its output:\n%s", strings.Join(args, " "), err, out)
	}
	return cases, nil
}

// h2specCase is one case of an h2spec run.
type h2specCase struct {
	// ID is h2spec's name for the case, which its command line takes to
	// run it alone: the group's ID and the case's place in it, from 1
	// ("http2/6.5.3/1").
	ID     string
	Desc   string
	Result string // "passed", "failed" or "skipped"
	Detail string // for a failure: what h2spec expected, what came
}

// parseH2specReport reads h2spec's JUnit report (-j): a testsuite per
// group of cases, whose package attribute is the group's ID, and in it a
// testcase per case run, in order, with a failure or an error element
// when it failed (v2.2.1 writes every failure as an error: see
// errorDetail) and a skipped one when it was skipped. A run limited to
// some cases reports only those: their place in their group, and so their
// ID, is then unknown, and they are numbered from 1 as if alone.
func parseH2specReport(b []byte) ([]h2specCase, error) {
	type outcome struct {
		Text string `xml:",chardata"`
	}
	var report struct {
		Suites []struct {
			Package string `xml:"package,attr"`
			Cases   []struct {
				Desc    string   `xml:"classname,attr"`
				Failure *outcome `xml:"failure"`
				Error   *outcome `xml:"error"`
				Skipped *outcome `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &report); err != nil {
		return nil, fmt.Errorf("h2spec's report: %w", err)
	}
	var cases []h2specCase
	for _, s := range report.Suites {
		for i, c := range s.Cases {
			hc := h2specCase{ID: s.Package + "/" + strconv.Itoa(i+1), Desc: c.Desc, Result: "passed"}
			switch {
			case c.Failure != nil:
				hc.Result, hc.Detail = "failed", strings.TrimSpace(c.Failure.Text)
			case c.Error != nil:
				hc.Result, hc.Detail = "failed", errorDetail(c.Error.Text)
			case c.Skipped != nil:
				hc.Result = "skipped"
			}
			cases = append(cases, hc)
		}
	}
	return cases, nil
}

// errorDetail rewrites the text of an error element of h2spec's report,
// which for a case that got an unexpected answer is the answers it
// expected and then the one it got, a line each, as a line of its own:
// "expected A or B; got C". Other text (the error of a case that could
// not run) is kept as it is.
func errorDetail(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 2 {
		return strings.TrimSpace(text)
	}
	n := len(lines) - 1
	return "expected " + strings.Join(lines[:n], " or ") + "; got " + lines[n]
}

func countPassed(cases []h2specCase) int {
	n := 0
	for _, c := range cases {
		if c.Result == "passed" {
			n++
		}
	}
	return n
}

// h2specDiff sorts the case IDs by what the two runs got: regressed, the
// cases net/http passed and ours did not (or did not run); both, those
// neither passed; better, those ours passed and net/http did not. Each is
// in the order of ours's run (theirs's for cases ours lacks).
func h2specDiff(ours, theirs []h2specCase) (regressed, both, better []string) {
	oursPassed := make(map[string]bool, len(ours))
	for _, c := range ours {
		oursPassed[c.ID] = c.Result == "passed"
	}
	theirPassed := make(map[string]bool, len(theirs))
	for _, c := range theirs {
		theirPassed[c.ID] = c.Result == "passed"
	}
	for _, c := range ours {
		switch passed, theirsToo := oursPassed[c.ID], theirPassed[c.ID]; {
		case !passed && theirsToo:
			regressed = append(regressed, c.ID)
		case !passed:
			both = append(both, c.ID)
		case !theirsToo:
			better = append(better, c.ID)
		}
	}
	for _, c := range theirs {
		if _, ran := oursPassed[c.ID]; !ran && c.Result == "passed" {
			regressed = append(regressed, c.ID)
		}
	}
	return regressed, both, better
}

// TestParseH2specReport reads reports in the form h2spec v2.2.1 writes.
func TestParseH2specReport(t *testing.T) {
	tests := []struct {
		name   string
		report string
		want   []h2specCase
	}{
		{"passed, failed, error, skipped", `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="1. Starting HTTP/2" package="generic/1" id="1" tests="1" skipped="0" failures="0" errors="0">
    <testcase package="generic/1" classname="Sends a client connection preface" time="0.0003"></testcase>
  </testsuite>
  <testsuite name="6.5.3. Settings Synchronization" package="http2/6.5.3" id="6.5.3" tests="3" skipped="1" failures="1" errors="1">
    <testcase package="http2/6.5.3" classname="Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE" time="1.0021">
      <error>SETTINGS Frame (length:0, flags:0x01, stream_id:0)
Connection closed</error>
    </testcase>
    <testcase package="http2/6.5.3" classname="Sends a SETTINGS frame without ACK flag" time="0.0003">
      <failure>Expect:
SETTINGS Frame
Actual:
DATA Frame</failure>
    </testcase>
    <testcase package="http2/6.5.3" classname="A strict one" time="0"><skipped></skipped></testcase>
  </testsuite>
</testsuites>`, []h2specCase{
			{ID: "generic/1/1", Desc: "Sends a client connection preface", Result: "passed"},
			{ID: "http2/6.5.3/1", Desc: "Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE", Result: "failed",
				Detail: "expected SETTINGS Frame (length:0, flags:0x01, stream_id:0); got Connection closed"},
			{ID: "http2/6.5.3/2", Desc: "Sends a SETTINGS frame without ACK flag", Result: "failed",
				Detail: "Expect:\nSETTINGS Frame\nActual:\nDATA Frame"},
			{ID: "http2/6.5.3/3", Desc: "A strict one", Result: "skipped"},
		}},
		{"escaped description", `<testsuites><testsuite package="http2/8.1.2.2"><testcase classname="TE other than &#34;trailers&#34;"></testcase></testsuite></testsuites>`,
			[]h2specCase{{ID: "http2/8.1.2.2/1", Desc: `TE other than "trailers"`, Result: "passed"}}},
		{"no case", `<testsuites></testsuites>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseH2specReport([]byte(tt.report))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := parseH2specReport([]byte("<testsuites><testsuite>")); err == nil {
		t.Errorf("a truncated report parsed without error")
	}
}

// TestH2specDiff sorts cases by the two servers' results.
func TestH2specDiff(t *testing.T) {
	c := func(id, result string) h2specCase { return h2specCase{ID: id, Result: result} }
	tests := []struct {
		name                    string
		ours, theirs            []h2specCase
		regressed, both, better []string
	}{
		{"same", []h2specCase{c("a/1", "passed"), c("a/2", "failed")}, []h2specCase{c("a/1", "passed"), c("a/2", "failed")},
			nil, []string{"a/2"}, nil},
		{"ours fails one of theirs", []h2specCase{c("a/1", "failed"), c("a/2", "passed")}, []h2specCase{c("a/1", "passed"), c("a/2", "passed")},
			[]string{"a/1"}, nil, nil},
		{"ours skips one of theirs", []h2specCase{c("a/1", "skipped")}, []h2specCase{c("a/1", "passed")},
			[]string{"a/1"}, nil, nil},
		{"ours passes one they fail", []h2specCase{c("a/1", "passed")}, []h2specCase{c("a/1", "failed")},
			nil, nil, []string{"a/1"}},
		{"ours lacks one of theirs", []h2specCase{c("a/1", "passed")}, []h2specCase{c("a/1", "passed"), c("a/2", "passed"), c("a/3", "failed")},
			[]string{"a/2"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			regressed, both, better := h2specDiff(tt.ours, tt.theirs)
			if !slices.Equal(regressed, tt.regressed) || !slices.Equal(both, tt.both) || !slices.Equal(better, tt.better) {
				t.Errorf("got regressed %q, both %q, better %q\nwant regressed %q, both %q, better %q",
					regressed, both, better, tt.regressed, tt.both, tt.better)
			}
		})
	}
}
