//go:build !linux || !(amd64 || arm64)

package report

// exchange cannot swap directories atomically here.
func exchange(a, b string) error { return errExchangeUnsupported }
