package httpservertest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gohttpserver/httpserver/httpservertest"
)

// TestUserRoute is the README's example ("Testing a handler");
// TestREADMESnippet keeps the two the same.
func TestUserRoute(t *testing.T) {
	req := httpservertest.NewRequest("GET", "/users/7?verbose", nil)
	res := httpservertest.Do(newMux(), req)
	if res.StatusCode != 200 || string(res.Body) != "user 7\n" || res.Fault != "" {
		t.Errorf("GET /users/7: got %d %q (fault %q); want 200 %q", res.StatusCode, res.Body, res.Fault, "user 7\n")
	}
}

func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Testing a handler\n")
	if !ok {
		t.Fatal(`README.md has no "## Testing a handler" section`)
	}
	_, block, ok := strings.Cut(section, "```go\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal(`README.md's "Testing a handler" has no go block`)
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, fn, _ := strings.Cut(string(src), "\nfunc TestUserRoute(")
	fn, _, _ = strings.Cut(fn, "\n}\n")
	if want := "func TestUserRoute(" + fn + "\n}\n"; block != want {
		t.Errorf("README.md's block:\n%s\nreadme_test.go's TestUserRoute:\n%s", block, want)
	}
}
