package salesforce

import (
	"context"
	"fmt"
	"iter"
	"net/http"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// AssociationsService is crm.Associations over Salesforce's lookups: a
// contact's company is Contact.AccountId, a deal's company
// Opportunity.AccountId (one each), and a deal's contacts are
// OpportunityContactRole records (many).
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitycontactrole.htm
type AssociationsService struct{ o *org }

// link is what a pair of records is linked by.
type link int

const (
	noLink         link = iota
	contactAccount      // Contact.AccountId
	dealAccount         // Opportunity.AccountId
	dealContact         // OpportunityContactRole
)

// linkOf orders a pair as (child, parent) and names its link.
func linkOf(a, b crm.Ref) (child, parent crm.Ref, l link) {
	pairs := []struct {
		child, parent crm.ObjectType
		l             link
	}{{crm.ContactObject, crm.CompanyObject, contactAccount}, {crm.DealObject, crm.CompanyObject, dealAccount}, {crm.DealObject, crm.ContactObject, dealContact}}
	for _, p := range pairs {
		switch {
		case a.Type == p.child && b.Type == p.parent:
			return a, b, p.l
		case b.Type == p.child && a.Type == p.parent:
			return b, a, p.l
		}
	}
	return a, b, noLink
}

// Associate sets the lookup, or adds the contact role if the deal and
// contact have none yet. Linking twice is the same as once.
func (s *AssociationsService) Associate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	const op = "associations.associate"
	child, parent, l := linkOf(from, to)
	if err := checkPair(op, child, parent, l); err != nil {
		return err
	}
	switch l {
	case contactAccount:
		_, err := s.o.save(ctx, http.MethodPatch, sobjectPath("Contact", child.ID), op, map[string]any{"AccountId": parent.ID}, "Contact", opts)
		return err
	case dealAccount:
		_, err := s.o.save(ctx, http.MethodPatch, sobjectPath("Opportunity", child.ID), op, map[string]any{"AccountId": parent.ID}, "Opportunity", opts)
		return err
	}
	return s.o.linkDealContact(ctx, op, child.ID, parent.ID, opts)
}

func checkPair(op string, child, parent crm.Ref, l link) error {
	if l == noLink {
		return connector.InvalidInput("salesforce", op, fmt.Sprintf("Salesforce links no %s to a %s", child.Type, parent.Type))
	}
	for _, id := range []string{child.ID, parent.ID} {
		if !validID(id) {
			return notFound(op, id)
		}
	}
	return nil
}

// linkDealContact makes sure one OpportunityContactRole links the deal and
// the contact: it looks for one, then upserts by "ocr:<deal>:<contact>"
// in the External ID field, so that two links racing make one role.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
func (o *org) linkDealContact(ctx context.Context, op, dealID, contactID string, opts []connector.CallOption) error {
	if !validID(dealID) || !validID(contactID) {
		return notFound(op, contactID)
	}
	_, ok, err := o.first(ctx, op, "SELECT Id FROM OpportunityContactRole WHERE OpportunityId = "+soqlString(dealID)+
		" AND ContactId = "+soqlString(contactID)+" LIMIT 1")
	if err != nil || ok {
		return err
	}
	_, err = o.upsert(ctx, "OpportunityContactRole", ocrKey(dealID, contactID), op,
		map[string]any{"OpportunityId": dealID, "ContactId": contactID}, opts)
	return err
}

func ocrKey(dealID, contactID string) string { return "ocr:" + dealID + ":" + contactID }

// Associated lists the linked records of a type, each once.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
func (s *AssociationsService) Associated(ctx context.Context, from crm.Ref, to crm.ObjectType) iter.Seq2[crm.Ref, error] {
	const op = "associations.list"
	return func(yield func(crm.Ref, error) bool) {
		if !validID(from.ID) {
			yield(crm.Ref{}, notFound(op, from.ID))
			return
		}
		id := soqlString(from.ID)
		var soql, field string
		switch {
		case from.Type == crm.ContactObject && to == crm.CompanyObject:
			soql, field = "SELECT AccountId FROM Contact WHERE Id = "+id, "AccountId"
		case from.Type == crm.DealObject && to == crm.CompanyObject:
			soql, field = "SELECT AccountId FROM Opportunity WHERE Id = "+id, "AccountId"
		case from.Type == crm.CompanyObject && to == crm.ContactObject:
			soql, field = "SELECT Id FROM Contact WHERE AccountId = "+id+" ORDER BY CreatedDate ASC, Id ASC", "Id"
		case from.Type == crm.CompanyObject && to == crm.DealObject:
			soql, field = "SELECT Id FROM Opportunity WHERE AccountId = "+id+" ORDER BY CreatedDate ASC, Id ASC", "Id"
		case from.Type == crm.ContactObject && to == crm.DealObject:
			soql, field = "SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = "+id+" ORDER BY CreatedDate ASC, Id ASC", "OpportunityId"
		case from.Type == crm.DealObject && to == crm.ContactObject:
			soql, field = "SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = "+id+" ORDER BY CreatedDate ASC, Id ASC", "ContactId"
		default:
			yield(crm.Ref{}, connector.InvalidInput("salesforce", op, fmt.Sprintf("Salesforce links no %s to a %s", to, from.Type)))
			return
		}
		seen := map[string]bool{}
		for x, err := range s.o.query(ctx, op, soql) {
			if err != nil {
				yield(crm.Ref{}, err)
				return
			}
			v := x.r.str(field)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			if !yield(crm.Ref{Type: to, ID: v}, nil) {
				return
			}
		}
	}
}

// Dissociate clears the lookup if it points at the record, or deletes the
// deal's contact roles for the contact.
func (s *AssociationsService) Dissociate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	const op = "associations.dissociate"
	child, parent, l := linkOf(from, to)
	if err := checkPair(op, child, parent, l); err != nil {
		return err
	}
	if l == dealContact {
		var ids []string
		for x, err := range s.o.query(ctx, op, "SELECT Id FROM OpportunityContactRole WHERE OpportunityId = "+soqlString(child.ID)+
			" AND ContactId = "+soqlString(parent.ID)) {
			if err != nil {
				return err
			}
			ids = append(ids, x.r.str("Id"))
		}
		for _, id := range ids {
			if err := s.o.remove(ctx, "OpportunityContactRole", id, op, opts); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	}
	object := "Contact"
	if l == dealAccount {
		object = "Opportunity"
	}
	x, ok, err := s.o.first(ctx, op, "SELECT AccountId FROM "+object+byID(child.ID))
	if err != nil {
		return err
	}
	if !ok {
		return missing(op, object+" "+child.ID)
	}
	if x.r.str("AccountId") != parent.ID {
		return nil // not linked to it
	}
	_, err = s.o.save(ctx, http.MethodPatch, sobjectPath(object, child.ID), op, map[string]any{"AccountId": nil}, object, opts)
	return err
}
