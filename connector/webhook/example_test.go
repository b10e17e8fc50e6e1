package webhook_test

import (
	"fmt"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

func ExampleVerifyHMAC() {
	body := []byte(`{"id":"evt_1"}`)
	secret := []byte("whsec_current")
	signature := webhook.SignHMAC(secret, body, webhook.Base64) // what the vendor sends

	// During a rotation, accept the old secret and the new one.
	err := webhook.VerifyHMAC(body, signature, webhook.Base64, []byte("whsec_previous"), secret)
	fmt.Println(err)
	err = webhook.VerifyHMAC(append(body, ' '), signature, webhook.Base64, secret)
	fmt.Println(err)
	// Output:
	// <nil>
	// webhook: signature invalid
}
