package orderworkflow

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

var update = flag.Bool("update", false, "record testdata/order-history.json again from a run on the sandboxes")

const historyFile = "testdata/order-history.json"

// Determinism: a history recorded from a run of OrderWorkflow replays
// against the current code. A change that would break workflows in flight
// (steps reordered, one added or removed) fails here.
func TestReplayRecordedHistory(t *testing.T) {
	if *update {
		record(t)
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(OrderWorkflow)
	if err := r.ReplayWorkflowHistoryFromJSONFile(quiet, historyFile); err != nil {
		t.Fatalf("the recorded history does not replay: %v", err)
	}
}

// The replay check can fail: a workflow that takes stock before the CRM
// step does not match the recorded history.
func TestReplayCatchesAChangedWorkflow(t *testing.T) {
	if _, err := os.Stat(historyFile); err != nil {
		t.Fatal(err)
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(func(ctx workflow.Context, o flow.Order) (flow.Result, error) {
		var a *Activities
		ctx = workflow.WithActivityOptions(ctx, stepOptions[flow.StepStock])
		var out StepOutput
		err := workflow.ExecuteActivity(ctx, a.TakeStock, StepInput{Order: o}).Get(ctx, &out)
		return flow.Result{}, err
	}, workflow.RegisterOptions{Name: "OrderWorkflow"})
	err := r.ReplayWorkflowHistoryFromJSONFile(quiet, historyFile)
	if err == nil {
		t.Fatal("a reordered workflow replayed the recorded history")
	}
	t.Logf("as it should: %v", err)
}

// record runs the happy path on the sandboxes and writes the history the
// Temporal service would have kept for it: the workflow's start, then per
// step a workflow task and the activity's schedule, start and completion,
// with the real inputs and results.
func record(t *testing.T) {
	sb := sandboxes(t)
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quiet)
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(OrderWorkflow)
	env.RegisterActivity(&Activities{Flow: sb.Flow})
	type call struct {
		name          string
		input, result *commonpb.Payloads
	}
	var mu sync.Mutex
	var calls []*call
	dc := converter.GetDefaultDataConverter()
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		var in StepInput
		if err := args.Get(&in); err != nil {
			t.Error(err)
		}
		p, _ := dc.ToPayloads(in)
		mu.Lock()
		calls = append(calls, &call{name: info.ActivityType.Name, input: p})
		mu.Unlock()
	})
	env.SetOnActivityCompletedListener(func(info *activity.Info, result converter.EncodedValue, err error) {
		var out StepOutput
		if result != nil && result.HasValue() {
			_ = result.Get(&out)
		}
		p, _ := dc.ToPayloads(out)
		mu.Lock()
		calls[len(calls)-1].result = p
		mu.Unlock()
	})
	o := order("H1", "MUG-001", 1)
	env.ExecuteWorkflow(OrderWorkflow, o)
	var res flow.Result
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != flow.Done {
		t.Fatalf("recording run: %+v %v", res, err)
	}

	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var events []*historypb.HistoryEvent
	add := func(typ enumspb.EventType, attr func(*historypb.HistoryEvent)) int64 {
		e := &historypb.HistoryEvent{EventId: int64(len(events) + 1), EventType: typ, EventTime: timestamppb.New(start.Add(time.Duration(len(events)) * time.Millisecond))}
		attr(e)
		events = append(events, e)
		return e.EventId
	}
	queue := &taskqueuepb.TaskQueue{Name: TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}
	input, _ := dc.ToPayloads(o)
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			WorkflowType: &commonpb.WorkflowType{Name: "OrderWorkflow"}, TaskQueue: queue, Input: input,
			WorkflowTaskTimeout: durationpb.New(10 * time.Second), Attempt: 1, OriginalExecutionRunId: "run-h1", FirstExecutionRunId: "run-h1"}}
	})
	workflowTask := func() int64 {
		sched := add(enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_WorkflowTaskScheduledEventAttributes{WorkflowTaskScheduledEventAttributes: &historypb.WorkflowTaskScheduledEventAttributes{
				TaskQueue: queue, StartToCloseTimeout: durationpb.New(10 * time.Second), Attempt: 1}}
		})
		started := add(enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_WorkflowTaskStartedEventAttributes{WorkflowTaskStartedEventAttributes: &historypb.WorkflowTaskStartedEventAttributes{
				ScheduledEventId: sched, Identity: "worker-1"}}
		})
		return add(enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{WorkflowTaskCompletedEventAttributes: &historypb.WorkflowTaskCompletedEventAttributes{
				ScheduledEventId: sched, StartedEventId: started, Identity: "worker-1"}}
		})
	}
	for _, c := range calls {
		completed := workflowTask()
		id := int64(len(events) + 1)
		sched := add(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
				ActivityId: itoa(id), ActivityType: &commonpb.ActivityType{Name: c.name}, TaskQueue: queue, Input: c.input,
				StartToCloseTimeout: durationpb.New(time.Minute), WorkflowTaskCompletedEventId: completed}}
		})
		started := add(enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{
				ScheduledEventId: sched, Identity: "worker-1", Attempt: 1}}
		})
		add(enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, func(e *historypb.HistoryEvent) {
			e.Attributes = &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
				Result: c.result, ScheduledEventId: sched, StartedEventId: started, Identity: "worker-1"}}
		})
	}
	completed := workflowTask()
	result, _ := dc.ToPayloads(res)
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{
			Result: result, WorkflowTaskCompletedEventId: completed}}
	})
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: events})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(historyFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(historyFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events from %d activities", len(events), len(calls))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
