package httpserver

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestStandardLibraryOnly holds the packages README.md says use the
// standard library only to it: none of them may import, directly or
// through another, a package from outside the standard library and this
// module.
func TestStandardLibraryOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const module = "github.com/gohttpserver/httpserver"
	pkgs := []string{".", "./fileserver", "./httpservertest", "./nethttp", "./proxyproto",
		"./internal/bridge", "./internal/etag", "./internal/forwarded", "./internal/negotiate", "./internal/wire"}
	for _, pkg := range pkgs {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep != module && !strings.HasPrefix(dep, module+"/") {
				t.Errorf("%s depends on %s, which is not in the standard library", pkg, dep)
			}
		}
	}
	// Every internal package but the tests' promtest is in the list.
	out, err := exec.Command("go", "list", "./internal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./internal/...: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		rel := "./" + strings.TrimPrefix(p, module+"/")
		if p != module+"/internal/promtest" && !slices.Contains(pkgs, rel) {
			t.Errorf("%s is not checked: add it to the list (or to README.md's exceptions)", p)
		}
	}
}
