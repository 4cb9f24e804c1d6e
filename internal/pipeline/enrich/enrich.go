// Package enrich is the enrichment pipeline: it takes VPC flow log records,
// as lines or as CloudWatch Logs subscription payloads, parses them,
// attributes both ends to AWS resources, orients each flow from client to
// server, folds the flows into windowed connections and writes those as
// rows.
//
// # Accounting
//
// Every record read is either rejected (it does not parse; the Reject
// callback hears its line number and why) or written. A written record is
// either folded into a connection row (its Records count includes it, and
// Duplicates too when it is a second interface's copy of a flow whose bytes
// another record carries) or, for NODATA and SKIPDATA records, written as a
// row of its own with Records 1. So, once Close has returned,
//
//	Stats.Read == Stats.Written + Stats.Rejected
//	Stats.Written == sum of Records over the rows written
//
// Header lines of flow log files delivered to S3 are not records and count
// in Stats.Headers only. A subscription payload that cannot be decoded at
// all counts as one record read and rejected, since how many records it
// held is unknown.
//
// # Limits
//
// A record the rows cannot carry is rejected like any line that does not
// parse, with the parser's reason (package flowrecord, "Limits"): bytes or
// packets above 2^63-1, start or end after 2262-04-11T23:47:16Z, end before
// start. The counts of a row saturate at 2^63-1 (connrows.Count) instead of
// wrapping, so a row never holds a negative count; the sum of Records above
// holds until then, which no stream reaches.
package enrich

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
	"unsafe"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/aggregate"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/pairing"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// Options configure an Enricher.
type Options struct {
	// Format is the log format of records that do not come after an S3
	// header line (subscription payloads never do). Default: the default
	// format of VPC flow logs.
	Format flowrecord.Format
	// Window, Lateness and MaxKeys configure aggregation; see
	// aggregate.Options.
	Window   time.Duration
	Lateness time.Duration
	MaxKeys  int
	// Monitored reports whether a network interface, given with its subnet
	// and VPC (to which flow logs can also be attached), has a flow log that
	// reaches this enricher. It decides which copy of a flow logged by both
	// ends is counted (see package connection). Default: every interface
	// the inventory knows is monitored.
	Monitored func(interfaceID, subnetID, vpcID string) bool
	// InternetAddrs keeps every internet address an endpoint of its own.
	// By default all internet addresses are one endpoint, Internet, whose
	// Addr is left empty: per-address connections would make about one row
	// per record for public-facing services, where the questions asked of
	// enriched flow logs (who talks to what, across which zones, through
	// which path) are answered by the AWS side of the connection.
	InternetAddrs bool
	// Reject hears about every record that is rejected.
	Reject func(Rejection)
}

// Rejection says why a record was not used.
type Rejection struct {
	// Line is the 1-based line of the input: a flow log line, or the line
	// holding a subscription payload.
	Line int
	// Event is the 1-based index of the log event within a subscription
	// payload, or 0.
	Event int
	Err   error
}

func (r Rejection) Error() string {
	if r.Event > 0 {
		return fmt.Sprintf("line %d event %d: %v", r.Line, r.Event, r.Err)
	}
	return fmt.Sprintf("line %d: %v", r.Line, r.Err)
}

// Unwrap returns the reason.
func (r Rejection) Unwrap() error { return r.Err }

// Stats counts what an Enricher did; see the package documentation for how
// the counts relate.
type Stats struct {
	Read, Written, Rejected int
	// Headers is the number of S3 header lines seen.
	Headers int
	// Folded is the number of records folded into connections, Duplicates
	// how many of them were copies whose bytes another record carries.
	Folded, Duplicates int
	// NoData and SkipData are the records written as rows of their own.
	NoData, SkipData int
	// Rows is the number of rows written.
	Rows int
	// EarlyFlushes and Late come from aggregation (aggregate.Stats).
	EarlyFlushes, Late int
	// PeakKeys is the most connections that were open at once.
	PeakKeys int
}

// Enricher runs the pipeline for one output. It is not safe for concurrent
// use.
type Enricher struct {
	inv       *inventory.Inventory
	out       connrows.Writer
	agg       *aggregate.Aggregator[*connrows.Endpoint]
	parser    *flowrecord.Parser
	rec       flowrecord.Record
	dec       *subscription.Decoder
	monitored func(interfaceID, subnetID, vpcID string) bool
	reject    func(Rejection)
	internet  bool // Options.InternetAddrs
	stats     Stats
	row       connrows.Row
	keyBuf    []byte
	closed    bool
	err       error
	// The endpoints of interface addresses, by end, and the endpoints of
	// other addresses of the record being folded.
	ownedSrc, ownedDst ownedAddrs
	srcEnd, dstEnd     attribution.Endpoint
}

