//go:build !linux

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

var fastShutdown = os.Interrupt

// runAs starts initdb and postgres as the current user. PostgreSQL refuses
// to run as root; switching users is implemented on Linux only.
func runAs(string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("running as root: run the tests as another user, or set " + EnvURL)
	}
	return nil, nil
}
