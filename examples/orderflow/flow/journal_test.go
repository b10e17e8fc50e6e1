package flow_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/internal/pgtest"
)

// Every journal keeps steps and outcomes the same way: memory, a file,
// SQLite and PostgreSQL. (The flow shrugs off a journal error, so a
// journal that silently fails would pass every flow test: this one does
// not.)
func TestJournalsKeepStepsAndOutcomes(t *testing.T) {
	ctx := context.Background()
	journals := map[string]func(t *testing.T) flow.Journal{
		"memory": func(*testing.T) flow.Journal { return flow.NewMemoryJournal() },
		"file": func(t *testing.T) flow.Journal {
			j, err := flow.OpenFileJournal(filepath.Join(t.TempDir(), "journal"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { j.Close() })
			return j
		},
		"sqlite": func(t *testing.T) flow.Journal {
			return sqlJournalAt(t, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
		},
		"postgres": func(t *testing.T) flow.Journal { return sqlJournalAt(t, pgtest.URL(t)) },
	}
	for name, open := range journals {
		t.Run(name, func(t *testing.T) {
			j := open(t)
			if _, ok, err := j.Step(ctx, "A1", flow.StepCRM); ok || err != nil {
				t.Fatalf("an empty journal has step crm: %v %v", ok, err)
			}
			for _, step := range []string{flow.StepCRM, flow.StepNotify + "-mail"} {
				if err := j.RecordStep(ctx, "A1/x:y", flow.StepResult{Step: step, Detail: "made " + step}); err != nil {
					t.Fatal(err)
				}
				got, ok, err := j.Step(ctx, "A1/x:y", step)
				if err != nil || !ok || got.Detail != "made "+step {
					t.Fatalf("step %s: %+v %v %v", step, got, ok, err)
				}
			}
			if _, ok, _ := j.Step(ctx, "A1", flow.StepCRM); ok {
				t.Fatal("another order's step")
			}
			if err := j.RecordOutcome(ctx, flow.Result{OrderID: "A1/x:y", Status: flow.Done, InvoiceNumber: "INV-1"}); err != nil {
				t.Fatal(err)
			}
			r, err := j.Outcome(ctx, "A1/x:y")
			if err != nil || r == nil || r.Status != flow.Done || r.InvoiceNumber != "INV-1" {
				t.Fatalf("outcome %+v %v", r, err)
			}
		})
	}
}

func sqlJournalAt(t *testing.T, dsn string) flow.Journal {
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return flow.SQLJournal{DB: db}
}
