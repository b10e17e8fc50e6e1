package orderworkflow

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// slowContacts makes the CRM step take longer than HeartbeatEvery.
type slowContacts struct {
	crm.Contacts
	delay time.Duration
}

func (s slowContacts) Upsert(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	time.Sleep(s.delay)
	return s.Contacts.Upsert(ctx, c, opts...)
}

// A step slower than HeartbeatEvery heartbeats while it runs, so that a
// worker that dies mid-step is found out after HeartbeatTimeout, not at
// the end of the step's start-to-close; every step asks for it.
func TestStepsHeartbeat(t *testing.T) {
	sb := sandboxes(t)
	sb.Flow.Contacts = slowContacts{sb.Flow.Contacts, HeartbeatEvery + HeartbeatEvery/2}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quiet)
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(&Activities{Flow: sb.Flow})
	var beats atomic.Int32
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats.Add(1) })
	if _, err := env.ExecuteActivity((&Activities{}).RecordOnCRM, StepInput{Order: order("H1", "MUG-001", 1)}); err != nil {
		t.Fatal(err)
	}
	if beats.Load() == 0 {
		t.Fatal("a step slower than HeartbeatEvery sent no heartbeat")
	}
	for name, o := range stepOptions {
		if o.HeartbeatTimeout == 0 || o.HeartbeatTimeout >= o.StartToCloseTimeout {
			t.Errorf("step %s: heartbeat timeout %v: a dead worker's attempt waits for its start-to-close", name, o.HeartbeatTimeout)
		}
	}
	if compensationOptions.HeartbeatTimeout == 0 {
		t.Error("compensations have no heartbeat timeout")
	}
}
