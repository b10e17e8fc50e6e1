// Package spec is the conformance harness: it checks what connectors send
// and what sandboxes answer against the vendors' official specifications,
// which live outside the repository in the folder named by PATCHBAY_SPECS
// (../shared/specs beside the repo). Under CI=true a missing folder fails
// the test; elsewhere the test skips and says how to point at the specs.
package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the folder of vendor specs.
const EnvVar = "PATCHBAY_SPECS"

// Reporter is the part of testing.TB the validators report to.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Path returns the absolute path of a file under the spec folder, skipping
// the test (or failing it under CI=true) when the folder or file is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv(EnvVar)
	if dir == "" {
		missing(t, EnvVar+" is not set")
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(t, "spec file "+rel+" not found under "+EnvVar+"="+dir)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("conformance: %s; CI must run with the vendor specs (PATCHBAY_SPECS=../shared/specs)", why)
	}
	t.Skipf("conformance: %s; run `make test`, or set %s to the vendor spec folder (../shared/specs beside the repo)", why, EnvVar)
}

// StripeMockURL is where stripe-mock listens (STRIPE_MOCK_URL, set by
// `make conformance`): Stripe's own server for its current spec. Missing,
// the test skips, or fails under CI=true.
func StripeMockURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("STRIPE_MOCK_URL")
	if u == "" {
		missing(t, "STRIPE_MOCK_URL is not set (make conformance starts stripe-mock)")
	}
	return u
}
