package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestReenrichRefusesBeforeReadingAnything checks the arguments that are
// refused before any AWS call (exit status 2): the re-enrichment itself is
// tested on moto in package reenrich.
func TestReenrichRefusesBeforeReadingAnything(t *testing.T) {
	closed := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	recent := time.Now().UTC().Truncate(time.Hour)
	args := func(from, to time.Time, more ...string) []string {
		return append([]string{"reenrich", "--log-group", "/vpc/flow", "--bucket", "b", "--table", "t",
			"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339)}, more...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no log group", []string{"reenrich", "--from", "x"}, "--log-group is required"},
		{"bad time", append(args(closed, closed.Add(time.Hour))[:9], "--to", "yesterday"), `--to "yesterday"`},
		{"not whole hours", args(closed.Add(time.Minute), closed.Add(time.Hour)), "want whole hours"},
		{"empty", args(closed, closed), "is empty"},
		{"not closed", args(recent.Add(-2*time.Hour), recent), "may still write rows"},
		{"settle shortened, ends in the future", args(recent, recent.Add(time.Hour), "--settle", "1m"), "may still write rows"},
		{"bad output", args(closed, closed.Add(time.Hour), "--output", "csv"), `unknown output format "csv"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, strings.NewReader(""), &stdout, &stderr); got != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want it to say %q", stderr.String(), tc.want)
			}
		})
	}
}
