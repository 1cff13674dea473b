//go:build race

package compress

// raceEnabled reports whether the tests run under the race detector,
// which slows the large streams down too much to be worth it.
const raceEnabled = true
