package handler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// DefaultMaxStateBytes is the default bound on the window state a Kinesis
// invocation returns: Lambda keeps at most 1 MB of state per shard and ends
// the window early past it.
const DefaultMaxStateBytes = 1_000_000

// KinesisHandler enriches CloudWatch Logs subscription payloads read from a
// Kinesis stream by a Lambda event source mapping, with or without a
// tumbling window, with ReportBatchItemFailures. How neither mode counts a
// record twice or drops one, whatever Lambda retries, splits or delivers
// again, is the package documentation's subject.
//
// Without a tumbling window (no shardId in the event), every Kinesis record
// is stored on its own, as the payload it holds: its rows under the
// payload's name (s3sink.LogsName), as the CloudWatch Logs handler stores
// them.
//
// With a tumbling window, every invocation of a window folds its records'
// rows into the window state, merged by connection key, and returns the
// state; Lambda hands it to the next invocation of the same shard and
// window. The final invocation (isFinalInvokeForWindow, or
// isWindowTerminatedEarly) stores the rows in S3, one object per Hive
// partition named after the shard and the first and last sequence numbers
// of the records folded (s3sink.KinesisName).
//
// The state is the window's rows, merged, with each endpoint stored once,
// as varints, gzip-compressed, in base64 (see encodeState): typically 15 to
// 30 bytes a row. When the uncompressed encoding of the rows would exceed
// three quarters of MaxStateBytes (so that even incompressible state
// fits in base64), the rows are stored early, as a part of the window
// named after its own first and last records, and the state starts over.
// Whether a part is cut after a record depends only on the rows of the
// records since the part began, not on how Lambda batched them, so a
// retried batch cuts its parts at the same records and writes the same keys.
type KinesisHandler struct {
	sink          *s3sink.Sink
	g             *enrichment
	maxStateBytes int

	mu      sync.Mutex
	batch   *s3sink.Batch
	collect collector
}

// KinesisOptions configure a KinesisHandler beyond EnrichConfig.
type KinesisOptions struct {
	// MaxStateBytes bounds the state returned; default
	// DefaultMaxStateBytes.
	MaxStateBytes int
}

// NewKinesisHandler returns a handler of Kinesis tumbling window events.
func NewKinesisHandler(cfg EnrichConfig, opts KinesisOptions) (*KinesisHandler, error) {
	if cfg.Sink == nil {
		return nil, errors.New("kinesis handler: no output sink")
	}
	g, err := newEnrichment(cfg)
	if err != nil {
		return nil, err
	}
	if opts.MaxStateBytes <= 0 {
		opts.MaxStateBytes = DefaultMaxStateBytes
	}
	return &KinesisHandler{sink: cfg.Sink, g: g, maxStateBytes: opts.MaxStateBytes, batch: cfg.Sink.NewBatch()}, nil
}

// rowBudget is the most bytes of uncompressed row encoding a state may
// hold: its base64 is 4/3 of that, gzip adds a few bytes, and the header a
// few hundred.
func (h *KinesisHandler) rowBudget() int { return h.maxStateBytes*3/4 - 1024 }

// collector keeps the rows the enricher writes for one payload.
type collector struct{ rows []connrows.Row }

func (c *collector) Write(r *connrows.Row) error {
	c.rows = append(c.rows, *r)
	return nil
}

func (c *collector) Close() error { return nil }

func (c *collector) reset() {
	clear(c.rows)
	c.rows = c.rows[:0]
}

// HandleKinesisWindow handles a batch of a shard: it stores each record at
// once without a tumbling window, and otherwise folds the batch into the
// window and stores the window's rows at its final invocation.
func (h *KinesisHandler) HandleKinesisWindow(ctx context.Context, ev events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	shard := ev.ShardID
	arn := ev.EventSourceARN
	if arn == "" && len(ev.Records) > 0 {
		arn = ev.Records[0].EventSourceArn
	}
	if shard == "" {
		if len(ev.Records) > 0 {
			// eventID is "<shard id>:<sequence number>".
			shard, _, _ = strings.Cut(ev.Records[0].EventID, ":")
		}
		return h.handleBatch(ctx, ev, shard, arn)
	}
	return h.handleWindow(ctx, ev, shard, arn)
}

