// Package sizing turns figures measured on this repository's code (CPU per
// record, rows per record, bytes per row, bytes each named query reads,
// DynamoDB reads per invocation) into the capacity and the monthly cost of a
// deployment of a given size. It is arithmetic only: the measuring is done by
// the benchmarks and by cmd/sizing, which renders docs/guides/sizing.md.
package sizing

import (
	"fmt"
	"math"
	"slices"
)

// Figures are what was measured.
type Figures struct {
	// RecordsPerCPUSecond is the function's throughput by deployed mode
	// (subscription, kinesis, kinesis-window, …), warm, with its inventory
	// cached and S3 puts discarded.
	RecordsPerCPUSecond map[string]float64
	// LineBytes is the mean size of a flow log record as text, newline
	// included: what CloudWatch Logs and S3 delivery are charged by.
	LineBytes float64
	// PayloadBytes is the mean size per record of a compressed CloudWatch
	// Logs subscription payload: what a Kinesis shard carries.
	PayloadBytes float64
	// RecordsPerPayload is how many log events a subscription payload holds.
	RecordsPerPayload float64
	// RowsPerRecord is how many enriched rows a record becomes after the
	// one-minute aggregation.
	RowsPerRecord float64
	// RowBytes is the stored size of a row by output format (json, parquet),
	// in objects of the size the compaction writes.
	RowBytes map[string]float64
	// ScanBytesPerRow is, by named query, the Parquet bytes per row of the
	// columns the query reads.
	ScanBytesPerRow map[string]float64
	// QueryDays is, by named query, how many days of rows it reads as written.
	QueryDays map[string]float64
	// DynamoReadsWarm and DynamoReadsCold are the inventory table's read
	// capacity units per 10,000 records with a warm and a cold cache.
	DynamoReadsWarm, DynamoReadsCold float64
}

// Estate is the deployment to size.
type Estate struct {
	Accounts         int
	Interfaces       int
	RecordsPerSecond float64
	// Mode is the function's mode (a key of Figures.RecordsPerCPUSecond).
	Mode string
	// Format is the row format stored (a key of Figures.RowBytes).
	Format string
	// LambdaMemoryMB is the function's memory; Lambda gives a full vCPU at 1,769 MB.
	LambdaMemoryMB float64
	// ShardUtilisation is the share of a shard's write limit to plan for (0.5: headroom for bursts).
	ShardUtilisation float64
	// CPUUtilisation is the share of a function's CPU to plan for.
	CPUUtilisation float64
	// InvocationsPerShardSecond is how often the event source mapping invokes per shard.
	InvocationsPerShardSecond float64
	// ObjectBytes is the size the compaction aims its objects at.
	ObjectBytes float64
	// RetentionDays is how long rows are kept in S3.
	RetentionDays float64
	// QueriesPerDay is how often each named query runs.
	QueriesPerDay float64
	// FlowLogsPerAccount is how many flow logs deliver files to S3 in an
	// account (mode s3): each delivers a file every 5 minutes.
	FlowLogsPerAccount float64
}

// Prices are list prices in US dollars (us-east-1 unless changed).
type Prices struct {
	// VendedLogsGB are the tiers of vended log delivery per GB per month, by
	// destination: "cloudwatch-logs" and "s3".
	VendedLogsGB          map[string][]Tier
	KinesisShardHour      float64
	KinesisPutUnitMillion float64 // per million 25 KB PUT payload units
	LambdaGBSecond        float64
	LambdaRequestMillion  float64
	S3PutThousand         float64
	S3GetThousand         float64
	S3GBMonth             float64
	AthenaTB              float64
	DynamoReadMillion     float64 // per million read request units, on demand
	SQSRequestMillion     float64
}

// Tier is a price per GB up to a monthly volume (UpToGB 0: no limit).
type Tier struct {
	UpToGB float64
	PerGB  float64
}

// Estimate is what the estate needs.
type Estimate struct {
	RecordsPerDay         float64
	RowsPerDay            float64
	RowBytesPerDay        float64
	Shards                int
	ParallelizationFactor int
	Concurrency           int
	CPUsBusy              float64 // vCPUs the function keeps busy
	InvocationsPerSecond  float64
	ObjectsPerDay         float64 // after compaction
	StagingObjectsPerDay  float64 // before compaction: one per invocation and partition
	DynamoReadsPerSecond  float64
	// ScanBytesPerRun is, by named query, the bytes one run reads.
	ScanBytesPerRun map[string]float64
	// PerBillion is the cost of a billion records by line item, with the
	// estate's monthly volume deciding the tiers.
	PerBillion []LineItem
	// Monthly is the estate's cost over 30 days by line item.
	Monthly []LineItem
}