// ownedAddrs remembers the attribution of addresses interfaces own, as the
// records of a batch name their interfaces' own addresses again and again:
// the last few, replaced in turn.
type ownedAddrs struct {
	addrs [4]ownedAddr
	next  uint8
}

// ownedAddr is an address with its endpoint, the inventory generation it
// came from and the times it holds for.
type ownedAddr struct {
	addr     netip.Addr
	gen      uint64
	from, to int64 // Unix nanoseconds
	ep       attribution.Endpoint
}

// attribute is attribution.Attribute for one end of a record: it returns
// the endpoint kept in owned for an interface address, and otherwise fills
// in other. The result is valid until the next call with the same owned or
// other.
func (e *Enricher) attribute(owned *ownedAddrs, other *attribution.Endpoint, addr netip.Addr, at time.Time, hints attribution.Hints) *attribution.Endpoint {
	if e.inv == nil || hints.ECSTaskARN != "" {
		*other = attribution.Attribute(e.inv, addr, at, hints)
		return other
	}
	addr = attribution.Normalize(addr)
	t, gen := at.UnixNano(), e.inv.Generation()
	for i := range owned.addrs {
		if a := &owned.addrs[i]; a.addr == addr && a.gen == gen && a.from <= t && t < a.to {
			return &a.ep
		}
	}
	iface, from, to, ok := e.inv.LookupRange(addr, at)
	if !ok {
		attribution.Unowned(other, e.inv, addr, hints)
		return other
	}
	slot := &owned.addrs[owned.next%uint8(len(owned.addrs))]
	owned.next++
	*slot = ownedAddr{addr: addr, gen: gen, from: from, to: to, ep: attribution.OfInterface(e.inv, iface, addr, "")}
	return &slot.ep
}

// New returns an Enricher that attributes with inv and writes rows to out.
func New(inv *inventory.Inventory, out connrows.Writer, opts Options) (*Enricher, error) {
	if opts.Format.Len() == 0 {
		opts.Format = flowrecord.DefaultFormat
	}
	e := &Enricher{
		inv:       inv,
		out:       out,
		parser:    flowrecord.NewParser(opts.Format),
		monitored: opts.Monitored,
		reject:    opts.Reject,
		internet:  opts.InternetAddrs,
	}
	agg, err := aggregate.New(aggregate.Options{
		Window:   opts.Window,
		Lateness: opts.Lateness,
		MaxKeys:  opts.MaxKeys,
	}, e.emit)
	if err != nil {
		return nil, err
	}
	e.agg = agg
	return e, nil
}

// isMonitored reports whether an end's interface is monitored.
func (e *Enricher) isMonitored(ep *attribution.Endpoint) bool {
	if ep.InterfaceID == "" {
		return false
	}
	return e.monitored == nil || e.monitored(ep.InterfaceID, ep.SubnetID, ep.VPCID)
}

// Stats returns the counts so far; Written and Rows are final once Close
// has returned.
func (e *Enricher) Stats() Stats {
	s := e.stats
	as := e.agg.Stats()
	s.EarlyFlushes = int(as.EarlyFlushes)
	s.Late = int(as.Late)
	s.PeakKeys = as.PeakKeys
	return s
}

// Reset starts over with a new output, as New would, but keeps the memory
// the Enricher has grown, so that a warm Lambda function does not rebuild it
// for every invocation. Open connections are discarded, not written.
func (e *Enricher) Reset(out connrows.Writer) {
	e.out = out
	e.agg.Reset()
	e.stats = Stats{}
	e.closed = false
	e.err = nil
}

// ErrClosed is returned for input given after Close.
var ErrClosed = errors.New("enricher closed")

// Close flushes every open connection and closes the writer.
func (e *Enricher) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if err := e.agg.Flush(); err != nil && e.err == nil {
		e.err = err
	}
	if err := e.out.Close(); err != nil && e.err == nil {
		e.err = err
	}
	return e.err
}

func (e *Enricher) rejected(line, event int, err error) {
	e.stats.Read++
	e.stats.Rejected++
	if e.reject != nil {
		e.reject(Rejection{Line: line, Event: event, Err: err})
	}
}

