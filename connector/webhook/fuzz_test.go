package webhook_test

import (
	"testing"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

func FuzzParseSignatureHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		h := webhook.ParseSignatureHeader(header)
		n := 0
		for k, vs := range h {
			if k == "" {
				t.Fatal("empty key")
			}
			n += len(vs)
		}
		if n > 32 {
			t.Fatalf("%d items read, want at most 32", n)
		}
		// Whatever the header says, a signature from it never verifies
		// against an unrelated secret by accident.
		for _, v := range h["v1"] {
			if webhook.VerifyHMAC([]byte("body"), v, webhook.Hex, []byte("fuzz-secret")) == nil {
				t.Fatalf("random signature %q verified", v)
			}
		}
	})
}