// handleBatch stores each record of a batch as its own payload, in order.
// A record whose inventory cannot be read is reported as the batch item
// failure, so that Lambda retries from it; any other failure fails the
// invocation, and Lambda retries the batch or its halves. Either way the
// records stored before are stored again under the same names.
func (h *KinesisHandler) handleBatch(ctx context.Context, ev events.KinesisTimeWindowEvent, shard, arn string) (events.KinesisTimeWindowEventResponse, error) {
	var resp events.KinesisTimeWindowEventResponse
	var counts Counts
	t := timings{inventoryBefore: h.g.inventoryTime}
	objects := 0
	for i := range ev.Records {
		rec := &ev.Records[i]
		seq := rec.Kinesis.SequenceNumber
		began := time.Now()
		c, n, err := h.storeRecord(ctx, shard, seq, rec.Kinesis.Data)
		t.fold += time.Since(began)
		if err != nil {
			var inv inventoryErr
			if errors.As(err, &inv) {
				h.g.log.WarnContext(ctx, "record failed; Lambda retries from it", "shard", shard, "sequence_number", seq, "reason", err.Error())
				resp.BatchItemFailures = []events.KinesisBatchItemFailure{{ItemIdentifier: seq}}
				break
			}
			return resp, fmt.Errorf("shard %s record %s: %w", shard, seq, err)
		}
		counts.add(c)
		objects += n
	}
	h.g.log.InfoContext(ctx, "batch stored", "shard", shard, "records", len(ev.Records), "payloads", counts.Payloads,
		"read", counts.Read, "written", counts.Written, "rejected", counts.Rejected, "objects", objects,
		"retry_from", retryFrom(resp), "fold_ms", t.ms(t.fold), "inventory_ms", t.ms(h.g.inventoryTime-t.inventoryBefore))
	return resp, nil
}

func retryFrom(resp events.KinesisTimeWindowEventResponse) string {
	if len(resp.BatchItemFailures) == 0 {
		return ""
	}
	return resp.BatchItemFailures[0].ItemIdentifier
}

// storeRecord enriches one Kinesis record's payload and stores its rows and
// rejected records under the payload's name; it returns the counts and the
// number of objects written.
func (h *KinesisHandler) storeRecord(ctx context.Context, shard, seq string, gz []byte) (Counts, int, error) {
	g := h.g
	hd, err := g.decode(gz)
	if err != nil {
		counts := g.rejectPayload(ctx, shard+" "+seq, gz, err)
		name := s3sink.UndecodedName(gz)
		_, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd))
		return counts, 1, err
	}
	if hd.MessageType == subscription.ControlMessage || len(g.ends) == 0 {
		return Counts{}, 0, nil
	}
	h.batch.Reset()
	counts, err := g.enrich(ctx, hd, shard+" "+seq, h.batch)
	if err != nil {
		return Counts{}, 0, err
	}
	name := g.payloadName(hd)
	keys, err := h.sink.Commit(ctx, h.batch, name)
	if err != nil {
		return Counts{}, 0, err
	}
	key, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd))
	if err != nil {
		return Counts{}, 0, err
	}
	if key != "" {
		keys = append(keys, key)
	}
	return counts, len(keys), nil
}

// handleWindow folds a batch into its tumbling window.
func (h *KinesisHandler) handleWindow(ctx context.Context, ev events.KinesisTimeWindowEvent, shard, arn string) (events.KinesisTimeWindowEventResponse, error) {
	var resp events.KinesisTimeWindowEventResponse
	final := ev.IsFinalInvokeForWindow || ev.IsWindowTerminatedEarly

	st, err := decodeState(ev.State)
	if err != nil {
		return resp, fmt.Errorf("shard %s: %w", shard, err)
	}
	if st.Shard == "" {
		st.Shard = shard
	} else if st.Shard != shard {
		return resp, fmt.Errorf("window state of shard %s given for shard %s", st.Shard, shard)
	}

	skipped := 0
	t := timings{inventoryBefore: h.g.inventoryTime}
	for i := range ev.Records {
		rec := &ev.Records[i]
		seq := rec.Kinesis.SequenceNumber
		if st.Seen != "" && s3sink.CompareSeq(seq, st.Seen) <= 0 {
			skipped++
			continue
		}
		began := time.Now()
		err := h.fold(ctx, st, shard, seq, rec.Kinesis.Data)
		t.fold += time.Since(began)
		if err != nil {
			var inv inventoryErr
			if errors.As(err, &inv) && !final {
				h.g.log.WarnContext(ctx, "record failed; Lambda retries from it", "shard", shard, "sequence_number", seq, "reason", err.Error())
				resp.BatchItemFailures = []events.KinesisBatchItemFailure{{ItemIdentifier: seq}}
				return h.keep(ctx, resp, st, ev, skipped, t)
			}
			return resp, fmt.Errorf("shard %s record %s: %w", shard, seq, err)
		}
		if st.Rows.size > h.rowBudget() {
			if err := t.timeStore(func() error { return h.store(ctx, st, arn) }); err != nil {
				return resp, err
			}
			st.Parts++
		}
	}

	if !final {
		return h.keep(ctx, resp, st, ev, skipped, t)
	}
	if err := t.timeStore(func() error { return h.store(ctx, st, arn) }); err != nil {
		return resp, err
	}
	h.g.log.InfoContext(ctx, "window stored", "shard", shard, "window_start", ev.Window.Start.Time, "window_end", ev.Window.End.Time,
		"terminated_early", ev.IsWindowTerminatedEarly, "payloads", st.Counts.Payloads, "read", st.Counts.Read,
		"written", st.Counts.Written, "rejected", st.Counts.Rejected, "parts_stored_early", st.Parts, "skipped", skipped,
		"duplicate_payloads", st.Duplicates,
		"fold_ms", t.ms(t.fold), "inventory_ms", t.ms(h.g.inventoryTime-t.inventoryBefore), "store_ms", t.ms(t.store))
	// Lambda takes a response without state for a failure.
	resp.State = map[string]string{}
	return resp, nil
}

