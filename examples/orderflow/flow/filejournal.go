package flow

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

// FileJournal is a Journal kept in an append-only file of JSON lines, one
// per finished step or order, synced to disk before the step counts as
// done. It survives a killed process: a torn last line (the kill came
// mid-write) is ignored, and that step runs again under its key.
//
// One process writes a journal file at a time.
type FileJournal struct {
	mu   sync.Mutex
	f    *os.File
	mem  *MemoryJournal
	sync bool
}

// journalLine is one record in the file.
type journalLine struct {
	Order   string      `json:"order,omitempty"`
	Step    *StepResult `json:"step,omitempty"`
	Outcome *Result     `json:"outcome,omitempty"`
}

// OpenFileJournal opens (or creates) the journal at path and reads what it
// holds.
func OpenFileJournal(path string) (*FileJournal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("orderflow: opening the journal: %w", err)
	}
	j := &FileJournal{f: f, mem: NewMemoryJournal(), sync: true}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	ctx := context.Background()
	for sc.Scan() {
		var l journalLine
		if json.Unmarshal(bytes.TrimSpace(sc.Bytes()), &l) != nil {
			continue // a torn write from a killed run
		}
		switch {
		case l.Step != nil:
			_ = j.mem.RecordStep(ctx, l.Order, *l.Step)
		case l.Outcome != nil:
			_ = j.mem.RecordOutcome(ctx, *l.Outcome)
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("orderflow: reading the journal: %w", err)
	}
	return j, nil
}

// Close closes the file.
func (j *FileJournal) Close() error { return j.f.Close() }

func (j *FileJournal) Step(ctx context.Context, orderID, step string) (StepResult, bool, error) {
	return j.mem.Step(ctx, orderID, step)
}

func (j *FileJournal) RecordStep(ctx context.Context, orderID string, r StepResult) error {
	if err := j.append(journalLine{Order: orderID, Step: &r}); err != nil {
		return err
	}
	return j.mem.RecordStep(ctx, orderID, r)
}

func (j *FileJournal) Outcome(ctx context.Context, orderID string) (*Result, error) {
	return j.mem.Outcome(ctx, orderID)
}

func (j *FileJournal) RecordOutcome(ctx context.Context, r Result) error {
	if err := j.append(journalLine{Outcome: &r}); err != nil {
		return err
	}
	return j.mem.RecordOutcome(ctx, r)
}

func (j *FileJournal) append(l journalLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("orderflow: writing the journal: %w", err)
	}
	if j.sync {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("orderflow: syncing the journal: %w", err)
		}
	}
	return nil
}
