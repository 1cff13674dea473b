package interop

// 103 Early Hints: a handler sends interim answers with the fields set so
// far (Link, for preloading), then its final answer.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"testing"
)

func earlyHints() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Add("Link", "</app.js>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<!doctype html><p>the page\n")
	})
}

func TestEarlyHintsRaw(t *testing.T) {
	p := newPair(t, earlyHints())
	std, _ := p.diff(t, get("/page"), compareOptions{})
	if len(std.interim) != 2 {
		t.Errorf("net/http sent %d interim answers, the test expects 2", len(std.interim))
	}
	p.diff(t, request("HEAD", "/page", ""), compareOptions{head: true, oursNoInterim: true})
}

func TestEarlyHintsClient(t *testing.T) {
	p := newPair(t, earlyHints())
	p.each(t, func(t *testing.T, s *server) {
		type hint struct {
			code  int
			links []string
		}
		var hints []hint
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			hints = append(hints, hint{code, slices.Clone(h.Values("Link"))})
			return nil
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", s.url+"/page", nil)
		resp, err := s.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || string(body) != "<!doctype html><p>the page\n" {
			t.Errorf("the final answer: %d %q, %v", resp.StatusCode, body, err)
		}
		want := []hint{
			{103, []string{"</style.css>; rel=preload; as=style"}},
			{103, []string{"</style.css>; rel=preload; as=style", "</app.js>; rel=preload; as=script"}},
		}
		if len(hints) != len(want) {
			t.Fatalf("got the interim answers %v, want %v", hints, want)
		}
		for i := range want {
			if hints[i].code != want[i].code || !slices.Equal(hints[i].links, want[i].links) {
				t.Errorf("interim answer %d: %v, want %v", i, hints[i], want[i])
			}
		}
		if got := resp.Header.Values("Link"); len(got) != 2 {
			t.Errorf("the final answer's Link fields: %q, want both hints' (net/http keeps the fields set for them)", got)
		}
	})
}

// TestEarlyHintsHTTP10: an HTTP/1.0 client is not sent interim answers
// by the engine (RFC 9110 §15.2); net/http sends them.
func TestEarlyHintsHTTP10(t *testing.T) {
	p := newPair(t, earlyHints())
	p.diff(t, "GET /page HTTP/1.0\r\n\r\n", compareOptions{oursNoInterim: true})
}
