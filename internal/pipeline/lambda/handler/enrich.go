package handler

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// InventorySource gives the inventory that the records of a payload are
// enriched against.
type InventorySource interface {
	// Inventory returns the inventory for records whose source and
	// destination addresses are addrs; addrs is nil when NeedsAddrs is
	// false. The inventory must not change while it is used.
	Inventory(ctx context.Context, addrs []netip.Addr) (*inventory.Inventory, error)
	// NeedsAddrs reports whether Inventory wants the addresses, which
	// costs the handler a first pass over the records.
	NeedsAddrs() bool
}

// StaticInventory is an inventory loaded once, for example at a cold start
// from describe-network-interfaces and get-resources output in S3.
type StaticInventory struct{ Inv *inventory.Inventory }

// Inventory returns the inventory.
func (s StaticInventory) Inventory(context.Context, []netip.Addr) (*inventory.Inventory, error) {
	return s.Inv, nil
}

// NeedsAddrs is false: the inventory holds everything.
func (StaticInventory) NeedsAddrs() bool { return false }

// Resolver builds the inventory of a set of addresses; inventorystore.Cache
// is one.
type Resolver interface {
	Resolve(ctx context.Context, base *inventory.Inventory, addrs []netip.Addr) (*inventory.Inventory, error)
}

// TimedResolver is a Resolver that is told the latest start time of the
// records, so that what it keeps from earlier payloads is read again when
// it may not know that time yet; inventorystore.Cache is one.
type TimedResolver interface {
	ResolveAt(ctx context.Context, base *inventory.Inventory, addrs []netip.Addr, latest time.Time) (*inventory.Inventory, error)
}

// TimedInventorySource is an InventorySource that takes the latest start
// time of the payload's records as well.
type TimedInventorySource interface {
	InventoryAt(ctx context.Context, addrs []netip.Addr, latest time.Time) (*inventory.Inventory, error)
}

var (
	_ Resolver             = (*inventorystore.Cache)(nil)
	_ TimedResolver        = (*inventorystore.Cache)(nil)
	_ TimedInventorySource = StoreInventory{}
)

// StoreInventory reads the inventory of each payload's addresses through a
// cache of the DynamoDB inventory store, on top of Base (typically the AWS
// service ranges of ip-ranges.json, which the store does not hold).
type StoreInventory struct {
	Cache Resolver
	Base  *inventory.Inventory
}

// Inventory resolves the addresses.
func (s StoreInventory) Inventory(ctx context.Context, addrs []netip.Addr) (*inventory.Inventory, error) {
	inv, err := s.Cache.Resolve(ctx, s.Base, addrs)
	if err != nil {
		return nil, fmt.Errorf("reading the inventory of %d addresses: %w", len(addrs), err)
	}
	return inv, nil
}

// InventoryAt resolves the addresses for records up to latest.
func (s StoreInventory) InventoryAt(ctx context.Context, addrs []netip.Addr, latest time.Time) (*inventory.Inventory, error) {
	tr, ok := s.Cache.(TimedResolver)
	if !ok {
		return s.Inventory(ctx, addrs)
	}
	inv, err := tr.ResolveAt(ctx, s.Base, addrs, latest)
	if err != nil {
		return nil, fmt.Errorf("reading the inventory of %d addresses: %w", len(addrs), err)
	}
	return inv, nil
}

// NeedsAddrs is true: only the payload's addresses are read.
func (StoreInventory) NeedsAddrs() bool { return true }

// EnrichConfig configures the enrichment handlers.
type EnrichConfig struct {
	// Sink stores the rows.
	Sink *s3sink.Sink
	// Inventory gives the inventory records are enriched against.
	Inventory InventorySource
	// Options configure the enricher. Options.Format is the log format of
	// log groups that Formats does not list; Options.Reject is not used
	// (rejections are logged, a few per payload).
	Options enrich.Options
	// Formats gives the log format of a log group's flow log by log group
	// name, for log groups whose format is not Options.Format.
	Formats map[string]flowrecord.Format
	// Logger receives a line per invocation and per rejected record (at
	// most maxRejectLogs per payload); default slog.Default().
	Logger *slog.Logger
}

// Counts add up what the handlers did with log events: every event read is
// either written (folded into a row, which counts it in its Records) or
// rejected, Read == Written + Rejected. A payload that cannot be decoded
// counts as one event read and rejected.
type Counts struct {
	Payloads int `json:"payloads"`
	Read     int `json:"read"`
	Written  int `json:"written"`
	Rejected int `json:"rejected"`
}

func (c *Counts) add(o Counts) {
	c.Payloads += o.Payloads
	c.Read += o.Read
	c.Written += o.Written
	c.Rejected += o.Rejected
}

// maxRejectLogs bounds the rejections logged per payload.
const maxRejectLogs = 3

