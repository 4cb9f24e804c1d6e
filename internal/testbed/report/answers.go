package report

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// Names of the named queries the page answers, as package queries names
// them (a test checks they are the same). Package queries is not imported:
// it brings the synthetic estate's ground truth into every binary.
const (
	QueryCrossAZShare      = "cross_az_share"
	QueryAppPeers          = "app_peers"
	QueryLBBypass          = "lb_bypass"
	QueryLambdaRDSDirect   = "lambda_rds_direct"
	QueryDestinationGrowth = "destination_growth"
)

// Answers are the answers of the named queries (package queries) over the
// rows a Builder was given, computed as the queries compute them in Athena
// and DuckDB, so that the page and the queries agree on the same rows.
type Answers struct {
	// Now is the queries' {{now}}, App their {{app}} (empty: app_peers
	// was not asked).
	Now time.Time
	App string
	// From is the earliest window read, when the rows read start after
	// some query's period does (see Options.From).
	From              time.Time
	CrossAZ           CrossAZShare
	AppPeers          []Peer
	LBBypass          []Bypass
	LambdaRDSDirect   []DirectDB
	DestinationGrowth []Growth
}

// CrossAZShare answers cross_az_share.
type CrossAZShare struct {
	CrossAZBytes, KnownAZBytes, TotalBytes int64
	// Share is CrossAZBytes / KnownAZBytes rounded to 6 decimals; Known is
	// false when KnownAZBytes is zero and there is no share.
	Share float64
	Known bool
}

// Peer is a row of app_peers: an application that talked to App.
type Peer struct {
	App   string
	Bytes int64
}

// Bypass is a row of lb_bypass: an instance that reached another directly
// on a port a load balancer reaches it on.
type Bypass struct {
	Client, Server string // instance ARNs
	Port           int32
	Bytes          int64
}

// DirectDB is a row of lambda_rds_direct: a function that connected to a
// database without RDS Proxy.
type DirectDB struct {
	Function, DB   string // ARNs
	Bytes, Records int64
}

// Growth is a row of destination_growth.
type Growth struct {
	Destination               string
	Previous, Current, Growth int64
}

// QueryPeriod returns the windows a named query reads when asked at now:
// [start, end).
func QueryPeriod(name string, now time.Time) (start, end time.Time) {
	now = now.UTC()
	switch name {
	case QueryAppPeers:
		return now.AddDate(0, 0, -21), now
	case QueryDestinationGrowth:
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		return month.AddDate(0, -2, 0), month
	}
	return now.AddDate(0, 0, -7), now
}

// QueriesStart returns the earliest window any named query reads when
// asked at now: a range from it to now answers every query in full.
func QueriesStart(now time.Time) time.Time {
	earliest := now.UTC()
	for _, name := range []string{QueryAppPeers, QueryCrossAZShare, QueryDestinationGrowth, QueryLambdaRDSDirect, QueryLBBypass} {
		if start, _ := QueryPeriod(name, now); start.Before(earliest) {
			earliest = start
		}
	}
	return earliest
}

type bypassKey struct {
	client, server string
	port           int32
}

type fronted struct {
	instance string
	port     int32
}

// answersAcc accumulates the answers; its maps are keyed by the queries'
// GROUP BY columns.
type answersAcc struct {
	opts                    Options
	week                    [2]time.Time // cross_az_share, lb_bypass, lambda_rds_direct
	peersPeriod, growthSpan [2]time.Time
	currentMonth            time.Time
	crossAZ                 CrossAZShare
	peers                   map[string]int64
	fronted                 map[fronted]bool
	direct                  map[bypassKey]int64
	rds                     map[[2]string]*DirectDB
	growth                  map[string]*Growth
}

func newAnswersAcc(opts Options) *answersAcc {
	a := &answersAcc{opts: opts, peers: map[string]int64{}, fronted: map[fronted]bool{},
		direct: map[bypassKey]int64{}, rds: map[[2]string]*DirectDB{}, growth: map[string]*Growth{}}
	a.week[0], a.week[1] = QueryPeriod(QueryCrossAZShare, opts.Now)
	a.peersPeriod[0], a.peersPeriod[1] = QueryPeriod(QueryAppPeers, opts.Now)
	a.growthSpan[0], a.growthSpan[1] = QueryPeriod(QueryDestinationGrowth, opts.Now)
	a.currentMonth = a.growthSpan[1].AddDate(0, -1, 0)
	return a
}

func (a *answersAcc) groups() int {
	return len(a.peers) + len(a.fronted) + len(a.direct) + len(a.rds) + len(a.growth)
}

func within(t time.Time, p [2]time.Time) bool { return !t.Before(p[0]) && t.Before(p[1]) }

// firstARN is the SQL arns[1]: empty lists are not written, and read as
// NULL, here "".
func firstARN(e *connrows.Endpoint) string {
	if len(e.ARNs) == 0 {
		return ""
	}
	return e.ARNs[0]
}

