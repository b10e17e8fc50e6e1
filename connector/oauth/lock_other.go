//go:build !unix

package oauth

import (
	"context"
	"sync"
)

// Without flock, FileStore excludes goroutines of one process only: share
// a token file between processes on Unix, or use a database-backed store.
var fileLocks sync.Map // path → chan struct{}

func (s *FileStore) lockFile(ctx context.Context) (func(), error) {
	v, _ := fileLocks.LoadOrStore(s.path, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
