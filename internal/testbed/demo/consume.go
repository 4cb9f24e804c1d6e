package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/artifact"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/lambdaemu"
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
	// Emulator sums the emulator's reports: the function's init and its
	// invocations' durations.
	Emulator lambdaemu.Summary
	// GivenUp are the Kinesis records sent to the on-failure destination.
	GivenUp int
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

// RecordsPerCPUSecond is its throughput per CPU second of the function's
// processes (the emulator's included), the benchmarks' measure.
func (s EnrichStats) RecordsPerCPUSecond() float64 { return perSecond(s.Read, s.CPU) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// consume runs the deployed function's real bootstrap, from the zip the
// provider embeds, under the Lambda emulator with the environment Lambda
// reports for it, and plays its event source mapping, as Lambda reports it,
// over every shard of the stream from its start.
func consume(ctx context.Context, c *clients, pl *pipeline, p *progress) (EnrichStats, error) {
	var st EnrichStats
	zip, err := artifact.ZipForMode(pl.env[contract.EnvMode], hostArch())
	if err != nil {
		return st, err
	}
	endpoint := aws.ToString(c.cfg.BaseEndpoint)
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL")
	}
	logs := &syncBuffer{}
	fn, err := lambdaemu.Start(ctx, lambdaemu.Config{
		Zip: zip, Name: pl.functionName(), Env: pl.env, Timeout: pl.timeout, MemoryMB: pl.memoryMB,
		Endpoint: endpoint, Region: c.cfg.Region, Log: logs,
	})
	if err != nil {
		return st, fmt.Errorf("starting the function under the Lambda emulator: %w", err)
	}
	defer fn.Stop()
	mapping := &lambdaemu.KinesisMapping{
		Kinesis: c.kinesis, StreamARN: pl.streamARN, FunctionARN: pl.functionARN, Function: fn,
		BatchSize: pl.batchSize, TumblingWindow: pl.window, BisectBatchOnError: pl.bisect,
		ReportBatchItemFailures: pl.reportFailures, MaxRetries: pl.maxRetries,
	}
	if mapping.MaxRetries < 0 {
		mapping.MaxRetries = 10_000
	}
	if name, ok := strings.CutPrefix(pl.onFailure, "arn:aws:sqs:"); ok {
		name = name[strings.LastIndexByte(name, ':')+1:]
		q, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return st, fmt.Errorf("the on-failure destination %s: %w", pl.onFailure, err)
		}
		mapping.SQS, mapping.OnFailureQueueURL = c.sqs, aws.ToString(q.QueueUrl)
	}
	wall, cpu := time.Now(), fn.CPU()
	if err := mapping.Drain(ctx); err != nil {
		return st, err
	}
	st.Wall, st.CPU = time.Since(wall), fn.CPU()-cpu
	ms := mapping.Stats
	st.Invocations = ms.Invocations
	st.Emulator = lambdaemu.Summarize(ms.Reports)
	st.GivenUp = ms.GivenUpRecords
	if ms.FunctionErrors > 0 || ms.GivenUp > 0 {
		p.linef("the mapping retried %d failed invocations and gave up %d batches", ms.FunctionErrors, ms.GivenUp)
	}
	fn.Stop()

	// The counts, from the function's own log.
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var l struct {
			Msg                               string
			Payloads, Read, Written, Rejected int
			FoldMS                            float64 `json:"fold_ms"`
			InventoryMS                       float64 `json:"inventory_ms"`
			StoreMS                           float64 `json:"store_ms"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		switch l.Msg {
		case "window stored", "batch stored":
			st.Payloads += l.Payloads
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

// hostArch is the Lambda architecture of this machine, whose zip the
// emulator runs.
func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// syncBuffer is a buffer the emulator's log reader writes while the demo
// runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}
