//go:build !race

package websocket

// raceEnabled reports whether the tests run under the race detector,
// which allocates on its own: allocation budgets are not checked then.
const raceEnabled = false
