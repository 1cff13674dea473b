package compress

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippet checks that the README's "Compression" code is
// ExampleHandler_server's (which compiles), less its last line.
func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Compression\n")
	_, block, ok2 := strings.Cut(section, "```go\n")
	block, _, ok3 := strings.Cut(block, "```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal(`README.md has no "## Compression" section with a go block`)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, fn, _ := strings.Cut(string(src), "\nfunc ExampleHandler_server() {\n")
	fn, _, _ = strings.Cut(fn, "\n}\n")
	var want []string
	for _, line := range strings.Split(fn, "\n") {
		if strings.HasPrefix(line, "\tgo srv.") {
			continue // the example's own: it does not block
		}
		want = append(want, strings.TrimPrefix(line, "\t"))
	}
	if got := strings.TrimSuffix(block, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("README.md's Compression code:\n%s\nExampleHandler_server's:\n%s", got, strings.Join(want, "\n"))
	}
}
