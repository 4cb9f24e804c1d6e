package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

// Environment of the Lambda function.
const (
	envENIs      = "VPCFLOW_ENIS_FILE"      // describe-network-interfaces output (required)
	envTags      = "VPCFLOW_TAGS_FILE"      // get-resources output
	envIPRanges  = "VPCFLOW_IP_RANGES_FILE" // ip-ranges.json
	envLogFormat = "VPCFLOW_LOG_FORMAT"     // log_format of the flow log
	envWindow    = "VPCFLOW_WINDOW"         // aggregation window, default 60s
	envMaxKeys   = "VPCFLOW_MAX_KEYS"       // bound on open connections
	envInetAddrs = "VPCFLOW_INTERNET_ADDRS" // "true": an endpoint per internet address
)

// cloudWatchLogsHandler enriches the flow log records of a CloudWatch Logs
// subscription event. Each invocation aggregates its own records and writes
// the rows as NDJSON to out (the function's log, until the S3 output
// handler takes over). The enricher and writer are built once and reset for
// each invocation, so a warm function reuses their memory.
type cloudWatchLogsHandler struct {
	log *slog.Logger

	mu  sync.Mutex // one invocation at a time, as Lambda runs them
	ctx context.Context
	out *bufio.Writer
	w   *connrows.NDJSONWriter
	e   *enrich.Enricher
}

// result is what an invocation returns.
type result struct {
	Read     int `json:"read"`
	Written  int `json:"written"`
	Rejected int `json:"rejected"`
	Rows     int `json:"rows"`
}

func newCloudWatchLogsHandler(getenv func(string) string, out io.Writer) (*cloudWatchLogsHandler, error) {
	if getenv(envENIs) == "" {
		return nil, fmt.Errorf("%w: %s is required", errUsage, envENIs)
	}
	inv, err := loadInventory(getenv(envENIs), getenv(envTags), getenv(envIPRanges))
	if err != nil {
		return nil, err
	}
	opts := enrich.Options{}
	if s := getenv(envLogFormat); s != "" {
		if opts.Format, err = flowrecord.ParseFormat(s); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errUsage, envLogFormat, err)
		}
	}
	if opts.Window, err = envDuration(getenv, envWindow, 0); err != nil {
		return nil, err
	}
	if opts.MaxKeys, err = envInt(getenv, envMaxKeys, 0); err != nil {
		return nil, err
	}
	if s := getenv(envInetAddrs); s != "" {
		if opts.InternetAddrs, err = strconv.ParseBool(s); err != nil {
			return nil, fmt.Errorf("%w: %s=%q: %v", errUsage, envInetAddrs, s, err)
		}
	}
	h := &cloudWatchLogsHandler{
		log: slog.New(slog.NewJSONHandler(out, nil)),
		ctx: context.Background(),
		out: bufio.NewWriterSize(out, 256<<10),
	}
	opts.Reject = func(r enrich.Rejection) {
		// Rows and log lines share the output: put out the complete rows
		// written so far before a log line.
		_ = h.out.Flush() // a failure shows again at the end of Handle
		h.log.WarnContext(h.ctx, "rejected flow log record", "line", r.Line, "event", r.Event, "reason", r.Err.Error())
	}
	if h.w, err = connrows.NewNDJSON(h.out, connrows.NDJSONOptions{}); err != nil {
		return nil, err
	}
	if h.e, err = enrich.New(inv, h.w, opts); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return h, nil
}

// Handle enriches one subscription event.
func (h *cloudWatchLogsHandler) Handle(ctx context.Context, ev events.CloudwatchLogsEvent) (result, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ctx = ctx
	h.w.Reset(h.out)
	h.e.Reset(h.w)
	err := h.e.PayloadBase64(1, ev.AWSLogs.Data)
	if cerr := h.e.Close(); err == nil {
		err = cerr
	}
	if ferr := h.out.Flush(); err == nil {
		err = ferr
	}
	st := h.e.Stats()
	res := result{Read: st.Read, Written: st.Written, Rejected: st.Rejected, Rows: st.Rows}
	h.log.InfoContext(ctx, "enriched subscription event", "read", st.Read, "written", st.Written, "rejected", st.Rejected, "rows", st.Rows)
	return res, err
}
