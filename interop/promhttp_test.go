package interop

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// fixedRegistry holds metrics whose values do not change while the test
// runs, so that both servers' answers can be compared byte for byte.
func fixedRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "interop_requests_total", Help: "Requests, by code.",
	}, []string{"code"})
	c.WithLabelValues("200").Add(41)
	c.WithLabelValues("404").Add(1)
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "interop_temperature_celsius", Help: "A gauge."})
	g.Set(21.5)
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "interop_latency_seconds", Help: "A histogram.", Buckets: []float64{0.1, 1, 10},
	})
	for _, v := range []float64{0.05, 0.5, 5, 50} {
		h.Observe(v)
	}
	// Enough series that the text outgrows both servers' chunking
	// buffers, uncompressed.
	many := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "interop_series", Help: "Many series."}, []string{"i"})
	for i := range 1000 {
		many.WithLabelValues(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i)).Set(float64(i))
	}
	reg.MustRegister(c, g, h, many)
	return reg
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

func TestPromhttpFixed(t *testing.T) {
	p := newPair(t, promhttp.HandlerFor(fixedRegistry(), promhttp.HandlerOpts{EnableOpenMetrics: true}))
	for _, req := range []string{
		get("/metrics"),
		get("/metrics", "Accept-Encoding: gzip"),
		get("/metrics", "Accept-Encoding: gzip;q=0, identity"),
		get("/metrics", "Accept: application/openmetrics-text; version=1.0.0"),
		get("/metrics", "Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"),
		get("/metrics?name[]=interop_temperature_celsius&name[]=interop_latency_seconds"),
		request("HEAD", "/metrics", ""),
	} {
		std, ours := p.diff(t, req, compareOptions{head: methodOf(req) == "HEAD"})
		if strings.Contains(req, "Accept-Encoding: gzip\r\n") {
			for i, a := range []*answer{std, ours} {
				if a.header.Get("Content-Encoding") != "gzip" {
					t.Errorf("%s: gzip was not negotiated: Content-Encoding %q", p.both()[i].name, a.header.Get("Content-Encoding"))
					continue
				}
				text := gunzip(t, a.body)
				if !bytes.Contains(text, []byte(`interop_requests_total{code="200"} 41`)) {
					t.Errorf("%s: the decompressed metrics lack the counter: %q", p.both()[i].name, abbreviate(text))
				}
			}
		}
	}
}

// TestPromhttpDefault serves promhttp.Handler(), the default registry with
// the Go and process collectors: its values change from one scrape to the
// next, so the heads are compared and each body checked for what every
// scrape holds. Go's client negotiates gzip and decompresses it.
func TestPromhttpDefault(t *testing.T) {
	p := newPair(t, promhttp.Handler())
	var answers []*answer
	for _, s := range p.both() {
		resp, err := s.client(t).Get(s.url + "/metrics")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !resp.Uncompressed {
			t.Errorf("%s: the scrape was not gzip-compressed", s.name)
		}
		a := clientAnswer(resp)
		for _, want := range []string{"go_goroutines ", "process_start_time_seconds ", "promhttp_metric_handler_requests_total{code=\"200\"} "} {
			if !bytes.Contains(a.body, []byte(want)) {
				t.Errorf("%s: the scrape lacks %q", s.name, want)
			}
		}
		answers = append(answers, a)
	}
	reportDiff(t, "GET /metrics (default registry)", answers[0], answers[1], compareOptions{
		body: func(std, ours []byte) string { return "" }, // the values change: checked above
	})
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}
