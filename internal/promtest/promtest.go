// Package promtest has the tests' helpers for reading a Prometheus
// scrape: parsing the text format and comparing a metric family's
// samples with what a test expects. Only tests import it (metrics/prom's
// and the command's), so its dependencies on the Prometheus parsers
// reach no user's build.
package promtest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ParseText parses a scrape in the text format, failing t if it does
// not parse.
func ParseText(t testing.TB, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parsing the scrape: %v", err)
	}
	return fams
}

// Samples returns the samples of family name as sorted lines
// `{label="value",...} value`: counters' and gauges' values, histograms'
// sample counts. It is nil when fams has no such family.
func Samples(fams map[string]*dto.MetricFamily, name string) []string {
	f := fams[name]
	if f == nil {
		return nil
	}
	var lines []string
	for _, m := range f.GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
		}
		slices.Sort(labels)
		var v float64
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			v = m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			v = m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			v = float64(m.GetHistogram().GetSampleCount())
		}
		lines = append(lines, fmt.Sprintf("{%s} %g", strings.Join(labels, ","), v))
	}
	slices.Sort(lines)
	return lines
}

// Check compares the samples of family name in fams (see Samples) with
// want, in any order, and reports a difference as an error of t.
func Check(t testing.TB, fams map[string]*dto.MetricFamily, name string, want ...string) {
	t.Helper()
	got := Samples(fams, name)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got\n\t%s\nwant\n\t%s", name, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
