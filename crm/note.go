package crm

import (
	"context"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Note is text on the timeline of the records it is about: a call logged,
// an order shipped.
type Note struct {
	ID        string
	Body      string
	Timestamp time.Time // where it sits on the timeline; now if zero
	About     []Ref     // the records it shows on; the first is where keyed notes are looked for
}

// Notes writes notes on records.
type Notes interface {
	// Add puts a note on the records in n.About. With an idempotency key,
	// the same key twice gives one note: the vendor has no keyed create for
	// notes, so the key is written into the note and the first record's
	// notes are searched for it before a note is made.
	Add(ctx context.Context, n Note, opts ...connector.CallOption) (*Note, error)
}
