package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// NewState returns a random state value for one authorization request.
func NewState() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ErrStateMismatch: the callback's state is not the one sent, a sign of a
// forged or replayed callback. Do not exchange its code.
var ErrStateMismatch = errors.New("oauth: state mismatch")

// CheckState compares the state the callback carries with the one sent.
func CheckState(sent, received string) error {
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(received)) != 1 {
		return ErrStateMismatch
	}
	return nil
}

// AuthCodeURL starts the authorization-code flow with PKCE (RFC 7636,
// S256): send the user to authURL, keep state and verifier (in the user's
// session), and pass the code from the callback to Exchange.
func (s *Source) AuthCodeURL(state string, opts ...oauth2.AuthCodeOption) (authURL, verifier string) {
	verifier = oauth2.GenerateVerifier()
	opts = append(opts, oauth2.S256ChallengeOption(verifier))
	return s.cfg.OAuth2.AuthCodeURL(state, opts...), verifier
}

// Exchange trades an authorization code for a token and saves it: the
// first save of a newly connected account, or a replacement after
// ErrReauthRequired.
func (s *Source) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	if s.cfg.OAuth2 == nil {
		return nil, errors.New("oauth: Exchange needs Config.OAuth2")
	}
	ectx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, s.client), s.cfg.RefreshTimeout)
	defer cancel()
	tok, err := s.cfg.OAuth2.Exchange(ectx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		if classify(err) == refused {
			return nil, refusedError(err)
		}
		return nil, failedError(err, 1)
	}
	store := s.cfg.Store
	if l, ok := store.(Locker); ok {
		locked, unlock, err := l.Lock(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
		store = locked
	}
	_, ver, err := store.Load(ctx)
	if err != nil && !errors.Is(err, ErrNoToken) {
		return nil, fmt.Errorf("oauth: loading the token: %w", err)
	}
	newVer, err := store.Save(ctx, tok, ver)
	if err != nil {
		return nil, fmt.Errorf("oauth: saving the new token: %w", err)
	}
	s.set(tok, newVer)
	if s.cfg.OnRefresh != nil {
		s.cfg.OnRefresh(copyToken(tok))
	}
	return tok, nil
}
