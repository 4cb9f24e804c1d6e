package attribution

import (
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// Hints carries what a flow record itself says about an address.
type Hints struct {
	// AwsService is the record's pkt-src-aws-service or pkt-dst-aws-service
	// for this address (S3, DYNAMODB, AMAZON, ...).
	AwsService string
	// ECSTaskARN is the record's ecs-task-arn; it applies when the address
	// belongs to an awsvpc task interface.
	ECSTaskARN string
}

// Attribute describes the owner of addr at time at. In order:
//
//   - an address owned by a known network interface is described by the
//     rules of the package documentation, with the interface's subnet, VPC,
//     account, zone, security groups and tags;
//   - otherwise, an address the record's AwsService hint or ip-ranges.json
//     places in an AWS service is aws:service, with AwsService the
//     lowercased service code (s3, dynamodb, ec2, or amazon when AWS
//     publishes the range without naming a service) and the range's region;
//   - otherwise a public address is internet, and anything else unknown.
//
// Tags are those of the interface, overridden by the tags get-resources
// reports for the interface ARN, overridden in turn by those of the resource
// ARN (for an ECS task with a task ARN hint, the task's tags win over all),
// because the resource's tags are the ones its owners maintain.
//
// The description of an interface is computed once per interface and
// inventory generation; a call allocates nothing unless it is the first for
// an interface, the first with a new ECS task ARN, or the first for a new
// service and region.
func Attribute(inv *inventory.Inventory, addr netip.Addr, at time.Time, hints Hints) Endpoint {
	addr = Normalize(addr)
	if iface, ok := inv.Lookup(addr, at); ok {
		return OfInterface(inv, iface, addr, hints.ECSTaskARN)
	}
	var e Endpoint
	Unowned(&e, inv, addr, hints)
	return e
}

// Normalize returns an address as Attribute describes it: IPv4-mapped IPv6
// addresses as IPv4, without zone.
func Normalize(addr netip.Addr) netip.Addr {
	addr = addr.Unmap()
	if addr.Zone() != "" {
		addr = addr.WithZone("")
	}
	return addr
}

// OfInterface is Attribute for an address, normalized, that the inventory
// says iface owns, with the record's ECS task ARN if any: callers that have
// looked the address up already use it.
func OfInterface(inv *inventory.Inventory, iface *inventory.Interface, addr netip.Addr, taskARN string) Endpoint {
	e := *interfaceEndpoint(inv, iface, taskARN)
	e.Addr = addr
	e.setFlags(addr)
	return e
}

// Unowned sets *e to Attribute's endpoint for an address, normalized, that
// no interface of the inventory owns.
func Unowned(e *Endpoint, inv *inventory.Inventory, addr netip.Addr, hints Hints) {
	if !addr.IsValid() {
		*e = Endpoint{Type: TypeUnknown}
		return
	}
	if ep, ok := serviceEndpoint(inv, addr, hints.AwsService); ok {
		*e = *ep
		e.Addr = addr
		e.setFlags(addr)
		return
	}
	*e = Endpoint{Addr: addr, Type: TypeUnknown}
	e.setFlags(addr)
	if e.Public {
		e.Type = TypeInternet
	}
}

// memo is the per-interface cache kept in inventory.Interface.Memo.
type memo struct {
	iface *inventory.Interface
	gen   uint64
	ep    Endpoint
	task  atomic.Pointer[taskEndpoint]
}

// taskEndpoint is an ECS task interface's endpoint for one task ARN. An
// awsvpc interface belongs to a single task for its whole life, so one slot
// is enough.
type taskEndpoint struct {
	arn string
	ep  Endpoint
}

func interfaceEndpoint(inv *inventory.Inventory, iface *inventory.Interface, taskARN string) *Endpoint {
	gen := inv.Generation()
	m, _ := iface.Memo().(*memo)
	if m == nil || m.iface != iface || m.gen != gen {
		m = &memo{iface: iface, gen: gen, ep: derive(inv, iface)}
		iface.SetMemo(m)
	}
	if taskARN == "" || m.ep.Type != TypeECSTask {
		return &m.ep
	}
	if t := m.task.Load(); t != nil && t.arn == taskARN {
		return &t.ep
	}
	t := &taskEndpoint{arn: strings.Clone(taskARN), ep: m.ep}
	t.ep.ARNs = withTask(m.ep.ARNs, t.arn)
	t.ep.key = t.arn
	t.ep.Tags = mergeTags(m.ep.Tags, inv.Tags(t.arn))
	m.task.Store(t)
	return &t.ep
}

// withTask puts the task ARN first, keeps the cluster ARN and, when the
// cluster is not known from the interface's tags, takes it from the task
// ARN ("task/CLUSTER/ID").
func withTask(arns []string, taskARN string) []string {
	out := []string{taskARN}
	if len(arns) > 1 {
		return append(out, arns[1:]...)
	}
	if f, ok := splitARN(taskARN); ok {
		if rest, ok := strings.CutPrefix(f[5], "task/"); ok {
			if cluster, _, ok := strings.Cut(rest, "/"); ok {
				out = append(out, "arn:"+f[1]+":ecs:"+f[3]+":"+f[4]+":cluster/"+cluster)
			}
		}
	}
	return out
}

// derive builds the endpoint of an interface, without address and flags.
func derive(inv *inventory.Inventory, iface *inventory.Interface) Endpoint {
	r := classify(iface)
	e := Endpoint{
		ARNs:               r.arns,
		InterfaceID:        iface.ID,
		SubnetID:           iface.SubnetID,
		VPCID:              iface.VPCID,
		AccountID:          iface.AccountID,
		SecurityGroupIDs:   iface.SecurityGroupIDs,
		AvailabilityZone:   iface.AvailabilityZone,
		AvailabilityZoneID: iface.AvailabilityZoneID,
		Region:             iface.Region,
		Type:               r.typ,
		LoadBalancerType:   r.lbType,
		key:                r.arns[0],
	}
	eniARN := iface.ARN()
	if r.arns[0] == eniARN {
		e.Tags = mergeTags(iface.Tags, inv.Tags(eniARN))
	} else {
		e.Tags = mergeTags(iface.Tags, inv.Tags(eniARN), inv.Tags(r.arns[0]))
	}
	return e
}

// mergeTags merges tag maps, later ones winning. It returns one of its
// arguments unchanged when only one is non-empty.
func mergeTags(maps ...map[string]string) map[string]string {
	var only map[string]string
	n, size := 0, 0
	for _, m := range maps {
		if len(m) > 0 {
			only = m
			n++
			size += len(m)
		}
	}
	if n <= 1 {
		return only
	}
	out := make(map[string]string, size)
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// serviceKeyOf indexes the cache of aws:service endpoints.
type serviceKeyOf struct{ service, region string }

// serviceCache maps a service code and region to a ready endpoint. It is
// copied on write so that reads take no lock; the set of services and
// regions is small, and the cap keeps bogus hints from growing it.
var (
	serviceCache   atomic.Pointer[map[serviceKeyOf]*Endpoint]
	serviceCacheMu sync.Mutex
)

const serviceCacheCap = 4096

// serviceEndpoint returns the aws:service endpoint for addr, if the hint or
// the inventory's AWS ranges place it in one. A specific service code wins
// over AMAZON whichever of the two says it; otherwise the hint wins, as the
// flow log service itself set it. The region comes from ip-ranges.json,
// except GLOBAL, which is not a region.
func serviceEndpoint(inv *inventory.Inventory, addr netip.Addr, hint string) (*Endpoint, bool) {
	service, region, ok := inv.AWSService(addr)
	if hint != "" && (!ok || !strings.EqualFold(hint, "AMAZON") || strings.EqualFold(service, "AMAZON")) {
		service = hint
	}
	if service == "" {
		return nil, false
	}
	if region == "GLOBAL" {
		region = ""
	}
	k := serviceKeyOf{service, region}
	if m := serviceCache.Load(); m != nil {
		if ep, ok := (*m)[k]; ok {
			return ep, true
		}
	}
	name := strings.ToLower(service)
	ep := &Endpoint{Type: TypeAWSService, AwsService: name, Region: region, key: serviceKey(name, region)}

	serviceCacheMu.Lock()
	defer serviceCacheMu.Unlock()
	old := serviceCache.Load()
	if old != nil && len(*old) >= serviceCacheCap {
		return ep, true
	}
	next := make(map[serviceKeyOf]*Endpoint, 1+lenOf(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	// The hint may be a slice of a whole log line; do not keep the line.
	next[serviceKeyOf{strings.Clone(service), strings.Clone(region)}] = ep
	serviceCache.Store(&next)
	return ep, true
}

func lenOf(m *map[serviceKeyOf]*Endpoint) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
