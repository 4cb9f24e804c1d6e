package sizing

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Guide is everything the sizing guide shows.
type Guide struct {
	Figures  Figures
	Estate   Estate
	Prices   Prices
	Estimate Estimate
	// S3 is the same estate reading flow logs delivered to S3.
	S3 *Estimate
	// Command is the command that measured the figures and wrote the guide.
	Command string
	// Method says, by figure, how it was measured.
	Method map[string]string
}

// Render writes the guide as tfplugindocs template Markdown.
func Render(w io.Writer, g Guide) error {
	var b strings.Builder
	e, est := g.Estate, g.Estimate
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("---\npage_title: \"Sizing an organisation\"\nsubcategory: \"Guides\"\ndescription: |-\n")
	p("  Shards, concurrency, objects, bytes scanned and the monthly cost per billion records of an organisation of %s accounts, from figures measured on this version of the enricher.\n---\n\n", count(float64(e.Accounts)))
	p("# Sizing an organisation\n\n")
	p("This page sizes the pipeline for an organisation of **%s accounts, %s network interfaces and %s flow log records a second**, ",
		count(float64(e.Accounts)), count(float64(e.Interfaces)), count(e.RecordsPerSecond))
	p("the module's Kinesis path (`mode = \"kinesis\"`) with %s rows, from figures measured on the enricher this provider embeds. ", e.Format)
	p("Every number below is recomputed by one command, which runs the benchmarks and writes this page:\n\n```shell\n%s\n```\n\n", g.Command)
	p("The figures depend on the machine (CPU) and on the traffic (how many records fold into a row). Rerun the command on a machine like Lambda's, or put your own traffic through `enricher` and adjust.\n\n")

	p("## Measured figures\n\n| figure | value | how |\n|---|---|---|\n")
	for _, m := range g.Figures.Modes() {
		how := g.Method["cpu"]
		if detail := g.Method["cpu:"+m]; detail != "" {
			how += "; " + detail
		}
		p("| throughput, `%s` mode | %s records per CPU-second (%.2f µs a record) | %s |\n", m, count(g.Figures.RecordsPerCPUSecond[m]), 1e6/g.Figures.RecordsPerCPUSecond[m], how)
	}
	f := g.Figures
	p("| record as text | %.1f bytes | %s |\n", f.LineBytes, g.Method["line"])
	p("| record in a subscription payload | %.2f bytes (gzip, %s records a payload) | %s |\n", f.PayloadBytes, count(f.RecordsPerPayload), g.Method["payload"])
	p("| rows per record | %.4f | %s |\n", f.RowsPerRecord, g.Method["rows"])
	for _, fm := range sortedKeys(f.RowBytes) {
		p("| bytes per row, %s | %.1f | %s |\n", fm, f.RowBytes[fm], g.Method["rowbytes"])
	}
	p("| DynamoDB reads per 10,000 records, warm cache | %s | %s |\n", count(f.DynamoReadsWarm), g.Method["dynamo"])
	p("| DynamoDB reads per 10,000 records, cold cache | %s | %s |\n\n", count(f.DynamoReadsCold), g.Method["dynamo"])

	p("## Capacity\n\n| what | how many | from |\n|---|---|---|\n")
	p("| records a day | %s | %s a second |\n", count(est.RecordsPerDay), count(e.RecordsPerSecond))
	p("| rows a day | %s | rows per record |\n", count(est.RowsPerDay))
	p("| %s bytes a day | %s | bytes per row |\n", e.Format, bytesText(est.RowBytesPerDay))
	p("| Kinesis shards | %d | payload bytes at %.0f%% of a shard's 1 MiB/s and 1,000 records/s |\n", est.Shards, 100*e.ShardUtilisation)
	p("| vCPUs kept busy | %.1f | records per CPU-second |\n", est.CPUsBusy)
	p("| parallelization factor | %d | a shard's CPU need at %.0f%% of a %.0f MB function |\n", est.ParallelizationFactor, 100*e.CPUUtilisation, e.LambdaMemoryMB)
	p("| Lambda concurrency | %d | shards × parallelization factor |\n", est.Concurrency)
	p("| invocations a second | %s | %.0f a second per concurrent shard reader |\n", count(est.InvocationsPerSecond), e.InvocationsPerShardSecond)
	p("| staging objects a day | %s | one per invocation and hour partition, removed by the compaction |\n", count(est.StagingObjectsPerDay))
	p("| objects a day, compacted | %s | an hour's rows in objects of %s |\n", count(est.ObjectsPerDay), bytesText(e.ObjectBytes))
	p("| Kinesis Data Firehose streams | 0 | the compaction makes the large objects (see the enrichment module) |\n")
	p("| DynamoDB reads a second | %s | warm cache |\n\n", count(est.DynamoReadsPerSecond))

	p("## Bytes scanned by the named queries\n\nAthena reads only the Parquet columns a query names, in the partitions its `dt` range selects.\n\n")
	p("| query | days it reads | bytes per row read | bytes a run |\n|---|---|---|---|\n")
	for _, q := range sortedKeys(est.ScanBytesPerRun) {
		p("| `%s` | %.0f | %.1f | %s |\n", q, daysOf(f, q), f.ScanBytesPerRow[q], bytesText(est.ScanBytesPerRun[q]))
	}
	p("\n")

	p("## Cost per billion records\n\nList prices in us-east-1 read in %s; check the pricing pages before you plan with them. ", PricesDate)
	p("The tiers of log delivery are those of this estate's month (%s records).\n\n", count(est.RecordsPerDay*daysPerMonth))
	writeBill(&b, "CloudWatch Logs and Kinesis (the module's default path)", est.PerBillion)
	if g.S3 != nil {
		writeBill(&b, fmt.Sprintf("Flow logs delivered to S3, read through SQS (`s3_source`): %d concurrent invocations, %s files a second", g.S3.Concurrency, count(g.S3.InvocationsPerSecond)), g.S3.PerBillion)
	}
	p("## The estate's month\n\n")
	writeBill(&b, "CloudWatch Logs and Kinesis, 30 days", est.Monthly)
	p("## What the figures leave out\n\n")
	p("- The function's waits on S3 and DynamoDB: the throughput is CPU time with the puts discarded, so Lambda duration is a lower bound; the concurrency above plans for %.0f%% CPU to leave room for them.\n", 100*e.CPUUtilisation)
	p("- The compaction function's own CPU and reads: it reads every staging object once, about the stored bytes again as GETs and CPU.\n")
	p("- NAT, data transfer and CloudTrail, which the flow logs measure but the pipeline does not add to.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeBill(b *strings.Builder, title string, items []LineItem) {
	fmt.Fprintf(b, "**%s**\n\n| line item | detail | USD |\n|---|---|---|\n", title)
	for _, li := range items {
		fmt.Fprintf(b, "| %s | %s | %s |\n", li.Name, li.Detail, usd(li.USD))
	}
	fmt.Fprintf(b, "| **total** | | **%s** |\n\n", usd(Total(items)))
}

func daysOf(f Figures, q string) float64 {
	if d := f.QueryDays[q]; d > 0 {
		return d
	}
	return 1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// count writes a number with thousands separators, or in M/G units when large.
func count(x float64) string {
	switch {
	case x >= 1e12:
		return fmt.Sprintf("%.2f T", x/1e12)
	case x >= 1e9:
		return fmt.Sprintf("%.2f G", x/1e9)
	case x >= 1e7:
		return fmt.Sprintf("%.1f M", x/1e6)
	case x >= 1000:
		s := fmt.Sprintf("%.0f", x)
		var out []byte
		for i := range len(s) {
			if i > 0 && (len(s)-i)%3 == 0 {
				out = append(out, ',')
			}
			out = append(out, s[i])
		}
		return string(out)
	case x == float64(int64(x)):
		return fmt.Sprintf("%.0f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

func bytesText(x float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for x >= 1024 && i < len(units)-1 {
		x /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", x, units[i])
}

func usd(x float64) string {
	if x < 10 {
		return fmt.Sprintf("$%.2f", x)
	}
	return "$" + count(x)
}
