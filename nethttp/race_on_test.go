//go:build race

package nethttp

// raceEnabled reports whether the tests run under the race detector, which
// adds allocations of its own: allocation budgets skip themselves when it is
// true.
const raceEnabled = true
