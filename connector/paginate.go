package connector

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
)

// Page is one page of a list: its items, and the cursor of the next page
// ("" on the last page). A cursor is whatever the vendor uses (an "after"
// token, a next URL, a page number as text) and is opaque to the engine.
type Page[T any] struct {
	Items []T
	Next  string
}

// FetchPage fetches the page at cursor; "" is the first page.
type FetchPage[T any] func(ctx context.Context, cursor string) (Page[T], error)

// ErrCursorLoop means a vendor handed back a cursor it had already given:
// following it would list the same records forever.
var ErrCursorLoop = errors.New("pagination cursor repeated")

// recentCursors is how many cursors a list remembers to spot a loop. A
// fixed window keeps memory constant however long the list is.
const recentCursors = 16

// All returns every item of a list, lazily: nothing is fetched before the
// loop starts, one page is held at a time, ctx is checked between pages,
// and the list ends on an empty next cursor. An error (including a
// repeated cursor, ErrCursorLoop) is yielded once, and then the list ends.
//
//	for contact, err := range client.Contacts.List(ctx) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func All[T any](ctx context.Context, fetch FetchPage[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		p := NewPager(fetch, "")
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

// Pager walks a list a page at a time. Its Cursor is a plain string that
// can be stored and handed to NewPager later to resume a sync where it
// stopped. A Pager is not safe for concurrent use.
type Pager[T any] struct {
	fetch  FetchPage[T]
	cursor string
	done   bool
	seed   maphash.Seed
	seen   [recentCursors]uint64
	nseen  int
}

// NewPager starts a list at cursor ("" for the first page).
func NewPager[T any](fetch FetchPage[T], cursor string) *Pager[T] {
	return &Pager[T]{fetch: fetch, cursor: cursor, seed: maphash.MakeSeed()}
}

// Cursor is the cursor of the page Next will fetch.
func (p *Pager[T]) Cursor() string { return p.cursor }

// Done reports whether the last page has been fetched.
func (p *Pager[T]) Done() bool { return p.done }

// Next fetches the next page. After an error the pager is done. With
// ErrCursorLoop it still returns the items of the page it fetched.
func (p *Pager[T]) Next(ctx context.Context) ([]T, error) {
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
func (p *Pager[T]) repeated(cursor string) bool {
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
