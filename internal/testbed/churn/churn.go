// Package churn generates a day of a synthetic estate whose addresses are
// reused all the time, with the ground truth of who owned each address at
// every moment: the inventory events AWS would deliver for it (CloudTrail
// API calls and tag changes, at their true times) and flow records of its
// addresses. It is the test bed of time-ranged attribution: Lambda and ECS
// task interfaces that come and go on a small pool of addresses, an
// autoscaling group whose interfaces move between instances, a secondary
// address reassigned between two interfaces without being unassigned, and
// Elastic IPs moved back and forth without disassociation.
package churn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Account, Region and the network of the estate.
const (
	Account = "123456789012"
	Region  = "us-east-1"
	VPC     = "vpc-0c4a11ce0000000a1"
	Subnet  = "subnet-0c4a11ce000000a1"
	Zone    = "us-east-1a"
)

// Config sizes the estate.
type Config struct {
	Seed  uint64
	Start time.Time
	// Duration is the simulated time; default a day.
	Duration time.Duration
	// Pool is how many addresses Lambda and ECS interfaces share;
	// default 24.
	Pool int
	// RecordsPerMinute is how many flow records each minute has; default
	// 15.
	RecordsPerMinute int
}

// Owner is who owned an address: the interface, the instance it was
// attached to, and its app tag.
type Owner struct {
	ENI, Instance, App string
}

type period struct {
	from, to time.Time // to zero: open
	owner    Owner
}

// Truth is who owned each address over time.
type Truth map[netip.Addr][]period

// At returns the owner of addr at t.
func (tr Truth) At(addr netip.Addr, t time.Time) (Owner, bool) {
	ps := tr[addr]
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if !t.Before(p.from) && (p.to.IsZero() || t.Before(p.to)) {
			return p.owner, true
		}
	}
	return Owner{}, false
}

// Event is an inventory event at its true time.
type Event struct {
	At time.Time
	// Addrs and ENIs are what the event is about, to tell which records
	// a lost event can affect.
	Addrs []netip.Addr
	ENIs  []string
	Event events.CloudWatchEvent
}

// Record is a flow record of an estate address talking to the internet.
type Record struct {
	Addr, Peer netip.Addr
	Start      time.Time
}

// Sim is a generated day.
type Sim struct {
	Config  Config
	Events  []Event // sorted by time
	Records []Record
	Truth   Truth
	// Addrs are the estate's addresses.
	Addrs []netip.Addr
}

// generator keeps the state of the estate while it is generated.
type generator struct {
	rng     *rand.Rand
	sim     *Sim
	seq     int
	open    map[netip.Addr]*period
	eniApp  map[string]string
	eniInst map[string]string
	eniAddr map[string][]netip.Addr
	tagVer  map[string]int64
}

func (g *generator) id(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s-0%016x", prefix, 0xc4a0000+g.seq)
}

// own records that addr is owner's from t on, ending the previous owner.
func (g *generator) own(addr netip.Addr, t time.Time, o Owner) {
	g.release(addr, t)
	g.sim.Truth[addr] = append(g.sim.Truth[addr], period{from: t, owner: o})
	g.open[addr] = &g.sim.Truth[addr][len(g.sim.Truth[addr])-1]
}

func (g *generator) release(addr netip.Addr, t time.Time) {
	if ps := g.sim.Truth[addr]; len(ps) > 0 && ps[len(ps)-1].to.IsZero() {
		ps[len(ps)-1].to = t
	}
	delete(g.open, addr)
}

// refresh restarts the periods of an interface's addresses at t, as its
// facts (instance, tags) changed.
func (g *generator) refresh(eni string, t time.Time) {
	o := Owner{ENI: eni, Instance: g.eniInst[eni], App: g.eniApp[eni]}
	for _, a := range g.eniAddr[eni] {
		if ps := g.sim.Truth[a]; len(ps) > 0 && ps[len(ps)-1].to.IsZero() && ps[len(ps)-1].owner.ENI == eni {
			g.own(a, t, o)
		}
	}
}

func (g *generator) apiCall(t time.Time, name string, req, resp any, addrs []netip.Addr, enis ...string) {
	g.seq++
	g.sim.Events = append(g.sim.Events, Event{At: t, Addrs: addrs, ENIs: enis, Event: APICall(fmt.Sprintf("ev-%08d", g.seq), t, name, req, resp)})
}

