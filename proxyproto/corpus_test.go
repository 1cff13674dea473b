package proxyproto

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.txt from the tables")

const corpusFile = "testdata/corpus.txt"

// corpus is the text of corpusFile: every table input, one Go-quoted
// string a line. The interop module's differential test against
// github.com/pires/go-proxyproto reads it (and the fuzz seeds in
// testdata/fuzz), since it cannot import this package's tests.
func corpus() string {
	var b strings.Builder
	b.WriteString("# The inputs of proxyproto's table tests, one Go-quoted string a line,\n")
	b.WriteString("# for interop/proxyproto_test.go. Written by: go test ./proxyproto -run TestCorpusFile -update\n")
	for _, in := range tableInputs() {
		b.WriteString(strconv.Quote(in))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCorpusFile(t *testing.T) {
	want := corpus()
	if *update {
		if err := os.WriteFile(corpusFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s differs from the tables: go test ./proxyproto -run TestCorpusFile -update", corpusFile)
	}
}
