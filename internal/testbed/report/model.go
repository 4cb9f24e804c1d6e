// Package report summarises enriched connection rows (connrows.Row) into a
// Model (traffic between applications, bytes across Availability Zones, top
// talkers, AWS services reached) and renders it as one self-contained HTML
// page with inline SVG charts, with the answers of the named queries
// (package queries) computed the way their SQL computes them. Write reads
// the rows of a time range from a Store (an S3 prefix, a folder) one
// object at a time and summarises them while reading, with a Builder whose
// memory grows with distinct groups, not rows.
//
// Rejected connections are counted in the totals (Model.Rejected) and left
// out of everything else; NODATA and SKIPDATA rows count in Model.Rows only.
package report

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// DefaultTop is the number of top talkers Build keeps when asked for none.
const DefaultTop = 10

// Kind is what an application node stands for.
type Kind string

// Kinds of application nodes.
const (
	KindApp      Kind = "app"      // resources tagged app
	KindService  Kind = "service"  // an AWS service's public addresses
	KindInternet Kind = "internet" // addresses outside AWS
	KindOther    Kind = "other"    // untagged resources, named by type and name
)

// Model is what a report shows.
type Model struct {
	// Title heads the page; Render uses "VPC traffic report" when empty.
	Title string
	// Rows is every row read; Connections those with both ends, of which
	// Rejected were REJECT, with RejectedBytes.
	Rows, Connections, Rejected int
	RejectedBytes               int64
	// Bytes are the accepted bytes, both ways; CrossAZBytes those between
	// known, different zones.
	Bytes, CrossAZBytes int64
	// Start and End bound the rows' Start and End.
	Start, End time.Time
	// Apps are the nodes of the traffic map and Edges its edges, most
	// bytes first.
	Apps  []App
	Edges []Edge
	// AZPairs are the cross-AZ bytes per pair of zones, most first.
	AZPairs []AZPair
	// TopTalkers are the client and server pairs with the most bytes.
	TopTalkers []Talker
	// Services are the AWS services reached, most bytes first.
	Services []Service
	// Answers are those of the named queries, when asked (Options.Now).
	Answers *Answers
}

// App is an application: the endpoints sharing an app tag, or a fallback
// name (see AppName).
type App struct {
	Name string
	Kind Kind
	// Types, Owners, Stacks and VPCs are the endpoint types, owner and
	// aws:cloudformation:stack-name tags, and VPC ids seen, sorted.
	Types, Owners, Stacks, VPCs []string
	// AsClient and AsServer are the bytes of its connections on each side.
	AsClient, AsServer int64
}

// Edge is the traffic from a client application to a server application.
type Edge struct {
	Client, Server string
	Bytes          int64
	// Connections is the number of rows: connections per window.
	Connections int
	Ports       []Port
}

// Port is a server port and protocol.
type Port struct {
	Number   int32
	Protocol string
}

func (p Port) String() string {
	if p.Number == 0 {
		return p.Protocol
	}
	return fmt.Sprintf("%s/%d", p.Protocol, p.Number)
}

// AZPair is the traffic between two zones, A before B by name.
type AZPair struct {
	A, B  string
	Bytes int64
	// Share is the pair's part of all accepted bytes.
	Share float64
}

// Talker is the traffic from one client endpoint to one server endpoint.
type Talker struct {
	Client, Server       string // endpoint names (see EndpointName)
	ClientApp, ServerApp string
	Bytes                int64
	Connections          int
	Ports                []Port
}

// Service is an AWS service reached, and the applications reaching it.
type Service struct {
	Name        string
	Bytes       int64
	Connections int
	Apps        []string
}

// AppName names the application of an endpoint: its app tag, the service
// as "aws:s3" for AWS service addresses, "internet", or the type followed
// by the Name tag or a short id ("ec2:instance web-1").
func AppName(e *connrows.Endpoint) (string, Kind) {
	switch {
	case e.Tags["app"] != "":
		return e.Tags["app"], KindApp
	case e.Type == "aws:service":
		return "aws:" + cmp.Or(e.AwsService, "unknown"), KindService
	case e.Type == "internet":
		return "internet", KindInternet
	}
	return cmp.Or(e.Type, "unknown") + " " + EndpointName(e), KindOther
}

// EndpointName is a short name of an endpoint: its Name tag, its AppName
// for services and the internet, or the last part of its ARN, its
// interface id or its address.
func EndpointName(e *connrows.Endpoint) string {
	switch {
	case e.Tags["Name"] != "":
		return e.Tags["Name"]
	case e.Type == "aws:service" || (e.Type == "internet" && e.Addr == ""):
		name, _ := AppName(e)
		return name
	case len(e.ARNs) > 0:
		arn := e.ARNs[0]
		return arn[strings.LastIndexAny(arn, ":/")+1:]
	}
	return cmp.Or(e.InterfaceID, e.Addr, "?")
}

