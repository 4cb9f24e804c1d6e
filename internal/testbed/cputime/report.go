package cputime

import "time"

// Benchmark is what ReportRecords needs of a *testing.B.
type Benchmark interface {
	Elapsed() time.Duration
	ReportMetric(n float64, unit string)
}

// ReportRecords reports a benchmark's records per second of wall time, and
// per second of the CPU time the process used since cpuStart (Process).
func ReportRecords(b Benchmark, records float64, cpuStart time.Duration) {
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	if cpu := Process() - cpuStart; cpu > 0 {
		b.ReportMetric(records/cpu.Seconds(), "records/cpu-s")
	}
}
