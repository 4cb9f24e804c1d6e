// Package synthetic generates a small AWS environment and its VPC flow
// logs, with the answers that the named queries of package queries must
// give on them: a traffic set with ground truth, for tests and demos.
//
// The environment is one account in us-east-1 with three VPCs, each with
// subnets in three Availability Zones and a flow log of its own format:
//
//	shop        default format (version 2): an internet-facing ALB in front of
//	            web instances, an internal ALB in front of api instances, an
//	            ElastiCache cluster, a reporting instance; web and reporting
//	            instances also call api instances directly, past the ALB
//	serverless  custom version 4 format: Lambda functions, two of which reach
//	            an RDS database directly and one through RDS Proxy
//	data        custom version 5 format: worker instances talking to each
//	            other, to S3 and DynamoDB through gateway endpoints and to
//	            the internet through a NAT gateway
//
// The reporting instance of shop also reads from a data worker over a VPC
// peering link (traffic-path 4 in the data VPC's records).
//
// Resources carry app, owner and aws:cloudformation:stack-name tags. The
// set holds what the inventory is loaded from (describe-network-interfaces,
// get-resources and ip-ranges.json output) and the flow log records, and
// Truth is computed from the generated conversations themselves, not from
// the records, so that a test checks the whole path from records to answers.
//
// Every conversation is logged as flow logs log it: each direction by the
// interface that sends it and by the one that receives it, when that
// interface is in one of the VPCs. Each load balancer takes its traffic on
// one of its interfaces: rows key connections by resource, so a row that
// folds two of its interfaces takes the zone of one of them, and the
// cross-zone answer would depend on which.
package synthetic

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

// Account and Region of the environment.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// Options configure Generate.
type Options struct {
	// Seed makes the set: the same seed gives the same set.
	Seed uint64
	// Now is the end of the traffic, the moment the queries are asked at;
	// traffic starts at the first day of the second month before it.
	// Default: 2024-06-10T00:00:00Z.
	Now time.Time
	// HoursPerDay is how many hours of each day have traffic; default 3.
	HoursPerDay int
	// Connections is how many connections, each from a client port of its
	// own, carry each conversation's bytes; default 1. The answers do not
	// depend on it: the rows fold the connections of a minute together.
	Connections int
}

// Set is a generated environment, its flow logs and the answers.
type Set struct {
	// NetworkInterfaces is the output of aws ec2 describe-network-interfaces.
	NetworkInterfaces []byte
	// Resources is the output of aws resourcegroupstaggingapi get-resources.
	Resources []byte
	// IPRanges is the part of ip-ranges.json the traffic reaches.
	IPRanges []byte
	// FlowLogs are the flow logs, one per VPC.
	FlowLogs []FlowLog
	// Truth is what the named queries must answer at Now.
	Truth Truth
}

// FlowLog is one flow log: its log group, its format and its records.
type FlowLog struct {
	// LogGroup is the CloudWatch Logs log group the flow log delivers to.
	LogGroup string
	// Format is the flow log's log_format.
	Format string
	// Lines are the records, oldest first, as CloudWatch Logs messages.
	Lines []string
}

