package shippo_test

import (
	"errors"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func isOutcomeUnknown(err error) bool { return errors.Is(err, connector.ErrOutcomeUnknown) }

func newFaultServer(t *testing.T, body400 string) *connectortest.Server {
	return connectortest.NewServer(t, connectortest.Fault{Status: 400, Body: body400})
}
