package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/reenrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

const reenrichUsage = `Usage:
  enricher reenrich --log-group NAME --from TIME --to TIME --bucket BUCKET --table TABLE [flags]

Enriches the flow log records of whole hours again, read from the log group
(FilterLogEvents), against the inventory table as it is now, and replaces the
rows the enrichment function wrote for that log group in those hours: run it
after the inventory was healed (the scheduled sync replays CloudTrail), so
that records enriched before the heal get the owners of their own time.

The range must be whole hours (--from 2025-06-02T00:00:00Z --to
2025-06-03T00:00:00Z, --to excluded) that ended at least --settle ago. Each
hour's rows are written as one object, and the function's objects of the hour
are deleted only after every replacement is written, when the records of the
new rows add up to what those objects hold; otherwise nothing is written.
Running it again for the same range rewrites the same objects. Give the
enrichment function's own settings (bucket, prefix, output, format, window,
internet addresses), or the rows will not match the others.

Flags:
`

func runReenrich(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("enricher reenrich", stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, reenrichUsage)
		fs.PrintDefaults()
	}
	var c reenrich.Config
	var from, to, bucket, prefix, outFormat, table, ipRanges string
	var format formatFlag
	fs.StringVar(&c.LogGroup, "log-group", "", "log group of the flow log (required)")
	fs.StringVar(&c.SubscriptionFilter, "subscription-filter", "", "`NAME` of the log group's subscription filter that feeds the enrichment function (default: its only subscription filter)")
	fs.StringVar(&c.Owner, "owner", "", "`ACCOUNT` id that owns the log group (default: the account of the credentials)")
	fs.StringVar(&from, "from", "", "start of the range, a whole hour in RFC 3339 (required)")
	fs.StringVar(&to, "to", "", "end of the range, excluded, a whole hour in RFC 3339 (required)")
	fs.StringVar(&bucket, "bucket", "", "bucket of the rows, VPCFLOW_OUTPUT_BUCKET of the function (required)")
	fs.StringVar(&prefix, "prefix", "connections/", "key prefix of the rows, VPCFLOW_OUTPUT_PREFIX of the function")
	fs.StringVar(&outFormat, "output", "ndjson", "format of the rows, VPCFLOW_OUTPUT_FORMAT of the function: ndjson or parquet")
	fs.StringVar(&table, "table", "", "inventory table, VPCFLOW_INVENTORY_TABLE of the function (required)")
	fs.StringVar(&ipRanges, "ip-ranges", "", "`FILE` of AWS ip-ranges.json, as VPCFLOW_IP_RANGES_FILE of the function")
	fs.Var(&format, "format", "log format of the flow log, VPCFLOW_LOG_FORMAT of the function (default: the default VPC flow log format)")
	fs.DurationVar(&c.Options.Window, "window", 60*time.Second, "aggregation window, VPCFLOW_WINDOW of the function")
	fs.BoolVar(&c.Options.InternetAddrs, "internet-addrs", false, "an endpoint per internet address, VPCFLOW_INTERNET_ADDRS of the function")
	fs.DurationVar(&c.Settle, "settle", reenrich.DefaultSettle, "how long after its end a range is closed: the longest the pipeline may still deliver records of it")
	fs.DurationVar(&c.Margin, "margin", reenrich.DefaultMargin, "how far outside the range log events are read, for records whose start and log event time differ")
	fs.BoolVar(&c.AllowCountChange, "allow-count-change", false, "replace partitions whose records do not add up to what their objects hold")
	fs.BoolVar(&c.DryRun, "dry-run", false, "read, enrich and compare, and write nothing")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		_, _ = fmt.Fprintf(stderr, "enricher reenrich: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	for _, req := range []struct{ v, flag string }{{c.LogGroup, "--log-group"}, {from, "--from"}, {to, "--to"}, {bucket, "--bucket"}, {table, "--table"}} {
		if req.v == "" {
			return fail("%s is required", req.flag)
		}
	}
	var err error
	if c.From, err = time.Parse(time.RFC3339, from); err != nil {
		return fail("--from %q: want an RFC 3339 time such as 2025-06-02T00:00:00Z", from)
	}
	if c.To, err = time.Parse(time.RFC3339, to); err != nil {
		return fail("--to %q: want an RFC 3339 time such as 2025-06-03T00:00:00Z", to)
	}
	if err := c.CheckRange(time.Now()); err != nil {
		return fail("%v", err)
	}
	c.Options.Format = format.f
	sinkFormat, err := s3sink.ParseFormat(outFormat)
	if err != nil {
		return fail("--output: %v", err)
	}
	base := inventory.New()
	if ipRanges != "" {
		f, err := os.Open(ipRanges)
		if err != nil {
			return fail("--ip-ranges: %v", err)
		}
		err = base.LoadIPRanges(bufio.NewReader(f))
		_ = f.Close() // read-only
		if err != nil {
			return fail("--ip-ranges %s: %v", ipRanges, err)
		}
	}

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher reenrich: loading the AWS configuration: %v\n", err)
		return exitFail
	}
	local := os.Getenv("AWS_ENDPOINT_URL") != ""
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = local
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	logs := cloudwatchlogs.NewFromConfig(cfg)
	if c.Sink, err = s3sink.New(s3c, bucket, prefix, sinkFormat); err != nil {
		return fail("%v", err)
	}
	store := inventorystore.New(dynamodb.NewFromConfig(cfg), table, inventorystore.Options{})
	c.Inventory = handler.StoreInventory{Cache: inventorystore.NewCache(store, inventorystore.CacheOptions{}), Base: base}
	if c.Owner == "" {
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			_, _ = fmt.Fprintf(stderr, "enricher reenrich: finding the account that owns %s (or give --owner): %v\n", c.LogGroup, err)
			return exitFail
		}
		c.Owner = aws.ToString(id.Account)
	}
	if c.SubscriptionFilter == "" {
		out, err := logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(c.LogGroup)})
		if err != nil {
			_, _ = fmt.Fprintf(stderr, "enricher reenrich: reading the subscription filters of %s (or give --subscription-filter): %v\n", c.LogGroup, err)
			return exitFail
		}
		if len(out.SubscriptionFilters) != 1 {
			return fail("log group %s has %d subscription filters: give the one that feeds the enrichment function with --subscription-filter, "+
				"since its name is part of the rows' object names", c.LogGroup, len(out.SubscriptionFilters))
		}
		c.SubscriptionFilter = aws.ToString(out.SubscriptionFilters[0].FilterName)
	}
	rep, err := reenrich.Run(ctx, c, logs, s3c)
	printReport(stdout, c, rep)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher reenrich: %v\n", err)
		return exitFail
	}
	return exitOK
}

// printReport prints what a run found and did, a line per partition.
func printReport(w io.Writer, c reenrich.Config, rep *reenrich.Report) {
	if rep == nil {
		return
	}
	for _, p := range rep.Partitions {
		_, _ = fmt.Fprintf(w, "%s objects=%d records=%d new_rows=%d new_records=%d bytes=%d packets=%d deleted=%d\n",
			p.Path, p.Objects, p.Records, p.NewRows, p.NewRecords, p.Bytes, p.Packets, p.Deleted)
	}
	what := "replaced"
	switch {
	case c.DryRun:
		what = "dry run, nothing written"
	case !rep.Replaced:
		what = "not replaced"
	}
	_, _ = fmt.Fprintf(w, "events=%d pages=%d read=%d written=%d rejected=%d outside_range=%d records=%d: %s\n",
		rep.Events, rep.Pages, rep.Read, rep.Written, rep.Rejected, rep.Outside, rep.Records(), what)
}