// File returns the records as a flow log file in S3 holds them: a header
// line naming the fields, then one record a line.
func (f FlowLog) File() []byte {
	format, err := flowrecord.ParseFormat(f.Format)
	if err != nil {
		panic(err) // the formats are the package's own
	}
	var b strings.Builder
	b.WriteString(format.Header())
	b.WriteByte('\n')
	for _, l := range f.Lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Truth is what the named queries must answer on the set.
type Truth struct {
	Now time.Time `json:"now"`
	// CrossAZ is for the last 7 days.
	CrossAZ CrossAZ `json:"cross_az"`
	// App is the application the peers query asks about, and Peers its
	// answer for the last 21 days: the other apps it talked to, in either
	// direction, most bytes first.
	App   string     `json:"app"`
	Peers []AppBytes `json:"peers"`
	// LBBypass are the instance-to-instance connections of the last 7 days
	// to a port a load balancer fronts on the server.
	LBBypass []Bypass `json:"lb_bypass"`
	// DirectRDS are the Lambda functions that reached an RDS database
	// without RDS Proxy in the last 7 days.
	DirectRDS []FunctionDB `json:"direct_rds"`
	// Growth is the top 10 destinations by bytes gained from the month
	// before last to last month.
	Growth []Growth `json:"growth"`
}

// CrossAZ are accepted bytes: in total, between ends whose zones are both
// known, and of those between different zones.
type CrossAZ struct {
	CrossAZBytes int64 `json:"cross_az_bytes"`
	KnownAZBytes int64 `json:"known_az_bytes"`
	TotalBytes   int64 `json:"total_bytes"`
}

// AppBytes is an app and the bytes exchanged with it.
type AppBytes struct {
	App   string `json:"app"`
	Bytes int64  `json:"bytes"`
}

// Bypass is a client instance reaching a server instance on a port that a
// load balancer fronts.
type Bypass struct {
	Client string `json:"client"`
	Server string `json:"server"`
	Port   int    `json:"port"`
}

// FunctionDB is a function and a database it reached.
type FunctionDB struct {
	Function string `json:"function"`
	DB       string `json:"db"`
}

// Growth is a destination's bytes in the two months compared.
type Growth struct {
	Destination string `json:"destination"`
	Previous    int64  `json:"previous"`
	Current     int64  `json:"current"`
	Growth      int64  `json:"growth"`
}

// Endpoint types, as package attribution names them.
const (
	typeInstance = "ec2:instance"
	typeLB       = "elasticloadbalancing:loadbalancer"
	typeLambda   = "lambda:function"
	typeRDS      = "rds:db"
	typeProxy    = "rds:db-proxy"
	typeCache    = "elasticache:cluster"
	typeNAT      = "ec2:natgateway"
	typeService  = "aws:service"
	typeInternet = "internet"
)

// zones are the Availability Zones: name and id.
var zones = [3][2]string{{"us-east-1a", "use1-az1"}, {"us-east-1b", "use1-az2"}, {"us-east-1c", "use1-az4"}}

// vpc is one VPC with its flow log.
type vpc struct {
	key, id  string
	cidr     [2]byte // first two octets
	group    string
	format   string
	version  string
	stack    string
	nextHost [3]int
}

// node is one end of conversations: a network interface, or an address
// outside the VPCs.
type node struct {
	name    string
	vpc     *vpc
	az      int // -1 outside the VPCs
	eni     string
	addr    netip.Addr
	typ     string
	arn     string
	app     string
	service string // AWS service code of an aws:service address (S3, DYNAMODB)
	// how describes the interface to EC2.
	how func(n *node) map[string]any
}

func (n *node) inVPC() bool { return n.vpc != nil }

// conversation is traffic from a client to a server's port in one interval.
type conversation struct {
	client, server *node
	port           int
	start, end     int64
	up, down       int64 // bytes client to server, server to client
	upPk, downPk   int64
	reject         bool
}

type generator struct {
	rng     *rand.Rand
	nodes   []*node
	tags    []map[string]any
	convs   []conversation
	nodata  []nodataRecord
	byName  map[string]*node
	vpcs    []*vpc
	lbNodes map[string]*node // load balancer name → its interface that takes traffic
}

type nodataRecord struct {
	n          *node
	start, end int64
}

// Generate returns the set of a seed.
func Generate(opts Options) *Set {
	if opts.Now.IsZero() {
		opts.Now = time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC)
	}
	if opts.HoursPerDay <= 0 {
		opts.HoursPerDay = 3
	}
	now := opts.Now.UTC()
	g := newGenerator(opts.Seed)
	first := time.Date(now.Year(), now.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	for day := first; day.Before(now); day = day.AddDate(0, 0, 1) {
		hours := g.rng.Perm(24)[:opts.HoursPerDay]
		sort.Ints(hours)
		for _, h := range hours {
			g.traffic(day.Add(time.Duration(h)*time.Hour), now)
		}
	}
	set := &Set{}
	set.NetworkInterfaces = g.describe()
	set.Resources = g.resources()
	set.IPRanges = ipRanges()
	set.FlowLogs = g.flowLogs(max(opts.Connections, 1))
	set.Truth = g.truth(now)
	return set
}

// newGenerator returns a generator with the environment of a seed.
func newGenerator(seed uint64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x5eed)), byName: map[string]*node{}, lbNodes: map[string]*node{}}
	g.environment()
	return g
}

// hexID returns prefix and n random hex digits.
func (g *generator) hexID(prefix string, n int) string {
	const digits = "0123456789abcdef"
	b := []byte(prefix)
	for range n {
		b = append(b, digits[g.rng.IntN(16)])
	}
	return string(b)
}

func (g *generator) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + Region + ":" + Account + ":" + resource
}

