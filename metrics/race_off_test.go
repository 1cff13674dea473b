//go:build !race

package metrics

// raceEnabled reports whether the tests run under the race detector, which
// allocates on its own: allocation budgets skip themselves when it is true.
const raceEnabled = false
