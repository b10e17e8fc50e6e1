package shippo_test

import (
	"errors"

	"github.com/patchbay-go/patchbay/connector"
)

func isOutcomeUnknown(err error) bool { return errors.Is(err, connector.ErrOutcomeUnknown) }
