//go:build !unix

package demo

import "time"

// cpuTime is not measured here: records/cpu-s reads as 0.
func cpuTime() time.Duration { return 0 }
