package flowenv

import (
	"context"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
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
