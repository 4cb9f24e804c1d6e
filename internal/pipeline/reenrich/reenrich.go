// Package reenrich enriches the flow log records of a closed range of hours
// again, from the log group that holds them, against the inventory as it
// is now, and replaces the rows the enrichment function wrote for them: the
// command "enricher reenrich", run after the inventory was healed (a
// scheduled sync that replayed CloudTrail's record of lost events), so that
// records enriched before the heal get their record-time owners.
//
// # Every record still counted once
//
// The enrichment function stores the rows of a subscription payload under a
// name that begins with its source, l-<hash of owner, log group and
// subscription filter>- (s3sink.LogsSource), one object per Hive partition
// dt=YYYY-MM-DD/hour=HH of the rows' windows, and counts every log event in
// exactly one object (see package handler). Re-enrichment works on whole
// partitions of one source:
//
//  1. The range is whole hours, and closed: it ended at least Settle ago
//     (24 hours by default: Kinesis keeps records that long, and Lambda
//     retries a subscription's asynchronous invocations for up to 6), so
//     the function writes nothing more into its partitions.
//  2. It reads every log event of the log group whose timestamp is within
//     Margin of the range (FilterLogEvents, every page), enriches the
//     records, and keeps the rows whose window falls in one of the range's
//     partitions: those are the rows of exactly the records the source's
//     objects of those partitions hold, since rows go to the partition of
//     their window whatever payload brought them.
//  3. It checks that the records of the new rows of each partition add up
//     to the "records" the source's objects there say they hold (the sink
//     stores that count with every object): attribution moves records
//     between rows, never in or out of a partition. A difference means
//     the log group no longer holds some events (retention) or the range
//     is not closed; nothing is written unless AllowCountChange.
//  4. It writes each partition's rows as one object under a name of its
//     own, the same for every run (s3sink.ReenrichedName), and only once
//     all are written, deletes the source's other objects of those
//     partitions.
//
// Between 4's writes and deletes a partition holds both; a run that stops
// there says which, and running it again with the same arguments finishes
// the work: the replacement keeps its name and is written again, never
// deleted, and in 3 it is counted as the partition's content only when it
// is the source's only object. A second run of a finished range rewrites
// the same objects. Objects of other sources, rows of partitions outside
// the range and the rejected records under _rejected/ are not touched (the
// same records are rejected again).
//
// Rows written by the Kinesis handler with a tumbling window are named
// after their shard (k-...), not their log group, and are not replaced.
package reenrich

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

