//go:build !race

package rules

// raceEnabled: the tests run under the race detector.
const raceEnabled = false
