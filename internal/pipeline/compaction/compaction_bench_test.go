package compaction_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// BenchmarkCompact measures the compaction's merge of one hour partition
// of staged parts (Parquet, or gzip NDJSON) into Parquet objects, on a
// local directory so that S3 does not count: rows per CPU second, and the
// bytes read and written per run.
func BenchmarkCompact(b *testing.B) {
	for _, format := range []s3sink.Format{s3sink.Parquet, s3sink.NDJSON} {
		b.Run("parts="+string(format), func(b *testing.B) {
			const parts, rowsPerPart = 200, 250
			hour := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
			dir := compaction.Dir(b.TempDir())
			sink, err := s3sink.New(s3sink.Dir(dir), "local", "rows/", format)
			if err != nil {
				b.Fatal(err)
			}
			stage := func() {
				for i := range parts {
					stagePart(b, sink.Staged(), fmt.Sprintf("k-abc-shard-%d-%d", 10*i, 10*i+9), testRows(hour, rowsPerPart, i))
				}
			}
			c, err := compaction.New(dir, compaction.Options{Prefix: "rows/", Now: func() time.Time { return hour.Add(3 * time.Hour) }})
			if err != nil {
				b.Fatal(err)
			}
			var st compaction.Stats
			var cpu time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				stage()
				// Each run writes a new group's manifest; a run must not find
				// the last one's.
				_ = dir.Delete(context.Background(), keysOf(b, dir, "rows/"+compaction.ManifestDir+"/"))
				b.StartTimer()
				began := cputime.Process()
				if st, err = c.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				cpu += cputime.Process() - began
				if st.Rows != parts*rowsPerPart {
					b.Fatalf("%d rows merged, want %d", st.Rows, parts*rowsPerPart)
				}
			}
			// On a shared machine wall time counts other processes' turns:
			// rows per CPU second of the process is the measure.
			b.ReportMetric(float64(st.Rows)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
			b.ReportMetric(float64(st.BytesIn), "bytes-in/op")
			b.ReportMetric(float64(st.BytesOut), "bytes-out/op")
		})
	}
}

func keysOf(tb testing.TB, store compaction.Store, prefix string) []string {
	return listed(tb, store, prefix)
}
