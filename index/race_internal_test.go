//go:build race

package index

// raceEnabled: the race detector is on (it makes training ten times slower).
const raceEnabled = true
