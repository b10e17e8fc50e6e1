// Package accounting is the vendor-neutral contract for accounting and
// invoicing systems: customers, invoices and payments, and the small
// interfaces every accounting vendor package implements. Money is
// github.com/govalues/money everywhere: an exact decimal with an ISO 4217
// currency, never a float.
//
// Every vendor passes accountingtest.Run against its sandbox.
package accounting
