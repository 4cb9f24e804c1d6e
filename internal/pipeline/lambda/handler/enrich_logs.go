package handler

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// LogsHandler enriches the flow log records of CloudWatch Logs subscription
// events delivered straight to Lambda and stores each event's rows in S3,
// one object per Hive partition, named after the payload (s3sink.LogsName:
// log group, log stream and first event id), and its rejected records under
// the same name (s3sink.RejectedDir). Lambda retries an event that failed
// with the same payload, and may deliver an event twice; either way the
// second attempt writes the same keys and overwrites whatever the first
// stored. See the package documentation for the whole argument.
type LogsHandler struct {
	sink *s3sink.Sink
	g    *enrichment

	mu    sync.Mutex // one invocation at a time, as Lambda runs them
	batch *s3sink.Batch
}

// LogsResult is what an invocation of LogsHandler returns.
type LogsResult struct {
	Counts
	Rows int      `json:"rows"`
	Keys []string `json:"keys,omitempty"`
}

// NewLogsHandler returns a handler of CloudWatch Logs subscription events.
func NewLogsHandler(cfg EnrichConfig) (*LogsHandler, error) {
	if cfg.Sink == nil {
		return nil, fmt.Errorf("CloudWatch Logs handler: no output sink")
	}
	g, err := newEnrichment(cfg)
	if err != nil {
		return nil, err
	}
	return &LogsHandler{sink: cfg.Sink, g: g, batch: cfg.Sink.NewBatch()}, nil
}

// HandleCloudWatchLogs enriches one subscription event. A payload that does
// not decode, and records that do not parse, are logged and counted as
// rejected, not failed: a retry would not fix them. An error (the inventory
// or S3 failing) makes Lambda retry the event.
func (h *LogsHandler) HandleCloudWatchLogs(ctx context.Context, ev events.CloudwatchLogsEvent) (LogsResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g := h.g
	var res LogsResult
	hd, err := g.decodeBase64(ev.AWSLogs.Data)
	if err != nil {
		res.Counts = g.rejectPayload(ctx, "cloudwatch-logs", []byte(ev.AWSLogs.Data), err)
		name := s3sink.UndecodedName([]byte(ev.AWSLogs.Data))
		if _, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd)); err != nil {
			return res, err
		}
		return res, nil
	}
	if hd.MessageType == subscription.ControlMessage || len(g.ends) == 0 {
		g.log.InfoContext(ctx, "subscription message without log events", "type", hd.MessageType.String(), "log_group", hd.LogGroup)
		return res, nil
	}
	h.batch.Reset()
	counts, err := g.enrich(ctx, hd, hd.LogGroup+" "+hd.LogStream, h.batch)
	if err != nil {
		return res, fmt.Errorf("enriching %s %s: %w", hd.LogGroup, hd.LogStream, err)
	}
	res.Counts = counts
	res.Rows = h.batch.Rows()
	name := g.payloadName(hd)
	if res.Keys, err = h.sink.Commit(ctx, h.batch, name); err != nil {
		return res, err
	}
	if _, err := h.sink.CommitRejected(ctx, name, g.rejectedOf(name, hd)); err != nil {
		return res, err
	}
	g.log.InfoContext(ctx, "enriched subscription event", "log_group", hd.LogGroup, "log_stream", hd.LogStream,
		"first_event", g.firstID, "read", counts.Read, "written", counts.Written, "rejected", counts.Rejected,
		"rows", res.Rows, "objects", len(res.Keys))
	return res, nil
}
