package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Invoker invokes a function synchronously; *Function is one.
type Invoker interface {
	Invoke(ctx context.Context, event []byte) (Result, error)
}

// KinesisMapping plays a Lambda event source mapping of a Kinesis stream
// against a function, from the start of each shard to its end, as the
// Lambda developer guide ("Using Lambda with Kinesis") describes it:
//
//   - batches of up to BatchSize records of one shard, in order;
//   - a function error (an error returned, a crash, a timeout) retries the
//     batch; with BisectBatchOnError a batch of more than one record is
//     split in two and the halves are retried instead, which does not count
//     as a retry;
//   - with ReportBatchItemFailures, a response naming a record retries from
//     that record (counted as a retry); a response naming no record is a
//     success;
//   - after MaxRetries retries the records are given up on: a description of
//     the batch (KinesisBatchInfo) goes to the on-failure queue and the shard
//     moves on;
//   - with a tumbling window, records are grouped by the window of their
//     arrival time; the state a successful invocation returns is passed to
//     the next of the window (a failed invocation's is not), and a final
//     invocation with isFinalInvokeForWindow (or isWindowTerminatedEarly, when
//     the state passes 1 MB) ends each window.
//
// The batching window only delays invocations on Lambda; a mapping that
// drains a stream that is already written gives the same batches without it.
type KinesisMapping struct {
	Kinesis   *kinesis.Client
	StreamARN string
	// FunctionARN names the function in on-failure messages.
	FunctionARN string
	Function    Invoker

	BatchSize               int           // default 100
	TumblingWindow          time.Duration // 0: no windows
	BisectBatchOnError      bool
	ReportBatchItemFailures bool
	MaxRetries              int // retries of a failing batch; default 10

	// SQS and OnFailureQueueURL are the on-failure destination; without
	// one, given-up records are dropped, as on Lambda.
	SQS               *sqs.Client
	OnFailureQueueURL string

	// Redeliver, when set, is asked after each successful batch of a shard
	// (numbered from 1) how many records before the checkpoint Lambda
	// delivers again, and in batches of which size from there: the
	// duplicates at-least-once delivery allows. 0 records for none.
	Redeliver func(batch int) (back, size int)

	// Stats of the last Drain.
	Stats MappingStats
}

// MappingStats count what a mapping did.
type MappingStats struct {
	Invocations     int
	FunctionErrors  int // errors, crashes and timeouts
	Timeouts        int
	PartialFailures int // responses naming a record to retry from
	Bisections      int
	Retries         int
	Redeliveries    int // records delivered again after a success
	GivenUp         int // batches sent to the on-failure destination
	GivenUpRecords  int
	Windows         int
	// Reports are the emulator's reports of the invocations.
	Reports []Report
}

// ShardRecord is a record read from a shard.
type ShardRecord struct {
	Shard  string
	Record kinesistypes.Record
}

// Drain reads every shard from its start to its end and delivers its
// records to the function.
func (m *KinesisMapping) Drain(ctx context.Context) error {
	m.Stats = MappingStats{}
	if m.BatchSize <= 0 {
		m.BatchSize = 100
	}
	if m.MaxRetries == 0 {
		m.MaxRetries = 10
	}
	shards, err := m.Kinesis.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(m.StreamARN)})
	if err != nil {
		return fmt.Errorf("listing shards: %w", err)
	}
	for _, sh := range shards.Shards {
		shard := aws.ToString(sh.ShardId)
		recs, err := ReadShard(ctx, m.Kinesis, m.StreamARN, shard)
		if err != nil {
			return err
		}
		if err := m.shard(ctx, shard, recs); err != nil {
			return err
		}
	}
	return nil
}

// ReadShard returns every record of a shard, oldest first.
func ReadShard(ctx context.Context, c *kinesis.Client, streamARN, shard string) ([]kinesistypes.Record, error) {
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamARN: aws.String(streamARN), ShardId: aws.String(shard), ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return nil, fmt.Errorf("shard %s: %w", shard, err)
	}
	var recs []kinesistypes.Record
	iter := it.ShardIterator
	for iter != nil {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{StreamARN: aws.String(streamARN), ShardIterator: iter, Limit: aws.Int32(10000)})
		if err != nil {
			return nil, fmt.Errorf("reading shard %s: %w", shard, err)
		}
		recs = append(recs, out.Records...)
		if len(out.Records) == 0 || aws.ToInt64(out.MillisBehindLatest) == 0 && len(out.Records) < 10000 {
			break
		}
		iter = out.NextShardIterator
	}
	return recs, nil
}

// job is a range of a group's records to deliver.
type job struct{ from, to, attempts int }

