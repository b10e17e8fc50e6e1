package flow

import (
	"context"
	"sync"
)

// Journal remembers what steps finished and how orders ended. It is not
// what makes the flow exactly-once (the vendors' idempotency keys do:
// a step whose record was lost in a crash runs again and the vendor
// returns its first result); it lets a re-run report "already done" and
// keeps a failed order failed.
//
// A database-backed journal implements the same three methods with a
// table keyed by (order id, step).
type Journal interface {
	Step(ctx context.Context, orderID, step string) (StepResult, bool, error)
	RecordStep(ctx context.Context, orderID string, r StepResult) error
	Outcome(ctx context.Context, orderID string) (*Result, error)
	RecordOutcome(ctx context.Context, r Result) error
}

// MemoryJournal is a Journal for one process.
type MemoryJournal struct {
	mu       sync.Mutex
	steps    map[[2]string]StepResult
	outcomes map[string]Result
}

// NewMemoryJournal returns an empty journal.
func NewMemoryJournal() *MemoryJournal {
	return &MemoryJournal{steps: map[[2]string]StepResult{}, outcomes: map[string]Result{}}
}

func (j *MemoryJournal) Step(_ context.Context, orderID, step string) (StepResult, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.steps[[2]string{orderID, step}]
	return r, ok, nil
}

func (j *MemoryJournal) RecordStep(_ context.Context, orderID string, r StepResult) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.steps[[2]string{orderID, r.Step}] = r
	return nil
}

func (j *MemoryJournal) Outcome(_ context.Context, orderID string) (*Result, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if r, ok := j.outcomes[orderID]; ok {
		return &r, nil
	}
	return nil, nil
}

func (j *MemoryJournal) RecordOutcome(_ context.Context, r Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.outcomes[r.OrderID] = r
	return nil
}
