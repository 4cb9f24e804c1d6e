//go:build !unix

package handler

import "time"

// cpuTime is unknown here: records/cpu-s is not reported.
func cpuTime() time.Duration { return 0 }
