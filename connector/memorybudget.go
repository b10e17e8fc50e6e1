package connector

import (
	"context"
	"errors"
	"sync"
	"time"
)

// MemoryBudget is a SharedBudget for the clients of one process.
type MemoryBudget struct {
	mu  sync.Mutex
	tat map[string]time.Time
	now func() time.Time
}

// NewMemoryBudget returns an empty budget: every key starts full.
func NewMemoryBudget() *MemoryBudget {
	return &MemoryBudget{tat: map[string]time.Time{}, now: time.Now}
}

// Take implements SharedBudget.
func (m *MemoryBudget) Take(_ context.Context, key string, l Limit, cost float64) (time.Duration, error) {
	if !l.Valid() {
		return 0, errors.New("connector: a budget's limit needs Burst > 0 and PerSecond > 0")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, wait := GCRA(m.tat[key], m.now(), l, cost)
	m.tat[key] = tat
	return wait, nil
}

// Settle implements SharedBudget.
func (m *MemoryBudget) Settle(_ context.Context, key string, l Limit, charge, available float64) error {
	if !l.Valid() {
		return errors.New("connector: a budget's limit needs Burst > 0 and PerSecond > 0")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tat[key] = GCRASettle(m.tat[key], m.now(), l, charge, available)
	return nil
}
