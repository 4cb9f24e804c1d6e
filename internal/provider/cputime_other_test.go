//go:build !unix

package provider

import "time"

// cpuTime is not measured here; the cost test then checks calls only.
func cpuTime() time.Duration { return 0 }
