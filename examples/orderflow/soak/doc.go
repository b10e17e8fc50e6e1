// Package soak proves the order service at scale on one machine: the
// shared sandboxes (examples/sandboxes) and two orderflow -listen worker
// processes on one PostgreSQL, orders arriving as webhooks at a steady
// rate through a front that spreads them over the workers, vendor faults,
// webhooks the shop never sends (reconciliation finds them), and both
// workers killed with SIGKILL and restarted at random. At the end every
// order is done, each record exactly once.
//
// make test runs it with 150 orders; make soak with 10,000
// (PATCHBAY_SERVICE_SOAK_ORDERS), and docs/benchmarks.md has its figures.
package soak
