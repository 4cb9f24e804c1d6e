package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/cputime"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/handler"
)

// EnrichStats count what the handler did; the times are those spent in
// the handler only, not in reading the stream.
type EnrichStats struct {
	Payloads    int // Kinesis records
	Invocations int
	Read        int
	Written     int
	Rejected    int
	Wall        time.Duration
	CPU         time.Duration
	// Fold, Inventory and Store are the handler's own account of its
	// time: folding records into rows, of which reading the inventory
	// (DynamoDB, on cache misses), and storing the rows in S3.
	Fold      time.Duration
	Inventory time.Duration
	Store     time.Duration
}

// Enrichment is the time spent folding records into rows but for the
// inventory reads: decode, attribute, pair, aggregate, keep the window.
func (s EnrichStats) Enrichment() time.Duration { return s.Fold - s.Inventory }

// RecordsPerEnrichmentSecond is the enrichment's throughput, the measure
// of the end-to-end benchmark (whose inventory is in memory and which
// stores nothing).
func (s EnrichStats) RecordsPerEnrichmentSecond() float64 { return perSecond(s.Read, s.Enrichment()) }

// RecordsPerSecond is the handler's throughput in wall time.
func (s EnrichStats) RecordsPerSecond() float64 { return perSecond(s.Read, s.Wall) }

// RecordsPerCPUSecond is its throughput per CPU second, the benchmarks'
// measure.
func (s EnrichStats) RecordsPerCPUSecond() float64 { return perSecond(s.Read, s.CPU) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// consume reads every shard of the stream from its start, as the event
// source mapping does, and hands its records to the function's handler in
// batches of the mapping's size, as one tumbling window per shard: the
// records of a run arrive within seconds.
func consume(ctx context.Context, c *clients, pl *pipeline, p *progress) (EnrichStats, error) {
	var st EnrichStats
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	getenv := func(k string) string { return pl.env[k] }
	fn, err := handler.EnrichFromEnvWith(ctx, handler.ModeKinesis, getenv, c.cfg, log)
	if err != nil {
		return st, fmt.Errorf("the function's handler from its environment: %w", err)
	}
	handle := fn.(func(context.Context, events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error))

	shards, err := c.kinesis.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(pl.streamARN)})
	if err != nil {
		return st, fmt.Errorf("listing the shards of %s: %w", pl.streamName(), err)
	}
	for _, sh := range shards.Shards {
		shard := aws.ToString(sh.ShardId)
		records, err := readShard(ctx, c, pl.streamARN, shard)
		if err != nil {
			return st, err
		}
		if len(records) == 0 {
			continue
		}
		st.Payloads += len(records)
		start := time.Now().Truncate(time.Minute)
		window := events.Window{Start: events.RFC3339EpochTime{Time: start}, End: events.RFC3339EpochTime{Time: start.Add(time.Minute)}}
		state := map[string]string{}
		for i := 0; ; i += pl.batchSize {
			final := i >= len(records)
			batch := records[min(i, len(records)):min(i+pl.batchSize, len(records))]
			ev := events.KinesisTimeWindowEvent{
				KinesisEvent: events.KinesisEvent{Records: batch},
				TimeWindowProperties: events.TimeWindowProperties{
					Window: window, State: state, ShardID: shard, EventSourceARN: pl.streamARN, IsFinalInvokeForWindow: final,
				},
			}
			wall, cpu := time.Now(), cputime.Process()
			resp, err := handle(ctx, ev)
			st.Wall += time.Since(wall)
			st.CPU += cputime.Process() - cpu
			st.Invocations++
			if err != nil {
				return st, fmt.Errorf("shard %s: the handler failed: %w", shard, err)
			}
			if len(resp.BatchItemFailures) > 0 {
				return st, fmt.Errorf("shard %s: the handler asked for a retry from record %s", shard, resp.BatchItemFailures[0].ItemIdentifier)
			}
			state = resp.State
			if final {
				break
			}
		}
		p.linef("shard %s: %d Kinesis records", shard, len(records))
	}
	// The counts of each stored window, from the handler's own log.
	sc := bufio.NewScanner(&logs)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg                     string
			Read, Written, Rejected int
			FoldMS                  float64 `json:"fold_ms"`
			InventoryMS             float64 `json:"inventory_ms"`
			StoreMS                 float64 `json:"store_ms"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch l.Msg {
		case "window stored":
			st.Read += l.Read
			st.Written += l.Written
			st.Rejected += l.Rejected
			fallthrough
		case "window state kept":
			st.Fold += time.Duration(l.FoldMS * float64(time.Millisecond))
			st.Inventory += time.Duration(l.InventoryMS * float64(time.Millisecond))
			st.Store += time.Duration(l.StoreMS * float64(time.Millisecond))
		}
	}
	return st, nil
}

// readShard returns every record of a shard as the event source mapping
// hands them to the function.
func readShard(ctx context.Context, c *clients, streamARN, shard string) ([]events.KinesisEventRecord, error) {
	it, err := c.kinesis.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamARN: aws.String(streamARN), ShardId: aws.String(shard), ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return nil, fmt.Errorf("reading shard %s: %w", shard, err)
	}
	var out []events.KinesisEventRecord
	iter := it.ShardIterator
	for iter != nil {
		page, err := c.kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, StreamARN: aws.String(streamARN)})
		if err != nil {
			return nil, fmt.Errorf("reading shard %s: %w", shard, err)
		}
		for _, r := range page.Records {
			seq := aws.ToString(r.SequenceNumber)
			out = append(out, events.KinesisEventRecord{
				AwsRegion: c.cfg.Region, EventID: shard + ":" + seq, EventName: "aws:kinesis:record",
				EventSource: "aws:kinesis", EventSourceArn: streamARN, EventVersion: "1.0",
				Kinesis: events.KinesisRecord{
					Data: r.Data, PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: seq,
					ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: aws.ToTime(r.ApproximateArrivalTimestamp)},
					KinesisSchemaVersion:        "1.0",
				},
			})
		}
		if len(page.Records) == 0 {
			break
		}
		iter = page.NextShardIterator
	}
	return out, nil
}
