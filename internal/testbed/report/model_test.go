package report

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

var t0 = time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)

func instance(id, app, name, az, azID string) *connrows.Endpoint {
	e := &connrows.Endpoint{Type: "ec2:instance", ARNs: []string{"arn:aws:ec2:us-east-1:111122223333:instance/" + id},
		AccountID: "111122223333", VPCID: "vpc-1", AvailabilityZone: az, AvailabilityZoneID: azID,
		Tags: map[string]string{"Name": name, "owner": app + "-team", "aws:cloudformation:stack-name": "shop"}}
	if app != "" {
		e.Tags["app"] = app
	}
	return e
}

var (
	web1     = instance("i-web1", "web", "web-1", "us-east-1a", "use1-az1")
	web2     = instance("i-web2", "web", "web-2", "us-east-1b", "use1-az2")
	api1     = instance("i-api1", "api", "api-1", "us-east-1b", "use1-az2")
	api2     = instance("i-api2", "api", "api-2", "us-east-1c", "use1-az4")
	ordersDB = &connrows.Endpoint{Type: "rds:db", ARNs: []string{"arn:aws:rds:us-east-1:111122223333:db:orders-db"},
		AvailabilityZone: "us-east-1a", AvailabilityZoneID: "use1-az1", AccountID: "111122223333"}
	billingFn = &connrows.Endpoint{Type: "lambda:function", ARNs: []string{"arn:aws:lambda:us-east-1:111122223333:function:billing-fn"}}
	s3        = &connrows.Endpoint{Type: "aws:service", AwsService: "s3", Region: "us-east-1", Addr: "52.216.10.20"}
	dynamodb  = &connrows.Endpoint{Type: "aws:service", AwsService: "dynamodb", Region: "us-east-1"}
	internet  = &connrows.Endpoint{Type: "internet"}
	stranger  = &connrows.Endpoint{Type: "unknown", Addr: "10.9.9.9"}
)

// conn is an accepted TCP connection row.
func conn(c, s *connrows.Endpoint, port int32, up, down int64) connrows.Row {
	return connrows.Row{Protocol: "tcp", ServerPort: port, Uploaded: up, Downloaded: down, Action: "ACCEPT",
		LogStatus: connrows.LogStatusOK, Start: t0, End: t0.Add(time.Minute), Window: t0, Client: c, Server: s,
		CrossAz: connrows.CrossAZ(c, s), Records: 2}
}

func build(rows ...connrows.Row) Model { return Build(slices.Values(rows), 0) }

func TestAppName(t *testing.T) {
	for _, tc := range []struct {
		e          *connrows.Endpoint
		name, endp string
		kind       Kind
	}{
		{web1, "web", "web-1", KindApp},
		{instance("i-0abc", "", "", "", ""), "ec2:instance i-0abc", "i-0abc", KindOther},
		{instance("i-0abc", "", "bastion", "", ""), "ec2:instance bastion", "bastion", KindOther},
		{ordersDB, "rds:db orders-db", "orders-db", KindOther},
		{billingFn, "lambda:function billing-fn", "billing-fn", KindOther},
		{s3, "aws:s3", "aws:s3", KindService},
		{&connrows.Endpoint{Type: "aws:service"}, "aws:unknown", "aws:unknown", KindService},
		{internet, "internet", "internet", KindInternet},
		{&connrows.Endpoint{Type: "internet", Addr: "81.2.69.1"}, "internet", "81.2.69.1", KindInternet},
		{stranger, "unknown 10.9.9.9", "10.9.9.9", KindOther},
		{&connrows.Endpoint{Type: "ec2:network-interface", InterfaceID: "eni-1"}, "ec2:network-interface eni-1", "eni-1", KindOther},
		{&connrows.Endpoint{}, "unknown ?", "?", KindOther},
	} {
		name, kind := AppName(tc.e)
		if name != tc.name || kind != tc.kind {
			t.Errorf("AppName(%+v) = %q, %q; want %q, %q", tc.e, name, kind, tc.name, tc.kind)
		}
		if got := EndpointName(tc.e); got != tc.endp {
			t.Errorf("EndpointName(%+v) = %q; want %q", tc.e, got, tc.endp)
		}
	}
}

