package connector_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patchbay-go/patchbay/connector"
)

// pages serves items in pages of size; the cursor is the next offset.
func pages(items []int, size int, fetches *int) connector.FetchPage[int] {
	return func(ctx context.Context, cursor string) (connector.Page[int], error) {
		*fetches++
		off := 0
		if cursor != "" {
			off, _ = strconv.Atoi(cursor)
		}
		end := min(off+size, len(items))
		p := connector.Page[int]{Items: items[off:end]}
		if end < len(items) {
			p.Next = strconv.Itoa(end)
		}
		return p, nil
	}
}

func TestAllIsLazyAndComplete(t *testing.T) {
	items := make([]int, 25)
	for i := range items {
		items[i] = i
	}
	fetches := 0
	seq := connector.All(context.Background(), pages(items, 10, &fetches))
	if fetches != 0 {
		t.Fatalf("fetched %d pages before the loop", fetches)
	}
	var got []int
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if diff := cmp.Diff(items, got); diff != "" {
		t.Fatalf("items (-want +got):\n%s", diff)
	}
	if fetches != 3 {
		t.Fatalf("fetches = %d, want 3", fetches)
	}

	// Breaking out early fetches no more pages.
	fetches = 0
	for v := range connector.All(context.Background(), pages(items, 10, &fetches)) {
		if v == 3 {
			break
		}
	}
	if fetches != 1 {
		t.Fatalf("fetches after an early break = %d, want 1", fetches)
	}
}

// Scenario 18: a vendor hands back a cursor it gave before. The iterator
// yields the items it has, then ErrCursorLoop once, and stops.
func TestCursorRepeats(t *testing.T) {
	for name, cursors := range map[string][]string{
		"same cursor again": {"a", "a"},
		"cycle":             {"a", "b", "c", "a"},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			fetch := func(ctx context.Context, cursor string) (connector.Page[string], error) {
				if calls > 10 {
					t.Fatal("the iterator followed a looping cursor")
				}
				next := cursors[min(calls, len(cursors)-1)]
				calls++
				return connector.Page[string]{Items: []string{"item@" + cursor}, Next: next}, nil
			}
			var errs []error
			n := 0
			for _, err := range connector.All(context.Background(), fetch) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				n++
			}
			if len(errs) != 1 || !errors.Is(errs[0], connector.ErrCursorLoop) {
				t.Fatalf("errors = %v, want one ErrCursorLoop", errs)
			}
			if n != len(cursors) {
				t.Fatalf("items = %d, want %d (every page fetched once)", n, len(cursors))
			}
		})
	}
}

func TestAllStopsOnErrorAndCancel(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	fetch := func(ctx context.Context, cursor string) (connector.Page[int], error) {
		calls++
		if calls == 2 {
			return connector.Page[int]{}, boom
		}
		return connector.Page[int]{Items: []int{1}, Next: fmt.Sprint(calls)}, nil
	}
	var errs []error
	for _, err := range connector.All(context.Background(), fetch) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], boom) || calls != 2 {
		t.Fatalf("errors = %v after %d calls, want boom once after 2", errs, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls = 0
	infinite := func(ctx context.Context, cursor string) (connector.Page[int], error) {
		calls++
		return connector.Page[int]{Items: []int{calls}, Next: fmt.Sprint(calls)}, nil
	}
	errs = nil
	for v, err := range connector.All(ctx, infinite) {
		if err != nil {
			errs = append(errs, err)
		}
		if v == 3 {
			cancel()
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || calls != 3 {
		t.Fatalf("errors = %v after %d calls, want context.Canceled once after 3", errs, calls)
	}
}