// APICall returns the EventBridge event of an EC2 API call recorded by
// CloudTrail at t, with its request parameters and response elements.
func APICall(id string, t time.Time, name string, req, resp any) events.CloudWatchEvent {
	detail := map[string]any{
		"eventVersion":       "1.09",
		"eventTime":          t.UTC().Format(time.RFC3339),
		"eventSource":        "ec2.amazonaws.com",
		"eventName":          name,
		"awsRegion":          Region,
		"requestParameters":  req,
		"responseElements":   resp,
		"eventID":            "ct-" + id,
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": Account,
	}
	b, _ := json.Marshal(detail)
	return events.CloudWatchEvent{
		Version: "0", ID: id, DetailType: "AWS API Call via CloudTrail", Source: "aws.ec2",
		AccountID: Account, Time: t, Region: Region, Detail: b,
	}
}

// TagChange returns the Tag Change on Resource event of an ARN whose tags
// became tags at t.
func TagChange(id string, t time.Time, arn, resourceType string, version int64, tags map[string]string) events.CloudWatchEvent {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	detail := map[string]any{"changed-tag-keys": keys, "service": "ec2", "resource-type": resourceType, "version": version, "tags": tags}
	b, _ := json.Marshal(detail)
	return events.CloudWatchEvent{
		Version: "0", ID: id, DetailType: "Tag Change on Resource", Source: "aws.tag",
		AccountID: Account, Time: t, Region: Region, Resources: []string{arn}, Detail: b,
	}
}

// CreateInterface returns the CreateNetworkInterface request and response
// of an interface with one private address and an app tag.
func CreateInterface(eni string, addr netip.Addr, app string) (req, resp any) {
	req = map[string]any{"subnetId": Subnet, "privateIpAddress": addr.String()}
	resp = map[string]any{"networkInterface": map[string]any{
		"networkInterfaceId": eni, "subnetId": Subnet, "vpcId": VPC, "availabilityZone": Zone,
		"ownerId": Account, "status": "pending", "privateIpAddress": addr.String(), "interfaceType": "interface",
		"privateIpAddressesSet": map[string]any{"item": []map[string]any{{"privateIpAddress": addr.String(), "primary": true}}},
		"tagSet":                map[string]any{"items": []map[string]string{{"key": "app", "value": app}}},
	}}
	return req, resp
}

func (g *generator) create(t time.Time, addr netip.Addr, app string) string {
	eni := g.id("eni")
	g.eniApp[eni], g.eniAddr[eni] = app, []netip.Addr{addr}
	req, resp := CreateInterface(eni, addr, app)
	g.apiCall(t, "CreateNetworkInterface", req, resp, []netip.Addr{addr}, eni)
	g.own(addr, t, Owner{ENI: eni, App: app})
	return eni
}

func (g *generator) delete(t time.Time, eni string) {
	g.apiCall(t, "DeleteNetworkInterface", map[string]any{"networkInterfaceId": eni}, map[string]any{"_return": true}, g.eniAddr[eni], eni)
	for _, a := range g.eniAddr[eni] {
		if p := g.open[a]; p != nil && p.owner.ENI == eni {
			g.release(a, t)
		}
	}
}

func (g *generator) attach(t time.Time, eni, instance string) string {
	att := g.id("eni-attach")
	g.apiCall(t, "AttachNetworkInterface", map[string]any{"networkInterfaceId": eni, "instanceId": instance, "deviceIndex": 1},
		map[string]any{"attachmentId": att}, g.eniAddr[eni], eni)
	g.eniInst[eni] = instance
	g.refresh(eni, t)
	return att
}

func (g *generator) detach(t time.Time, eni, att string) {
	g.apiCall(t, "DetachNetworkInterface", map[string]any{"attachmentId": att}, map[string]any{"_return": true}, g.eniAddr[eni], eni)
	g.eniInst[eni] = ""
	g.refresh(eni, t)
}

func (g *generator) tag(t time.Time, eni, app string) {
	arn := "arn:aws:ec2:" + Region + ":" + Account + ":network-interface/" + eni
	g.tagVer[arn]++
	g.seq++
	ev := TagChange(fmt.Sprintf("ev-%08d", g.seq), t, arn, "network-interface", g.tagVer[arn], map[string]string{"app": app})
	g.sim.Events = append(g.sim.Events, Event{At: t, Addrs: g.eniAddr[eni], ENIs: []string{eni}, Event: ev})
	g.eniApp[eni] = app
	g.refresh(eni, t)
}