// add adds an interface to a VPC and zone.
func (g *generator) add(v *vpc, az int, name, typ, arn, app string, how func(*node) map[string]any) *node {
	v.nextHost[az]++
	n := &node{
		name: name, vpc: v, az: az, typ: typ, arn: arn, app: app, how: how,
		eni:  g.hexID("eni-0", 16),
		addr: netip.AddrFrom4([4]byte{v.cidr[0], v.cidr[1], byte(10 * (az + 1)), byte(10 + v.nextHost[az])}),
	}
	g.nodes = append(g.nodes, n)
	g.byName[name] = n
	return n
}

// outside returns an address outside the VPCs.
func (g *generator) outside(name, typ, service string, addr netip.Addr) *node {
	n := &node{name: name, az: -1, typ: typ, service: service, addr: addr}
	g.byName[name] = n
	return n
}

func (g *generator) tag(arn, name, app, stack string) {
	tags := []map[string]string{{"Key": "Name", "Value": name}, {"Key": "app", "Value": app},
		{"Key": "owner", "Value": app + "-team@example.com"}, {"Key": "aws:cloudformation:stack-name", "Value": stack}}
	g.tags = append(g.tags, map[string]any{"ResourceARN": arn, "Tags": tags})
}

func (g *generator) environment() {
	shop := &vpc{key: "shop", cidr: [2]byte{10, 1}, group: "/vpcflow/shop", version: "2",
		format: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
		stack:  "shop"}
	serverless := &vpc{key: "serverless", cidr: [2]byte{10, 2}, group: "/vpcflow/serverless", version: "4",
		format: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id}",
		stack:  "serverless"}
	data := &vpc{key: "data", cidr: [2]byte{10, 3}, group: "/vpcflow/data", version: "5",
		format: "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status} ${az-id} ${flow-direction} ${traffic-path} ${pkt-src-aws-service} ${pkt-dst-aws-service}",
		stack:  "data"}
	g.vpcs = []*vpc{shop, serverless, data}
	for _, v := range g.vpcs {
		v.id = g.hexID("vpc-0", 16)
	}

	instance := func(v *vpc, az int, name, app string) *node {
		id := g.hexID("i-0", 16)
		n := g.add(v, az, name, typeInstance, g.arn("ec2", "instance/"+id), app, func(n *node) map[string]any {
			return map[string]any{"InterfaceType": "interface", "Description": "",
				"Attachment": map[string]any{"InstanceId": id, "InstanceOwnerId": Account, "Status": "attached", "DeviceIndex": 0}}
		})
		g.tag(n.arn, name, app, v.stack)
		return n
	}
	loadBalancer := func(v *vpc, name, app string) {
		id := g.hexID("", 16)
		arn := g.arn("elasticloadbalancing", "loadbalancer/app/"+name+"/"+id)
		g.tag(arn, name, app, v.stack)
		for az := range 3 {
			n := g.add(v, az, fmt.Sprintf("%s-%c", name, 'a'+az), typeLB, arn, app, func(n *node) map[string]any {
				return map[string]any{"InterfaceType": "interface", "Description": "ELB app/" + name + "/" + id,
					"RequesterId": "amazon-elb", "RequesterManaged": true,
					"Attachment": map[string]any{"InstanceOwnerId": "amazon-elb", "Status": "attached", "DeviceIndex": 1}}
			})
			if az == 0 {
				g.lbNodes[name] = n
			}
		}
	}
	function := func(v *vpc, az int, name, app string) *node {
		arn := g.arn("lambda", "function:"+name)
		g.tag(arn, name, app, v.stack)
		uuid := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), g.rng.IntN(1<<12), g.rng.Uint64()&(1<<48-1))
		return g.add(v, az, name, typeLambda, arn, app, func(n *node) map[string]any {
			return map[string]any{"InterfaceType": "lambda", "Description": "AWS Lambda VPC ENI-" + name + "-" + uuid,
				"RequesterId": "AROAEXAMPLE:" + name, "RequesterManaged": true,
				"Attachment": map[string]any{"InstanceOwnerId": "amazon-aws", "Status": "attached", "DeviceIndex": 1}}
		})
	}
	// RDS and RDS Proxy interfaces name nothing; the vpcflow:resource-arn
	// tag says what is behind them (see package attribution).
	rdsManaged := func(v *vpc, az int, name, typ, arn, app, desc string) *node {
		g.tag(arn, name, app, v.stack)
		return g.add(v, az, name, typ, arn, app, func(n *node) map[string]any {
			return map[string]any{"InterfaceType": "interface", "Description": desc,
				"RequesterId": "amazon-rds", "RequesterManaged": true,
				"TagSet":     []map[string]string{{"Key": "vpcflow:resource-arn", "Value": arn}},
				"Attachment": map[string]any{"InstanceOwnerId": "amazon-rds", "Status": "attached", "DeviceIndex": 1}}
		})
	}

	// shop
	loadBalancer(shop, "web-alb", "web")
	loadBalancer(shop, "api-alb", "api")
	for az := range 3 {
		instance(shop, az, fmt.Sprintf("web-%d", az+1), "web")
	}
	for az := range 2 {
		instance(shop, az, fmt.Sprintf("api-%d", az+1), "api")
	}
	instance(shop, 2, "reporting-1", "reporting")
	cacheARN := g.arn("elasticache", "cluster:sessions-001")
	g.tag(cacheARN, "sessions-001", "sessions", shop.stack)
	g.add(shop, 1, "sessions-001", typeCache, cacheARN, "sessions", func(n *node) map[string]any {
		return map[string]any{"InterfaceType": "interface", "Description": "ElastiCache sessions-001",
			"RequesterId": "amazon-elasticache", "RequesterManaged": true}
	})

	// serverless
	function(serverless, 0, "orders-fn", "orders")
	function(serverless, 1, "billing-fn", "billing")
	function(serverless, 2, "reports-fn", "reporting")
	rdsManaged(serverless, 0, "orders-db", typeRDS, g.arn("rds", "db:orders-db"), "orders", "RDSNetworkInterface")
	rdsManaged(serverless, 1, "billing-db", typeRDS, g.arn("rds", "db:billing-db"), "billing", "RDSNetworkInterface")
	proxyID := g.hexID("prx-0", 16)
	rdsManaged(serverless, 2, "billing-proxy", typeProxy, g.arn("rds", "db-proxy:"+proxyID), "billing", "Network interface for DBProxy billing-proxy")

	// data
	for az := range 3 {
		instance(data, az, fmt.Sprintf("worker-%d", az+1), "worker")
	}
	natID := g.hexID("nat-0", 17)
	natARN := g.arn("ec2", "natgateway/"+natID)
	g.tag(natARN, "data-nat", "network", data.stack)
	g.add(data, 0, "nat", typeNAT, natARN, "network", func(n *node) map[string]any {
		return map[string]any{"InterfaceType": "nat_gateway", "Description": "Interface for NAT Gateway " + natID,
			"RequesterId": "amazon-aws", "RequesterManaged": true}
	})

	g.outside("s3", typeService, "S3", netip.MustParseAddr("52.216.10.20"))
	g.outside("dynamodb", typeService, "DYNAMODB", netip.MustParseAddr("3.218.182.10"))
}

