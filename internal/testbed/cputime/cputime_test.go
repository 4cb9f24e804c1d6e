package cputime

import "testing"

func TestProcessAdvances(t *testing.T) {
	before := Process()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	if x == 0 || Process() < before {
		t.Errorf("the CPU time went back: %v then %v", before, Process())
	}
}