func TestBuildApps(t *testing.T) {
	m := build(
		conn(web1, api1, 443, 100, 900),
		conn(web2, api2, 443, 50, 50),
		conn(billingFn, ordersDB, 5432, 10, 20),
		conn(internet, web1, 443, 10, 10),
	)
	want := []App{
		{Name: "web", Kind: KindApp, Types: []string{"ec2:instance"}, Owners: []string{"web-team"}, Stacks: []string{"shop"}, VPCs: []string{"vpc-1"}, AsClient: 1100, AsServer: 20},
		{Name: "api", Kind: KindApp, Types: []string{"ec2:instance"}, Owners: []string{"api-team"}, Stacks: []string{"shop"}, VPCs: []string{"vpc-1"}, AsServer: 1100},
		{Name: "lambda:function billing-fn", Kind: KindOther, Types: []string{"lambda:function"}, AsClient: 30},
		{Name: "rds:db orders-db", Kind: KindOther, Types: []string{"rds:db"}, AsServer: 30},
		{Name: "internet", Kind: KindInternet, Types: []string{"internet"}, AsClient: 20},
	}
	if !reflect.DeepEqual(m.Apps, want) {
		t.Errorf("apps\n got %+v\nwant %+v", m.Apps, want)
	}
	wantEdges := []Edge{
		{Client: "web", Server: "api", Bytes: 1100, Connections: 2, Ports: []Port{{443, "tcp"}}},
		{Client: "lambda:function billing-fn", Server: "rds:db orders-db", Bytes: 30, Connections: 1, Ports: []Port{{5432, "tcp"}}},
		{Client: "internet", Server: "web", Bytes: 20, Connections: 1, Ports: []Port{{443, "tcp"}}},
	}
	if !reflect.DeepEqual(m.Edges, wantEdges) {
		t.Errorf("edges\n got %+v\nwant %+v", m.Edges, wantEdges)
	}
}

func TestBuildPorts(t *testing.T) {
	icmp := conn(web1, api1, 0, 1, 1)
	icmp.Protocol = "icmp"
	udp := conn(web1, api1, 443, 1, 1)
	udp.Protocol = "udp"
	m := build(conn(web1, api1, 8080, 1, 1), conn(web1, api1, 80, 1, 1), udp, conn(web1, api1, 443, 1, 1), icmp, conn(web1, api1, 80, 1, 1))
	got := portList(m.Edges[0].Ports)
	if want := "icmp, tcp/80, tcp/443, udp/443, +1"; got != want {
		t.Errorf("ports %q, want %q", got, want)
	}
	if n := len(m.Edges[0].Ports); n != 5 {
		t.Errorf("%d ports", n)
	}
}

func TestBuildAZPairs(t *testing.T) {
	// Zone names alike in two accounts, different zone ids.
	other := instance("i-other", "other", "other-1", "us-east-1a", "use1-az6")
	other.AccountID = "444455556666"
	noID := instance("i-noid", "batch", "batch-1", "us-east-1c", "")
	m := build(
		conn(web1, api1, 443, 100, 0),  // 1a -> 1b
		conn(api1, web1, 443, 40, 10),  // 1b -> 1a: the same pair
		conn(web2, api1, 443, 1000, 0), // both 1b: not cross-AZ
		conn(web1, s3, 443, 5000, 0),   // service without zone
		conn(web1, other, 443, 7, 0),   // by zone id
		conn(noID, web1, 443, 3, 0),    // by name, one id missing
		conn(api2, web1, 443, 200, 0),  // 1c -> 1a
	)
	want := []AZPair{
		{A: "us-east-1a", B: "us-east-1c", Bytes: 203},
		{A: "us-east-1a", B: "us-east-1b", Bytes: 150},
		{A: "use1-az1", B: "use1-az6", Bytes: 7},
	}
	for i := range want {
		want[i].Share = float64(want[i].Bytes) / float64(m.Bytes)
	}
	if !reflect.DeepEqual(m.AZPairs, want) {
		t.Errorf("pairs\n got %+v\nwant %+v", m.AZPairs, want)
	}
	if m.CrossAZBytes != 360 || m.Bytes != 6360 {
		t.Errorf("cross-AZ %d of %d bytes", m.CrossAZBytes, m.Bytes)
	}
}