func (g *generator) assignSecondary(t time.Time, eni string, addr netip.Addr, from string) {
	g.apiCall(t, "AssignPrivateIpAddresses",
		map[string]any{"networkInterfaceId": eni, "privateIpAddressesSet": map[string]any{"item": []map[string]any{{"privateIpAddress": addr.String()}}}, "allowReassignment": true},
		map[string]any{"networkInterfaceId": eni, "assignedPrivateIpAddressesSet": map[string]any{"assignedPrivateIpAddressSetType": []map[string]any{{"privateIpAddress": addr.String()}}}, "_return": true},
		[]netip.Addr{addr}, eni, from)
	g.eniAddr[eni] = appendNew(g.eniAddr[eni], addr)
	g.own(addr, t, Owner{ENI: eni, Instance: g.eniInst[eni], App: g.eniApp[eni]})
}

func (g *generator) associate(t time.Time, eni string, public netip.Addr, from string) {
	g.apiCall(t, "AssociateAddress", map[string]any{"publicIp": public.String(), "networkInterfaceId": eni, "allowReassociation": true},
		map[string]any{"_return": true, "associationId": g.id("eipassoc")}, []netip.Addr{public}, eni, from)
	g.eniAddr[eni] = appendNew(g.eniAddr[eni], public)
	g.own(public, t, Owner{ENI: eni, Instance: g.eniInst[eni], App: g.eniApp[eni]})
}

func appendNew(as []netip.Addr, a netip.Addr) []netip.Addr {
	if slices.Contains(as, a) {
		return as
	}
	return append(as, a)
}

// at returns a time between from and from+d, at a whole second.
func (g *generator) at(from time.Time, d time.Duration) time.Time {
	return from.Add(time.Duration(g.rng.Int64N(int64(d/time.Second))) * time.Second)
}