// enrichment is what both handlers share: it decodes subscription payloads,
// parses their records in their log group's format, and enriches them with
// an enricher on the inventory of the payload. It is not safe for
// concurrent use.
type enrichment struct {
	src     InventorySource
	opts    enrich.Options
	formats map[string]flowrecord.Format
	log     *slog.Logger

	parsers map[string]*flowrecord.Parser // by log group
	dec     *subscription.Decoder
	rec     flowrecord.Record

	// The decoded payload: its messages, one after another in msgs, event
	// i ending at ends[i], and its first and last event ids.
	msgs            []byte
	ends            []int
	firstID, lastID string

	addrs  []netip.Addr
	seen   map[netip.Addr]struct{}
	latest int64 // latest record start of the payload, Unix seconds

	// rejected are the records of the payload that were not used, with
	// their reasons, kept in S3 beside the rows (s3sink.RejectedDir).
	rejected []s3sink.Rejected
	event    int // 1-based index of the event being enriched

	e   *enrich.Enricher
	inv *inventory.Inventory // what e was built on
	// inventoryTime is the time spent reading the inventory, for the
	// handlers' timings.
	inventoryTime time.Duration
}

func newEnrichment(cfg EnrichConfig) (*enrichment, error) {
	if cfg.Inventory == nil {
		return nil, errors.New("enrichment handler: no inventory source")
	}
	if cfg.Options.Format.Len() == 0 {
		cfg.Options.Format = flowrecord.DefaultFormat
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	// Options are checked now rather than at the first payload.
	if _, err := enrich.New(inventory.New(), discard{}, cfg.Options); err != nil {
		return nil, err
	}
	g := &enrichment{
		src:     cfg.Inventory,
		formats: cfg.Formats,
		log:     log,
		parsers: make(map[string]*flowrecord.Parser),
		dec:     subscription.NewDecoder(),
		seen:    make(map[netip.Addr]struct{}),
	}
	// Records the enricher turns down after they parsed are kept like
	// those that do not parse.
	cfg.Options.Reject = func(r enrich.Rejection) { g.keepRejected(g.event, r.Err.Error()) }
	g.opts = cfg.Options
	return g, nil
}

// keepRejected keeps a record of the payload that was not used.
func (g *enrichment) keepRejected(event int, reason string) {
	msg := ""
	if event > 0 && event <= len(g.ends) {
		msg = string(g.message(event - 1))
	}
	g.rejected = append(g.rejected, s3sink.Rejected{Event: event, Reason: reason, Message: msg})
}

// rejectedOf returns the kept rejections with their source filled in.
func (g *enrichment) rejectedOf(source string, h subscription.Header) []s3sink.Rejected {
	for i := range g.rejected {
		g.rejected[i].Source, g.rejected[i].LogGroup, g.rejected[i].LogStream = source, h.LogGroup, h.LogStream
	}
	return g.rejected
}

// payloadName is the name of the rows and rejections of the decoded
// payload: its log group's owner, name and subscription filters, its log
// stream and first event id (s3sink.LogsName). CloudWatch Logs gives every
// log event an id of its own, so the name is the same wherever and however
// often the payload arrives, and different for any other payload.
func (g *enrichment) payloadName(h subscription.Header) string {
	return s3sink.LogsName(h.Owner, h.LogGroup, h.SubscriptionFilters, h.LogStream, g.firstID)
}

// discard is an output that keeps nothing.
type discard struct{}

func (discard) Write(*connrows.Row) error { return nil }
func (discard) Close() error              { return nil }

// parser returns the parser of a log group's format.
func (g *enrichment) parser(logGroup string) *flowrecord.Parser {
	if p, ok := g.parsers[logGroup]; ok {
		return p
	}
	format, ok := g.formats[logGroup]
	if !ok {
		format = g.opts.Format
	}
	p := flowrecord.NewParser(format)
	g.parsers[logGroup] = p
	return p
}

// decode decodes a gzip payload, keeping its messages. An error means the
// payload is rejected whole.
func (g *enrichment) decode(gz []byte) (subscription.Header, error) {
	return g.decodeWith(func(fn func(subscription.Event) error) (subscription.Header, error) { return g.dec.Decode(gz, fn) })
}

// decodeBase64 is decode of the base64 text of a payload, as a Lambda
// subscription event holds it.
func (g *enrichment) decodeBase64(data string) (subscription.Header, error) {
	return g.decodeWith(func(fn func(subscription.Event) error) (subscription.Header, error) {
		return g.dec.DecodeBase64(data, fn)
	})
}

func (g *enrichment) decodeWith(decode func(func(subscription.Event) error) (subscription.Header, error)) (subscription.Header, error) {
	g.msgs, g.ends = g.msgs[:0], g.ends[:0]
	g.firstID, g.lastID = "", ""
	var last []byte
	h, err := decode(func(ev subscription.Event) error {
		if len(g.ends) == 0 {
			g.firstID = string(ev.ID)
		}
		last = ev.ID
		g.msgs = append(g.msgs, ev.Message...)
		g.ends = append(g.ends, len(g.msgs))
		return nil
	})
	if err != nil {
		return h, err
	}
	if len(g.ends) > 0 {
		g.lastID = string(last)
	}
	return h, nil
}

func (g *enrichment) message(i int) []byte {
	start := 0
	if i > 0 {
		start = g.ends[i-1]
	}
	return g.msgs[start:g.ends[i]]
}

// enricher returns an enricher on inv writing to out: the one it has when
// the inventory is the same, so that a warm function reuses its memory.
func (g *enrichment) enricher(inv *inventory.Inventory, out connrows.Writer) (*enrich.Enricher, error) {
	if g.e != nil && g.inv == inv {
		g.e.Reset(out)
		return g.e, nil
	}
	e, err := enrich.New(inv, out, g.opts)
	if err != nil {
		return nil, err
	}
	g.e, g.inv = e, inv
	return e, nil
}

// inventoryErr marks a failure to get the inventory: the payload can be
// retried later, unlike one that is rejected.
type inventoryErr struct{ err error }

func (e inventoryErr) Error() string { return e.err.Error() }
func (e inventoryErr) Unwrap() error { return e.err }

// enrich enriches the decoded payload into out and closes out. It fails
// only when the inventory or the output does, before anything is counted.
func (g *enrichment) enrich(ctx context.Context, h subscription.Header, where string, out connrows.Writer) (Counts, error) {
	return g.enrichWith(ctx, g.parser(h.LogGroup), h, where, out)
}

// enrichWith is enrich with the parser of the records given.
func (g *enrichment) enrichWith(ctx context.Context, p *flowrecord.Parser, h subscription.Header, where string, out connrows.Writer) (Counts, error) {
	var addrs []netip.Addr
	if g.src.NeedsAddrs() {
		addrs = g.payloadAddrs(p)
	}
	began := time.Now()
	var inv *inventory.Inventory
	var err error
	if ts, ok := g.src.(TimedInventorySource); ok && g.src.NeedsAddrs() {
		inv, err = ts.InventoryAt(ctx, addrs, time.Unix(g.latest, 0))
	} else {
		inv, err = g.src.Inventory(ctx, addrs)
	}
	g.inventoryTime += time.Since(began)
	if err != nil {
		return Counts{}, inventoryErr{err}
	}
	e, err := g.enricher(inv, out)
	if err != nil {
		return Counts{}, err
	}
	rejected := 0
	g.rejected = g.rejected[:0]
	for i := range g.ends {
		g.event = i + 1
		if err := p.Parse(g.message(i), &g.rec); err != nil {
			rejected++
			g.keepRejected(i+1, err.Error())
			if rejected <= maxRejectLogs {
				g.log.WarnContext(ctx, "rejected flow log record", "source", where,
					"log_group", h.LogGroup, "log_stream", h.LogStream, "event", i+1, "reason", err.Error())
			}
			continue
		}
		if err := e.Record(&g.rec); err != nil {
			return Counts{}, err
		}
	}
	if err := e.Close(); err != nil {
		return Counts{}, err
	}
	if rejected > maxRejectLogs {
		g.log.WarnContext(ctx, "more flow log records rejected", "source", where, "log_group", h.LogGroup,
			"log_stream", h.LogStream, "not_logged", rejected-maxRejectLogs)
	}
	st := e.Stats()
	return Counts{Payloads: 1, Read: st.Read + rejected, Written: st.Written, Rejected: st.Rejected + rejected}, nil
}

// payloadAddrs returns the distinct addresses of the payload's records,
// and keeps their latest start time in g.latest.
func (g *enrichment) payloadAddrs(p *flowrecord.Parser) []netip.Addr {
	g.addrs = g.addrs[:0]
	g.latest = 0
	clear(g.seen)
	for i := range g.ends {
		if p.Parse(g.message(i), &g.rec) != nil {
			continue
		}
		g.latest = max(g.latest, g.rec.Start())
		for _, a := range [2]netip.Addr{g.rec.SrcAddr(), g.rec.DstAddr()} {
			if !a.IsValid() {
				continue
			}
			if _, ok := g.seen[a]; !ok {
				g.seen[a] = struct{}{}
				g.addrs = append(g.addrs, a)
			}
		}
	}
	return g.addrs
}

// rejectPayload logs a payload that cannot be decoded, counts it, and keeps
// it (its first bytes) with the reason.
func (g *enrichment) rejectPayload(ctx context.Context, where string, payload []byte, err error) Counts {
	g.log.WarnContext(ctx, "rejected subscription payload", "source", where, "reason", err.Error())
	const keep = 256
	g.rejected = append(g.rejected[:0], s3sink.Rejected{Reason: "payload does not decode: " + err.Error(),
		Message: base64.StdEncoding.EncodeToString(payload[:min(len(payload), keep)])})
	return Counts{Payloads: 1, Read: 1, Rejected: 1}
}
