//go:build !linux

package classify_test

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