// identity tells endpoints apart as the enricher does: by ARN, service and
// region, or address.
func identity(e *connrows.Endpoint) string {
	switch {
	case len(e.ARNs) > 0:
		return e.ARNs[0]
	case e.Type == "aws:service":
		return "aws:service:" + e.AwsService + ":" + e.Region
	}
	return e.Type + ":" + e.Addr + ":" + e.InterfaceID
}

type appAcc struct {
	App
	types, owners, stacks, vpcs set
}

type edgeAcc struct {
	Edge
	ports map[Port]bool
}

type talkerAcc struct {
	Talker
	ports map[Port]bool
}

type serviceAcc struct {
	Service
	apps set
}

type set map[string]bool

func (s set) add(v string) {
	if v != "" {
		s[v] = true
	}
}

func (s set) sorted() []string { return slices.Sorted(maps.Keys(s)) }

// Options configure a Builder.
type Options struct {
	// Top is the number of top talkers kept (DefaultTop when <= 0).
	Top int
	// Now is the moment the named queries are asked at, their {{now}}:
	// Model.Answers answers them for the rows added. Zero leaves the
	// answers out.
	Now time.Time
	// App is the application whose peers the app_peers query lists, its
	// {{app}}; empty leaves that answer out.
	App string
	// From is the start of the range of windows the rows were read from:
	// a query whose period starts earlier is answered over part of its
	// period, which the page says. Zero: the rows were not selected by
	// window.
	From time.Time
}

// Builder summarises rows one at a time. What it keeps grows with the
// number of distinct applications, endpoint pairs, zone pairs, services
// and query groups, never with the number of rows.
type Builder struct {
	opts     Options
	m        Model
	apps     map[string]*appAcc
	edges    map[[2]string]*edgeAcc
	talkers  map[string]*talkerAcc
	services map[string]*serviceAcc
	pairs    map[[2]string]int64
	answers  *answersAcc
}

// NewBuilder returns a Builder with no rows.
func NewBuilder(opts Options) *Builder {
	if opts.Top <= 0 {
		opts.Top = DefaultTop
	}
	b := &Builder{
		opts:     opts,
		apps:     map[string]*appAcc{},
		edges:    map[[2]string]*edgeAcc{},
		talkers:  map[string]*talkerAcc{},
		services: map[string]*serviceAcc{},
		pairs:    map[[2]string]int64{},
	}
	if !opts.Now.IsZero() {
		b.answers = newAnswersAcc(opts)
	}
	return b
}

// Build summarises rows, keeping the top talkers (DefaultTop when top <= 0).
func Build(rows iter.Seq[connrows.Row], top int) Model {
	b := NewBuilder(Options{Top: top})
	for r := range rows {
		b.Add(&r)
	}
	return b.Model()
}

// Groups is the number of aggregates the Builder keeps: what its memory
// grows with.
func (b *Builder) Groups() int {
	n := len(b.apps) + len(b.edges) + len(b.talkers) + len(b.services) + len(b.pairs)
	for _, a := range b.apps {
		n += len(a.types) + len(a.owners) + len(a.stacks) + len(a.vpcs)
	}
	for _, e := range b.edges {
		n += len(e.ports)
	}
	for _, t := range b.talkers {
		n += len(t.ports)
	}
	for _, s := range b.services {
		n += len(s.apps)
	}
	if b.answers != nil {
		n += b.answers.groups()
	}
	return n
}

func (b *Builder) app(e *connrows.Endpoint) *appAcc {
	name, kind := AppName(e)
	a := b.apps[name]
	if a == nil {
		a = &appAcc{App: App{Name: name, Kind: kind}, types: set{}, owners: set{}, stacks: set{}, vpcs: set{}}
		b.apps[name] = a
	}
	a.types.add(e.Type)
	a.owners.add(e.Tags["owner"])
	a.stacks.add(e.Tags["aws:cloudformation:stack-name"])
	a.vpcs.add(e.VPCID)
	return a
}

