// Package crm is the vendor-neutral contract for customer relationship
// management systems: the records (contacts for now; companies, deals and
// associations follow) and the small interfaces that every CRM vendor
// package implements, checked at compile time:
//
//	var _ crm.Contacts = (*hubspot.ContactsService)(nil)
//
// Every vendor passes the same contract suite, crmtest.Run, against its
// sandbox, so code written against crm.Contacts behaves the same whatever
// the vendor behind it.
package crm
