package connectortest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
)

// CheckNoSecret fails t if err is nil, or if secret appears anywhere in it:
// its text, its %+v and %#v forms, or an *connector.APIError's message,
// code and body. A vendor package's secret-sentinel test calls it on every
// error its client returned while the vendor echoed the credential back.
func CheckNoSecret(t testing.TB, err error, secret string) {
	t.Helper()
	if err == nil {
		t.Errorf("want an error (the sentinel check proves nothing without one)")
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	var apiErr *connector.APIError
	if errors.As(err, &apiErr) {
		texts = append(texts, apiErr.Message, apiErr.Code, string(apiErr.Body), apiErr.RequestID)
	}
	for _, text := range texts {
		if strings.Contains(text, secret) {
			t.Errorf("the secret reached an error: %s", text)
			return
		}
	}
}