// pattern is a kind of conversation: who talks to whom, how much, and
// since and until when.
type pattern struct {
	client, server string
	port           int
	// up and down are the mean bytes each way; per month (0: the month
	// before last) they are multiplied by grow.
	up, down int64
	grow     [3]float64
	// from and until bound the pattern by days before now (0 = none).
	from, until int
	// chance is the probability per sampled hour.
	chance float64
	reject bool
}

var patterns = []pattern{
	{client: "internet", server: "web-alb", port: 443, up: 20_000, down: 400_000, grow: [3]float64{1, 1.5, 1.5}, chance: 1},
	{client: "internet", server: "web-alb", port: 8443, up: 300, reject: true, chance: 0.5},
	{client: "web-alb", server: "web-1", port: 8080, up: 15_000, down: 300_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "web-alb", server: "web-2", port: 8080, up: 15_000, down: 300_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "web-alb", server: "web-3", port: 8080, up: 15_000, down: 300_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "web-1", server: "api-alb", port: 443, up: 5_000, down: 60_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "web-3", server: "api-alb", port: 443, up: 5_000, down: 60_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "api-alb", server: "api-1", port: 9000, up: 5_000, down: 60_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "api-alb", server: "api-2", port: 9000, up: 5_000, down: 60_000, grow: [3]float64{1, 1, 1}, chance: 1},
	// Past the load balancer.
	{client: "web-1", server: "api-1", port: 9000, up: 4_000, down: 40_000, grow: [3]float64{1, 1, 1}, chance: 0.8},
	{client: "web-2", server: "api-2", port: 9000, up: 4_000, down: 40_000, grow: [3]float64{1, 1, 1}, chance: 0.8},
	{client: "reporting-1", server: "api-1", port: 9000, up: 2_000, down: 900_000, grow: [3]float64{1, 1, 1}, chance: 0.5},
	// The ALB does not front the api instances on their admin port.
	{client: "web-2", server: "api-1", port: 9100, up: 1_000, down: 2_000, grow: [3]float64{1, 1, 1}, chance: 0.5},
	{client: "web-1", server: "sessions-001", port: 6379, up: 3_000, down: 9_000, grow: [3]float64{2, 1, 1}, chance: 1},
	{client: "web-2", server: "sessions-001", port: 6379, up: 3_000, down: 9_000, grow: [3]float64{2, 1, 1}, chance: 1},
	{client: "web-3", server: "sessions-001", port: 6379, up: 3_000, down: 9_000, grow: [3]float64{2, 1, 1}, chance: 1},
	// Reporting used the session cache once, and only a month ago.
	{client: "reporting-1", server: "sessions-001", port: 6379, up: 1_000, down: 1_000, grow: [3]float64{1, 1, 1}, from: 40, until: 25, chance: 1},
	{client: "orders-fn", server: "orders-db", port: 5432, up: 8_000, down: 20_000, grow: [3]float64{1, 2.5, 2.5}, chance: 1},
	{client: "reports-fn", server: "orders-db", port: 5432, up: 2_000, down: 300_000, grow: [3]float64{1, 1, 1}, chance: 0.6},
	{client: "billing-fn", server: "billing-proxy", port: 5432, up: 6_000, down: 12_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "billing-proxy", server: "billing-db", port: 5432, up: 6_000, down: 12_000, grow: [3]float64{1, 1, 1}, chance: 1},
	// A function that stopped reaching the database directly when RDS
	// Proxy came: it is not an answer of the last 7 days.
	{client: "billing-fn", server: "billing-db", port: 5432, up: 6_000, down: 12_000, grow: [3]float64{1, 1, 1}, from: 60, until: 20, chance: 1},
	{client: "worker-1", server: "worker-2", port: 7000, up: 200_000, down: 20_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "worker-2", server: "worker-3", port: 7000, up: 200_000, down: 20_000, grow: [3]float64{1, 1, 1}, chance: 1},
	{client: "worker-1", server: "s3", port: 443, up: 2_000_000, down: 50_000, grow: [3]float64{1, 3, 3}, chance: 1},
	{client: "worker-3", server: "dynamodb", port: 443, up: 20_000, down: 80_000, grow: [3]float64{1, 0.5, 0.5}, chance: 1},
	{client: "worker-2", server: "internet", port: 443, up: 10_000, down: 500_000, grow: [3]float64{1, 1.2, 1.2}, chance: 1},
	{client: "nat", server: "internet", port: 443, up: 10_000, down: 500_000, grow: [3]float64{1, 1.2, 1.2}, chance: 1},
	// Across the peering link between the shop and data VPCs.
	{client: "reporting-1", server: "worker-3", port: 7000, up: 3_000, down: 700_000, grow: [3]float64{1, 1, 1}, chance: 0.7},
}