// shard delivers a shard's records: one group per window, or one group.
func (m *KinesisMapping) shard(ctx context.Context, shard string, recs []kinesistypes.Record) error {
	if m.TumblingWindow <= 0 {
		_, err := m.group(ctx, shard, recs, nil)
		return err
	}
	for i := 0; i < len(recs); {
		start := aws.ToTime(recs[i].ApproximateArrivalTimestamp).Truncate(m.TumblingWindow)
		j := i
		for j < len(recs) && aws.ToTime(recs[j].ApproximateArrivalTimestamp).Truncate(m.TumblingWindow).Equal(start) {
			j++
		}
		w := &window{start: start, end: start.Add(m.TumblingWindow), state: map[string]string{}}
		for {
			m.Stats.Windows++
			n, err := m.group(ctx, shard, recs[i:j], w)
			if err != nil {
				return err
			}
			if err := m.final(ctx, shard, recs[i:i+n], w); err != nil {
				return err
			}
			if i += n; i >= j {
				break
			}
			// The window ended early; a new one takes the rest.
			w.state, w.early = map[string]string{}, false
		}
	}
	return nil
}

type window struct {
	start, end time.Time
	state      map[string]string
	early      bool // the state passed Lambda's bound
}

// maxWindowState is the state Lambda keeps for a window: 1 MB.
const maxWindowState = 1 << 20

// group delivers a group of records in batches and returns how many it
// delivered: all of them, or fewer when a window's state passed its bound.
func (m *KinesisMapping) group(ctx context.Context, shard string, recs []kinesistypes.Record, w *window) (int, error) {
	pos, batches := 0, 0
	for pos < len(recs) {
		top := job{from: pos, to: min(pos+m.BatchSize, len(recs))}
		stack := []job{top}
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			res, resp, err := m.invoke(ctx, shard, recs[j.from:j.to], w, false)
			if err != nil {
				return pos, err
			}
			retry := func(from int, counted bool) {
				a := j.attempts
				if counted {
					a++
					m.Stats.Retries++
				}
				if a > m.MaxRetries {
					m.giveUp(ctx, shard, recs[from:j.to], res, "RetryAttemptsExhausted")
					return
				}
				if m.BisectBatchOnError && j.to-from > 1 {
					m.Stats.Bisections++
					mid := from + (j.to-from)/2
					stack = append(stack, job{mid, j.to, a}, job{from, mid, a})
					return
				}
				stack = append(stack, job{from, j.to, a})
			}
			if res.Error != "" {
				m.Stats.FunctionErrors++
				if res.TimedOut {
					m.Stats.Timeouts++
				}
				// A split is not a retry; a batch that cannot be split
				// again is retried.
				retry(j.from, !(m.BisectBatchOnError && j.to-j.from > 1))
				continue
			}
			if w != nil {
				w.state = resp.State
			}
			if failed, ok := m.failedItem(resp, recs[j.from:j.to]); ok {
				m.Stats.PartialFailures++
				retry(j.from+failed, true)
				continue
			}
		}
		pos = top.to
		batches++
		if w != nil && stateSize(w.state) > maxWindowState {
			w.early = true
			return pos, nil
		}
		if m.Redeliver != nil {
			if back, size := m.Redeliver(batches); back > 0 && size > 0 {
				from := max(0, pos-back)
				m.Stats.Redeliveries += pos - from
				// The records from there are delivered again in batches of
				// another size; the stream then goes on from where that
				// batching ends.
				for p := from; p < min(pos+size, len(recs)); p += size {
					to := min(p+size, len(recs))
					res, resp, err := m.invoke(ctx, shard, recs[p:to], w, false)
					if err != nil {
						return pos, err
					}
					if res.Error != "" || len(resp.BatchItemFailures) > 0 {
						return pos, fmt.Errorf("shard %s: a redelivered batch failed: %s %v", shard, res.Error, resp.BatchItemFailures)
					}
					if w != nil {
						w.state = resp.State
					}
					pos = max(pos, to)
				}
			}
		}
	}
	return pos, nil
}

// failedItem returns the index in batch of the record a response asks to
// retry from. A response naming a record not in the batch fails it whole,
// as Lambda does.
func (m *KinesisMapping) failedItem(resp events.KinesisTimeWindowEventResponse, batch []kinesistypes.Record) (int, bool) {
	if !m.ReportBatchItemFailures || len(resp.BatchItemFailures) == 0 {
		return 0, false
	}
	first := -1
	for _, f := range resp.BatchItemFailures {
		for i := range batch {
			if aws.ToString(batch[i].SequenceNumber) == f.ItemIdentifier && (first < 0 || i < first) {
				first = i
			}
		}
	}
	if first < 0 {
		return 0, true
	}
	return first, true
}

// final ends a window: retried like a batch, and given up on after the
// retries, when its records go to the on-failure destination.
func (m *KinesisMapping) final(ctx context.Context, shard string, recs []kinesistypes.Record, w *window) error {
	for attempt := 0; ; attempt++ {
		res, _, err := m.invoke(ctx, shard, nil, w, true)
		if err != nil {
			return err
		}
		if res.Error == "" {
			return nil
		}
		m.Stats.FunctionErrors++
		if attempt >= m.MaxRetries {
			m.giveUp(ctx, shard, recs, res, "RetryAttemptsExhausted")
			return nil
		}
		m.Stats.Retries++
	}
}

func stateSize(state map[string]string) int {
	n := 0
	for k, v := range state {
		n += len(k) + len(v)
	}
	return n
}