// Record enriches one parsed record; the record may be reused once Record
// returns. It returns an error only when the output fails.
func (e *Enricher) Record(r *flowrecord.Record) error {
	if e.closed {
		return ErrClosed
	}
	if e.err != nil {
		return e.err
	}
	e.stats.Read++
	switch r.LogStatus() {
	case flowrecord.LogStatusNoData, flowrecord.LogStatusSkipData:
		e.err = e.keep(r)
		return e.err
	}
	e.err = e.fold(r)
	return e.err
}

// keep writes a NODATA or SKIPDATA record as a row of its own.
func (e *Enricher) keep(r *flowrecord.Record) error {
	status := connrows.LogStatusNoData
	if r.LogStatus() == flowrecord.LogStatusSkipData {
		status = connrows.LogStatusSkipData
		e.stats.SkipData++
	} else {
		e.stats.NoData++
	}
	start := r.Start()
	e.row = connrows.Row{
		Start:       time.Unix(start, 0).UTC(),
		End:         time.Unix(r.End(), 0).UTC(),
		Window:      time.Unix(e.agg.WindowStart(start), 0).UTC(),
		Action:      actionName(r.Action()),
		Records:     1,
		LogStatus:   status,
		InterfaceID: string(r.InterfaceID()),
		AccountID:   string(r.AccountID()),
	}
	e.stats.Written++
	e.stats.Rows++
	return e.out.Write(&e.row)
}

func actionName(a flowrecord.Action) string {
	if a == flowrecord.ActionNone {
		return ""
	}
	return a.String()
}

// view returns a string that shares b's bytes, for lookups that do not keep
// their argument.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// serviceHint returns the record's AWS service name for addr: the
// pkt-*-aws-service field applies to the packet-level address, so it is used
// only when that is addr itself (or absent, as without a NAT in between).
func serviceHint(r *flowrecord.Record, addr netip.Addr, pktAddr, service flowrecord.FieldID) string {
	raw := r.Raw(service)
	if raw == nil {
		return ""
	}
	if p, ok := r.Addr(pktAddr); ok && p != addr {
		return ""
	}
	return view(raw)
}

// fold attributes, orients and aggregates one record.
func (e *Enricher) fold(r *flowrecord.Record) error {
	srcAddr, dstAddr := r.SrcAddr(), r.DstAddr()
	start := r.Start()
	at := time.Unix(start, 0)
	src := e.attribute(&e.ownedSrc, &e.srcEnd, srcAddr, at, attribution.Hints{
		AwsService: serviceHint(r, srcAddr, flowrecord.FieldPktSrcAddr, flowrecord.FieldPktSrcAWSService),
	})
	dst := e.attribute(&e.ownedDst, &e.dstEnd, dstAddr, at, attribution.Hints{
		AwsService: serviceHint(r, dstAddr, flowrecord.FieldPktDstAddr, flowrecord.FieldPktDstAWSService),
	})
	eni := r.InterfaceID()
	// The ECS task fields describe the task behind the logging interface.
	if task := r.Raw(flowrecord.FieldECSTaskARN); task != nil && len(eni) > 0 {
		hints := attribution.Hints{ECSTaskARN: view(task)}
		switch string(eni) {
		case src.InterfaceID:
			hints.AwsService = serviceHint(r, srcAddr, flowrecord.FieldPktSrcAddr, flowrecord.FieldPktSrcAWSService)
			src = e.attribute(&e.ownedSrc, &e.srcEnd, srcAddr, at, hints)
		case dst.InterfaceID:
			hints.AwsService = serviceHint(r, dstAddr, flowrecord.FieldPktDstAddr, flowrecord.FieldPktDstAWSService)
			dst = e.attribute(&e.ownedDst, &e.dstEnd, dstAddr, at, hints)
		}
	}

	obs := pairing.Observe(eni, src.InterfaceID, dst.InterfaceID)
	counted := pairing.Counted(obs, e.isMonitored(src), e.isMonitored(dst))

	flow := pairing.Flow{
		Protocol: r.Protocol(),
		Src:      pairing.End{Addr: srcAddr, Port: r.SrcPort(), Hint: HintOf(src)},
		Dst:      pairing.End{Addr: dstAddr, Port: r.DstPort(), Hint: HintOf(dst)},
	}
	if flags, ok := r.Uint(flowrecord.FieldTCPFlags); ok {
		flow.TCPFlags, flow.HasTCPFlags = uint8(flags), true
	}
	srcIsClient, _ := pairing.Decide(&flow)

	client, server := src, dst
	serverPort := flow.Dst.Port
	if !srcIsClient {
		client, server = server, client
		serverPort = flow.Src.Port
	}
	f := aggregate.Flow{
		Client:      e.intern(client),
		Server:      e.intern(server),
		ServerPort:  serverPort,
		Protocol:    flow.Protocol,
		Action:      uint8(r.Action()),
		Start:       start,
		End:         r.End(),
		Duplicate:   !counted,
		TrafficPath: r.TrafficPath(),
	}
	if srcIsClient {
		f.Uploaded, f.UploadedPackets = r.Bytes(), r.Packets()
	} else {
		f.Downloaded, f.DownloadedPackets = r.Bytes(), r.Packets()
	}
	e.stats.Folded++
	e.stats.Written++
	if !counted {
		e.stats.Duplicates++
	}
	return e.agg.Add(&f)
}

