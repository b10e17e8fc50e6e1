package flow

import (
	"context"
	"encoding/json"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
)

// SQLJournal is a Journal in a database (connector/sqlstore): SQLite, the
// embedded default, or PostgreSQL, which several processes share. Steps
// and outcomes are JSON records keyed by order id (and step); an error
// (Result.Err) is not kept, as in the FileJournal.
type SQLJournal struct{ DB *sqlstore.DB }

var _ Journal = SQLJournal{}

// Record kinds in the database.
const (
	stepRecord    = "flow.step"
	outcomeRecord = "flow.outcome"
)

// stepKey keys a step's record: the step's name has no colon, so the
// first one ends it (PostgreSQL text holds no NUL, or that would do).
func stepKey(orderID, step string) string { return step + ":" + orderID }

func (j SQLJournal) Step(ctx context.Context, orderID, step string) (StepResult, bool, error) {
	var r StepResult
	ok, err := j.get(ctx, stepRecord, stepKey(orderID, step), &r)
	return r, ok, err
}

func (j SQLJournal) RecordStep(ctx context.Context, orderID string, r StepResult) error {
	return j.put(ctx, stepRecord, stepKey(orderID, r.Step), r)
}

func (j SQLJournal) Outcome(ctx context.Context, orderID string) (*Result, error) {
	var r Result
	if ok, err := j.get(ctx, outcomeRecord, orderID, &r); !ok || err != nil {
		return nil, err
	}
	return &r, nil
}

func (j SQLJournal) RecordOutcome(ctx context.Context, r Result) error {
	return j.put(ctx, outcomeRecord, r.OrderID, r)
}

func (j SQLJournal) get(ctx context.Context, kind, key string, v any) (bool, error) {
	b, ok, err := j.DB.Get(ctx, kind, key)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

func (j SQLJournal) put(ctx context.Context, kind, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return j.DB.Put(ctx, kind, key, b)
}
