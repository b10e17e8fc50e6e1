package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/oauth2"
)

// FileStore keeps a token in a JSON file, for CLIs and single-host apps.
// The file is written with mode 0600 through a temporary file and an atomic
// rename, so a crash leaves the old token or the new one, never half of
// either. Processes sharing the file are serialised by an advisory lock on
// a sibling ".lock" file (flock on Unix), which also makes FileStore a
// Locker.
type FileStore struct {
	path string
}

// NewFileStore returns a store at path. The directory must exist.
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

type fileToken struct {
	Version      Version   `json:"version"`
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

func (s *FileStore) Load(ctx context.Context) (*oauth2.Token, Version, error) {
	unlock, err := s.lockFile(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	return s.read()
}

func (s *FileStore) read() (*oauth2.Token, Version, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, ErrNoToken
	}
	if err != nil {
		return nil, 0, fmt.Errorf("oauth: reading token file: %w", err)
	}
	var ft fileToken
	if err := json.Unmarshal(b, &ft); err != nil {
		// The file holds secrets: say where, not what.
		return nil, 0, fmt.Errorf("oauth: token file %s is not valid JSON", s.path)
	}
	return &oauth2.Token{AccessToken: ft.AccessToken, TokenType: ft.TokenType, RefreshToken: ft.RefreshToken, Expiry: ft.Expiry}, ft.Version, nil
}

func (s *FileStore) Save(ctx context.Context, tok *oauth2.Token, expected Version) (Version, error) {
	unlock, err := s.lockFile(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	return s.write(tok, expected)
}

func (s *FileStore) write(tok *oauth2.Token, expected Version) (Version, error) {
	_, current, err := s.read()
	if err != nil && !errors.Is(err, ErrNoToken) {
		return 0, err
	}
	if current != expected {
		return current, ErrVersionConflict
	}
	next := current + 1
	b, err := json.Marshal(fileToken{Version: next, AccessToken: tok.AccessToken, TokenType: tok.TokenType,
		RefreshToken: tok.RefreshToken, Expiry: tok.Expiry})
	if err != nil {
		return 0, err
	}
	if err := writeAtomic(s.path, b); err != nil {
		return 0, fmt.Errorf("oauth: saving token: %w", err)
	}
	return next, nil
}

// Lock takes the cross-process lock and returns a view of the file that
// reads and writes under it.
func (s *FileStore) Lock(ctx context.Context) (TokenStore, func(), error) {
	unlock, err := s.lockFile(ctx)
	if err != nil {
		return nil, nil, err
	}
	return lockedFile{s}, unlock, nil
}

// lockedFile is a FileStore whose lock is already held.
type lockedFile struct{ s *FileStore }

func (l lockedFile) Load(context.Context) (*oauth2.Token, Version, error) { return l.s.read() }
func (l lockedFile) Save(_ context.Context, tok *oauth2.Token, expected Version) (Version, error) {
	return l.s.write(tok, expected)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
