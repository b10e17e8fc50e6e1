package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// A database error that quotes a token's secret loses the secret (and the
// error chain that holds it); any other keeps its chain.
func TestScrub(t *testing.T) {
	s := &TokenStore{name: "acct"}
	tok := &oauth2.Token{AccessToken: "SENTINEL-a", RefreshToken: "SENTINEL-r"}

	err := s.scrub("saving", errors.New(`bad value "SENTINEL-r" near SENTINEL-a`), tok)
	require.NotContains(t, err.Error(), "SENTINEL")
	require.Contains(t, err.Error(), `token "acct"`)
	require.Nil(t, errors.Unwrap(err), "the chain holds the secret")

	err = s.scrub("saving", context.Canceled, tok)
	require.ErrorIs(t, err, context.Canceled)
}
