module github.com/patchbay-go/patchbay/examples/temporal

go 1.26.0

require github.com/patchbay-go/patchbay v0.0.0

require go.temporal.io/sdk v1.50.0 // indirect

replace github.com/patchbay-go/patchbay => ../../
