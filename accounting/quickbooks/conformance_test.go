package quickbooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/accountingtest"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
)

// Intuit publishes XSDs, not OpenAPI: the JSON wire format mirrors their
// element and attribute names. xsdSchema reads them (encoding/xml) and
// checks a JSON document against a type: every field must be an element
// or attribute of its type (an unknown or misspelt one fails), with the
// JSON type its XSD type calls for (a decimal a number, a boolean a bool,
// a date a date, an enumeration one of its values, a repeated element an
// array).
type xsdSchema struct {
	complex map[string]*xsdNode
	simple  map[string]*xsdNode
	global  map[string]string   // element name → type
	subst   map[string][]string // substitution group → element names
	cache   map[string]map[string]xsdField
}

type xsdNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []*xsdNode `xml:",any"`
}

func (n *xsdNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

type xsdField struct {
	typ  string
	many bool
}

// specsDir is where the vendors' specs are, beside the repository.
func specsDir(t *testing.T) string {
	if d := os.Getenv("PATCHBAY_SPECS"); d != "" {
		return d
	}
	for _, d := range []string{"../../../shared/specs", "/work/shared/specs"} {
		if _, err := os.Stat(filepath.Join(d, "quickbooks")); err == nil {
			return d
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the QuickBooks XSDs are missing: set PATCHBAY_SPECS")
	}
	t.Skip("the QuickBooks XSDs are not here: set PATCHBAY_SPECS")
	return ""
}

var (
	schemaOnce sync.Once
	schema     *xsdSchema
	schemaErr  error
)

func loadXSD(t *testing.T) *xsdSchema {
	t.Helper()
	dir := filepath.Join(specsDir(t), "quickbooks")
	schemaOnce.Do(func() {
		s := &xsdSchema{complex: map[string]*xsdNode{}, simple: map[string]*xsdNode{}, global: map[string]string{},
			subst: map[string][]string{}, cache: map[string]map[string]xsdField{}}
		for _, f := range []string{"IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Finance.xsd", "SalesTax.xsd", "Report.xsd", "IntuitRestServiceDef.xsd"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				schemaErr = err
				return
			}
			var root xsdNode
			if err := xml.Unmarshal(b, &root); err != nil {
				schemaErr = fmt.Errorf("%s: %w", f, err)
				return
			}
			for _, c := range root.Children {
				name := c.attr("name")
				switch c.XMLName.Local {
				case "complexType":
					s.complex[name] = c
				case "simpleType":
					s.simple[name] = c
				case "element":
					s.global[name] = local(c.attr("type"))
					if g := c.attr("substitutionGroup"); g != "" {
						s.subst[local(g)] = append(s.subst[local(g)], name)
					}
				}
			}
		}
		schema = s
	})
	require.NoError(t, schemaErr)
	return schema
}

func local(typ string) string {
	if strings.HasPrefix(typ, "xs:") {
		return typ
	}
	if i := strings.IndexByte(typ, ':'); i >= 0 {
		return typ[i+1:]
	}
	return typ
}

// fields are the elements and attributes of a complex type, its bases'
// included.
func (s *xsdSchema) fields(typ string) map[string]xsdField {
	if f, ok := s.cache[typ]; ok {
		return f
	}
	out := map[string]xsdField{}
	s.cache[typ] = out
	if n := s.complex[typ]; n != nil {
		s.collect(n, out, false)
	}
	return out
}

func (s *xsdSchema) collect(n *xsdNode, out map[string]xsdField, many bool) {
	for _, c := range n.Children {
		switch c.XMLName.Local {
		case "annotation":
		case "sequence", "choice", "all":
			s.collect(c, out, many || c.attr("maxOccurs") == "unbounded")
		case "complexContent":
			s.collect(c, out, many)
		case "simpleContent":
			for _, e := range c.Children {
				if e.XMLName.Local == "extension" || e.XMLName.Local == "restriction" {
					out["value"] = xsdField{typ: local(e.attr("base"))}
					s.collect(e, out, false)
				}
			}
		case "extension", "restriction":
			for k, v := range s.fields(local(c.attr("base"))) {
				out[k] = v
			}
			s.collect(c, out, many)
		case "group":
			// named groups are not used by the entities checked here
		case "attribute":
			if name := c.attr("name"); name != "" {
				out[name] = xsdField{typ: local(c.attr("type"))}
			}
		case "element":
			m := many || c.attr("maxOccurs") == "unbounded"
			if r := local(c.attr("ref")); r != "" {
				if members, ok := s.subst[r]; ok {
					for _, name := range members {
						out[name] = xsdField{typ: s.global[name], many: m}
					}
				}
				if typ, ok := s.global[r]; ok {
					out[r] = xsdField{typ: typ, many: m}
				}
				continue
			}
			out[c.attr("name")] = xsdField{typ: local(c.attr("type")), many: m}
		}
	}
}

// builtin resolves a simple type to its XSD built-in base, with its
// enumeration if it has one.
func (s *xsdSchema) builtin(typ string) (string, []string) {
	for range 10 {
		if strings.HasPrefix(typ, "xs:") {
			return typ, nil
		}
		n := s.simple[typ]
		if n == nil {
			return "", nil
		}
		for _, c := range n.Children {
			if c.XMLName.Local == "restriction" {
				var enum []string
				for _, e := range c.Children {
					if e.XMLName.Local == "enumeration" {
						enum = append(enum, e.attr("value"))
					}
				}
				if len(enum) > 0 {
					return local(c.attr("base")), enum
				}
				typ = local(c.attr("base"))
			}
		}
	}
	return "", nil
}

var xsdDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// check validates v, decoded JSON, against typ; path names it in errors.
func (s *xsdSchema) check(path, typ string, v any) []string {
	if typ == "IntuitAnyType" || typ == "" {
		return nil
	}
	if _, ok := s.complex[typ]; ok {
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object (%s), got %T", path, typ, v)}
		}
		fields := s.fields(typ)
		var errs []string
		for k, fv := range obj {
			f, ok := fields[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: no element or attribute %q in %s", path, k, k, typ))
				continue
			}
			if arr, isArr := fv.([]any); isArr {
				if !f.many {
					errs = append(errs, fmt.Sprintf("%s.%s: an array, but %s occurs once", path, k, k))
					continue
				}
				for i, x := range arr {
					errs = append(errs, s.check(fmt.Sprintf("%s.%s[%d]", path, k, i), f.typ, x)...)
				}
				continue
			}
			if f.many {
				errs = append(errs, fmt.Sprintf("%s.%s: repeats in %s, want an array", path, k, typ))
				continue
			}
			errs = append(errs, s.check(path+"."+k, f.typ, fv)...)
		}
		return errs
	}
	base, enum := s.builtin(typ)
	bad := func(want string) []string {
		return []string{fmt.Sprintf("%s: want %s (%s), got %v", path, want, typ, v)}
	}
	switch base {
	case "xs:decimal", "xs:double", "xs:float", "xs:int", "xs:integer", "xs:long", "xs:positiveInteger", "xs:short", "xs:nonNegativeInteger":
		if _, ok := v.(json.Number); !ok {
			return bad("a JSON number")
		}
	case "xs:boolean":
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case "xs:date":
		if str, ok := v.(string); !ok || !xsdDate.MatchString(str) {
			return bad("a date")
		}
	case "xs:dateTime":
		str, ok := v.(string)
		if !ok {
			return bad("a date-time")
		}
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
			return bad("an RFC 3339 date-time")
		}
	case "":
		return []string{fmt.Sprintf("%s: unknown type %s", path, typ)}
	default:
		str, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		if len(enum) > 0 && !contains(enum, str) {
			return bad("one of " + strings.Join(enum, ", "))
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *xsdSchema) checkJSON(typ string, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	return s.check(typ, typ, v)
}

// requestTypes are the XSD types of the bodies the connector posts, by
// the resource after /v3/company/{realmId}/.
var requestTypes = map[string]string{"customer": "Customer", "invoice": "Invoice", "payment": "Payment", "item": "Item"}

// xsdTransport checks every request the connector sends and every answer
// the sandbox returns against the XSD.
type xsdTransport struct {
	t    *testing.T
	s    *xsdSchema
	next http.RoundTripper
	mu   sync.Mutex
	n    int
}

func (x *xsdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	if q.Get("minorversion") == "" {
		x.t.Errorf("%s %s: no minorversion", r.Method, r.URL.Path)
	}
	if r.Method == http.MethodPost {
		if id := q.Get("requestid"); id == "" || len(id) > 50 {
			x.t.Errorf("%s %s: requestid %q (want 1 to 50 characters)", r.Method, r.URL.Path, id)
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) == 4 && len(body) > 0 {
			typ, ok := requestTypes[parts[3]]
			if !ok {
				x.t.Errorf("POST %s: no XSD type known for the body", r.URL.Path)
			}
			for _, e := range x.s.checkJSON(typ, body) {
				x.t.Errorf("request POST %s: %s", r.URL.Path, e)
			}
		}
	}
	resp, err := x.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// A 401 comes from Intuit's gateway, in lower case ({"fault":
	// {"error":[...]}}), not from the API: it is not IntuitResponse.
	if resp.StatusCode != http.StatusUnauthorized {
		for _, e := range x.s.checkJSON("IntuitResponse", body) {
			x.t.Errorf("answer to %s %s (%d): %s", r.Method, r.URL.Path, resp.StatusCode, e)
		}
	}
	x.mu.Lock()
	x.n++
	x.mu.Unlock()
	return resp, nil
}

// The contract again, every request and every sandbox answer checked
// against Intuit's XSD.
func TestConformanceContract(t *testing.T) {
	s := loadXSD(t)
	accountingtest.Run(t, harness(func(t *testing.T, next http.RoundTripper) http.RoundTripper {
		x := &xsdTransport{t: t, s: s, next: next}
		t.Cleanup(func() { assert.Positive(t, x.n, "nothing was checked") })
		return x
	}))
}

// The checker can fail: a misspelt field, an unknown one, a number sent as
// text, a single value where the XSD repeats, a value outside an
// enumeration.
func TestConformanceCheckerMutations(t *testing.T) {
	s := loadXSD(t)
	good := `{"Invoice":{"Id":"1","SyncToken":"0","DocNumber":"A1","TxnDate":"2026-11-23","TotalAmt":12.5,"Line":[{"Amount":12.5,` +
		`"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":1,"UnitPrice":12.5,"TaxCodeRef":{"value":"2"}}}],` +
		`"MetaData":{"LastUpdatedTime":"2026-11-23T02:15:39-08:00"}},"time":"2026-11-23T02:15:39.000-08:00"}`
	require.Empty(t, s.checkJSON("IntuitResponse", []byte(good)))
	for name, bad := range map[string]string{
		"misspelt":     strings.Replace(good, `"DocNumber"`, `"DocNumbr"`, 1),
		"unknown":      strings.Replace(good, `"Id":"1"`, `"Id":"1","Reference":"x"`, 1),
		"number":       strings.Replace(good, `"TotalAmt":12.5`, `"TotalAmt":"12.5"`, 1),
		"once":         strings.Replace(strings.Replace(good, `"Line":[{`, `"Line":{`, 1), `}}],"MetaData"`, `}},"MetaData"`, 1),
		"enum":         strings.Replace(good, `"SalesItemLineDetail","Sales`, `"SalesLine","Sales`, 1),
		"date":         strings.Replace(good, `"2026-11-23"`, `"23/11/2026"`, 1),
		"ref":          strings.Replace(good, `{"value":"2"}`, `{"Value":"2"}`, 1),
		"entity level": strings.Replace(good, `"time":`, `"Invoices":[],"time":`, 1),
	} {
		assert.NotEmpty(t, s.checkJSON("IntuitResponse", []byte(bad)), "%s: the checker let it pass", name)
	}
}

// A multicurrency company, a deleted invoice and change data capture,
// checked against the XSD: CurrencyRef on customers, invoices and
// payments, ExchangeRate, HomeTotalAmt and HomeBalance in the answers, a
// delete and its status Deleted.
func TestConformanceMultiCurrencyAndDeletes(t *testing.T) {
	s := loadXSD(t)
	var x *xsdTransport
	srv, client := multiCurrencyVia(t, func(next http.RoundTripper) http.RoundTripper {
		x = &xsdTransport{t: t, s: s, next: next}
		return x
	})
	ctx := context.Background()
	since := srv.Now()
	srv.Advance(time.Second)
	inv, err := client.Invoices.Create(ctx, orderInvoice("ORDER-X1", "NZD", "xsd@example.com"))
	require.NoError(t, err)
	_, err = client.Invoices.Create(ctx, orderInvoice("ORDER-X2", "GBP", "xsd@example.com"))
	require.NoError(t, err)
	_, err = client.Payments.Record(ctx, accounting.Payment{InvoiceID: inv.ID, Amount: inv.Total, AccountCode: quickbookstest.BankAccount})
	require.NoError(t, err)
	gone, err := client.Invoices.Create(ctx, orderInvoice("ORDER-X3", "USD", "xsd-usd@example.com"))
	require.NoError(t, err)
	require.NoError(t, client.Invoices.Delete(ctx, gone.ID))
	for _, entity := range []string{"Invoice", "Customer", "Payment"} {
		for _, err := range client.Changes(ctx, entity, since) {
			require.NoError(t, err)
		}
	}
	assert.GreaterOrEqual(t, x.n, 10)
}
