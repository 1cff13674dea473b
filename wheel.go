package httpserver

import "time"

// idleWheel files a poller's connections by when their idle deadline is
// next worth a look, so that a sweep looks only at the connections whose
// time has come, not at every connection registered: with 100,000 idle
// connections a sweep walking them all cost 0.5-1.3 ms, every sweep
// interval, under the poller's mu (BenchmarkSweepParked100k,
// docs/PERFORMANCE.md).
//
// It is a hashed timer wheel: a ring of slots, each a list of the
// connections due within one span of coarse time (the sweep interval),
// slot tick&mask holding tick's. Filing, moving and removing a
// connection are O(1): its links are in its parkState. A deadline
// further ahead than the ring's horizon shares a slot with nearer ones;
// its tick tells them apart, and due leaves it for a later turn.
//
// Entries are filed lazily, which keeps the wheel off the request path:
// parking and waking, which happen once per request, do not touch it.
// A connection is filed once, as it registers, at the earliest its first
// idle deadline can be; when its slot comes up, the sweep closes it if it
// is parked past its deadline, and otherwise files it again at the
// earliest its deadline can be now (its deadline, if parked; a whole
// IdleTimeout ahead, if running). A deadline only moves later, so a
// connection is never filed after its deadline, and one that is busy is
// looked at about once per IdleTimeout however many requests it serves.
//
// All of it is guarded by the poller's mu.
type idleWheel struct {
	span  time.Duration // coarse time per slot
	slots []*conn       // list heads; len is a power of two
	mask  int64
	next  int64 // the first tick not yet looked at by due
	n     int   // connections filed
}

// maxWheelSlots bounds the ring: a longer IdleTimeout than it spans
// (68 minutes at the longest span, a second) costs a look per turn.
const maxWheelSlots = 4096

// init empties the wheel for slots of span (> 0), enough of them to
// cover horizon, and starts it at now.
func (w *idleWheel) init(span, horizon, now time.Duration) {
	n := 1
	for n < maxWheelSlots && time.Duration(n-2)*span < horizon {
		n <<= 1
	}
	*w = idleWheel{span: span, slots: make([]*conn, n), mask: int64(n - 1), next: int64(now / span)}
}

// add files c (which must not be filed) to be looked at by the first due
// whose now lies in at's span, or by the next due if that span has passed.
func (w *idleWheel) add(c *conn, at time.Duration) {
	w.file(c, max(int64(at/w.span), w.next))
}

// remove takes c out of the wheel; it does nothing if c is not filed.
func (w *idleWheel) remove(c *conn) {
	pk := &c.pk
	if !pk.filed {
		return
	}
	if pk.wprev != nil {
		pk.wprev.pk.wnext = pk.wnext
	} else {
		w.slots[pk.wtick&w.mask] = pk.wnext
	}
	if pk.wnext != nil {
		pk.wnext.pk.wprev = pk.wprev
	}
	pk.wprev, pk.wnext, pk.filed = nil, nil, false
	w.n--
}

// due calls look for every connection filed in a span up to the one now
// lies in, taking each out of the wheel first. look returns whether to
// file the connection again, and when (see add; a time before now's span
// files it in now's); one filed again in now's span is looked at again by
// the next due.
func (w *idleWheel) due(now time.Duration, look func(c *conn) (again time.Duration, keep bool)) {
	cur := int64(now / w.span)
	if cur < w.next {
		return // the coarse clock is behind the last call's
	}
	// Each slot once, however many turns have passed since the last call.
	last := min(cur, w.next+w.mask)
	for tick := w.next; tick <= last; tick++ {
		c := w.slots[tick&w.mask]
		w.slots[tick&w.mask] = nil // refiling below starts a new list
		for c != nil {
			next := c.pk.wnext
			c.pk.wprev, c.pk.wnext, c.pk.filed = nil, nil, false
			w.n--
			switch {
			case c.pk.wtick > cur:
				w.file(c, c.pk.wtick) // a later turn's
			default:
				if at, keep := look(c); keep {
					w.file(c, max(int64(at/w.span), cur))
				}
			}
			c = next
		}
	}
	w.next = cur
}

// file files c at tick.
func (w *idleWheel) file(c *conn, tick int64) {
	pk := &c.pk
	head := &w.slots[tick&w.mask]
	pk.wtick, pk.filed, pk.wprev, pk.wnext = tick, true, nil, *head
	if *head != nil {
		(*head).pk.wprev = c
	}
	*head = c
	w.n++
}
