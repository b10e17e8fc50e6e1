module github.com/patchbay-go/patchbay/bench

go 1.26.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/govalues/decimal v0.1.36
	github.com/govalues/money v0.2.4
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/patchbay-go/patchbay v0.0.0
	github.com/stripe/stripe-go/v84 v84.4.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.opentelemetry.io/otel/trace v1.47.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/oauth2 v0.37.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace github.com/patchbay-go/patchbay => ../
