package pgtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Without PostgreSQL a test skips with how to run it, except under CI,
// where it fails; a server that would not start always fails.
func TestVerdict(t *testing.T) {
	fatal, msg := verdict("PostgreSQL is not installed", "", false)
	assert.False(t, fatal)
	assert.Contains(t, msg, "apt-get install postgresql")
	assert.Contains(t, msg, EnvURL)

	fatal, msg = verdict("PostgreSQL is not installed", "", true)
	assert.True(t, fatal, "CI must not skip")
	assert.Contains(t, msg, EnvURL)

	fatal, _ = verdict("", "initdb: exit status 1", false)
	assert.True(t, fatal)

	fatal, msg = verdict("", "", true)
	assert.False(t, fatal)
	assert.Empty(t, msg)
}
