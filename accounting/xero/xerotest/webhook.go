package xerotest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// SendWebhook posts events to url as Xero does, signed with webhookKey, and
// returns the receiver's status. An empty events list is the
// intent-to-receive handshake. url must be on this machine.
func SendWebhook(ctx context.Context, url, webhookKey string, events []xero.Event) (int, error) {
	if events == nil {
		events = []xero.Event{}
	}
	body, err := json.Marshal(map[string]any{"events": events, "firstEventSequence": 1, "lastEventSequence": len(events),
		"entropy": connectortest.UUID()})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-xero-signature", xero.Sign(body, webhookKey))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// IntentToReceive runs Xero's handshake against url: one delivery signed
// with the right key and one with a wrong key. A correct receiver answers
// 200 and 401.
func IntentToReceive(ctx context.Context, url, webhookKey string) (valid, invalid int, err error) {
	if valid, err = SendWebhook(ctx, url, webhookKey, nil); err != nil {
		return 0, 0, err
	}
	invalid, err = SendWebhook(ctx, url, webhookKey+"-wrong", nil)
	return valid, invalid, err
}
