package connector

import (
	"math"
	"time"
)

// GCRA is the arithmetic of a shared budget, for stores: given the time
// the bucket is full again (tat; zero or past: full now), it returns the
// new tat after charging cost at now, and the wait if the bucket cannot
// hold cost (then tat is unchanged).
// https://en.wikipedia.org/wiki/Generic_cell_rate_algorithm
func GCRA(tat, now time.Time, l Limit, cost float64) (time.Time, time.Duration) {
	if tat.Before(now) {
		tat = now
	}
	// A cost over the whole bucket goes when the bucket is full.
	check := tat.Add(seconds(min(cost, l.Burst) / l.PerSecond))
	if over := check.Sub(now) - seconds(l.Burst/l.PerSecond); over > 0 && cost > 0 {
		return tat, over
	}
	return tat.Add(seconds(cost / l.PerSecond)), 0
}

// GCRASettle is Settle's arithmetic: the new tat after charge is added
// and the bucket lowered to available (if ≥ 0).
func GCRASettle(tat, now time.Time, l Limit, charge, available float64) time.Time {
	if tat.Before(now) {
		tat = now
	}
	tat = tat.Add(seconds(charge / l.PerSecond))
	if available >= 0 {
		// The bucket holds Burst - (tat-now)·PerSecond.
		if reported := now.Add(seconds((l.Burst - available) / l.PerSecond)); reported.After(tat) {
			tat = reported
		}
	}
	return tat
}

func seconds(s float64) time.Duration {
	if s > math.MaxInt64/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}