// Add counts one row. It keeps no reference to the row, which the caller
// may reuse.
func (b *Builder) Add(r *connrows.Row) {
	m := &b.m
	m.Rows++
	if b.answers != nil {
		b.answers.add(r)
	}
	if !r.Start.IsZero() && (m.Start.IsZero() || r.Start.Before(m.Start)) {
		m.Start = r.Start
	}
	if r.End.After(m.End) {
		m.End = r.End
	}
	if r.Client == nil || r.Server == nil {
		return
	}
	m.Connections++
	bytes := r.Uploaded + r.Downloaded
	if r.Action == "REJECT" {
		m.Rejected++
		m.RejectedBytes += bytes
		return
	}
	m.Bytes += bytes
	port := Port{r.ServerPort, r.Protocol}

	c, s := b.app(r.Client), b.app(r.Server)
	c.AsClient += bytes
	s.AsServer += bytes
	e := b.edges[[2]string{c.Name, s.Name}]
	if e == nil {
		e = &edgeAcc{Edge: Edge{Client: c.Name, Server: s.Name}, ports: map[Port]bool{}}
		b.edges[[2]string{c.Name, s.Name}] = e
	}
	e.Bytes += bytes
	e.Connections++
	e.ports[port] = true

	tk := identity(r.Client) + "\x00" + identity(r.Server)
	t := b.talkers[tk]
	if t == nil {
		t = &talkerAcc{Talker: Talker{Client: EndpointName(r.Client), Server: EndpointName(r.Server),
			ClientApp: c.Name, ServerApp: s.Name}, ports: map[Port]bool{}}
		b.talkers[tk] = t
	}
	t.Bytes += bytes
	t.Connections++
	t.ports[port] = true

	if a, z, ok := azPair(r.Client, r.Server); ok {
		b.pairs[[2]string{a, z}] += bytes
		m.CrossAZBytes += bytes
	}

	if r.Server.Type == "aws:service" {
		name := cmp.Or(r.Server.AwsService, "unknown")
		sv := b.services[name]
		if sv == nil {
			sv = &serviceAcc{Service: Service{Name: name}, apps: set{}}
			b.services[name] = sv
		}
		sv.Bytes += bytes
		sv.Connections++
		sv.apps.add(c.Name)
	}
}

// Model returns the summary of the rows added so far.
func (b *Builder) Model() Model {
	m := b.m
	m.Apps, m.Edges, m.AZPairs, m.TopTalkers, m.Services = nil, nil, nil, nil, nil
	for _, a := range b.apps {
		a.Types, a.Owners, a.Stacks, a.VPCs = a.types.sorted(), a.owners.sorted(), a.stacks.sorted(), a.vpcs.sorted()
		m.Apps = append(m.Apps, a.App)
	}
	slices.SortFunc(m.Apps, func(a, b App) int {
		return cmp.Or(cmp.Compare(b.AsClient+b.AsServer, a.AsClient+a.AsServer), strings.Compare(a.Name, b.Name))
	})
	for _, e := range b.edges {
		e.Ports = sortedPorts(e.ports)
		m.Edges = append(m.Edges, e.Edge)
	}
	slices.SortFunc(m.Edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Client, b.Client), strings.Compare(a.Server, b.Server))
	})
	for k, n := range b.pairs {
		p := AZPair{A: k[0], B: k[1], Bytes: n}
		if m.Bytes > 0 {
			p.Share = float64(n) / float64(m.Bytes)
		}
		m.AZPairs = append(m.AZPairs, p)
	}
	slices.SortFunc(m.AZPairs, func(a, b AZPair) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.A, b.A), strings.Compare(a.B, b.B))
	})
	for _, k := range slices.Sorted(maps.Keys(b.talkers)) {
		t := b.talkers[k]
		t.Ports = sortedPorts(t.ports)
		m.TopTalkers = append(m.TopTalkers, t.Talker)
	}
	// Stable, over identities in order: equal names stay in a fixed order.
	slices.SortStableFunc(m.TopTalkers, func(a, b Talker) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Client, b.Client), strings.Compare(a.Server, b.Server))
	})
	m.TopTalkers = m.TopTalkers[:min(b.opts.Top, len(m.TopTalkers))]
	for _, s := range b.services {
		s.Apps = s.apps.sorted()
		m.Services = append(m.Services, s.Service)
	}
	slices.SortFunc(m.Services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Name, b.Name))
	})
	if b.answers != nil {
		m.Answers = b.answers.answers()
	}
	return m
}

// azPair returns the zones of two endpoints in known, different zones (see
// connrows.CrossAZ), in name order: zone names, or zone ids when the names
// are missing or alike.
func azPair(c, s *connrows.Endpoint) (a, b string, ok bool) {
	if !connrows.CrossAZ(c, s) {
		return "", "", false
	}
	a, b = cmp.Or(c.AvailabilityZone, c.AvailabilityZoneID), cmp.Or(s.AvailabilityZone, s.AvailabilityZoneID)
	if a == b || c.AvailabilityZone == "" || s.AvailabilityZone == "" {
		a, b = c.AvailabilityZoneID, s.AvailabilityZoneID
	}
	if b < a {
		a, b = b, a
	}
	return a, b, true
}

func sortedPorts(ports map[Port]bool) []Port {
	return slices.SortedFunc(maps.Keys(ports), func(a, b Port) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), strings.Compare(a.Protocol, b.Protocol))
	})
}
