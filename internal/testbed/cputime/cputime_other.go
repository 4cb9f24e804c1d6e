//go:build !unix

package cputime

import "time"

// Process is not measured here: it returns 0, and rates per CPU second
// read as 0.
func Process() time.Duration { return 0 }
