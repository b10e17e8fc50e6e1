package flowtest

import (
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// startCRM starts the CRM sandbox of vendor and sets the flow's CRM on it.
func (e *Env) startCRM(sys *flow.Systems, vendor string, opts []connector.Option) error {
	switch vendor {
	case "hubspot":
		token := "pat-na1-" + connectortest.RandomHex(16)
		e.HubSpot = hubspottest.NewServer(hubspottest.WithToken(token))
		e.track("HubSpot", vendor, e.HubSpot)
		e.share("PATCHBAY_HUBSPOT_URL", e.HubSpot.URL(), "PATCHBAY_HUBSPOT_TOKEN", token)
		c, err := hubspot.New(hubspot.Config{BaseURL: e.HubSpot.URL(), Auth: e.HubSpot.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Contacts, sys.Deals, sys.Notes = c.Contacts, c.Deals, c.Notes
	case "pipedrive":
		token := connectortest.RandomHex(20)
		e.Pipedrive = pipedrivetest.NewServer(pipedrivetest.WithToken(token))
		e.track("Pipedrive", vendor, e.Pipedrive)
		e.share("PATCHBAY_PIPEDRIVE_URL", e.Pipedrive.URL(), "PATCHBAY_PIPEDRIVE_API_TOKEN", token)
		c, err := pipedrive.New(pipedrive.Config{BaseURL: e.Pipedrive.URL(), Auth: e.Pipedrive.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Contacts, sys.Deals, sys.Notes = c.Contacts, c.Deals, c.Notes
	case "salesforce":
		// A multi-currency org with the shop's currencies active.
		e.Salesforce = salesforcetest.NewServer(salesforcetest.WithCurrencies("NZD", "USD", "EUR", "GBP", "AUD"))
		e.track("Salesforce", vendor, e.Salesforce)
		e.share("PATCHBAY_SALESFORCE_URL", e.Salesforce.URL(), "PATCHBAY_SALESFORCE_ACCESS_TOKEN", e.Salesforce.SessionID())
		c, err := salesforce.New(salesforce.Config{BaseURL: e.Salesforce.URL(), Auth: e.Salesforce.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Contacts, sys.Deals, sys.Notes, sys.Sales = c.Contacts, c.Deals, c.Notes, c.Sales
	default:
		return unknownVendor("CRM", vendor)
	}
	return nil
}

// crmCounts reads the contacts, deals and notes the CRM sandbox holds.
func (e *Env) crmCounts() (contacts, deals, notes int) {
	switch {
	case e.HubSpot != nil:
		return e.HubSpot.Count("contacts"), e.HubSpot.Count("deals"), e.HubSpot.Count("notes")
	case e.Pipedrive != nil:
		return e.Pipedrive.Count("persons"), e.Pipedrive.Count("deals"), e.Pipedrive.Count("notes")
	case e.Salesforce != nil:
		return e.Salesforce.Count("Contact"), e.Salesforce.Count("Opportunity"), e.Salesforce.Count("Task")
	}
	return 0, 0, 0
}