// internetAddr returns one of a few public addresses outside AWS.
func (g *generator) internetAddr() netip.Addr {
	return netip.AddrFrom4([4]byte{81, 2, 69, byte(1 + g.rng.IntN(40))})
}

// traffic generates the conversations of one hour.
func (g *generator) traffic(hour, now time.Time) {
	month := 2 - monthsBefore(hour, now)
	daysAgo := int(now.Sub(hour).Hours() / 24)
	for _, p := range patterns {
		if p.from > 0 && daysAgo >= p.from || p.until > 0 && daysAgo < p.until {
			continue
		}
		if g.rng.Float64() >= p.chance {
			continue
		}
		client, server := g.resolve(p.client), g.resolve(p.server)
		grow := p.grow[month]
		if grow == 0 {
			grow = 1
		}
		start := hour.Unix() + int64(60*g.rng.IntN(59)) + int64(g.rng.IntN(30))
		c := conversation{
			client: client, server: server, port: p.port, reject: p.reject,
			start: start, end: start + 1 + int64(g.rng.IntN(29)),
			up:   int64(float64(p.up)*grow*(0.5+g.rng.Float64())) + 40,
			down: int64(float64(p.down) * grow * (0.5 + g.rng.Float64())),
		}
		if p.reject {
			c.down = 0
		}
		c.upPk = 1 + c.up/1400
		c.downPk = c.down / 1400
		if c.down > 0 {
			c.downPk++
		}
		g.convs = append(g.convs, c)
	}
	// An idle interface reports that it had nothing to log.
	if g.rng.IntN(4) == 0 {
		start := hour.Unix() + int64(60*g.rng.IntN(59))
		g.nodata = append(g.nodata, nodataRecord{n: g.byName["api-2"], start: start, end: start + 60})
	}
}

