package pipedrive_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
)

// A deal recorded twice under one key is one deal; the sandbox's webhook
// for it is verified by its Basic credentials and handled.
func Example() {
	ctx := context.Background()
	sandbox := pipedrivetest.NewServer()
	defer sandbox.Close()
	client, err := pipedrive.New(pipedrive.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	key := connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "deal"))
	first, err := client.Deals.Create(ctx, crm.Deal{Name: "Order 1001", Stage: "closedwon"}, key)
	if err != nil {
		panic(err)
	}
	again, err := client.Deals.Create(ctx, crm.Deal{Name: "Order 1001", Stage: "closedwon"}, key)
	if err != nil {
		panic(err)
	}
	fmt.Println("same deal:", first.ID == again.ID, "deals:", sandbox.Count("deals"))

	handler, err := pipedrive.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e pipedrive.Event) error {
			if e.Payload.Deal != nil {
				fmt.Println(e.Kind, e.Type, e.Payload.Deal.Name, e.Payload.Deal.Stage)
			}
			return nil
		})
	if err != nil {
		panic(err)
	}
	hooks := httptest.NewServer(handler)
	defer hooks.Close()
	for _, body := range sandbox.Webhooks() {
		status, err := sandbox.SendWebhook(ctx, hooks.URL, body)
		if err != nil || status != 200 {
			panic(fmt.Sprint(status, err))
		}
	}
	// Output:
	// same deal: true deals: 1
	// deal.created create.deal Order 1001 closedwon
}