// LineItem is one line of a bill.
type LineItem struct {
	Name   string
	Detail string
	USD    float64
}

const (
	secondsPerDay     = 86400
	daysPerMonth      = 30
	shardWriteBytes   = 1 << 20 // a shard takes 1 MiB/s
	shardWriteRecords = 1000    // and 1,000 records/s
	fullVCPUMemoryMB  = 1769
	putUnitBytes      = 25 * 1024
	gb                = 1 << 30
	tb                = 1 << 40
	compactionPerHour = 1 // the compaction runs once per closed hour
)

// Plan sizes the estate from the figures.
func Plan(f Figures, e Estate, p Prices) (Estimate, error) {
	cpu, ok := f.RecordsPerCPUSecond[e.Mode]
	if !ok || cpu <= 0 {
		return Estimate{}, fmt.Errorf("no throughput measured for mode %q", e.Mode)
	}
	rowBytes, ok := f.RowBytes[e.Format]
	if !ok || rowBytes <= 0 {
		return Estimate{}, fmt.Errorf("no row size measured for format %q", e.Format)
	}
	if e.RecordsPerSecond <= 0 || e.ShardUtilisation <= 0 || e.CPUUtilisation <= 0 || e.LambdaMemoryMB <= 0 {
		return Estimate{}, fmt.Errorf("the estate needs a positive rate, utilisations and memory")
	}
	var est Estimate
	est.RecordsPerDay = e.RecordsPerSecond * secondsPerDay
	est.RowsPerDay = est.RecordsPerDay * f.RowsPerRecord
	est.RowBytesPerDay = est.RowsPerDay * rowBytes

	// Lambda: CPU-bound work, a vCPU share set by memory.
	share := min(e.LambdaMemoryMB/fullVCPUMemoryMB, 1)
	est.CPUsBusy = e.RecordsPerSecond / cpu
	if e.Mode == "s3" {
		// SQS: an invocation per flow log file, files every 5 minutes per
		// flow log, as many concurrent invocations as the CPU needs.
		est.InvocationsPerSecond = float64(e.Accounts) * max(e.FlowLogsPerAccount, 1) / 300
		est.Concurrency = int(math.Ceil(est.CPUsBusy / share / e.CPUUtilisation))
	} else {
		// Kinesis: the payload bytes and the payload count each bound the shards.
		payloadsPerSecond := e.RecordsPerSecond / f.RecordsPerPayload
		byBytes := e.RecordsPerSecond * f.PayloadBytes / (shardWriteBytes * e.ShardUtilisation)
		byCount := payloadsPerSecond / (shardWriteRecords * e.ShardUtilisation)
		est.Shards = int(math.Ceil(max(byBytes, byCount, 1)))
		perShardCPU := est.CPUsBusy / float64(est.Shards) / share
		est.ParallelizationFactor = int(math.Ceil(max(perShardCPU/e.CPUUtilisation, 1)))
		if est.ParallelizationFactor > 10 {
			return Estimate{}, fmt.Errorf("a shard would need %d concurrent invocations (Kinesis allows 10): add shards or memory", est.ParallelizationFactor)
		}
		est.Concurrency = est.Shards * est.ParallelizationFactor
		est.InvocationsPerSecond = float64(est.Concurrency) * e.InvocationsPerShardSecond
	}
	// One staging object per invocation and hour partition it touches;
	// records of a minute mostly fall in one hour.
	est.StagingObjectsPerDay = est.InvocationsPerSecond * secondsPerDay
	perHour := math.Ceil(est.RowBytesPerDay / 24 / e.ObjectBytes)
	est.ObjectsPerDay = 24 * max(perHour, 1) * compactionPerHour
	est.DynamoReadsPerSecond = e.RecordsPerSecond / 10000 * f.DynamoReadsWarm

	est.ScanBytesPerRun = map[string]float64{}
	for q, perRow := range f.ScanBytesPerRow {
		days := f.QueryDays[q]
		if days == 0 {
			days = 1
		}
		est.ScanBytesPerRun[q] = perRow * est.RowsPerDay * days
	}

	monthlyRecords := est.RecordsPerDay * daysPerMonth
	est.Monthly = bill(f, e, p, est, monthlyRecords)
	scale := 1e9 / monthlyRecords
	for _, li := range est.Monthly {
		li.USD *= scale
		est.PerBillion = append(est.PerBillion, li)
	}
	return est, nil
}

