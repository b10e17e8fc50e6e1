// Package bench compares the cost of a call through Patchbay's connector
// stack with raw net/http and with peer HTTP clients (go-retryablehttp,
// resty), in one run on one machine. It is its own module, so that the peers
// never become dependencies of the core. Results: docs/benchmarks.md.
package bench