// intern returns the aggregation identity of an endpoint.
func (e *Enricher) intern(ep *attribution.Endpoint) aggregate.Identity {
	var key string
	switch ep.Type {
	case attribution.TypeInternet:
		if !e.internet {
			return e.agg.Intern(internetKey, newInternet)
		}
		fallthrough
	case attribution.TypeUnknown, "":
		// IdentityKey builds these keys afresh on every call; building
		// the same key in a reused buffer keeps the hot path free of
		// allocation.
		e.keyBuf = appendAddrKey(e.keyBuf[:0], ep.Type, ep.Addr)
		key = view(e.keyBuf)
	default:
		key = ep.IdentityKey()
	}
	return e.agg.Intern(key, func() *connrows.Endpoint {
		out := connrows.EndpointOf(ep)
		out.Freeze()
		return out
	})
}

// internetKey is the identity of every internet address when they are not
// told apart.
const internetKey = attribution.TypeInternet

// newInternet returns the endpoint that stands for every internet address.
func newInternet() *connrows.Endpoint {
	ep := &connrows.Endpoint{Type: attribution.TypeInternet, Public: true}
	ep.Freeze()
	return ep
}

// appendAddrKey appends the identity key that attribution.Endpoint's
// IdentityKey gives an internet or unknown endpoint: "<type>:<addr>", or
// just the type without an address.
func appendAddrKey(dst []byte, typ string, addr netip.Addr) []byte {
	if typ == "" {
		typ = attribution.TypeUnknown
	}
	dst = append(dst, typ...)
	if !addr.IsValid() {
		return dst
	}
	dst = append(dst, ':')
	return addr.AppendTo(dst)
}

// HintOf returns what an endpoint's type says about its role in connections.
func HintOf(ep *attribution.Endpoint) pairing.Hint {
	switch ep.Type {
	case attribution.TypeLoadBalancer:
		// Gateway Load Balancers pass traffic through rather than
		// terminate it.
		if ep.LoadBalancerType == attribution.LoadBalancerGateway {
			return pairing.HintNone
		}
		return pairing.HintServer
	case attribution.TypeRDS, attribution.TypeElastiCache, attribution.TypeNATGateway,
		attribution.TypeVPCEndpoint, attribution.TypeAWSService, attribution.TypeEFS:
		return pairing.HintServer
	case attribution.TypeLambdaFunction:
		return pairing.HintClient
	}
	return pairing.HintNone
}

// emit writes one connection row.
func (e *Enricher) emit(g *aggregate.Aggregate, client, server *connrows.Endpoint) error {
	e.row = connrows.Row{
		Protocol:          connrows.ProtocolName(g.Protocol),
		Uploaded:          connrows.Count(g.Uploaded),
		Downloaded:        connrows.Count(g.Downloaded),
		UploadedPackets:   connrows.Count(g.UploadedPackets),
		DownloadedPackets: connrows.Count(g.DownloadedPackets),
		Start:             time.Unix(g.Start, 0).UTC(),
		End:               time.Unix(g.End, 0).UTC(),
		Window:            time.Unix(g.Window, 0).UTC(),
		Action:            actionName(flowrecord.Action(g.Action)),
		ServerPort:        int32(g.ServerPort),
		CrossAz:           connrows.CrossAZ(client, server),
		TrafficPath:       connrows.TrafficPathName(g.TrafficPath),
		Records:           connrows.Count(g.Records),
		Duplicates:        connrows.Count(g.Duplicates),
		LogStatus:         connrows.LogStatusOK,
		Client:            client,
		Server:            server,
	}
	e.stats.Rows++
	return e.out.Write(&e.row)
}
