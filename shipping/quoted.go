package shipping

import "sync"

// quotedKept bounds a Quoted: enough for every rate a busy client quoted
// recently, and no more.
const quotedKept = 4096

// Quoted remembers what a client quoted for each rate id, so that buying a
// rate needs no call to read it back: a quoted rate does not change. It
// keeps the newest 4,096, oldest out first, and is safe for concurrent use.
// Carrier packages keep one per client; T is what they need of a rate.
type Quoted[T any] struct {
	mu    sync.Mutex
	byID  map[string]T
	order []string
}

// Add remembers v under id; an id already known keeps its first value.
func (q *Quoted[T]) Add(id string, v T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byID == nil {
		q.byID = map[string]T{}
	}
	if _, ok := q.byID[id]; ok {
		return
	}
	if len(q.order) == quotedKept {
		delete(q.byID, q.order[0])
		q.order = q.order[1:]
	}
	q.byID[id] = v
	q.order = append(q.order, id)
}

// Get returns what was quoted under id.
func (q *Quoted[T]) Get(id string) (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	v, ok := q.byID[id]
	return v, ok
}