// bill prices a month of the estate.
func bill(f Figures, e Estate, p Prices, est Estimate, records float64) []LineItem {
	hours := float64(daysPerMonth * 24)
	seconds := float64(daysPerMonth * secondsPerDay)
	lineGB := records * f.LineBytes / gb
	cpuSeconds := records / f.RecordsPerCPUSecond[e.Mode]
	share := min(e.LambdaMemoryMB/fullVCPUMemoryMB, 1)
	gbSeconds := cpuSeconds / share * e.LambdaMemoryMB / 1024
	invocations := est.InvocationsPerSecond * seconds
	stored := est.RowBytesPerDay * daysPerMonth / gb
	// Storage is the retention's steady state, kept for a month.
	storedSteady := est.RowBytesPerDay * e.RetentionDays / gb
	items := []LineItem{}
	add := func(name, detail string, usd float64) {
		items = append(items, LineItem{Name: name, Detail: detail, USD: usd})
	}
	if e.Mode == "s3" {
		add("Flow log delivery to S3", fmt.Sprintf("%s GB of records", count(lineGB)), tiered(lineGB, p.VendedLogsGB["s3"]))
		add("SQS notifications", "receive and delete per object", 3*invocations/1e6*p.SQSRequestMillion)
		add("S3 GET of delivered objects", "one per object", invocations/1e3*p.S3GetThousand)
	} else {
		add("Flow log delivery to CloudWatch Logs", fmt.Sprintf("%s GB of records", count(lineGB)), tiered(lineGB, p.VendedLogsGB["cloudwatch-logs"]))
		units := math.Ceil(f.PayloadBytes*f.RecordsPerPayload/putUnitBytes) * records / f.RecordsPerPayload
		add("Kinesis shard hours", fmt.Sprintf("%d shards", est.Shards), float64(est.Shards)*hours*p.KinesisShardHour)
		add("Kinesis PUT payload units", fmt.Sprintf("%s units of 25 KB", count(units)), units/1e6*p.KinesisPutUnitMillion)
	}
	add("Lambda duration", fmt.Sprintf("%s GB-s at %.0f MB", count(gbSeconds), e.LambdaMemoryMB), gbSeconds*p.LambdaGBSecond)
	add("Lambda requests", fmt.Sprintf("%s invocations", count(invocations)), invocations/1e6*p.LambdaRequestMillion)
	reads := records / 10000 * f.DynamoReadsWarm
	add("DynamoDB reads", fmt.Sprintf("%s read units, warm cache", count(reads)), reads/1e6*p.DynamoReadMillion)
	puts := est.StagingObjectsPerDay*daysPerMonth + est.ObjectsPerDay*daysPerMonth
	add("S3 PUT of rows", fmt.Sprintf("%s objects (staging and compacted)", count(puts)), puts/1e3*p.S3PutThousand)
	add("S3 storage of rows", fmt.Sprintf("%s GB written, %s GB kept for %.0f days", count(stored), count(storedSteady), e.RetentionDays), storedSteady*p.S3GBMonth)
	scanned := 0.0
	for _, b := range est.ScanBytesPerRun {
		scanned += b * e.QueriesPerDay * daysPerMonth
	}
	add("Athena", fmt.Sprintf("%s TB scanned by the %d named queries, %.0f runs a day each", count(scanned/tb), len(est.ScanBytesPerRun), e.QueriesPerDay), scanned/tb*p.AthenaTB)
	return items
}

// tiered prices a monthly volume over tiers.
func tiered(volumeGB float64, tiers []Tier) float64 {
	total, from := 0.0, 0.0
	for _, t := range tiers {
		upTo := t.UpToGB
		if upTo == 0 {
			upTo = math.Inf(1)
		}
		in := min(volumeGB, upTo) - from
		if in <= 0 {
			break
		}
		total += in * t.PerGB
		from = upTo
	}
	return total
}

// Total is the sum of the line items.
func Total(items []LineItem) float64 {
	sum := 0.0
	for _, li := range items {
		sum += li.USD
	}
	return sum
}

// Modes returns the modes measured, sorted.
func (f Figures) Modes() []string {
	var modes []string
	for m := range f.RecordsPerCPUSecond {
		modes = append(modes, m)
	}
	slices.Sort(modes)
	return modes
}
