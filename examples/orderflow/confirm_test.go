package main

import (
	"context"
	"errors"
	"testing"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// -confirm names who mails the customer; another word is a configuration
// error (exit status 2), said before anything runs.
func TestConfirmFlag(t *testing.T) {
	for v, want := range map[string]flow.Confirm{"": flow.ConfirmByMail, "mail": flow.ConfirmByMail, "shop": flow.ConfirmByShop, "both": flow.ConfirmByBoth} {
		if got, err := confirmBy(v); err != nil || got != want {
			t.Errorf("-confirm %q: %v, %v", v, got, err)
		}
	}
	err := run(context.Background(), options{n: 1, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo", confirm: "fax"})
	var ce *configError
	if !errors.As(err, &ce) || exitStatus(err) != 2 {
		t.Fatalf("-confirm fax: %v (exit %d), want a configuration error", err, exitStatus(err))
	}
}
