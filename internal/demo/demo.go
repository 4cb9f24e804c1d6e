//go:build cgo

// Package demo runs the enrichment pipeline that a Terraform configuration
// deployed (examples/complete) on a synthetic estate with known answers,
// against a local AWS: it seeds the inventory table, pushes the estate's
// flow log records with PutLogEvents to the deployed log groups, reads what
// the subscription filters put on the Kinesis stream as the event source
// mapping would and runs the deployed function's handler on it, with the
// function's own environment, then asks the named queries of the rows in S3
// (DuckDB standing in for Athena), checks the answers against the ground
// truth and draws the HTML report.
//
// The handler runs in this process: the local AWS (moto) stores functions
// but cannot run them without Docker.
package demo

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/synthetic"
)

// Stack names what the configuration deployed; the rest is read from AWS.
type Stack struct {
	// FunctionName is the enricher function: its environment configures
	// the handler, its event source mapping names the stream.
	FunctionName string
	// LogGroup is the flow log group the configuration created, for the
	// records of VPCs whose format is the function's VPCFLOW_LOG_FORMAT.
	// Records of other formats go to the log groups of VPCFLOW_LOG_FORMATS.
	LogGroup string
}

// Options size and place a run.
type Options struct {
	Seed        uint64
	HoursPerDay int    // hours of traffic per day of the estate (1 to 24)
	Connections int    // connections carrying each conversation (default 1)
	Dir         string // rows are downloaded under Dir/rows, the report is Dir/report.html
	Progress    io.Writer
}

// Result is what a run did and found.
type Result struct {
	Records  int // flow log records pushed
	Enrich   EnrichStats
	Objects  int // row objects in S3
	Answers  []Answer
	Report   string // path of the HTML report
	Mismatch int    // answers that differ from the ground truth
}

// Run runs the pipeline; it fails when a stage fails or an answer differs
// from the ground truth.
func Run(ctx context.Context, cfg aws.Config, stack Stack, opts Options) (Result, error) {
	var res Result
	if opts.HoursPerDay < 1 || opts.HoursPerDay > 24 {
		return res, fmt.Errorf("hours per day %d: want 1 to 24", opts.HoursPerDay)
	}
	p := &progress{w: opts.Progress, total: 6}
	if p.w == nil {
		p.w = io.Discard
	}
	c := newClients(cfg)

	p.stage("reading the deployed pipeline", "Lambda GetFunctionConfiguration, ListEventSourceMappings")
	pl, err := readPipeline(ctx, c, stack)
	if err != nil {
		return res, err
	}
	p.linef("function %s: rows to s3://%s/%s, inventory table %s", stack.FunctionName, pl.bucket, pl.prefix, pl.table)
	p.linef("event source mapping: stream %s, batches of %d records", pl.streamName(), pl.batchSize)

	p.stage("generating the synthetic estate and seeding the inventory", "DynamoDB writes to the inventory table")
	set := synthetic.Generate(synthetic.Options{Seed: opts.Seed, HoursPerDay: opts.HoursPerDay, Connections: opts.Connections})
	n, err := seedInventory(ctx, c, pl, set)
	if err != nil {
		return res, err
	}
	p.linef("%d network interfaces and %d tagged resources written; ip-ranges.json at %s", n.interfaces, n.resources, pl.ipRanges)

	p.stage("pushing flow log records", "CloudWatch Logs PutLogEvents; the subscription filters put them on the stream")
	start := time.Now()
	for _, fl := range set.FlowLogs {
		group, err := pl.groupFor(fl, stack.LogGroup)
		if err != nil {
			return res, err
		}
		calls, err := push(ctx, c, group, fl)
		if err != nil {
			return res, err
		}
		res.Records += len(fl.Lines)
		p.linef("%-34s %7d records, %3d calls (format of %s)", group, len(fl.Lines), calls, fl.LogGroup)
	}
	p.linef("%d records pushed in %s", res.Records, since(start))

	p.stage("enriching", "Kinesis GetRecords, then the function's handler in this process")
	if res.Enrich, err = consume(ctx, c, pl, p); err != nil {
		return res, err
	}
	e := res.Enrich
	p.linef("enriched %d records (%d rejected) from %d Kinesis records in %d handler invocations", e.Read, e.Rejected, e.Payloads, e.Invocations)
	p.linef("enrichment: %s records/s (%s decoding, attributing, pairing, aggregating)", thousands(e.RecordsPerEnrichmentSecond()), round(e.Enrichment()))
	p.linef("waits on the local AWS: %s reading the inventory table (cache misses), %s storing rows in S3", round(e.Inventory), round(e.Store))
	p.linef("the handler in all: %s records/s, %s records/cpu-s", thousands(e.RecordsPerSecond()), thousands(e.RecordsPerCPUSecond()))
	if e.Read != res.Records || e.Read != e.Written+e.Rejected || e.Rejected != 0 {
		return res, fmt.Errorf("the handler read %d records, wrote %d and rejected %d; %d were pushed", e.Read, e.Written, e.Rejected, res.Records)
	}

	p.stage("answering the named queries", "S3 GetObject of the rows, then DuckDB")
	rows := filepath.Join(opts.Dir, "rows")
	if res.Objects, err = download(ctx, c, pl.bucket, pl.prefix, rows); err != nil {
		return res, err
	}
	if res.Answers, err = answer(rows, set.Truth); err != nil {
		return res, err
	}
	for _, a := range res.Answers {
		a.print(p.w)
		if a.Err != nil {
			res.Mismatch++
		}
	}

	p.stage("drawing the report", "")
	if res.Report, err = writeReport(rows, filepath.Join(opts.Dir, "report.html")); err != nil {
		return res, err
	}
	p.linef("%s", res.Report)
	if res.Mismatch > 0 {
		return res, fmt.Errorf("%d of %d answers differ from the ground truth", res.Mismatch, len(res.Answers))
	}
	return res, nil
}

// progress prints numbered stages and their results.
type progress struct {
	w      io.Writer
	n      int
	total  int
	stages time.Time
}

func (p *progress) stage(title, waitingFor string) {
	p.n++
	line := fmt.Sprintf("[%d/%d] %s", p.n, p.total, title)
	if waitingFor != "" {
		line += " (waiting for " + waitingFor + ")"
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) linef(format string, args ...any) {
	fmt.Fprintf(p.w, "      "+format+"\n", args...)
}

func since(t time.Time) string { return round(time.Since(t)) }

func round(d time.Duration) string { return d.Round(time.Millisecond).String() }

// thousands prints n with thin separators: 1234567 → 1,234,567.
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
