package webhook

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// SeenStore remembers which webhook deliveries were handled, so that a
// vendor's redelivery changes nothing. Claim is atomic: of two concurrent
// deliveries of one id, exactly one gets true. Release undoes a claim whose
// handling failed, so that the vendor's next redelivery is processed and
// nothing is lost. A store shared by several processes (Redis SET NX with a
// TTL, a database row with a unique key) implements the same two methods.
type SeenStore interface {
	Claim(ctx context.Context, id string) (first bool, err error)
	Release(ctx context.Context, id string) error
}

// MemorySeen is a bounded in-process SeenStore: at most max ids, each for at
// most ttl, the oldest evicted first. Vendors redeliver for hours to days
// (Shopify 48 hours, Stripe 3 days), so size ttl and max for that.
type MemorySeen struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of seenEntry, oldest first
	index map[string]*list.Element
}

type seenEntry struct {
	id string
	at time.Time
}

// NewMemorySeen returns a store of at most size ids kept for ttl.
func NewMemorySeen(size int, ttl time.Duration) *MemorySeen {
	return &MemorySeen{max: max(size, 1), ttl: ttl, now: time.Now, order: list.New(), index: map[string]*list.Element{}}
}

// Claim records id and reports whether it was new.
func (s *MemorySeen) Claim(_ context.Context, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if _, ok := s.index[id]; ok {
		return false, nil
	}
	if s.order.Len() >= s.max {
		oldest := s.order.Front()
		delete(s.index, oldest.Value.(seenEntry).id)
		s.order.Remove(oldest)
	}
	s.index[id] = s.order.PushBack(seenEntry{id: id, at: now})
	return true, nil
}

// Release forgets id.
func (s *MemorySeen) Release(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.index[id]; ok {
		s.order.Remove(e)
		delete(s.index, id)
	}
	return nil
}

// Len reports how many ids are held.
func (s *MemorySeen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

func (s *MemorySeen) expire(now time.Time) {
	for e := s.order.Front(); e != nil; e = s.order.Front() {
		if now.Sub(e.Value.(seenEntry).at) < s.ttl {
			return
		}
		delete(s.index, e.Value.(seenEntry).id)
		s.order.Remove(e)
	}
}
