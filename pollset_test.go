package httpserver

import "testing"

// TestPollerCount: one poller per P unless forced, always at least one
// and at most maxPollers.
func TestPollerCount(t *testing.T) {
	tests := []struct {
		forced, procs, want int
	}{
		{0, 1, 1},
		{0, 2, 2},
		{0, 16, 16},
		{0, 64, 64},
		{0, 256, maxPollers},
		{0, 0, 1}, // cannot happen (GOMAXPROCS >= 1); still one
		{4, 1, 4},
		{1, 64, 1},
		{1000, 2, maxPollers},
		{-1, 3, 3},
	}
	for _, tt := range tests {
		if got := pollerCount(tt.forced, tt.procs); got != tt.want {
			t.Errorf("pollerCount(%d, %d): got %d, want %d", tt.forced, tt.procs, got, tt.want)
		}
	}
}

// TestIdleWorkerBound: one poller keeps maxIdleWorkers idle workers, two
// share them, and beyond that each keeps one epoll batch.
func TestIdleWorkerBound(t *testing.T) {
	tests := []struct{ n, want int }{
		{1, maxIdleWorkers},
		{2, maxIdleWorkers / 2},
		{4, pollBatch},
		{64, pollBatch},
		{0, maxIdleWorkers},
	}
	for _, tt := range tests {
		if got := idleWorkerBound(tt.n); got != tt.want {
			t.Errorf("idleWorkerBound(%d): got %d, want %d", tt.n, got, tt.want)
		}
	}
	if got := idleWorkerBound(2) * 2; got > maxIdleWorkers {
		t.Errorf("two pollers keep %d idle workers in all; want at most %d, as one did", got, maxIdleWorkers)
	}
}

// TestPickRoundRobin: connections are assigned to the pollers in turn,
// so that n*k connections give each poller k; none runs, none is picked.
func TestPickRoundRobin(t *testing.T) {
	var ps pollerSet
	if p := ps.pickLocked(); p != nil {
		t.Fatalf("with no poller running: got %p, want nil", p)
	}
	for _, n := range []int{1, 2, 3, 4} {
		ps := pollerSet{next: 7} // wherever the count stands
		for range n {
			ps.ps = append(ps.ps, new(poller))
		}
		got := make(map[*poller]int)
		var order []*poller
		const rounds = 5
		for range n * rounds {
			p := ps.pickLocked()
			got[p]++
			order = append(order, p)
		}
		for i, p := range ps.ps {
			if got[p] != rounds {
				t.Errorf("%d pollers: poller %d got %d connections, want %d", n, i, got[p], rounds)
			}
		}
		for i := n; i < len(order); i++ {
			if order[i] != order[i-n] {
				t.Errorf("%d pollers: pick %d is not the poller of pick %d: not in turn", n, i, i-n)
				break
			}
		}
	}
}