// Generate generates a day of the estate.
func Generate(cfg Config) *Sim {
	if cfg.Duration <= 0 {
		cfg.Duration = 24 * time.Hour
	}
	if cfg.Pool <= 0 {
		cfg.Pool = 24
	}
	if cfg.RecordsPerMinute <= 0 {
		cfg.RecordsPerMinute = 15
	}
	g := &generator{
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0xc4a)),
		sim:     &Sim{Config: cfg, Truth: make(Truth)},
		open:    make(map[netip.Addr]*period),
		eniApp:  make(map[string]string),
		eniInst: make(map[string]string),
		eniAddr: make(map[string][]netip.Addr),
		tagVer:  make(map[string]int64),
	}
	start, end := cfg.Start, cfg.Start.Add(cfg.Duration)
	type action struct {
		at time.Time
		do func(time.Time)
	}
	var queue []action
	schedule := func(at time.Time, do func(time.Time)) {
		if at.Before(end) {
			queue = append(queue, action{at, do})
		}
	}

	// Lambda and ECS task interfaces on a shared pool: each address gets a
	// new interface within a minute of the last one's deletion.
	for i := range cfg.Pool {
		addr := netip.AddrFrom4([4]byte{10, 9, 0, byte(10 + i)})
		g.sim.Addrs = append(g.sim.Addrs, addr)
		var cycle func(time.Time)
		cycle = func(t time.Time) {
			app := fmt.Sprintf("lambda-%d", g.rng.IntN(5))
			if g.rng.IntN(2) == 0 {
				app = fmt.Sprintf("ecs-task-%d", g.rng.IntN(5))
			}
			eni := g.create(t, addr, app)
			gone := g.at(t.Add(5*time.Minute), 40*time.Minute)
			schedule(gone, func(t time.Time) {
				g.delete(t, eni)
				schedule(g.at(t.Add(time.Second), time.Minute), cycle)
			})
		}
		schedule(g.at(start, 10*time.Minute), cycle)
	}

	// An autoscaling group: interfaces attached to an instance, moved to
	// another, detached and deleted.
	for i := range 6 {
		addr := netip.AddrFrom4([4]byte{10, 9, 1, byte(10 + i)})
		g.sim.Addrs = append(g.sim.Addrs, addr)
		var cycle func(time.Time)
		cycle = func(t time.Time) {
			eni := g.create(t, addr, "asg-web")
			a := g.id("i")
			att := ""
			schedule(t.Add(30*time.Second), func(t time.Time) { att = g.attach(t, eni, a) })
			moveAt := g.at(t.Add(20*time.Minute), 60*time.Minute)
			schedule(moveAt, func(t time.Time) {
				g.detach(t, eni, att)
				c := g.id("i")
				schedule(t.Add(time.Duration(20+g.rng.IntN(60))*time.Second), func(t time.Time) {
					att = g.attach(t, eni, c)
					schedule(g.at(t.Add(20*time.Minute), 60*time.Minute), func(t time.Time) {
						g.detach(t, eni, att)
						schedule(t.Add(30*time.Second), func(t time.Time) {
							g.delete(t, eni)
							schedule(g.at(t.Add(time.Second), 2*time.Minute), cycle)
						})
					})
				})
			})
		}
		schedule(g.at(start, 10*time.Minute), cycle)
	}

	// Long-lived interfaces that host a reassigned secondary address and
	// Elastic IPs, with tag changes.
	var hosts []string
	for i := range 4 {
		addr := netip.AddrFrom4([4]byte{10, 9, 2, byte(10 + i)})
		g.sim.Addrs = append(g.sim.Addrs, addr)
		hosts = append(hosts, g.create(start, addr, fmt.Sprintf("edge-%d", i)))
	}
	for _, eni := range hosts {
		var retag func(time.Time)
		retag = func(t time.Time) {
			g.tag(t, eni, fmt.Sprintf("edge-v%d", g.rng.IntN(100)))
			schedule(g.at(t.Add(time.Hour), 2*time.Hour), retag)
		}
		schedule(g.at(start.Add(30*time.Minute), 2*time.Hour), retag)
	}
	secondary := netip.MustParseAddr("10.9.2.100")
	g.sim.Addrs = append(g.sim.Addrs, secondary)
	holder := 0
	var reassign func(time.Time)
	reassign = func(t time.Time) {
		from := hosts[holder]
		holder = 1 - holder
		g.assignSecondary(t, hosts[holder], secondary, from)
		schedule(g.at(t.Add(5*time.Minute), 20*time.Minute), reassign)
	}
	schedule(start.Add(time.Minute), reassign)
	for i := range 3 {
		public := netip.AddrFrom4([4]byte{52, 95, 110, byte(10 + i)})
		g.sim.Addrs = append(g.sim.Addrs, public)
		on := -1
		var move func(time.Time)
		move = func(t time.Time) {
			from := ""
			if on >= 0 {
				from = hosts[on]
			}
			// Back and forth between two hosts, now and then a third.
			next := (i + g.rng.IntN(2)) % len(hosts)
			if next == on {
				next = (next + 1 + g.rng.IntN(len(hosts)-1)) % len(hosts)
			}
			on = next
			g.associate(t, hosts[on], public, from)
			schedule(g.at(t.Add(5*time.Minute), 25*time.Minute), move)
		}
		schedule(start.Add(time.Duration(2+i)*time.Minute), move)
	}

	for len(queue) > 0 {
		i := 0
		for j := range queue {
			if queue[j].at.Before(queue[i].at) {
				i = j
			}
		}
		a := queue[i]
		queue = slices.Delete(queue, i, i+1)
		a.do(a.at)
	}
	slices.SortStableFunc(g.sim.Events, func(a, b Event) int { return a.At.Compare(b.At) })

	// Flow records of owned addresses, every minute.
	for m := start; m.Before(end); m = m.Add(time.Minute) {
		for range cfg.RecordsPerMinute {
			t := m.Add(time.Duration(g.rng.IntN(60)) * time.Second)
			var owned []netip.Addr
			for _, a := range g.sim.Addrs {
				if _, ok := g.sim.Truth.At(a, t); ok {
					owned = append(owned, a)
				}
			}
			if len(owned) == 0 {
				continue
			}
			peer := netip.AddrFrom4([4]byte{203, 0, 113, byte(g.rng.IntN(8) + 1)})
			g.sim.Records = append(g.sim.Records, Record{Addr: owned[g.rng.IntN(len(owned))], Peer: peer, Start: t})
		}
	}
	return g.sim
}
