package sqlstore_test

import (
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Two pools on one database stand for two processes.
func TestBudgets(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		connectortest.TestSharedBudget(t, func(t *testing.T) (a, b connector.SharedBudget) {
			return open(t, dsn).Budgets(), open(t, dsn).Budgets()
		})
	})
}