// LogsAPI is the part of the CloudWatch Logs client re-enrichment uses.
type LogsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// S3API is the part of the S3 client re-enrichment uses.
type S3API interface {
	s3sink.PutAPI
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

var (
	_ LogsAPI = (*cloudwatchlogs.Client)(nil)
	_ S3API   = (*s3.Client)(nil)
)

// Inventory gives the inventory of a set of addresses for records up to a
// time; handler.StoreInventory on the inventory table is one.
type Inventory interface {
	InventoryAt(ctx context.Context, addrs []netip.Addr, latest time.Time) (*inventory.Inventory, error)
}

// Defaults.
const (
	DefaultSettle = 24 * time.Hour
	DefaultMargin = time.Hour
	// DefaultChunk is how many records are enriched against one
	// inventory read.
	DefaultChunk = 100_000
)

// Config says what to re-enrich and where its rows are.
type Config struct {
	// LogGroup, Owner (its account) and SubscriptionFilter (the name of
	// the filter that feeds the enrichment function) name the source.
	LogGroup, Owner, SubscriptionFilter string
	// From and To are the range, whole hours, To excluded.
	From, To time.Time
	// Sink is where the enrichment function writes: bucket, prefix and
	// format.
	Sink *s3sink.Sink
	// Inventory is the healed inventory.
	Inventory Inventory
	// Options are the enrichment function's (log format, window,
	// internet addresses); Reject is not used.
	Options enrich.Options
	// Settle is how long after its end a range is closed; default
	// DefaultSettle.
	Settle time.Duration
	// Margin is how far before and after the range log events are read,
	// for records whose start is in the range while their log event's
	// timestamp is not; default DefaultMargin.
	Margin time.Duration
	// AllowCountChange replaces partitions whose records do not add up to
	// what their objects hold.
	AllowCountChange bool
	// DryRun reads, enriches and compares, and writes nothing.
	DryRun bool
	// Chunk is how many records are enriched against one inventory read;
	// default DefaultChunk.
	Chunk int
	// PageSize is the Limit of FilterLogEvents; zero lets the service
	// choose (up to 10,000 events a page).
	PageSize int32
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Partition is what re-enrichment found and did in one partition.
type Partition struct {
	Path string
	// Objects and Records are the source's objects before the run and
	// the records they said they held; Unknown counts objects that do
	// not say.
	Objects, Unknown int
	Records          int64
	// NewRows and NewRecords are the replacement's.
	NewRows    int
	NewRecords int64
	// Uploaded etc. are the replacement's byte and packet sums.
	Bytes, Packets int64
	Key            string
	Deleted        int
}

// Report is what a run did.
type Report struct {
	Events, Pages int
	// Read, Written and Rejected count the records of every event read;
	// Outside counts the written records whose rows fall outside the range.
	Read, Written, Rejected, Outside int
	Partitions                       []Partition
	// Replaced is set once every partition was written and cleared.
	Replaced bool
}

// Records returns the new records of every partition.
func (r *Report) Records() int64 {
	var n int64
	for _, p := range r.Partitions {
		n += p.NewRecords
	}
	return n
}

// CountError says that partitions do not add up: nothing was written.
type CountError struct{ Partitions []Partition }

func (e *CountError) Error() string {
	var b strings.Builder
	b.WriteString("the re-enriched records do not add up to what the objects of the range hold, so nothing was replaced:")
	for _, p := range e.Partitions {
		if p.Unknown > 0 {
			fmt.Fprintf(&b, "\n  %s: %d of its %d objects do not say how many records they hold (no x-amz-meta-records)", p.Path, p.Unknown, p.Objects)
			continue
		}
		fmt.Fprintf(&b, "\n  %s: the objects hold %d records, the log group gave %d", p.Path, p.Records, p.NewRecords)
	}
	b.WriteString("\nFewer records read means the log group no longer holds some events (its retention) or the margin is too small; " +
		"more means the enrichment function lost records or is still writing into the range. " +
		"Check, and run with --allow-count-change to replace these partitions anyway.")
	return b.String()
}

// PartialError says that replacements were written and the source's other
// objects of some partitions not all deleted: those partitions count
// records twice until the same command runs again.
type PartialError struct {
	Doubled []string
	Err     error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v; partitions %s hold their replacement and some of the objects it replaces, and count records twice until "+
		"the same command is run again, which finishes them", e.Err, strings.Join(e.Doubled, ", "))
}

func (e *PartialError) Unwrap() error { return e.Err }

// Check reports what is wrong with a configuration at now.
func (c *Config) Check(now time.Time) error {
	switch {
	case c.LogGroup == "":
		return errors.New("no log group")
	case c.Owner == "":
		return errors.New("no owner account of the log group: the rows' object names are made from it")
	case c.SubscriptionFilter == "":
		return errors.New("no subscription filter name: the rows' object names are made from it")
	case c.Sink == nil:
		return errors.New("no output bucket")
	case c.Inventory == nil:
		return errors.New("no inventory")
	}
	return c.CheckRange(now)
}

// CheckRange reports what is wrong with the range at now: it must be
// whole hours, not empty, and closed.
func (c *Config) CheckRange(now time.Time) error {
	if !c.From.Equal(c.From.Truncate(time.Hour)) || !c.To.Equal(c.To.Truncate(time.Hour)) {
		return fmt.Errorf("the range %s to %s: want whole hours, as rows are stored and replaced by the hour (dt=YYYY-MM-DD/hour=HH)",
			c.From.UTC().Format(time.RFC3339), c.To.UTC().Format(time.RFC3339))
	}
	if !c.From.Before(c.To) {
		return fmt.Errorf("the range %s to %s is empty: --to must be after --from", c.From.UTC().Format(time.RFC3339), c.To.UTC().Format(time.RFC3339))
	}
	settle := c.settle()
	if closed := now.Add(-settle); c.To.After(closed) {
		return fmt.Errorf("the range ends at %s, less than %v ago: the enrichment function may still write rows into its partitions "+
			"(Kinesis keeps records for 24 hours, and Lambda retries a subscription's invocations for up to 6), and those would be "+
			"counted beside the replacement. Re-enrich up to %s at most, or wait; --settle shortens the wait when the pipeline's "+
			"lag is known to be smaller", c.To.UTC().Format(time.RFC3339), settle, closed.Truncate(time.Hour).UTC().Format(time.RFC3339))
	}
	return nil
}

func (c *Config) settle() time.Duration {
	if c.Settle > 0 {
		return c.Settle
	}
	return DefaultSettle
}

// Run re-enriches the range and replaces its rows.
func Run(ctx context.Context, c Config, logs LogsAPI, objects S3API) (*Report, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := c.Check(now()); err != nil {
		return nil, err
	}
	margin := c.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	chunk := c.Chunk
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	filters := []string{c.SubscriptionFilter}
	source := s3sink.LogsSource(c.Owner, c.LogGroup, filters)
	name := s3sink.ReenrichedName(c.Owner, c.LogGroup, filters)
	rep := &Report{}

	// The source's objects of every partition of the range, now.
	var parts []*Partition
	index := map[string]*Partition{}
	live := map[string][]string{}
	for h := c.From.UTC(); h.Before(c.To); h = h.Add(time.Hour) {
		p := &Partition{Path: connrows.PartitionPath(h)}
		p.Key = c.Sink.Key(p.Path, name)
		keys, err := listKeys(ctx, objects, c.Sink.Bucket(), c.Sink.Prefix()+p.Path+"/"+source)
		if err != nil {
			return rep, err
		}
		live[p.Path] = keys
		if err := countLive(ctx, objects, c.Sink.Bucket(), p, keys); err != nil {
			return rep, err
		}
		parts = append(parts, p)
		index[p.Path] = p
	}

	// Every record of the range, enriched against the healed inventory.
	batch := c.Sink.NewBatch()
	keep := &rangeWriter{out: batch, parts: index}
	opts := c.Options
	opts.Reject = nil
	if opts.Format.Len() == 0 {
		opts.Format = flowrecord.DefaultFormat
	}
	parser := flowrecord.NewParser(opts.Format)
	var rec flowrecord.Record
	var msgs [][]byte
	flush := func() error {
		if len(msgs) == 0 {
			return nil
		}
		seen := map[netip.Addr]bool{}
		var addrs []netip.Addr
		var latest int64
		for _, m := range msgs {
			if parser.Parse(m, &rec) != nil {
				continue
			}
			latest = max(latest, rec.Start())
			for _, a := range [2]netip.Addr{rec.SrcAddr(), rec.DstAddr()} {
				if a.IsValid() && !seen[a] {
					seen[a] = true
					addrs = append(addrs, a)
				}
			}
		}
		inv, err := c.Inventory.InventoryAt(ctx, addrs, time.Unix(latest, 0))
		if err != nil {
			return fmt.Errorf("reading the inventory of %d addresses: %w", len(addrs), err)
		}
		e, err := enrich.New(inv, keep, opts)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if err := parser.Parse(m, &rec); err != nil {
				rep.Read++
				rep.Rejected++
				continue
			}
			if err := e.Record(&rec); err != nil {
				return err
			}
		}
		if err := e.Close(); err != nil {
			return err
		}
		st := e.Stats()
		rep.Read += st.Read
		rep.Written += st.Written
		rep.Rejected += st.Rejected
		msgs = msgs[:0]
		return nil
	}
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(c.LogGroup),
		StartTime:    aws.Int64(c.From.Add(-margin).UnixMilli()),
		EndTime:      aws.Int64(c.To.Add(margin).UnixMilli() - 1),
	}
	if c.PageSize > 0 {
		in.Limit = aws.Int32(c.PageSize)
	}
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(logs, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return rep, fmt.Errorf("reading log group %s: %w", c.LogGroup, err)
		}
		rep.Pages++
		for _, ev := range page.Events {
			rep.Events++
			msgs = append(msgs, []byte(aws.ToString(ev.Message)))
		}
		if len(msgs) >= chunk {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if err := batch.Close(); err != nil {
		return rep, err
	}
	rep.Outside = keep.outside

	var wrong []Partition
	for _, p := range parts {
		rep.Partitions = append(rep.Partitions, *p)
		if p.Unknown > 0 || p.Records != p.NewRecords {
			wrong = append(wrong, *p)
		}
	}
	if len(wrong) > 0 && !c.AllowCountChange {
		return rep, &CountError{Partitions: wrong}
	}
	if c.DryRun {
		return rep, nil
	}

	// The replacements first, then the objects they replace.
	if written, err := c.Sink.Commit(ctx, batch, name); err != nil {
		// The partitions whose replacement was written beside objects it
		// replaces.
		var doubled []string
		for _, p := range parts {
			if slices.Contains(written, p.Key) && slices.ContainsFunc(live[p.Path], func(k string) bool { return k != p.Key }) {
				doubled = append(doubled, p.Path)
			}
		}
		if len(doubled) > 0 {
			return rep, &PartialError{Doubled: doubled, Err: err}
		}
		return rep, err
	}
	var doubled []string
	var errs []error
	for i, p := range parts {
		var gone []string
		for _, k := range live[p.Path] {
			if k != p.Key {
				gone = append(gone, k)
			}
		}
		n, err := deleteKeys(ctx, objects, c.Sink.Bucket(), gone)
		rep.Partitions[i].Deleted = n
		if err != nil {
			doubled = append(doubled, p.Path)
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return rep, &PartialError{Doubled: doubled, Err: errors.Join(errs...)}
	}
	rep.Replaced = true
	return rep, nil
}

// rangeWriter passes on the rows of the range's partitions and counts
// them; it drops the others.
type rangeWriter struct {
	out     connrows.Writer
	parts   map[string]*Partition
	outside int
}

func (w *rangeWriter) Write(r *connrows.Row) error {
	p, ok := w.parts[connrows.PartitionPath(r.Window)]
	if !ok {
		w.outside += int(r.Records)
		return nil
	}
	p.NewRows++
	p.NewRecords += r.Records
	p.Bytes += r.Uploaded + r.Downloaded
	p.Packets += r.UploadedPackets + r.DownloadedPackets
	return w.out.Write(r)
}

func (w *rangeWriter) Close() error { return nil }

func listKeys(ctx context.Context, c S3API, bucket, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// countLive adds up the records the objects of a partition hold. The
// replacement of an earlier run counts only when it is the only object:
// otherwise that run stopped before deleting what it replaces, which
// holds the same records.
func countLive(ctx context.Context, c S3API, bucket string, p *Partition, keys []string) error {
	p.Objects = len(keys)
	for _, k := range keys {
		if k == p.Key && len(keys) > 1 {
			continue
		}
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return fmt.Errorf("reading s3://%s/%s: %w", bucket, k, err)
		}
		n, err := strconv.ParseInt(out.Metadata["records"], 10, 64)
		if err != nil {
			p.Unknown++
			continue
		}
		p.Records += n
	}
	return nil
}

// deleteKeys deletes objects, 1,000 a call, and returns how many went.
func deleteKeys(ctx context.Context, c S3API, bucket string, keys []string) (int, error) {
	done := 0
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		ids := make([]s3types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return done, fmt.Errorf("deleting %d objects of s3://%s: %w", n, bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return done + n - len(out.Errors), fmt.Errorf("deleting %d objects of s3://%s: %d failed, e.g. %s: %s", n, bucket,
				len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Message))
		}
		done += n
		keys = keys[n:]
	}
	return done, nil
}
