package flow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/shipping"
)

// lostFirstPurchase answers the first purchase as lost before it reaches
// the carrier, and records the bound each FindByKey is given.
type lostFirstPurchase struct {
	shipping.Labels
	lost   bool
	sinces []time.Time
}

func (l *lostFirstPurchase) Buy(ctx context.Context, rateID string, opts ...connector.CallOption) (*shipping.Label, error) {
	if !l.lost {
		l.lost = true
		return nil, &connector.APIError{Vendor: "test", Op: "labels.buy", Kind: connector.ErrOutcomeUnknown, Message: "the answer was lost"}
	}
	return l.Labels.Buy(ctx, rateID, opts...)
}

func (l *lostFirstPurchase) FindByKey(ctx context.Context, key string, since time.Time) (*shipping.Label, error) {
	l.sinces = append(l.sinces, since)
	return l.Labels.(shipping.LabelFinder).FindByKey(ctx, key, since)
}

// A re-run of a label step looks for an earlier run's purchase back to
// when the step first began, from the journal, not through the account's
// whole history; with a journal that may be lost, the bound is unknown and
// the lookup reads everything.
func TestLabelLookupReadsBackToTheStepsBeginning(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	labels := &lostFirstPurchase{Labels: env.Flow.Labels}
	env.Flow.Labels = labels
	o := orders(1)[0]

	before := time.Now()
	if r := env.Flow.Process(ctx, o); !r.Open {
		t.Fatalf("a lost purchase: %s, want the order open", r.Reason)
	}
	after := time.Now()
	if len(labels.sinces) != 0 {
		t.Fatalf("the first run looked for a label of a key the journal knows is new")
	}
	time.Sleep(10 * time.Millisecond)
	if r := env.Flow.Process(ctx, o); r.Status != flow.Done {
		t.Fatalf("the re-run: %s", r.Reason)
	}
	if len(labels.sinces) != 1 {
		t.Fatalf("the re-run looked %d times, want once", len(labels.sinces))
	}
	if since := labels.sinces[0]; since.Before(before) || since.After(after) {
		t.Fatalf("the lookup read back to %v, want when the first run began the step (%v to %v)", since, before, after)
	}
	if c := env.Counts(); c.Labels != 1 {
		t.Fatalf("%d labels, want 1", c.Labels)
	}

	env.Flow.Journal, env.Flow.JournalMayBeLost = flow.NewMemoryJournal(), true
	if r := env.Flow.Process(ctx, o); r.Status != flow.Done {
		t.Fatalf("the run with a fresh journal: %s", r.Reason)
	}
	if since := labels.sinces[len(labels.sinces)-1]; !since.IsZero() {
		t.Fatalf("with a journal that may be lost the lookup read back to %v, want everything", since)
	}
}

// A journal that cannot record a step's beginning holds the order open
// before the step calls anyone: a step begun off the record could later be
// taken for new.
func TestUnrecordedBeginningWaits(t *testing.T) {
	env := start(t)
	broken := errors.New("disk full")
	env.Flow.Journal = &failingJournal{Journal: flow.NewMemoryJournal(), err: broken}
	r := env.Flow.Process(context.Background(), orders(1)[0])
	if !r.Open || !errors.Is(r.Err, broken) {
		t.Fatalf("got %+v, want the order open on the journal's error", r)
	}
	if c := env.Counts(); c.Contacts != 0 {
		t.Fatalf("a step ran off the record: %v", c)
	}
}

// failingJournal refuses every record.
type failingJournal struct {
	flow.Journal
	err error
}

func (j *failingJournal) RecordStep(context.Context, string, flow.StepResult) error { return j.err }
