package woocommerce

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The journal keeps a day of entries, at least the last 50 however old,
// and never more than 1,000.
func TestJournalPrune(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	entries := func(n int, at time.Time) journal {
		var j journal
		for i := range n {
			j = append(j, journalEntry{Key: strconv.Itoa(i), At: at.Unix()})
		}
		return j
	}
	old, recent := now.Add(-25*time.Hour), now.Add(-time.Hour)
	for _, tt := range []struct {
		name string
		j    journal
		keep int
	}{
		{"a day of entries stays", entries(700, recent), 700},
		{"older ones go down to the last 50", entries(80, old), 50},
		{"a few old ones stay", entries(30, old), 30},
		{"entries from before times were kept go like old ones", entries(80, time.Unix(0, 0)), 50},
		{"never more than 1,000", entries(1200, recent), 1000},
		{"old first, recent after", append(entries(100, old), entries(20, recent)...), 50},
	} {
		got := tt.j.prune(now)
		assert.Len(t, got, tt.keep, tt.name)
		assert.Equal(t, tt.j[len(tt.j)-1], got[len(got)-1], "%s: the newest is kept", tt.name)
	}
}