func (a *answersAcc) add(r *connrows.Row) {
	// Every query reads accepted connections only. Rows with an end
	// missing are not connections: the enricher writes none.
	if r.LogStatus != connrows.LogStatusOK || r.Action != "ACCEPT" || r.Client == nil || r.Server == nil {
		return
	}
	bytes := r.Uploaded + r.Downloaded
	c, s := r.Client, r.Server
	if within(r.Window, a.week) {
		if r.CrossAz {
			a.crossAZ.CrossAZBytes += bytes
		}
		if (c.AvailabilityZoneID != "" || c.AvailabilityZone != "") && (s.AvailabilityZoneID != "" || s.AvailabilityZone != "") {
			a.crossAZ.KnownAZBytes += bytes
		}
		a.crossAZ.TotalBytes += bytes

		if s.Type == "ec2:instance" && firstARN(s) != "" {
			switch c.Type {
			case "elasticloadbalancing:loadbalancer":
				a.fronted[fronted{firstARN(s), r.ServerPort}] = true
			case "ec2:instance":
				a.direct[bypassKey{firstARN(c), firstARN(s), r.ServerPort}] += bytes
			}
		}
		if c.Type == "lambda:function" && s.Type == "rds:db" {
			k := [2]string{firstARN(c), firstARN(s)}
			d := a.rds[k]
			if d == nil {
				d = &DirectDB{Function: k[0], DB: k[1]}
				a.rds[k] = d
			}
			d.Bytes += bytes
			d.Records += r.Records
		}
	}
	if a.opts.App != "" && within(r.Window, a.peersPeriod) {
		capp, cok := c.Tags["app"]
		sapp, sok := s.Tags["app"]
		if cok && capp == a.opts.App && sok && sapp != a.opts.App {
			a.peers[sapp] += bytes
		}
		if sok && sapp == a.opts.App && cok && capp != a.opts.App {
			a.peers[capp] += bytes
		}
	}
	if within(r.Window, a.growthSpan) {
		var dest string
		switch {
		case s.Type == "aws:service":
			if s.AwsService != "" {
				dest = "aws:service:" + s.AwsService
			}
		case firstARN(s) != "":
			dest = firstARN(s)
		default:
			dest = s.Type
		}
		g := a.growth[dest]
		if g == nil {
			g = &Growth{Destination: dest}
			a.growth[dest] = g
		}
		if r.Window.Before(a.currentMonth) {
			g.Previous += bytes
			g.Growth -= bytes
		} else {
			g.Current += bytes
			g.Growth += bytes
		}
	}
}

// growthRows is the LIMIT of destination_growth.
const growthRows = 10

func (a *answersAcc) answers() *Answers {
	out := &Answers{Now: a.opts.Now.UTC(), App: a.opts.App, CrossAZ: a.crossAZ}
	if !a.opts.From.IsZero() {
		out.From = a.opts.From.UTC()
	}
	if c := &out.CrossAZ; c.KnownAZBytes != 0 {
		c.Known = true
		c.Share = math.Round(float64(c.CrossAZBytes)/float64(c.KnownAZBytes)*1e6) / 1e6
	}
	for app, bytes := range a.peers {
		out.AppPeers = append(out.AppPeers, Peer{App: app, Bytes: bytes})
	}
	slices.SortFunc(out.AppPeers, func(x, y Peer) int {
		return cmp.Or(cmp.Compare(y.Bytes, x.Bytes), strings.Compare(x.App, y.App))
	})
	for k, bytes := range a.direct {
		if a.fronted[fronted{k.server, k.port}] {
			out.LBBypass = append(out.LBBypass, Bypass{Client: k.client, Server: k.server, Port: k.port, Bytes: bytes})
		}
	}
	slices.SortFunc(out.LBBypass, func(x, y Bypass) int {
		return cmp.Or(strings.Compare(x.Client, y.Client), strings.Compare(x.Server, y.Server), cmp.Compare(x.Port, y.Port))
	})
	for _, k := range slices.SortedFunc(maps.Keys(a.rds), func(x, y [2]string) int {
		return cmp.Or(strings.Compare(x[0], y[0]), strings.Compare(x[1], y[1]))
	}) {
		out.LambdaRDSDirect = append(out.LambdaRDSDirect, *a.rds[k])
	}
	for _, g := range a.growth {
		out.DestinationGrowth = append(out.DestinationGrowth, *g)
	}
	slices.SortFunc(out.DestinationGrowth, func(x, y Growth) int {
		return cmp.Or(cmp.Compare(y.Growth, x.Growth), strings.Compare(x.Destination, y.Destination))
	})
	out.DestinationGrowth = out.DestinationGrowth[:min(growthRows, len(out.DestinationGrowth))]
	return out
}
