//go:build unix

package fileserver

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe is not served (opening one would block until a writer
// came) and not listed.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	h := mustNew(t, dir, nil)
	done := make(chan int, 1)
	go func() {
		resp := h.Handle(newReq("GET", "/fifo"))
		closeBody(resp)
		done <- resp.StatusCode
	}()
	select {
	case status := <-done:
		if status != 404 {
			t.Errorf("GET /fifo: %d, want 404", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("GET /fifo blocked: the handler opened a named pipe")
	}
	if got := serve(t, h, newReq("GET", "/")); strings.Contains(got.body, "fifo") {
		t.Errorf("listing shows the named pipe")
	}
}
