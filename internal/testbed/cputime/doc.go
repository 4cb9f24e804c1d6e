// Package cputime reads the CPU time the process has used, the measure of
// the benchmarks' records per CPU second (on a shared machine, wall time
// counts the other processes' turns too).
package cputime
