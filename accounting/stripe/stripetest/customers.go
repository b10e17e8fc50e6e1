package stripetest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

type customer struct {
	id, name, email, phone string
	address                map[string]any
	metadata               map[string]string
	created                time.Time
}

func (c *customer) render() map[string]any {
	out := map[string]any{"id": c.id, "object": "customer", "name": nullable(c.name), "email": nullable(c.email),
		"phone": nullable(c.phone), "address": c.address, "created": c.created.Unix(), "currency": nil, "livemode": false,
		"metadata": orEmpty(c.metadata), "balance": 0, "delinquent": false, "description": nil, "invoice_prefix": strings.ToUpper(c.id[4:12])}
	return out
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &customer{id: s.id("cus"), created: s.Now(), metadata: map[string]string{}}
	if msg, param := applyCustomer(c, f); msg != "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_string", param, msg)
		return
	}
	s.customers[c.id] = c
	s.custOrder = append(s.custOrder, c.id)
	s.record("customer.created", c.render())
	writeJSON(w, http.StatusOK, c.render())
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[r.PathValue("id")]
	if c == nil {
		notFound(w, "customer", r.PathValue("id"))
		return
	}
	if msg, param := applyCustomer(c, f); msg != "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_string", param, msg)
		return
	}
	s.record("customer.updated", c.render())
	writeJSON(w, http.StatusOK, c.render())
}

// applyCustomer sets the fields the form carries.
func applyCustomer(c *customer, f map[string][]string) (msg, param string) {
	get := func(k string) (string, bool) {
		v, ok := f[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	if v, ok := get("email"); ok {
		if v != "" && !strings.Contains(v, "@") {
			return "Invalid email address: " + v, "email"
		}
		c.email = v
	}
	if v, ok := get("name"); ok {
		c.name = v
	}
	if v, ok := get("phone"); ok {
		c.phone = v
	}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") {
			c.metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	fields := []string{"line1", "line2", "city", "state", "postal_code", "country"}
	for _, k := range fields {
		if v, ok := get("address[" + k + "]"); ok {
			if c.address == nil {
				c.address = map[string]any{"line1": nil, "line2": nil, "city": nil, "state": nil, "postal_code": nil, "country": nil}
			}
			c.address[k] = nullable(v)
		}
	}
	return "", ""
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[r.PathValue("id")]
	if c == nil {
		notFound(w, "customer", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, c.render())
}

// listCustomers is GET /v1/customers, newest first, filtered by exact
// email if asked.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []map[string]any
	for _, id := range slices.Backward(s.custOrder) {
		c := s.customers[id]
		if email := f.Get("email"); email != "" && c.email != email {
			continue
		}
		items = append(items, c.render())
	}
	writeList(w, r, "/v1/customers", items)
}
