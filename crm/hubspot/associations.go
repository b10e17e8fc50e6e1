package hubspot

import (
	"context"
	"iter"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// AssociationsService links records through the CRM v4 associations API,
// as crm.Associations.
// https://developers.hubspot.com/docs/api-reference/latest/crm/associations/guide
type AssociationsService struct {
	c *connector.Client
}

// objectTypes maps the neutral types to HubSpot's path names.
var objectTypes = map[crm.ObjectType]string{crm.ContactObject: "contacts", crm.CompanyObject: "companies", crm.DealObject: "deals", crm.NoteObject: "notes"}

func hubspotType(t crm.ObjectType) (string, error) {
	if name, ok := objectTypes[t]; ok {
		return name, nil
	}
	return "", connector.InvalidInput("hubspot", "associations", "unknown object type "+string(t))
}

// Associate links from and to with HubSpot's default association (both
// directions). It is a PUT: doing it twice is the same as once.
//
// HubSpot API: PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}.
func (s *AssociationsService) Associate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	p, err := s.pairPath(from, to, "/associations/default/")
	if err != nil {
		return err
	}
	return s.c.JSON(ctx, http.MethodPut, p, nil, nil, append(opts, connector.WithOperation("associations.associate"))...)
}

// Dissociate removes every association between from and to.
//
// HubSpot API: DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}.
func (s *AssociationsService) Dissociate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	p, err := s.pairPath(from, to, "/associations/")
	if err != nil {
		return err
	}
	return s.c.JSON(ctx, http.MethodDelete, p, nil, nil, append(opts, connector.WithOperation("associations.dissociate"))...)
}

func (s *AssociationsService) pairPath(from, to crm.Ref, middle string) (string, error) {
	ft, err := hubspotType(from.Type)
	if err != nil {
		return "", err
	}
	tt, err := hubspotType(to.Type)
	if err != nil {
		return "", err
	}
	return "/crm/v4/objects/" + ft + "/" + url.PathEscape(from.ID) + middle + tt + "/" + url.PathEscape(to.ID), nil
}

// Associated lists the records of type to linked to from, 500 a page.
//
// HubSpot API: GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}.
func (s *AssociationsService) Associated(ctx context.Context, from crm.Ref, to crm.ObjectType) iter.Seq2[crm.Ref, error] {
	ft, ferr := hubspotType(from.Type)
	tt, terr := hubspotType(to)
	fetch := func(ctx context.Context, after string) (connector.Page[crm.Ref], error) {
		if ferr != nil {
			return connector.Page[crm.Ref]{}, ferr
		}
		if terr != nil {
			return connector.Page[crm.Ref]{}, terr
		}
		p := "/crm/v4/objects/" + ft + "/" + url.PathEscape(from.ID) + "/associations/" + tt + "?limit=500"
		if after != "" {
			p += "&after=" + url.QueryEscape(after)
		}
		var resp associationPage
		if err := s.c.JSON(ctx, http.MethodGet, p, nil, &resp, connector.WithOperation("associations.list")); err != nil {
			return connector.Page[crm.Ref]{}, err
		}
		return resp.refs(to), nil
	}
	return connector.All(ctx, fetch)
}