func TestBuildTopTalkers(t *testing.T) {
	m := Build(slices.Values([]connrows.Row{
		conn(web2, api1, 443, 10, 0),
		conn(web1, api2, 443, 30, 0),
		conn(web1, api1, 443, 10, 0),
		conn(web1, api1, 8443, 5, 5),
		conn(web2, api2, 443, 5, 0),
		conn(billingFn, ordersDB, 5432, 30, 0),
	}), 3)
	want := []Talker{
		{Client: "billing-fn", Server: "orders-db", ClientApp: "lambda:function billing-fn", ServerApp: "rds:db orders-db", Bytes: 30, Connections: 1, Ports: []Port{{5432, "tcp"}}},
		{Client: "web-1", Server: "api-2", ClientApp: "web", ServerApp: "api", Bytes: 30, Connections: 1, Ports: []Port{{443, "tcp"}}},
		{Client: "web-1", Server: "api-1", ClientApp: "web", ServerApp: "api", Bytes: 20, Connections: 2, Ports: []Port{{443, "tcp"}, {8443, "tcp"}}},
	}
	if !reflect.DeepEqual(m.TopTalkers, want) {
		t.Errorf("top talkers\n got %+v\nwant %+v", m.TopTalkers, want)
	}
	if n := len(build(conn(web1, api1, 1, 1, 1)).TopTalkers); n != 1 {
		t.Errorf("%d talkers of one", n)
	}
}

func TestBuildServices(t *testing.T) {
	worker := instance("i-w", "worker", "worker-1", "us-east-1a", "use1-az1")
	m := build(
		conn(worker, s3, 443, 500, 10),
		conn(web1, s3, 443, 100, 0),
		conn(worker, s3, 443, 50, 0),
		conn(billingFn, dynamodb, 443, 20, 20),
		conn(s3, web1, 443, 999, 0), // a service as client is not reached
	)
	want := []Service{
		{Name: "s3", Bytes: 660, Connections: 3, Apps: []string{"web", "worker"}},
		{Name: "dynamodb", Bytes: 40, Connections: 1, Apps: []string{"lambda:function billing-fn"}},
	}
	if !reflect.DeepEqual(m.Services, want) {
		t.Errorf("services\n got %+v\nwant %+v", m.Services, want)
	}
}

func TestBuildTotals(t *testing.T) {
	rejected := conn(internet, web1, 22, 300, 0)
	rejected.Action = "REJECT"
	late := conn(web1, api1, 443, 1, 2)
	late.Start, late.End = t0.Add(time.Hour), t0.Add(2*time.Hour)
	early := conn(web1, api1, 443, 3, 4)
	early.Start = t0.Add(-time.Hour)
	m := build(
		connrows.Row{LogStatus: connrows.LogStatusNoData, InterfaceID: "eni-1", Start: t0.Add(-2 * time.Hour), End: t0},
		late, early, rejected,
	)
	if m.Rows != 4 || m.Connections != 3 || m.Rejected != 1 || m.RejectedBytes != 300 || m.Bytes != 10 {
		t.Errorf("totals %+v", m)
	}
	if !m.Start.Equal(t0.Add(-2*time.Hour)) || !m.End.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("period %s to %s", m.Start, m.End)
	}
	for _, a := range m.Apps {
		if a.Name == "internet" {
			t.Error("rejected traffic on the map")
		}
	}
	if z := build(); z.Rows != 0 || z.Apps != nil || !z.Start.IsZero() {
		t.Errorf("empty %+v", z)
	}
}

// TestBuildDeterministic builds the same rows in different orders.
func TestBuildDeterministic(t *testing.T) {
	dup := instance("i-web9", "web", "web-1", "us-east-1c", "use1-az4") // named like web1
	rows := []connrows.Row{
		conn(web1, api1, 443, 10, 0), conn(dup, api1, 443, 10, 0), conn(web2, api2, 443, 10, 0),
		conn(api1, web2, 443, 10, 0), conn(billingFn, ordersDB, 5432, 10, 0), conn(web1, s3, 443, 10, 0),
		conn(web2, dynamodb, 443, 10, 0), conn(stranger, web1, 80, 10, 0), conn(web1, internet, 443, 10, 0),
	}
	want := build(rows...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		if got := build(rows...); !reflect.DeepEqual(got, want) {
			t.Fatalf("order matters:\n%+v\n%+v", got, want)
		}
	}
}
