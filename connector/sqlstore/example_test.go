package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// One SQLite file holds an app's state: webhook dedup, the order inbox,
// and (not shown) OAuth tokens and the flow journal. A webhook and the
// reconciliation poll both bring order 1001; it is processed once.
func Example() {
	dir, _ := os.MkdirTemp("", "patchbay")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "patchbay.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// In webhook.Config{Seen: ...}: a redelivered event is dropped.
	var seen webhook.SeenStore = db.SeenStore(72 * time.Hour)
	first, _ := seen.Claim(ctx, "shopify:evt-1")
	again, _ := seen.Claim(ctx, "shopify:evt-1")
	fmt.Println("delivery handled:", first, "redelivery handled:", again)

	inbox := db.Inbox()
	fromWebhook, _ := inbox.Add(ctx, "shopify", "1001", []byte(`{"total":"42.00"}`))
	fromPoll, _ := inbox.Add(ctx, "shopify", "1001", []byte(`{"total":"42.00"}`))
	fmt.Println("added by webhook:", fromWebhook, "added by poll:", fromPoll)

	for {
		item, err := inbox.Take(ctx, "worker-1", time.Minute)
		if err != nil {
			panic(err)
		}
		if item == nil {
			break
		}
		fmt.Printf("processing %s order %s (attempt %d)\n", item.Source, item.ID, item.Attempt)
		if err := inbox.Done(ctx, item); err != nil {
			panic(err)
		}
	}
	depth, _ := inbox.Depth(ctx)
	fmt.Println("left in the inbox:", depth)
	// Output:
	// delivery handled: true redelivery handled: false
	// added by webhook: true added by poll: false
	// processing shopify order 1001 (attempt 1)
	// left in the inbox: 0
}
