package httpserver

import (
	"slices"
	"testing"
	"time"
)

// TestIdleWheel files connections at given times, takes some out again,
// and runs due at given times: each due must look at exactly the
// connections whose span it has reached, once. The wheel has spans of
// 10ms and 8 slots (a horizon of 60ms), and starts at 0.
func TestIdleWheel(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name   string
		at     []time.Duration // a connection filed at each
		remove []int           // then these taken out
		again  time.Duration   // look files each again this long after its due's now (0: not)
		dues   []time.Duration
		want   [][]int // the connections each due looks at
	}{
		{"in now's span", []time.Duration{5 * ms, 9 * ms}, nil, 0,
			[]time.Duration{1 * ms, 2 * ms}, [][]int{{0, 1}, {}}},
		{"a later span waits for it", []time.Duration{35 * ms}, nil, 0,
			[]time.Duration{10 * ms, 29 * ms, 30 * ms, 40 * ms}, [][]int{{}, {}, {0}, {}}},
		{"spans passed meanwhile", []time.Duration{12 * ms, 25 * ms, 41 * ms, 50 * ms}, nil, 0,
			[]time.Duration{45 * ms}, [][]int{{0, 1, 2}}},
		{"before the wheel's start: the next due", []time.Duration{-time.Hour}, nil, 0,
			[]time.Duration{0}, [][]int{{0}}},
		{"beyond the horizon: a later turn", []time.Duration{5 * ms, 85 * ms}, nil, 0,
			[]time.Duration{5 * ms, 80 * ms, 85 * ms}, [][]int{{0}, {1}, {}}},
		{"a due after more than a turn: once each", []time.Duration{5 * ms, 15 * ms, 65 * ms, 75 * ms, 205 * ms}, nil, 0,
			[]time.Duration{200 * ms, 205 * ms}, [][]int{{0, 1, 2, 3, 4}, {}}},
		{"taken out: never looked at", []time.Duration{5 * ms, 5 * ms, 5 * ms}, []int{0, 2}, 0,
			[]time.Duration{10 * ms}, [][]int{{1}}},
		{"filed again in now's span: the next due", []time.Duration{5 * ms}, nil, 1 * ms,
			[]time.Duration{5 * ms, 5 * ms, 6 * ms}, [][]int{{0}, {0}, {0}}},
		{"filed again later", []time.Duration{5 * ms}, nil, 30 * ms,
			[]time.Duration{5 * ms, 20 * ms, 35 * ms, 59 * ms, 60 * ms}, [][]int{{0}, {}, {0}, {}, {0}}},
		{"the clock behind the last due", []time.Duration{15 * ms}, nil, 0,
			[]time.Duration{20 * ms, 10 * ms}, [][]int{{0}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w idleWheel
			w.init(10*ms, 60*ms, 0)
			if len(w.slots) != 8 {
				t.Fatalf("slots: got %d, want 8", len(w.slots))
			}
			conns := make([]*conn, len(tt.at))
			index := map[*conn]int{}
			for i, at := range tt.at {
				conns[i] = new(conn)
				index[conns[i]] = i
				w.add(conns[i], at)
			}
			for _, i := range tt.remove {
				w.remove(conns[i])
			}
			for d, now := range tt.dues {
				looked := []int{}
				w.due(now, func(c *conn) (time.Duration, bool) {
					looked = append(looked, index[c])
					return now + tt.again, tt.again != 0
				})
				slices.Sort(looked)
				if want := tt.want[d]; !slices.Equal(looked, want) {
					t.Errorf("due at %v: looked at %v, want %v", now, looked, want)
				}
			}
			filed := 0
			for _, c := range conns {
				if c.pk.filed {
					filed++
				}
			}
			if filed != w.n {
				t.Errorf("connections filed: got %d, the wheel counts %d", filed, w.n)
			}
		})
	}
}

// TestIdleWheelSize: the ring covers the horizon, up to maxWheelSlots.
func TestIdleWheelSize(t *testing.T) {
	tests := []struct {
		span, horizon time.Duration
		want          int
	}{
		{time.Second, 60 * time.Second, 64}, // the defaults
		{10 * time.Millisecond, time.Millisecond, 4},
		{125 * time.Millisecond, 2 * time.Second, 32},
		{time.Second, 24 * time.Hour, maxWheelSlots},
	}
	for _, tt := range tests {
		var w idleWheel
		w.init(tt.span, tt.horizon, 0)
		if got := len(w.slots); got != tt.want {
			t.Errorf("span %v, horizon %v: got %d slots, want %d", tt.span, tt.horizon, got, tt.want)
		}
	}
}

// BenchmarkIdleWheel is the idle wheel alone in a steady state: 100,000
// connections spread over a minute of deadlines, a due every second, and
// each connection looked at filed again a minute on (as a connection that
// served a request meanwhile is). A due looks at the 1/60 of them whose
// second has come.
func BenchmarkIdleWheel(b *testing.B) {
	const n, span, horizon = 100_000, time.Second, 60 * time.Second
	var w idleWheel
	w.init(span, horizon, 0)
	for i := range n {
		w.add(new(conn), time.Duration(i)*horizon/n)
	}
	now := time.Duration(0)
	looked := 0
	look := func(*conn) (time.Duration, bool) { looked++; return now + horizon, true }
	b.ReportAllocs()
	for b.Loop() {
		now += span
		w.due(now, look)
	}
	b.ReportMetric(float64(looked)/float64(b.N), "looks/op")
	if w.n != n {
		b.Fatalf("filed: %d, want %d", w.n, n)
	}
}