// monthsBefore returns how many calendar months t is before now's month,
// capped at 2.
func monthsBefore(t, now time.Time) int {
	m := (now.Year()-t.Year())*12 + int(now.Month()) - int(t.Month())
	return min(max(m, 0), 2)
}

// resolve returns the node of a pattern end; "internet" is a new address
// each time, and a load balancer is the interface that takes its traffic.
func (g *generator) resolve(name string) *node {
	if name == "internet" {
		return &node{name: "internet", az: -1, typ: typeInternet, addr: g.internetAddr()}
	}
	if n, ok := g.lbNodes[name]; ok {
		return n
	}
	n, ok := g.byName[name]
	if !ok {
		panic("synthetic: no node " + name)
	}
	return n
}

// describe returns the describe-network-interfaces output.
func (g *generator) describe() []byte {
	var out []map[string]any
	for _, n := range g.nodes {
		sg := "sg-0" + n.vpc.key
		ni := map[string]any{
			"AvailabilityZone": zones[n.az][0], "AvailabilityZoneId": zones[n.az][1],
			"Groups":             []map[string]string{{"GroupId": sg, "GroupName": n.vpc.key}},
			"NetworkInterfaceId": n.eni, "OwnerId": Account, "PrivateIpAddress": n.addr.String(),
			"PrivateIpAddresses": []map[string]any{{"Primary": true, "PrivateIpAddress": n.addr.String()}},
			"Ipv6Addresses":      []any{}, "Status": "in-use", "SourceDestCheck": true,
			"SubnetId": subnetID(n.vpc, n.az), "VpcId": n.vpc.id, "TagSet": []any{},
		}
		for k, v := range n.how(n) {
			ni[k] = v
		}
		out = append(out, ni)
	}
	return mustJSON(map[string]any{"NetworkInterfaces": out})
}

func subnetID(v *vpc, az int) string {
	return fmt.Sprintf("subnet-0%s%015x", v.key[:1], az+1)
}

// resources returns the get-resources output.
func (g *generator) resources() []byte {
	return mustJSON(map[string]any{"PaginationToken": "", "ResourceTagMappingList": g.tags})
}

