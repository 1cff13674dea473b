package h2

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver"
)

// TestRequestTrailer: a request's trailer fields reach the handler
// through Request.Trailer once it has read the body, over HTTP/2 (TLS
// and h2c) as over HTTP/1.1, from Go's client.
func TestRequestTrailer(t *testing.T) {
	h := httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return &httpserver.Response{StatusCode: 500}
		}
		var got []string
		for name, value := range req.Trailer().All() {
			got = append(got, name+": "+value)
		}
		return &httpserver.Response{StatusCode: 200, Message: Proto(req) + " " + string(body) + " " + strings.Join(got, "|")}
	})
	for _, useTLS := range []bool{true, false} {
		for _, http1 := range []bool{false, true} {
			t.Run(fmt.Sprintf("tls=%v http1=%v", useTLS, http1), func(t *testing.T) {
				ts := start(t, &httpserver.Server{Handler: h}, &Config{H2C: true}, useTLS)
				req, _ := http.NewRequest("POST", ts.url("/"), io.MultiReader(strings.NewReader("he"), strings.NewReader("llo")))
				req.Trailer = http.Header{"X-Sum": nil, "X-Other": nil}
				req.Trailer.Set("X-Sum", "5")
				req.Trailer.Add("X-Other", "a")
				req.Trailer.Add("X-Other", "b")
				resp, err := ts.client(t, http1).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				proto := "HTTP/2.0"
				if http1 {
					proto = "HTTP/1.1"
				}
				// Sorted by key either way: HTTP/2's come from
				// net/http's map (engineTrailer sorts them), and
				// HTTP/1.1's in the wire's order, which Go's client
				// writes sorted (http.Header.Write).
				want := proto + " hello X-Other: a|X-Other: b|X-Sum: 5"
				if resp.StatusCode != 200 || string(b) != want {
					t.Errorf("got %d %q, want 200 %q", resp.StatusCode, b, want)
				}
			})
		}
	}
}
