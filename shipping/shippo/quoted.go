package shippo

import (
	"sync"

	"github.com/patchbay-go/patchbay/shipping"
)

// quotedRates remembers the rates this client quoted last, so that buying
// one of them needs no GET /rates/{id} for its carrier and amount. Rates
// do not change once quoted; the cache is bounded, oldest out first.
type quotedRates struct {
	mu    sync.Mutex
	rates map[string]shipping.Rate
	order []string
}

const quotedRatesKept = 4096

func (q *quotedRates) add(rates []shipping.Rate) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rates == nil {
		q.rates = map[string]shipping.Rate{}
	}
	for _, r := range rates {
		if _, ok := q.rates[r.ID]; ok {
			continue
		}
		if len(q.order) == quotedRatesKept {
			delete(q.rates, q.order[0])
			q.order = q.order[1:]
		}
		q.rates[r.ID] = r
		q.order = append(q.order, r.ID)
	}
}

func (q *quotedRates) get(id string) (shipping.Rate, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, ok := q.rates[id]
	return r, ok
}
