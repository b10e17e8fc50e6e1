package connector

import (
	"context"
	"fmt"
	"hash/maphash"
	"iter"
)

// Page is one page of a list and the vendor's cursor of the next ("" on
// the last page): an "after" token, a next URL, a page number as text.
type Page[T any] struct {
	Items []T
	Next  string
}

// FetchPage fetches the page at cursor ("" for the first).
type FetchPage[T any] func(ctx context.Context, cursor string) (Page[T], error)

// ErrCursorLoop is an ErrInvalidResponse: the vendor repeated a cursor.
var ErrCursorLoop = fmt.Errorf("pagination cursor repeated: %w", ErrInvalidResponse)

// recentCursors is how many cursors a list remembers to spot a loop. A
// fixed window keeps memory constant however long the list is.
const recentCursors = 16

// All returns every item of a list, lazily: one page held at a time, ctx
// checked between pages. An error (ErrCursorLoop included) is yielded once
// and ends the list.
//
// A sync resumes with no page cursor (vendors expire them): it lists by
// UpdatedSince, oldest first, and resumes from the last UpdatedAt it
// processed; that instant's records come again: change nothing twice.
func All[T any](ctx context.Context, fetch FetchPage[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		p := newPager(fetch, "")
		for !p.Done() {
			items, err := p.Next(ctx)
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
		}
	}
}

// pager walks a list a page at a time, and spots a vendor that hands
// back a cursor it gave before.
type pager[T any] struct {
	fetch  FetchPage[T]
	cursor string
	done   bool
	seed   maphash.Seed
	seen   [recentCursors]uint64
	nseen  int
}

func newPager[T any](fetch FetchPage[T], cursor string) *pager[T] {
	return &pager[T]{fetch: fetch, cursor: cursor, seed: maphash.MakeSeed()}
}

// Done reports whether the last page has been fetched.
func (p *pager[T]) Done() bool { return p.done }

// Next fetches the next page. After an error the pager is done. With
// ErrCursorLoop it still returns the items of the page it fetched.
func (p *pager[T]) Next(ctx context.Context) ([]T, error) {
	if p.done {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		p.done = true
		return nil, err
	}
	page, err := p.fetch(ctx, p.cursor)
	if err != nil {
		p.done = true
		return nil, err
	}
	if page.Next == "" {
		p.done = true
		p.cursor = ""
		return page.Items, nil
	}
	if page.Next == p.cursor || p.repeated(page.Next) {
		p.done = true
		return page.Items, fmt.Errorf("%w: %.40q", ErrCursorLoop, page.Next)
	}
	p.cursor = page.Next
	return page.Items, nil
}

// repeated reports whether cursor is among the recent ones, and records it.
func (p *pager[T]) repeated(cursor string) bool {
	h := maphash.String(p.seed, cursor)
	n := min(p.nseen, recentCursors)
	for i := range n {
		if p.seen[i] == h {
			return true
		}
	}
	p.seen[p.nseen%recentCursors] = h
	p.nseen++
	return false
}
