package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowobject"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// GetAPI is the part of the S3 client that reads flow log files.
type GetAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// DefaultPartRecords is how many lines of a flow log file are enriched
// together, and stored as one part of its rows.
const DefaultPartRecords = 100_000

// S3Options configure an S3Handler beyond EnrichConfig.
type S3Options struct {
	// PartRecords is how many lines of a file make a part: the handler
	// holds one part's lines and rows at a time. Default
	// DefaultPartRecords.
	PartRecords int
	// TempDir is where Parquet files are copied to be read (Parquet is read
	// from its end); default os.TempDir(), /tmp in Lambda.
	TempDir string
}

// S3Handler enriches the flow log files that VPC Flow Logs delivers to S3,
// named by S3 event notifications that an SQS queue holds (the S3
// notification format, an EventBridge "Object Created" event, or either
// wrapped in an SNS notification), with an SQS event source mapping that
// has ReportBatchItemFailures.
//
// Each file is read as a stream, in parts of PartRecords lines: plain text
// (gzip or not) with its header line giving the format (without one,
// Options.Format applies), or Parquet, whose columns give the format. The
// rows of part N are stored under s3sink.ObjectName(bucket, key, version,
// N), version being the file's version id, or its ETag in a bucket without
// versioning; its rejected records under the same name. A notification
// delivered twice, a message received again after its visibility timeout,
// or a batch retried all read the same file, cut it at the same lines and
// write the same keys. A message whose file fails to be read or stored is
// named in the response's batch item failures, so that SQS delivers it
// again; the other messages of the batch are done.
type S3Handler struct {
	sink   *s3sink.Sink
	g      *enrichment
	client GetAPI
	opts   S3Options

	mu      sync.Mutex
	batch   *s3sink.Batch
	parsers map[string]*flowrecord.Parser // by format
	lines   []int                         // line number of each message of the part
	long    []s3sink.Rejected             // lines of the part too long to parse
}

// NewS3Handler returns a handler of SQS events of S3 notifications.
func NewS3Handler(cfg EnrichConfig, client GetAPI, opts S3Options) (*S3Handler, error) {
	if cfg.Sink == nil {
		return nil, errors.New("S3 handler: no output sink")
	}
	if client == nil {
		return nil, errors.New("S3 handler: no S3 client to read flow log files")
	}
	g, err := newEnrichment(cfg)
	if err != nil {
		return nil, err
	}
	if opts.PartRecords <= 0 {
		opts.PartRecords = DefaultPartRecords
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	return &S3Handler{sink: cfg.Sink, g: g, client: client, opts: opts, batch: cfg.Sink.NewBatch(),
		parsers: map[string]*flowrecord.Parser{}}, nil
}

// ObjectRef names a flow log file a notification announces.
type ObjectRef struct {
	Bucket, Key string
	// VersionID is the file's version, in a bucket with versioning; ETag
	// its entity tag, without quotes.
	VersionID, ETag string
}

// version is what tells this file apart from another under the same key.
func (o ObjectRef) version() string {
	if o.VersionID != "" {
		return o.VersionID
	}
	return o.ETag
}

func (o ObjectRef) String() string { return "s3://" + o.Bucket + "/" + o.Key }

// notification holds the fields of the message bodies the handler reads.
type notification struct {
	// S3 event notifications.
	Records []events.S3EventRecord `json:"Records"`
	Event   string                 `json:"Event"` // "s3:TestEvent"
	// EventBridge.
	DetailType string `json:"detail-type"`
	Source     string `json:"source"`
	Detail     struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			ETag      string `json:"etag"`
			VersionID string `json:"version-id"`
		} `json:"object"`
	} `json:"detail"`
	// SNS.
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// ParseNotification returns the files created that an SQS message body
// names: an S3 event notification (ObjectCreated events; others, and the
// s3:TestEvent S3 sends when a notification is configured, name none), an
// EventBridge "Object Created" event of aws.s3, or either of them inside an
// SNS notification.
func ParseNotification(body string) ([]ObjectRef, error) {
	for range 2 {
		var n notification
		if err := json.Unmarshal([]byte(body), &n); err != nil {
			return nil, fmt.Errorf("not an S3 event notification: %w", err)
		}
		switch {
		case n.Type == "Notification" && n.Message != "":
			body = n.Message
			continue
		case n.Event == "s3:TestEvent":
			return nil, nil
		case n.Records != nil:
			var refs []ObjectRef
			for _, r := range n.Records {
				if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
					continue
				}
				// Keys come URL-encoded, a space as '+'.
				key, err := url.QueryUnescape(r.S3.Object.Key)
				if err != nil {
					return nil, fmt.Errorf("object key %q: %w", r.S3.Object.Key, err)
				}
				refs = append(refs, ObjectRef{Bucket: r.S3.Bucket.Name, Key: key,
					VersionID: r.S3.Object.VersionID, ETag: strings.Trim(r.S3.Object.ETag, `"`)})
			}
			return refs, nil
		case n.Source == "aws.s3" && n.DetailType == "Object Created":
			d := n.Detail
			return []ObjectRef{{Bucket: d.Bucket.Name, Key: d.Object.Key, VersionID: d.Object.VersionID,
				ETag: strings.Trim(d.Object.ETag, `"`)}}, nil
		case n.Source == "aws.s3":
			return nil, nil // another S3 event
		}
		break
	}
	return nil, errors.New("not an S3 event notification: no Records, no EventBridge Object Created event")
}