// invoke sends one event of the mapping to the function.
func (m *KinesisMapping) invoke(ctx context.Context, shard string, batch []kinesistypes.Record, w *window, final bool) (Result, events.KinesisTimeWindowEventResponse, error) {
	var resp events.KinesisTimeWindowEventResponse
	records := make([]events.KinesisEventRecord, len(batch))
	for i, r := range batch {
		seq := aws.ToString(r.SequenceNumber)
		records[i] = events.KinesisEventRecord{
			AwsRegion: region(m.StreamARN), EventID: shard + ":" + seq, EventName: "aws:kinesis:record",
			EventSource: "aws:kinesis", EventSourceArn: m.StreamARN, EventVersion: "1.0",
			InvokeIdentityArn: m.FunctionARN,
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: aws.ToTime(r.ApproximateArrivalTimestamp)},
				Data:                        r.Data, KinesisSchemaVersion: "1.0", PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: seq,
			},
		}
	}
	var event any = events.KinesisEvent{Records: records}
	if w != nil {
		event = events.KinesisTimeWindowEvent{
			KinesisEvent: events.KinesisEvent{Records: records},
			TimeWindowProperties: events.TimeWindowProperties{
				Window: events.Window{Start: events.RFC3339EpochTime{Time: w.start}, End: events.RFC3339EpochTime{Time: w.end}},
				State:  w.state, ShardID: shard, EventSourceARN: m.StreamARN,
				IsFinalInvokeForWindow: final, IsWindowTerminatedEarly: final && w.early,
			},
		}
	}
	body, err := json.Marshal(event)
	if err != nil {
		return Result{}, resp, err
	}
	m.Stats.Invocations++
	res, err := m.Function.Invoke(ctx, body)
	if err != nil {
		return res, resp, err
	}
	m.Stats.Reports = append(m.Stats.Reports, res.Report)
	if res.Error == "" {
		if err := json.Unmarshal(res.Payload, &resp); err != nil && string(res.Payload) != "null" {
			return res, resp, fmt.Errorf("the function's response is not a Kinesis response: %w: %s", err, res.Payload)
		}
		if w != nil && resp.State == nil {
			// Lambda takes a windowed response without state as a failure.
			res.Error = "no state in the response"
		}
	}
	return res, resp, nil
}

// giveUp sends a description of records given up on to the on-failure
// destination, as Lambda does for a stream.
func (m *KinesisMapping) giveUp(ctx context.Context, shard string, recs []kinesistypes.Record, res Result, condition string) {
	m.Stats.GivenUp++
	m.Stats.GivenUpRecords += len(recs)
	if m.SQS == nil || m.OnFailureQueueURL == "" || len(recs) == 0 {
		return
	}
	msg := OnFailureMessage{Version: "1.0", Timestamp: time.Now().UTC().Format(time.RFC3339Nano)}
	msg.RequestContext.RequestID = res.Report.RequestID
	msg.RequestContext.FunctionARN = m.FunctionARN
	msg.RequestContext.Condition = condition
	msg.RequestContext.ApproximateInvokeCount = 1
	msg.ResponseContext.StatusCode = 200
	msg.ResponseContext.ExecutedVersion = "$LATEST"
	if res.Error != "" {
		msg.ResponseContext.FunctionError = "Unhandled"
	}
	msg.KinesisBatchInfo = &KinesisBatchInfo{
		ShardID: shard, StartSequenceNumber: aws.ToString(recs[0].SequenceNumber), EndSequenceNumber: aws.ToString(recs[len(recs)-1].SequenceNumber),
		ApproximateArrivalOfFirstRecord: aws.ToTime(recs[0].ApproximateArrivalTimestamp).UTC().Format(time.RFC3339Nano),
		ApproximateArrivalOfLastRecord:  aws.ToTime(recs[len(recs)-1].ApproximateArrivalTimestamp).UTC().Format(time.RFC3339Nano),
		BatchSize:                       len(recs), StreamARN: m.StreamARN,
	}
	body, _ := json.Marshal(msg)
	if _, err := m.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(m.OnFailureQueueURL), MessageBody: aws.String(string(body))}); err != nil {
		// Lambda would retry the destination; the harness says so loudly.
		panic(errors.Join(errors.New("sending to the on-failure destination"), err))
	}
}

// OnFailureMessage is what Lambda sends to an on-failure destination.
type OnFailureMessage struct {
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	} `json:"responseContext"`
	// KinesisBatchInfo describes the records of a stream given up on.
	KinesisBatchInfo *KinesisBatchInfo `json:"KinesisBatchInfo,omitempty"`
	// RequestPayload is the event of an asynchronous invocation given up
	// on.
	RequestPayload json.RawMessage `json:"requestPayload,omitempty"`
}

// KinesisBatchInfo names the records of a batch given up on.
type KinesisBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

func region(arn string) string {
	// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME
	parts := [6]string{}
	n := 0
	start := 0
	for i := 0; i < len(arn) && n < 5; i++ {
		if arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	return parts[3]
}
