//go:build !linux

package costcheck

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