// HandleSQS enriches the files the messages of a batch name. A message
// whose body is not a notification is kept as rejected; a message whose
// file cannot be read or stored now is reported as a batch item failure.
func (h *S3Handler) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var resp events.SQSEventResponse
	var counts Counts
	objects, files := 0, 0
	for i := range ev.Records {
		msg := &ev.Records[i]
		refs, err := ParseNotification(msg.Body)
		if err != nil {
			c := h.g.rejectPayload(ctx, "sqs "+msg.MessageId, []byte(msg.Body), err)
			name := s3sink.UndecodedName([]byte(msg.Body))
			if _, err := h.sink.CommitRejected(ctx, name, h.g.rejectedOf(name, subscription.Header{})); err != nil {
				h.fail(ctx, &resp, msg, err)
				continue
			}
			counts.add(c)
			continue
		}
		for _, ref := range refs {
			c, n, err := h.storeObject(ctx, ref)
			if err != nil {
				h.fail(ctx, &resp, msg, fmt.Errorf("%s: %w", ref, err))
				break
			}
			counts.add(c)
			objects += n
			files++
		}
	}
	h.g.log.InfoContext(ctx, "batch stored", "messages", len(ev.Records), "files", files,
		"read", counts.Read, "written", counts.Written, "rejected", counts.Rejected, "objects", objects,
		"failed_messages", len(resp.BatchItemFailures))
	return resp, nil
}

func (h *S3Handler) fail(ctx context.Context, resp *events.SQSEventResponse, msg *events.SQSMessage, err error) {
	h.g.log.WarnContext(ctx, "message failed; SQS delivers it again", "message_id", msg.MessageId, "reason", err.Error())
	resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
}

// storeObject enriches one file and stores its rows, part by part; it
// returns the counts and the number of objects written.
func (h *S3Handler) storeObject(ctx context.Context, ref ObjectRef) (Counts, int, error) {
	g := h.g
	uri := ref.String()
	if ref.Bucket == h.sink.Bucket() && strings.HasPrefix(ref.Key, h.sink.Prefix()) {
		// The function's own output: reading it would feed it back.
		g.log.WarnContext(ctx, "file under the output prefix skipped: the notification's prefix must not cover the rows",
			"object", uri, "output_prefix", h.sink.Prefix())
		return Counts{}, 0, nil
	}
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}
	if ref.VersionID != "" {
		in.VersionId = aws.String(ref.VersionID)
	} else if ref.ETag != "" {
		// The rows are named after this ETag: read that content or none.
		in.IfMatch = aws.String(`"` + ref.ETag + `"`)
	}
	out, err := h.client.GetObject(ctx, in)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			switch api.ErrorCode() {
			case "PreconditionFailed":
				// Replaced since: the new content's own notification counts it.
				g.log.InfoContext(ctx, "file replaced since its notification; its new version is counted by its own", "object", uri, "etag", ref.ETag)
				return Counts{}, 0, nil
			case "NoSuchKey", "NoSuchVersion":
				// Deleted before it was read: no retry brings it back.
				return h.rejectObject(ctx, ref, 0, "the file no longer exists ("+api.ErrorCode()+"): its records were deleted before they were read")
			}
		}
		return Counts{}, 0, fmt.Errorf("reading: %w", err)
	}
	defer func() { _ = out.Body.Close() }() // read only
	kind, gz, br, err := flowobject.Detect(out.Body)
	if err != nil {
		return Counts{}, 0, fmt.Errorf("reading: %w", err)
	}
	var lines flowobject.Lines
	switch kind {
	case flowobject.Parquet:
		f, err := os.CreateTemp(h.opts.TempDir, "flowlog-*.parquet")
		if err != nil {
			return Counts{}, 0, err
		}
		defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }() // a scratch copy
		size, err := io.Copy(f, br)
		if err != nil {
			return Counts{}, 0, fmt.Errorf("reading: %w", err)
		}
		pl, err := flowobject.NewParquetLines(f, size)
		if err != nil {
			return h.rejectObject(ctx, ref, 0, err.Error())
		}
		defer func() { _ = pl.Close() }()
		lines = pl
	default:
		tl, err := flowobject.NewTextLines(br, gz)
		if err != nil {
			return h.rejectObject(ctx, ref, 0, err.Error())
		}
		lines = tl
	}

	var total Counts
	objects := 0
	for part := 0; ; part++ {
		n, more := h.fill(lines)
		if n == 0 && part > 0 && lines.Err() == nil {
			break
		}
		var dataErr *flowobject.DataError
		readErr := lines.Err()
		if readErr != nil && !errors.As(readErr, &dataErr) {
			return total, objects, fmt.Errorf("reading: %w", readErr)
		}
		c, keys, err := h.storePart(ctx, ref, part, lines, readErr)
		if err != nil {
			return total, objects, err
		}
		total.add(c)
		objects += keys
		if !more {
			break
		}
	}
	total.Payloads = 1
	g.log.InfoContext(ctx, "file enriched", "object", uri, "version", ref.version(), "read", total.Read,
		"written", total.Written, "rejected", total.Rejected, "objects", objects)
	return total, objects, nil
}