// keep returns the state for the next invocation of the window.
func (h *KinesisHandler) keep(ctx context.Context, resp events.KinesisTimeWindowEventResponse, st *windowState, ev events.KinesisTimeWindowEvent, skipped int, t timings) (events.KinesisTimeWindowEventResponse, error) {
	enc, err := encodeState(st)
	if err != nil {
		return resp, fmt.Errorf("shard %s: encoding the window state: %w", st.Shard, err)
	}
	resp.State = map[string]string{stateKey: enc}
	h.g.log.InfoContext(ctx, "window state kept", "shard", st.Shard, "window_start", ev.Window.Start.Time,
		"records", len(ev.Records), "skipped", skipped, "rows", len(st.Rows.rows), "state_bytes", len(enc),
		"read", st.Counts.Read, "written", st.Counts.Written, "rejected", st.Counts.Rejected,
		"fold_ms", t.ms(t.fold), "inventory_ms", t.ms(h.g.inventoryTime-t.inventoryBefore), "store_ms", t.ms(t.store))
	return resp, nil
}

// fold adds one Kinesis record's payload to the state. A payload the
// window has folded already, under another sequence number (the producer
// put it twice), is skipped. Rejected records are stored at once, under
// the payload's name. On an error the state is as it was.
func (h *KinesisHandler) fold(ctx context.Context, st *windowState, shard, seq string, gz []byte) error {
	g := h.g
	var counts Counts
	hd, err := g.decode(gz)
	switch {
	case err != nil:
		counts = g.rejectPayload(ctx, shard+" "+seq, gz, err)
		name := s3sink.UndecodedName(gz)
		if _, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd)); err != nil {
			return err
		}
	case hd.MessageType == subscription.ControlMessage || len(g.ends) == 0:
	default:
		name := g.payloadName(hd)
		id := payloadID(name)
		if st.hasPayload(id) {
			st.Duplicates++
			break
		}
		h.collect.reset()
		counts, err = g.enrich(ctx, hd, shard+" "+seq, &h.collect)
		if err != nil {
			return err
		}
		if _, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd)); err != nil {
			return err
		}
		for i := range h.collect.rows {
			if err := st.Rows.add(&h.collect.rows[i]); err != nil {
				return err
			}
		}
		st.addPayload(id)
	}
	st.Counts.add(counts)
	if st.First == "" {
		st.First = seq
	}
	st.Seen = seq
	return nil
}

// store writes the rows of the records from First to Seen and starts the
// next part.
func (h *KinesisHandler) store(ctx context.Context, st *windowState, arn string) error {
	if st.First == "" {
		return nil
	}
	if !st.Rows.empty() {
		h.batch.Reset()
		if err := st.Rows.write(h.batch); err != nil {
			return err
		}
		if err := h.batch.Close(); err != nil {
			return err
		}
		name := s3sink.KinesisName(arn, st.Shard, st.First, st.Seen)
		if _, err := h.sink.Commit(ctx, h.batch, name); err != nil {
			return fmt.Errorf("shard %s: storing records %s to %s: %w", st.Shard, st.First, st.Seen, err)
		}
	}
	st.Rows.reset()
	st.First = ""
	return nil
}

// timings are where an invocation spent its time: folding records
// (decoding, reading the inventory, attributing, pairing, aggregating) and
// storing rows in S3. They are logged with each invocation, the inventory
// reads of the folds apart.
type timings struct{ fold, store, inventoryBefore time.Duration }

func (t *timings) timeStore(store func() error) error {
	began := time.Now()
	err := store()
	t.store += time.Since(began)
	return err
}

func (timings) ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
