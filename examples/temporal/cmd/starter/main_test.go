package main

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// One order, one workflow, ever.
func TestStartOptions(t *testing.T) {
	o := StartOptions(flow.Order{ID: "1001"})
	if o.ID != "order-1001" || o.WorkflowIDReusePolicy != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
		o.WorkflowIDConflictPolicy != enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL || o.TaskQueue == "" {
		t.Fatalf("%+v", o)
	}
}