// fill reads the next part's lines into the enrichment's messages; it
// returns the number of lines read and whether more may follow.
func (h *S3Handler) fill(lines flowobject.Lines) (int, bool) {
	g := h.g
	g.msgs, g.ends = g.msgs[:0], g.ends[:0]
	g.firstID, g.lastID = "", ""
	h.lines, h.long = h.lines[:0], h.long[:0]
	n := 0
	for n < h.opts.PartRecords {
		if !lines.Next() {
			return n, false
		}
		n++
		if lines.TooLong() {
			const keep = 256
			h.long = append(h.long, s3sink.Rejected{Event: lines.LineNumber(),
				Reason:  fmt.Sprintf("%v: longer than %d bytes", flowrecord.ErrLineTooLong, flowobject.MaxLineBytes),
				Message: string(lines.Line()[:min(len(lines.Line()), keep)])})
			continue
		}
		g.msgs = append(g.msgs, lines.Line()...)
		g.ends = append(g.ends, len(g.msgs))
		h.lines = append(h.lines, lines.LineNumber())
	}
	return n, true
}

// parser returns the parser of the file's format.
func (h *S3Handler) parser(lines flowobject.Lines) *flowrecord.Parser {
	format, ok := lines.Format()
	if !ok {
		format = h.g.opts.Format
	}
	key := format.String()
	p, ok := h.parsers[key]
	if !ok {
		p = flowrecord.NewParser(format)
		h.parsers[key] = p
	}
	return p
}

// storePart enriches the lines filled and stores their rows and rejected
// records under the part's name. dataErr, when not nil, is why the file
// ended early; it is kept as a rejection.
func (h *S3Handler) storePart(ctx context.Context, ref ObjectRef, part int, lines flowobject.Lines, dataErr error) (Counts, int, error) {
	g := h.g
	uri := ref.String()
	name := s3sink.ObjectName(ref.Bucket, ref.Key, ref.version(), part)
	h.batch.Reset()
	var counts Counts
	g.rejected = g.rejected[:0]
	if len(g.ends) > 0 {
		c, err := g.enrichWith(ctx, h.parser(lines), subscription.Header{}, uri, h.batch)
		if err != nil {
			return Counts{}, 0, err
		}
		counts = c
	} else if err := h.batch.Close(); err != nil {
		return Counts{}, 0, err
	}
	for i := range g.rejected {
		r := &g.rejected[i]
		if r.Event > 0 && r.Event <= len(h.lines) {
			r.Event = h.lines[r.Event-1]
		}
	}
	rejected := append(g.rejected, h.long...)
	counts.Read += len(h.long)
	counts.Rejected += len(h.long)
	if dataErr != nil {
		rejected = append(rejected, s3sink.Rejected{Reason: "the rest of the file cannot be read: " + dataErr.Error()})
		counts.Read++
		counts.Rejected++
	}
	for i := range rejected {
		rejected[i].Source, rejected[i].Object = name, uri
	}
	g.rejected = rejected
	keys, err := h.sink.Commit(ctx, h.batch, name)
	if err != nil {
		return Counts{}, 0, err
	}
	key, err := h.sink.CommitRejected(ctx, name, rejected)
	if err != nil {
		return Counts{}, 0, err
	}
	if key != "" {
		keys = append(keys, key)
	}
	counts.Payloads = 0
	return counts, len(keys), nil
}

// rejectObject keeps a file that cannot be read at all as one rejected
// record, under the name of its first part.
func (h *S3Handler) rejectObject(ctx context.Context, ref ObjectRef, part int, reason string) (Counts, int, error) {
	h.g.log.WarnContext(ctx, "flow log file rejected", "object", ref.String(), "reason", reason)
	name := s3sink.ObjectName(ref.Bucket, ref.Key, ref.version(), part)
	_, err := h.sink.CommitRejected(ctx, name, []s3sink.Rejected{{Source: name, Object: ref.String(), Reason: reason}})
	if err != nil {
		return Counts{}, 0, err
	}
	return Counts{Payloads: 1, Read: 1, Rejected: 1}, 1, nil
}
