package flowenv

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

var hubspotEnv = vendorEnv{system: "CRM", name: "hubspot", title: "HubSpot",
	urlVar: "PATCHBAY_HUBSPOT_URL", credVar: "PATCHBAY_HUBSPOT_TOKEN", credWhat: "HubSpot needs a private app's access token (pat-...)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		hs, err := hubspot.New(hubspot.Config{BaseURL: c.base, Auth: connector.Bearer(c.cred)}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_HUBSPOT_TOKEN", err.Error()}
		}
		s.Contacts, s.Deals, s.Notes = hs.Contacts, hs.Deals, hs.Notes
		return nil
	}}

var pipedriveEnv = vendorEnv{system: "CRM", name: "pipedrive", title: "Pipedrive",
	urlVar: "PATCHBAY_PIPEDRIVE_URL", credVar: "PATCHBAY_PIPEDRIVE_API_TOKEN", credWhat: "Pipedrive needs a personal API token",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		pd, err := pipedrive.New(pipedrive.Config{BaseURL: c.base, Auth: pipedrive.APIToken(c.cred)}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_PIPEDRIVE_API_TOKEN", err.Error()}
		}
		s.Contacts, s.Deals, s.Notes = pd.Contacts, pd.Deals, pd.Notes
		return nil
	}}

// Salesforce takes a session (PATCHBAY_SALESFORCE_ACCESS_TOKEN) or a
// connected app's refresh token; its API host is the org's instance URL.
var salesforceEnv = vendorEnv{system: "CRM", name: "salesforce", title: "Salesforce",
	urlVar: "PATCHBAY_SALESFORCE_URL", credVar: "PATCHBAY_SALESFORCE_ACCESS_TOKEN",
	credentials: "PATCHBAY_SALESFORCE_ACCESS_TOKEN, or PATCHBAY_SALESFORCE_CLIENT_ID, _CLIENT_SECRET and _REFRESH_TOKEN",
	configure:   configureSalesforce}

func configureSalesforce(_ context.Context, s *flow.Systems, c setup) error {
	if err := need(c.base, "PATCHBAY_SALESFORCE_URL", "the org's instance URL (instance_url of the token answer), https://example.my.salesforce.com"); err != nil {
		return err
	}
	auth := connector.Bearer(c.cred)
	if c.cred == "" {
		id, secret, refresh := Lookup("PATCHBAY_SALESFORCE_CLIENT_ID"), Lookup("PATCHBAY_SALESFORCE_CLIENT_SECRET"), Lookup("PATCHBAY_SALESFORCE_REFRESH_TOKEN")
		for _, v := range [][3]string{{id, "PATCHBAY_SALESFORCE_CLIENT_ID", "the connected app's consumer key (or set PATCHBAY_SALESFORCE_ACCESS_TOKEN)"},
			{secret, "PATCHBAY_SALESFORCE_CLIENT_SECRET", "the connected app's consumer secret"},
			{refresh, "PATCHBAY_SALESFORCE_REFRESH_TOKEN", "a refresh token from the web-server flow (scope refresh_token)"}} {
			if err := need(v[0], v[1], v[2]); err != nil {
				return err
			}
		}
		login := orDefault(Lookup("PATCHBAY_SALESFORCE_LOGIN_URL"), salesforce.DefaultLoginURL)
		if err := checkURL("PATCHBAY_SALESFORCE_LOGIN_URL", login); err != nil {
			return err
		}
		app := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: salesforce.Endpoint(login)}
		src, err := oauth.NewSource(oauth.Config{OAuth2: app, Store: oauth.NewMemoryStore(&oauth2.Token{RefreshToken: refresh}), HTTPClient: c.hc})
		if err != nil {
			return &ConfigError{"PATCHBAY_SALESFORCE_CLIENT_ID", err.Error()}
		}
		auth = salesforce.OAuth2(src, app)
	}
	sf, err := salesforce.New(salesforce.Config{BaseURL: c.base, Auth: auth, ExternalIDField: Lookup("PATCHBAY_SALESFORCE_EXTERNAL_ID_FIELD"),
		Currency: Lookup("PATCHBAY_SALESFORCE_CURRENCY")}, c.opts...)
	if err != nil {
		return &ConfigError{"PATCHBAY_SALESFORCE_URL", err.Error()}
	}
	s.Contacts, s.Deals, s.Notes, s.Sales = sf.Contacts, sf.Deals, sf.Notes, sf.Sales
	return nil
}
