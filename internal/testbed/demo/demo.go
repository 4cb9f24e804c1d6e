// Package demo runs the enrichment pipeline that a Terraform configuration
// deployed (examples/complete) on a synthetic estate with known answers,
// against a local AWS: it seeds the inventory table, pushes the estate's
// flow log records with PutLogEvents to the deployed log groups, reads what
// the subscription filters put on the Kinesis stream as the event source
// mapping would and runs the deployed function's handler on it, with the
// function's own environment, then copies the rows from S3 and draws the
// HTML report. Package answers asks the named queries of the rows and
// checks them against the ground truth, which Run writes beside them.
//
// The handler runs in this process: the local AWS (moto) stores functions
// but cannot run them without Docker.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
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
	HoursPerDay int // hours of traffic per day of the estate (1 to 24)
	Connections int // connections carrying each conversation (default 1)
	// Dir receives the rows (RowsDir), the ground truth (TruthFile) and
	// the report (ReportFile).
	Dir      string
	Progress io.Writer
}

// Files a run writes in Options.Dir.
const (
	RowsDir    = "rows"        // the rows, keyed as in S3 below the prefix
	TruthFile  = "truth.json"  // synthetic.Truth
	ReportFile = "report.html" // the HTML report
)

// Stages is how many stages a run has; the answers are one more.
const Stages = 5

// Result is what a run did.
type Result struct {
	Records int // flow log records pushed
	Enrich  EnrichStats
	Objects int // row objects in S3
	Truth   synthetic.Truth
}

// Run runs the pipeline.
func Run(ctx context.Context, cfg aws.Config, stack Stack, opts Options) (Result, error) {
	var res Result
	if opts.HoursPerDay < 1 || opts.HoursPerDay > 24 {
		return res, fmt.Errorf("hours per day %d: want 1 to 24", opts.HoursPerDay)
	}
	p := &progress{w: opts.Progress, total: Stages + 1}
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
	p.linef("event source mapping: stream %s, batches of %d records, tumbling window %s, bisect on error %v, ReportBatchItemFailures %v",
		pl.streamName(), pl.batchSize, pl.window, pl.bisect, pl.reportFailures)

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

	p.stage("enriching", "Kinesis GetRecords, then the function's bootstrap under the Lambda emulator")
	if res.Enrich, err = consume(ctx, c, pl, p); err != nil {
		return res, err
	}
	e := res.Enrich
	p.linef("enriched %d records (%d rejected) from %d Kinesis records in %d handler invocations", e.Read, e.Rejected, e.Payloads, e.Invocations)
	p.linef("enrichment: %s records/s (%s decoding, attributing, pairing, aggregating)", thousands(e.RecordsPerEnrichmentSecond()), round(e.Enrichment()))
	p.linef("waits on the local AWS: %s reading the inventory table (cache misses), %s storing rows in S3", round(e.Inventory), round(e.Store))
	p.linef("the function in all: %s records/s, %s records/cpu-s (its processes' CPU time)", thousands(e.RecordsPerSecond()), thousands(e.RecordsPerCPUSecond()))
	em := e.Emulator
	p.linef("the Lambda emulator reports: init %s, first invocation (the bootstrap's start and init) %s; %d invocations, median %s, 90th percentile %s, longest %s",
		round(em.Init), round(em.First), em.Invocations, round(em.Median), round(em.P90), round(em.Max))
	if e.Read != res.Records || e.Read != e.Written+e.Rejected || e.Rejected != 0 {
		return res, fmt.Errorf("the handler read %d records, wrote %d and rejected %d; %d were pushed", e.Read, e.Written, e.Rejected, res.Records)
	}

	if st, ran, err := compact(ctx, c, pl); err != nil {
		return res, err
	} else if ran {
		p.linef("compaction: %d staged objects merged into %d objects in %d hour partitions (%d rows)", st.Parts, st.Objects, st.Partitions, st.Rows)
	}

	p.stage("copying the rows and drawing the report", "S3 ListObjectsV2 and GetObject")
	rows := filepath.Join(opts.Dir, RowsDir)
	if res.Objects, err = download(ctx, c, pl.bucket, pl.prefix, rows); err != nil {
		return res, err
	}
	res.Truth = set.Truth
	truth, err := json.MarshalIndent(set.Truth, "", "  ")
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, TruthFile), truth, 0o644); err != nil {
		return res, err
	}
	report := filepath.Join(opts.Dir, ReportFile)
	if err := writeReport(ctx, rows, report, set.Truth); err != nil {
		return res, err
	}
	p.linef("%d objects under s3://%s/%s copied to %s", res.Objects, pl.bucket, pl.prefix, rows)
	p.linef("report: %s", report)
	return res, nil
}

// progress prints numbered stages and their results.
type progress struct {
	w     io.Writer
	n     int
	total int
}

func (p *progress) stage(title, waitingFor string) {
	p.n++
	line := fmt.Sprintf("[%d/%d] %s", p.n, p.total, title)
	if waitingFor != "" {
		line += " (waiting for " + waitingFor + ")"
	}
	_, _ = fmt.Fprintln(p.w, line) // progress only
}

func (p *progress) linef(format string, args ...any) {
	_, _ = fmt.Fprintf(p.w, "      "+format+"\n", args...) // progress only
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
