package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

func ExampleNew() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer pat-example-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"id":"42","email":"ada@example.com"}`))
	}))
	defer vendor.Close()

	// A vendor package declares its vendor once; a user adds options.
	client, err := connector.New(connector.Vendor{
		Name:    "examplecrm",
		BaseURL: vendor.URL,
		Auth:    connector.Bearer("pat-example-token"),
	}, connector.WithAttemptTimeout(10*time.Second))
	if err != nil {
		panic(err)
	}
	var contact struct{ ID, Email string }
	if err := client.JSON(context.Background(), http.MethodGet, "/contacts/42", nil, &contact); err != nil {
		panic(err)
	}
	fmt.Println(contact.ID, contact.Email)
	// Output: 42 ada@example.com
}

func ExampleAPIError() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Contact 7 does not exist","category":"OBJECT_NOT_FOUND"}`))
	}))
	defer vendor.Close()
	client, _ := connector.New(connector.Vendor{Name: "examplecrm", BaseURL: vendor.URL})

	err := client.JSON(context.Background(), http.MethodGet, "/contacts/7", nil, nil, connector.WithOperation("contacts.get"))
	var apiErr *connector.APIError
	if errors.Is(err, connector.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	}
	fmt.Println(err)
	// Output:
	// 404 OBJECT_NOT_FOUND req-7
	// examplecrm: contacts.get: 404 not found (OBJECT_NOT_FOUND): Contact 7 does not exist [request id req-7]
}

func ExampleDeriveKey() {
	// The same order and step always give the same key, so a re-run after a
	// crash creates nothing twice.
	a := connector.DeriveKey("order", "1001", "invoice")
	b := connector.DeriveKey("order", "1001", "invoice")
	c := connector.DeriveKey("order", "1001", "label")
	fmt.Println(a == b, a == c, len(a))
	// Output: true false 35
}

func ExampleAll() {
	// A vendor list with a next-page cursor; here an offset as text.
	records := []string{"a", "b", "c", "d", "e"}
	fetch := func(ctx context.Context, cursor string) (connector.Page[string], error) {
		off, _ := strconv.Atoi(cursor)
		end := min(off+2, len(records))
		page := connector.Page[string]{Items: records[off:end]}
		if end < len(records) {
			page.Next = strconv.Itoa(end)
		}
		return page, nil
	}
	for rec, err := range connector.All(context.Background(), fetch) {
		if err != nil {
			panic(err)
		}
		fmt.Print(rec, " ")
	}
	fmt.Println()
	// Output: a b c d e
}

// Two clients of one vendor account (two processes, sharing a database's
// sqlstore.DB.Budgets; here a memory budget) draw on the one limit the
// vendor documents: together they never send more than it allows. A call
// whose turn would come after its deadline is not sent.
func ExampleWithSharedBudget() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{}`))
	}))
	defer vendor.Close()
	budget := connector.NewMemoryBudget()
	account := connector.Vendor{
		Name:    "examplecrm",
		BaseURL: vendor.URL,
		Limit:   connector.Within(2, time.Minute), // the vendor's "2 calls a minute"
	}
	a, _ := connector.New(account, connector.WithSharedBudget(budget, "acme"))
	b, _ := connector.New(account, connector.WithSharedBudget(budget, "acme"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fmt.Println(a.JSON(ctx, http.MethodGet, "/ping", nil, nil))
	err := b.JSON(ctx, http.MethodGet, "/ping", nil, nil)
	var apiErr *connector.APIError
	if errors.As(err, &apiErr) && errors.Is(err, connector.ErrRateLimited) {
		fmt.Println("b waits", apiErr.RetryAfter.Round(time.Second), "for the budget a spent")
	}
	// Output:
	// <nil>
	// b waits 1m7s for the budget a spent
}
