package soak

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// span is the part of a stdouttrace line the timeline reads.
type span struct {
	Name        string
	SpanContext struct{ TraceID string }
	StartTime   time.Time
	EndTime     time.Time
	Attributes  []struct {
		Key   string
		Value struct{ Value any }
	}
}

func (s span) attr(key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return fmt.Sprint(a.Value.Value)
		}
	}
	return ""
}

// slowest logs the timeline of the n orders that took longest from
// placing to their last attempt's end: each attempt (which worker file,
// when, how it ended) and its vendor calls that took over a second or
// were retried, so a tail can be read off the run that had it.
func slowest(t *testing.T, files, logs []string, placed map[string]time.Time, n int) {
	t.Helper()
	queued := reconciled(t, logs)
	var all []span
	fileOf := map[string]string{} // trace → the worker file it came from
	for _, f := range files {
		file, err := os.Open(f)
		if err != nil {
			t.Logf("spans: %v", err)
			continue
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var s span
			if json.Unmarshal(sc.Bytes(), &s) == nil {
				all = append(all, s)
				fileOf[s.SpanContext.TraceID] = filepath.Base(f)
			}
		}
		file.Close()
	}
	attempts := map[string][]span{} // order id → its order spans
	byTrace := map[string][]span{}  // trace → its spans
	for _, s := range all {
		byTrace[s.SpanContext.TraceID] = append(byTrace[s.SpanContext.TraceID], s)
		if s.Name == "orderflow order" {
			id := s.attr("orderflow.order.id")
			attempts[id] = append(attempts[id], s)
		}
	}
	type order struct {
		id    string
		total time.Duration
	}
	var orders []order
	for id, at := range placed {
		as := attempts[id]
		if len(as) == 0 {
			continue
		}
		last := slices.MaxFunc(as, func(a, b span) int { return a.EndTime.Compare(b.EndTime) })
		orders = append(orders, order{id, last.EndTime.Sub(at)})
	}
	slices.SortFunc(orders, func(a, b order) int { return int(b.total - a.total) })
	t.Log(activity(all, placed, fileOf))
	for _, o := range orders[:min(n, len(orders))] {
		at := placed[o.id]
		var b strings.Builder
		fmt.Fprintf(&b, "order %s: %v from placing to its end, %d attempts", o.id, o.total.Round(time.Millisecond), len(attempts[o.id]))
		as := attempts[o.id]
		slices.SortFunc(as, func(a, b span) int { return a.StartTime.Compare(b.StartTime) })
		for _, a := range as {
			fmt.Fprintf(&b, "\n  +%v..+%v %s %s (%s)", a.StartTime.Sub(at).Round(time.Millisecond), a.EndTime.Sub(at).Round(time.Millisecond),
				a.attr("orderflow.order.status"), a.attr("orderflow.order.failed_at"), fileOf[a.SpanContext.TraceID])
			for _, c := range byTrace[a.SpanContext.TraceID] {
				if c.Name == "orderflow order" {
					continue
				}
				d := c.EndTime.Sub(c.StartTime)
				if d > time.Second || (c.attr("patchbay.attempts") != "" && c.attr("patchbay.attempts") != "1") || c.attr("orderflow.step.permanent") != "" {
					fmt.Fprintf(&b, "\n    %s +%v %v attempts=%s status=%s", c.Name, c.StartTime.Sub(at).Round(time.Millisecond), d.Round(time.Millisecond),
						c.attr("patchbay.attempts"), c.attr("http.response.status_code"))
				}
			}
		}
		if q, ok := queued[o.id]; ok {
			fmt.Fprintf(&b, "\n  queued by reconciliation at +%v", q.Sub(at).Round(time.Millisecond))
		}
		t.Log(b.String())
	}
}

// reconciled reads, from the workers' logs, when reconciliation queued
// each order whose webhook never came, and logs its other notes (a pass
// that failed, and why).
func reconciled(t *testing.T, logs []string) map[string]time.Time {
	out := map[string]time.Time{}
	for _, f := range logs {
		data, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, " reconciliation: ") && !strings.Contains(line, " had no webhook") {
				t.Logf("%s: %s", filepath.Base(f), line)
			}
			stamp, rest, ok := strings.Cut(line, " reconciliation: order ")
			id, _, found := strings.Cut(rest, " had no webhook")
			if at, err := time.Parse(time.RFC3339Nano, stamp); ok && found && err == nil {
				out[id] = at
			}
		}
	}
	return out
}

// activity counts, per 5 seconds of the run, the orders placed and the
// order attempts each worker process began: a stall shows as a run of
// windows with orders placed and no attempt begun.
func activity(all []span, placed map[string]time.Time, fileOf map[string]string) string {
	if len(placed) == 0 {
		return ""
	}
	start := slices.MinFunc(slices.Collect(maps.Values(placed)), func(a, b time.Time) int { return a.Compare(b) })
	const window = 5 * time.Second
	type counts struct {
		placed int
		began  map[string]int
	}
	var ws []counts
	at := func(t time.Time) *counts {
		i := max(0, int(t.Sub(start)/window))
		for len(ws) <= i {
			ws = append(ws, counts{began: map[string]int{}})
		}
		return &ws[i]
	}
	for _, t := range placed {
		at(t).placed++
	}
	for _, s := range all {
		if s.Name == "orderflow order" {
			at(s.StartTime).began[fileOf[s.SpanContext.TraceID]]++
		}
	}
	var b strings.Builder
	b.WriteString("activity per 5 s: orders placed / order attempts begun per worker process")
	for i, w := range ws {
		fmt.Fprintf(&b, "\n  %3ds: %3d placed, began %v", i*5, w.placed, w.began)
	}
	return b.String()
}