// ipRanges returns the ranges of the AWS service addresses the traffic
// reaches, each also under AMAZON as AWS publishes them.
func ipRanges() []byte {
	var prefixes []map[string]string
	for _, r := range [][2]string{{"52.216.0.0/15", "S3"}, {"3.218.180.0/22", "DYNAMODB"}} {
		for _, svc := range []string{"AMAZON", r[1]} {
			prefixes = append(prefixes, map[string]string{"ip_prefix": r[0], "region": Region, "service": svc, "network_border_group": Region})
		}
	}
	return mustJSON(map[string]any{"syncToken": "1718000000", "createDate": "2024-06-10-00-00-00", "prefixes": prefixes, "ipv6_prefixes": []any{}})
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// record is one flow log record being rendered.
type record struct {
	logger         *node
	src, dst       *node
	sport, dport   int
	bytes, packets int64
	start, end     int64
	reject, egress bool
	flags          int
	nodata         bool
}

// flowLogs renders every conversation as the records of the interfaces
// that see it, in their VPC's flow log.
func (g *generator) flowLogs(connections int) []FlowLog {
	recs := map[*vpc][]record{}
	for _, c := range g.convs {
		for k := range connections {
			cport := 32768 + g.rng.IntN(28000)
			up, upPk := share(c.up, c.upPk, k, connections)
			down, downPk := share(c.down, c.downPk, k, connections)
			for _, n := range []*node{c.client, c.server} {
				if !n.inVPC() {
					continue
				}
				recs[n.vpc] = append(recs[n.vpc], record{logger: n, src: c.client, dst: c.server, sport: cport, dport: c.port,
					bytes: up, packets: upPk, start: c.start, end: c.end, reject: c.reject, egress: n == c.client, flags: 2})
				if down > 0 {
					recs[n.vpc] = append(recs[n.vpc], record{logger: n, src: c.server, dst: c.client, sport: c.port, dport: cport,
						bytes: down, packets: downPk, start: c.start, end: c.end, reject: c.reject, egress: n == c.server, flags: 18})
				}
			}
		}
	}
	for _, nd := range g.nodata {
		recs[nd.n.vpc] = append(recs[nd.n.vpc], record{logger: nd.n, start: nd.start, end: nd.end, nodata: true})
	}
	var logs []FlowLog
	for _, v := range g.vpcs {
		rs := recs[v]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
		format, err := flowrecord.ParseFormat(v.format)
		if err != nil {
			panic(err)
		}
		fields := strings.Fields(format.Header())
		fl := FlowLog{LogGroup: v.group, Format: v.format}
		for i := range rs {
			fl.Lines = append(fl.Lines, render(fields, v, &rs[i]))
		}
		logs = append(logs, fl)
	}
	return logs
}

// share returns connection k's part of n connections of bytes and
// packets: the parts add up to the whole, and a connection with bytes
// has a packet.
func share(bytes, packets int64, k, n int) (int64, int64) {
	b := bytes / int64(n)
	p := packets / int64(n)
	if int64(k) < bytes%int64(n) {
		b++
	}
	if int64(k) < packets%int64(n) {
		p++
	}
	if b > 0 && p == 0 {
		p = 1
	}
	return b, p
}

// render writes a record in a format's fields.
func render(fields []string, v *vpc, r *record) string {
	n := r.logger
	val := func(f string) string {
		switch f {
		case "version":
			return v.version
		case "account-id":
			return Account
		case "interface-id":
			return n.eni
		case "vpc-id":
			return v.id
		case "subnet-id":
			return subnetID(v, n.az)
		case "region":
			return Region
		case "az-id":
			return zones[n.az][1]
		case "start":
			return strconv.FormatInt(r.start, 10)
		case "end":
			return strconv.FormatInt(r.end, 10)
		case "log-status":
			if r.nodata {
				return "NODATA"
			}
			return "OK"
		}
		if r.nodata {
			return "-"
		}
		switch f {
		case "instance-id":
			if n.typ == typeInstance {
				return n.arn[strings.LastIndexByte(n.arn, '/')+1:]
			}
			return "-"
		case "type":
			return "IPv4"
		case "srcaddr", "pkt-srcaddr":
			return r.src.addr.String()
		case "dstaddr", "pkt-dstaddr":
			return r.dst.addr.String()
		case "srcport":
			return strconv.Itoa(r.sport)
		case "dstport":
			return strconv.Itoa(r.dport)
		case "protocol":
			return "6"
		case "bytes":
			return strconv.FormatInt(r.bytes, 10)
		case "packets":
			return strconv.FormatInt(r.packets, 10)
		case "action":
			if r.reject {
				return "REJECT"
			}
			return "ACCEPT"
		case "tcp-flags":
			return strconv.Itoa(r.flags)
		case "flow-direction":
			if r.egress {
				return "egress"
			}
			return "ingress"
		case "traffic-path":
			if !r.egress || r.dst.inVPC() {
				switch {
				case !r.egress:
					return "-"
				case r.dst.vpc != r.logger.vpc:
					return "4" // intra-region VPC peering
				}
				return "1"
			}
			if r.dst.typ == typeService {
				return "7"
			}
			return "8"
		case "pkt-src-aws-service":
			return orDash(r.src.service)
		case "pkt-dst-aws-service":
			return orDash(r.dst.service)
		}
		return "-"
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = val(f)
	}
	return strings.Join(out, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// identity returns the destination a query groups by: the resource ARN,
// aws:service:<code> for AWS service addresses, or the type.
func (n *node) identity() string {
	switch {
	case n.typ == typeService:
		return "aws:service:" + strings.ToLower(n.service)
	case n.arn != "":
		return n.arn
	}
	return n.typ
}

func (n *node) knownAZ() bool { return n.inVPC() }

// truth computes the answers from the conversations.
func (g *generator) truth(now time.Time) Truth {
	t := Truth{Now: now, App: "reporting"}
	window := func(c conversation) time.Time { return time.Unix(c.start-c.start%60, 0).UTC() }
	within := func(c conversation, days int) bool {
		w := window(c)
		return !w.Before(now.AddDate(0, 0, -days)) && w.Before(now)
	}
	peers := map[string]int64{}
	bypass := map[Bypass]bool{}
	direct := map[FunctionDB]bool{}
	fronted := map[[2]string]bool{} // server ARN, port
	for _, c := range g.convs {
		if !c.reject && c.client.typ == typeLB && c.server.typ == typeInstance && within(c, 7) {
			fronted[[2]string{c.server.arn, strconv.Itoa(c.port)}] = true
		}
	}
	cur := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	prev := cur.AddDate(0, -1, 0)
	growth := map[string]*Growth{}
	for _, c := range g.convs {
		if c.reject {
			continue
		}
		bytes := c.up + c.down
		if within(c, 7) {
			t.CrossAZ.TotalBytes += bytes
			if c.client.knownAZ() && c.server.knownAZ() {
				t.CrossAZ.KnownAZBytes += bytes
				if c.client.az != c.server.az {
					t.CrossAZ.CrossAZBytes += bytes
				}
			}
			if c.client.typ == typeInstance && c.server.typ == typeInstance && fronted[[2]string{c.server.arn, strconv.Itoa(c.port)}] {
				bypass[Bypass{c.client.arn, c.server.arn, c.port}] = true
			}
			if c.client.typ == typeLambda && c.server.typ == typeRDS {
				direct[FunctionDB{c.client.arn, c.server.arn}] = true
			}
		}
		if within(c, 21) {
			switch {
			case c.client.app == t.App && c.server.app != "" && c.server.app != t.App:
				peers[c.server.app] += bytes
			case c.server.app == t.App && c.client.app != "" && c.client.app != t.App:
				peers[c.client.app] += bytes
			}
		}
		w := window(c)
		if !w.Before(prev) && w.Before(cur.AddDate(0, 1, 0)) {
			d := c.server.identity()
			gr := growth[d]
			if gr == nil {
				gr = &Growth{Destination: d}
				growth[d] = gr
			}
			if w.Before(cur) {
				gr.Previous += bytes
			} else {
				gr.Current += bytes
			}
		}
	}
	for app, b := range peers {
		t.Peers = append(t.Peers, AppBytes{app, b})
	}
	sort.Slice(t.Peers, func(i, j int) bool {
		if t.Peers[i].Bytes != t.Peers[j].Bytes {
			return t.Peers[i].Bytes > t.Peers[j].Bytes
		}
		return t.Peers[i].App < t.Peers[j].App
	})
	for b := range bypass {
		t.LBBypass = append(t.LBBypass, b)
	}
	sort.Slice(t.LBBypass, func(i, j int) bool {
		a, b := t.LBBypass[i], t.LBBypass[j]
		return a.Client+a.Server+strconv.Itoa(a.Port) < b.Client+b.Server+strconv.Itoa(b.Port)
	})
	for d := range direct {
		t.DirectRDS = append(t.DirectRDS, d)
	}
	sort.Slice(t.DirectRDS, func(i, j int) bool {
		return t.DirectRDS[i].Function+" "+t.DirectRDS[i].DB < t.DirectRDS[j].Function+" "+t.DirectRDS[j].DB
	})
	var gs []Growth
	for _, gr := range growth {
		gr.Growth = gr.Current - gr.Previous
		gs = append(gs, *gr)
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Growth != gs[j].Growth {
			return gs[i].Growth > gs[j].Growth
		}
		return gs[i].Destination < gs[j].Destination
	})
	t.Growth = gs[:min(10, len(gs))]
	return t
}

// WriteDir writes the set as files, for the enricher's command line and
// demos: network-interfaces.json, get-resources.json, ip-ranges.json,
// flow-logs/<log group>.log (header line first), formats.json (log group
// to format) and truth.json.
func (s *Set) WriteDir(dir string) error {
	files := map[string][]byte{
		"network-interfaces.json": s.NetworkInterfaces,
		"get-resources.json":      s.Resources,
		"ip-ranges.json":          s.IPRanges,
		"truth.json":              mustJSON(s.Truth),
	}
	formats := map[string]string{}
	for _, fl := range s.FlowLogs {
		files[filepath.Join("flow-logs", strings.TrimPrefix(strings.ReplaceAll(fl.LogGroup, "/", "_"), "_")+".log")] = fl.File()
		formats[fl.LogGroup] = fl.Format
	}
	files["formats.json"] = mustJSON(formats)
	for name, b := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
