package connector

import (
	"testing"
	"time"
)

// Scenario 6, parsing: seconds and the three HTTP-date forms are read;
// negative and garbage values are not.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(1994, 11, 6, 8, 49, 30, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"2", 2 * time.Second, true},
		{" 2 ", 2 * time.Second, true},
		{"0", 0, true},
		{"3600", time.Hour, true},
		{"Sun, 06 Nov 1994 08:49:37 GMT", 7 * time.Second, true},  // IMF-fixdate
		{"Sunday, 06-Nov-94 08:49:37 GMT", 7 * time.Second, true}, // RFC 850
		{"Sun Nov  6 08:49:37 1994", 7 * time.Second, true},       // ANSI C asctime
		{"Sun, 06 Nov 1994 08:49:00 GMT", 0, true},                // in the past
		{"99999999999999999999", 0, false},                        // overflows
		{"-1", 0, false},
		{"abc", 0, false},
		{"1.5", 0, false},
		{"", 0, false},
		{"Fri, 31 Dec 2100 23:59:59 GMT", 365 * 24 * time.Hour, true}, // capped like seconds
		{"99999999", 365 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.value, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, v)
		}
		if !ok && d != 0 {
			t.Fatalf("rejected %q but returned %v", v, d)
		}
	})
}
