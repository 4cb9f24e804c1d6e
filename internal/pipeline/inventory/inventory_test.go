package inventory_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

var (
	t0900 = time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	t1000 = time.Date(2024, 5, 14, 10, 0, 0, 0, time.UTC)
)

func load(t testing.TB, inv *inventory.Inventory, name string, fn func(*inventory.Inventory, *os.File) error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := fn(inv, f); err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
}

// snapshots returns an inventory loaded with the 09:00 and 10:00 snapshots,
// the tags and the AWS ranges.
func snapshots(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv := inventory.New()
	load(t, inv, "network-interfaces-0900.json", func(inv *inventory.Inventory, f *os.File) error {
		return inv.LoadNetworkInterfaces(f, t0900)
	})
	load(t, inv, "network-interfaces-1000.json", func(inv *inventory.Inventory, f *os.File) error {
		return inv.LoadNetworkInterfaces(f, t1000)
	})
	load(t, inv, "get-resources.json", func(inv *inventory.Inventory, f *os.File) error { return inv.LoadTags(f) })
	load(t, inv, "get-resources-page2.json", func(inv *inventory.Inventory, f *os.File) error { return inv.LoadTags(f) })
	load(t, inv, "ip-ranges.json", func(inv *inventory.Inventory, f *os.File) error { return inv.LoadIPRanges(f) })
	return inv
}

func TestLoadNetworkInterfaces(t *testing.T) {
	inv := snapshots(t)
	if got, want := inv.Len(), 5; got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}

	web, ok := inv.InterfaceByID("eni-0a1b2c3d4e5f60718")
	if !ok {
		t.Fatal("instance interface not found")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"AccountID", web.AccountID, "111122223333"},
		{"Region", web.Region, "us-east-1"},
		{"AvailabilityZone", web.AvailabilityZone, "us-east-1b"},
		{"AvailabilityZoneID", web.AvailabilityZoneID, "use1-az2"},
		{"VPCID", web.VPCID, "vpc-0c1d2e3f4a5b6c7d8"},
		{"SubnetID", web.SubnetID, "subnet-0e4d5c6b7a8f90123"},
		{"SecurityGroupIDs", strings.Join(web.SecurityGroupIDs, ","), "sg-0f1e2d3c4b5a69788,sg-07a6b5c4d3e2f1019"},
		{"InterfaceType", web.InterfaceType, "interface"},
		{"InstanceID", web.InstanceID, "i-0abc12345def67890"},
		{"InstanceOwnerID", web.InstanceOwnerID, "111122223333"},
		{"AttachTime", web.AttachTime, time.Date(2024, 3, 2, 14, 21, 7, 0, time.UTC)},
		{"AttachmentStatus", web.AttachmentStatus, "attached"},
		{"PrivateIPs", addrs(web.PrivateIPs), "10.20.1.15 10.20.1.16"},
		{"PublicIPs", addrs(web.PublicIPs), "54.210.33.17"},
		{"IPv6s", addrs(web.IPv6s), "2600:1f18:4a3:6f00:8d2e:13c9:5b0a:77e1"},
		{"Tags", web.Tags["Name"], "web-1 primary"},
		{"ARN", web.ARN(), "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0a1b2c3d4e5f60718"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}

	nat, ok := inv.InterfaceByID("eni-0f9e8d7c6b5a43210")
	if !ok {
		t.Fatal("NAT gateway interface not found")
	}
	if !nat.RequesterManaged || nat.InterfaceType != "nat_gateway" || nat.InstanceOwnerID != "amazon-aws" {
		t.Errorf("NAT gateway interface = %+v", nat)
	}
}

func addrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

func TestLookup(t *testing.T) {
	inv := snapshots(t)
	tests := []struct {
		name string
		addr string
		at   time.Time
		want string // interface id, "" for none
	}{
		{"primary private address", "10.20.1.15", t0900.Add(time.Minute), "eni-0a1b2c3d4e5f60718"},
		{"secondary private address", "10.20.1.16", t1000.Add(time.Hour), "eni-0a1b2c3d4e5f60718"},
		{"elastic IP of an instance", "54.210.33.17", t0900.Add(time.Minute), "eni-0a1b2c3d4e5f60718"},
		{"elastic IP of a NAT gateway", "3.225.114.9", t0900.Add(time.Minute), "eni-0f9e8d7c6b5a43210"},
		{"IPv6 address", "2600:1f18:4a3:6f00:8d2e:13c9:5b0a:77e1", t0900.Add(time.Minute), "eni-0a1b2c3d4e5f60718"},
		{"IPv6 address with a zone", "2600:1f18:4a3:6f00:8d2e:13c9:5b0a:77e1%eth0", t0900.Add(time.Minute), "eni-0a1b2c3d4e5f60718"},
		{"IPv4-mapped IPv6 address", "::ffff:10.20.1.15", t0900.Add(time.Minute), "eni-0a1b2c3d4e5f60718"},
		{"delegated IPv4 prefix", "10.20.4.29", t0900.Add(time.Minute), "eni-0c9d8e7f6a5b4c3d2"},
		{"outside the delegated IPv4 prefix", "10.20.4.32", t0900.Add(time.Minute), ""},
		{"delegated IPv6 prefix", "2600:1f18:4a3:6f02:a1b2:0:0:17", t0900.Add(time.Minute), "eni-0c9d8e7f6a5b4c3d2"},
		{"outside the delegated IPv6 prefix", "2600:1f18:4a3:6f02:a1b3::17", t0900.Add(time.Minute), ""},
		{"before the first snapshot", "10.20.1.15", t0900.Add(-time.Second), ""},
		{"reused address, first owner", "10.20.1.77", t0900.Add(30 * time.Minute), "eni-0aa11bb22cc33dd44"},
		{"reused address, at the handover", "10.20.1.77", t1000, "eni-0bb22cc33dd44ee55"},
		{"reused address, second owner", "10.20.1.77", t1000.Add(time.Hour), "eni-0bb22cc33dd44ee55"},
		{"reused address, latest owner", "10.20.1.77", time.Time{}, "eni-0bb22cc33dd44ee55"},
		{"unknown address", "10.20.9.9", t1000, ""},
		{"invalid address", "", t1000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr netip.Addr
			if tt.addr != "" {
				addr = netip.MustParseAddr(tt.addr)
			}
			iface, ok := inv.Lookup(addr, tt.at)
			got := ""
			if ok {
				got = iface.ID
			}
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Lookup(%s, %s) = %q, %v; want %q", tt.addr, tt.at.Format(time.TimeOnly), got, ok, tt.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	a := &inventory.Interface{ID: "eni-0aaaaaaaaaaaaaaa1"}
	b := &inventory.Interface{ID: "eni-0bbbbbbbbbbbbbbb2"}
	c := &inventory.Interface{ID: "eni-0ccccccccccccccc3"}
	addr := netip.MustParseAddr("172.31.16.139")
	at := func(h, m int) time.Time { return time.Date(2024, 5, 14, h, m, 0, 0, time.UTC) }

	tests := []struct {
		name string
		add  func(inv *inventory.Inventory)
		at   time.Time
		want *inventory.Interface
	}{
		{
			name: "closed range, inside",
			add:  func(inv *inventory.Inventory) { inv.Add(a, addr, at(8, 0), at(10, 0)) },
			at:   at(9, 59),
			want: a,
		},
		{
			name: "closed range, end is exclusive",
			add:  func(inv *inventory.Inventory) { inv.Add(a, addr, at(8, 0), at(10, 0)) },
			at:   at(10, 0),
		},
		{
			name: "handover between closed and open ranges",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), at(10, 0))
				inv.Add(b, addr, at(10, 0), time.Time{})
			},
			at:   at(10, 0),
			want: b,
		},
		{
			name: "later open range closes an earlier one",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), time.Time{})
				inv.Add(b, addr, at(10, 0), time.Time{})
			},
			at:   at(9, 0),
			want: a,
		},
		{
			name: "address comes back to its first owner",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), time.Time{})
				inv.Add(b, addr, at(10, 0), time.Time{})
				inv.Add(a, addr, at(12, 0), time.Time{})
			},
			at:   at(12, 30),
			want: a,
		},
		{
			name: "address comes back to its first owner, middle owner kept",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), time.Time{})
				inv.Add(b, addr, at(10, 0), time.Time{})
				inv.Add(a, addr, at(12, 0), time.Time{})
			},
			at:   at(11, 0),
			want: b,
		},
		{
			name: "late sighting of an older owner does not override a newer one",
			add: func(inv *inventory.Inventory) {
				inv.Add(b, addr, at(10, 0), time.Time{})
				inv.Add(a, addr, at(8, 0), time.Time{})
			},
			at:   at(11, 0),
			want: b,
		},
		{
			name: "late sighting of an older owner fills the gap before",
			add: func(inv *inventory.Inventory) {
				inv.Add(b, addr, at(10, 0), time.Time{})
				inv.Add(a, addr, at(8, 0), time.Time{})
			},
			at:   at(9, 0),
			want: a,
		},
		{
			name: "overlapping closed ranges, latest start wins",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), at(12, 0))
				inv.Add(c, addr, at(9, 0), at(9, 30))
			},
			at:   at(9, 15),
			want: c,
		},
		{
			name: "overlapping closed ranges, earlier range resumes",
			add: func(inv *inventory.Inventory) {
				inv.Add(a, addr, at(8, 0), at(12, 0))
				inv.Add(c, addr, at(9, 0), at(9, 30))
			},
			at:   at(11, 0),
			want: a,
		},
		{
			name: "empty range is ignored",
			add:  func(inv *inventory.Inventory) { inv.Add(a, addr, at(10, 0), at(10, 0)) },
			at:   at(10, 0),
		},
		{
			name: "open start",
			add:  func(inv *inventory.Inventory) { inv.Add(a, addr, time.Time{}, at(10, 0)) },
			at:   time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
			want: a,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := inventory.New()
			tt.add(inv)
			got, ok := inv.Lookup(addr, tt.at)
			if got != tt.want || ok != (tt.want != nil) {
				t.Errorf("Lookup at %s = %v, %v; want %v", tt.at.Format(time.TimeOnly), id(got), ok, id(tt.want))
			}
		})
	}
}

func id(i *inventory.Interface) string {
	if i == nil {
		return "<none>"
	}
	return i.ID
}

func TestReloadKeepsLatestDescription(t *testing.T) {
	inv := snapshots(t)
	gen := inv.Generation()
	old, _ := inv.InterfaceByID("eni-0a1b2c3d4e5f60718")
	load(t, inv, "network-interfaces-1000.json", func(inv *inventory.Inventory, f *os.File) error {
		return inv.LoadNetworkInterfaces(f, t1000.Add(5*time.Minute))
	})
	if inv.Generation() == gen {
		t.Error("Generation() did not change after a load")
	}
	cur, _ := inv.InterfaceByID("eni-0a1b2c3d4e5f60718")
	if cur == old {
		t.Fatal("InterfaceByID returned the old description after a reload")
	}
	// The whole range of the address now points at the newest description,
	// both before and after the reload.
	for _, at := range []time.Time{t0900.Add(time.Minute), t1000.Add(time.Hour)} {
		if got, _ := inv.Lookup(netip.MustParseAddr("10.20.1.15"), at); got != cur {
			t.Errorf("Lookup at %s returned a stale description", at.Format(time.TimeOnly))
		}
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	inv := snapshots(t)
	tests := []struct {
		name string
		addr netip.Addr
	}{
		{"IPv4 hit", netip.MustParseAddr("10.20.1.77")},
		{"IPv4 miss", netip.MustParseAddr("198.51.100.7")},
		{"IPv6 hit", netip.MustParseAddr("2600:1f18:4a3:6f00:8d2e:13c9:5b0a:77e1")},
		{"IPv6 prefix hit", netip.MustParseAddr("2600:1f18:4a3:6f02:a1b2::17")},
		{"IPv6 miss", netip.MustParseAddr("2001:db8::1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testing.AllocsPerRun(100, func() {
				inv.Lookup(tt.addr, t1000)
				inv.AWSService(tt.addr)
			})
			if n != 0 {
				t.Errorf("Lookup and AWSService allocate %v times, want 0", n)
			}
		})
	}
}

func TestLoadTags(t *testing.T) {
	inv := snapshots(t)
	tests := []struct {
		arn, key, want string
	}{
		{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890", "owner", "data-team@example.com"},
		{"arn:aws:ec2:us-east-1:111122223333:natgateway/nat-06e2c1d5f4a3b2c10", "Name", "prod-nat-a"},
		{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shop-public/8f314ac75b1d43a8", "app", "shop"},
		{"arn:aws:lambda:us-east-1:111122223333:function:unknown", "app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			if got := inv.Tags(tt.arn)[tt.key]; got != tt.want {
				t.Errorf("Tags(%s)[%s] = %q, want %q", tt.arn, tt.key, got, tt.want)
			}
		})
	}

	inv.SetTags("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-06e2c1d5f4a3b2c10", nil)
	if got := inv.Tags("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-06e2c1d5f4a3b2c10"); got != nil {
		t.Errorf("Tags after SetTags(nil) = %v, want nil", got)
	}
}

func TestAWSService(t *testing.T) {
	inv := snapshots(t)
	tests := []struct {
		name                string
		addr                string
		wantService, region string
	}{
		{"S3 and AMAZON share the prefix", "52.216.64.10", "S3", "us-east-1"},
		{"narrower AMAZON-only prefix inside S3", "52.217.8.20", "S3", "us-east-1"},
		{"S3, EC2 and AMAZON share the prefix", "3.5.1.9", "S3", "us-east-1"},
		{"DYNAMODB nested in EC2 and AMAZON", "3.218.181.4", "DYNAMODB", "us-east-1"},
		{"EC2 around the DYNAMODB prefix", "3.218.184.81", "EC2", "us-east-1"},
		{"first address of a prefix", "3.218.180.0", "DYNAMODB", "us-east-1"},
		{"last address of a prefix", "3.218.183.255", "DYNAMODB", "us-east-1"},
		{"just past a nested prefix", "3.218.184.0", "EC2", "us-east-1"},
		{"AMAZON only", "15.230.39.60", "AMAZON", "us-east-2"},
		{"global service", "13.32.99.1", "CLOUDFRONT", "GLOBAL"},
		{"IPv6 EC2", "2600:1f18:4a3:6f00::10", "EC2", "us-east-1"},
		{"IPv6 S3", "2600:1fa0:80c4:1::3", "S3", "us-east-1"},
		{"IPv4-mapped", "::ffff:52.216.64.10", "S3", "us-east-1"},
		{"not AWS", "198.51.100.7", "", ""},
		{"just past the last prefix", "54.212.0.0", "", ""},
		{"private", "10.20.1.15", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, region, ok := inv.AWSService(netip.MustParseAddr(tt.addr))
			if svc != tt.wantService || region != tt.region || ok != (tt.wantService != "") {
				t.Errorf("AWSService(%s) = %q, %q, %v; want %q, %q", tt.addr, svc, region, ok, tt.wantService, tt.region)
			}
		})
	}
}

func TestAWSServiceIndependentOfOrder(t *testing.T) {
	doc := []string{
		`{"ip_prefix": "3.5.0.0/19", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"}`,
		`{"ip_prefix": "3.5.0.0/19", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}`,
		`{"ip_prefix": "3.5.0.0/19", "region": "us-east-1", "service": "S3", "network_border_group": "us-east-1"}`,
		`{"ip_prefix": "3.5.0.0/24", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}`,
	}
	perm := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}}
	for _, p := range perm {
		var parts []string
		for _, i := range p {
			parts = append(parts, doc[i])
		}
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			inv := inventory.New()
			if err := inv.LoadIPRanges(strings.NewReader("[" + strings.Join(parts, ",") + "]")); err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"3.5.0.1", "3.5.9.1"} {
				if svc, _, _ := inv.AWSService(netip.MustParseAddr(a)); svc != "S3" {
					t.Errorf("order %v: AWSService(%s) = %q, want S3", p, a, svc)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		load func(*inventory.Inventory) error
		want string
	}{
		{
			name: "not JSON",
			load: func(inv *inventory.Inventory) error {
				return inv.LoadNetworkInterfaces(strings.NewReader("NetworkInterfaces:"), t0900)
			},
			want: "decoding describe-network-interfaces output",
		},
		{
			name: "bad private address",
			load: func(inv *inventory.Inventory) error {
				return inv.LoadNetworkInterfaces(strings.NewReader(`[{"NetworkInterfaceId": "eni-0123456789abcdef0", "PrivateIpAddress": "10.0.0.300"}]`), t0900)
			},
			want: "network interface eni-0123456789abcdef0",
		},
		{
			name: "bad prefix",
			load: func(inv *inventory.Inventory) error {
				return inv.LoadIPRanges(strings.NewReader(`{"prefixes": [{"ip_prefix": "3.5.0.0/33", "region": "us-east-1", "service": "S3"}]}`))
			},
			want: "prefix of S3 in us-east-1",
		},
		{
			name: "scalar document",
			load: func(inv *inventory.Inventory) error { return inv.LoadTags(strings.NewReader(`"tags"`)) },
			want: "want an object or an array",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load(inventory.New())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestConcatenatedPages(t *testing.T) {
	inv := inventory.New()
	pages := `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-01", "AvailabilityZone": "eu-west-1a", "PrivateIpAddress": "10.1.0.1"}], "NextToken": "abc"}
{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-02", "AvailabilityZone": "eu-west-1b", "PrivateIpAddress": "10.1.0.2"}]}`
	if err := inv.LoadNetworkInterfaces(strings.NewReader(pages), t0900); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range []string{"10.1.0.1", "10.1.0.2"} {
		if iface, ok := inv.Lookup(netip.MustParseAddr(a), t1000); ok {
			got = append(got, iface.ID+"@"+iface.Region)
		}
	}
	if want := []string{"eni-01@eu-west-1", "eni-02@eu-west-1"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestClone(t *testing.T) {
	inv := snapshots(t)
	c := inv.Clone()
	if c.Generation() == inv.Generation() {
		t.Error("clone shares the generation of the original")
	}
	addr := netip.MustParseAddr("10.20.1.15")
	c.Add(&inventory.Interface{ID: "eni-0ddddddddddddddd4"}, addr, t1000.Add(2*time.Hour), time.Time{})
	if got, _ := c.Lookup(addr, t1000.Add(3*time.Hour)); got.ID != "eni-0ddddddddddddddd4" {
		t.Errorf("clone Lookup = %s, want the new owner", got.ID)
	}
	if got, _ := inv.Lookup(addr, t1000.Add(3*time.Hour)); got.ID != "eni-0a1b2c3d4e5f60718" {
		t.Errorf("original Lookup = %s, want it unchanged", got.ID)
	}
}

func TestRegionFromAZ(t *testing.T) {
	tests := []struct{ az, want string }{
		{"us-east-1a", "us-east-1"},
		{"eu-central-2c", "eu-central-2"},
		{"ap-southeast-4a", "ap-southeast-4"},
		{"us-gov-west-1b", "us-gov-west-1"},
		{"cn-northwest-1a", "cn-northwest-1"},
		{"us-west-2-lax-1a", "us-west-2"},
		{"us-east-1-wl1-bos-wlz-1", "us-east-1"},
		{"use1-az4", ""},
		{"", ""},
		{"1a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.az, func(t *testing.T) {
			if got := inventory.RegionFromAZ(tt.az); got != tt.want {
				t.Errorf("RegionFromAZ(%q) = %q, want %q", tt.az, got, tt.want)
			}
		})
	}
}

func TestPartition(t *testing.T) {
	tests := []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"", "aws"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			if got := inventory.Partition(tt.region); got != tt.want {
				t.Errorf("Partition(%q) = %q, want %q", tt.region, got, tt.want)
			}
		})
	}
}

// TestLookupRange adds random ownership ranges of a few interfaces to a few
// addresses and checks that LookupRange answers as Lookup does, and that
// Lookup gives the same answer throughout the range it returns.
func TestLookupRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	base := time.Date(2024, 5, 14, 0, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	for round := range 200 {
		inv := inventory.New()
		addrs := []netip.Addr{
			netip.MustParseAddr("10.0.0.1"),
			netip.MustParseAddr("10.0.0.2"),
			netip.MustParseAddr("10.0.9.9"), // shares a /16, never owned
			netip.MustParseAddr("2001:db8::1"),
			netip.MustParseAddr("2001:db8::2"),
		}
		ifaces := []*inventory.Interface{{ID: "eni-a"}, {ID: "eni-b"}, {ID: "eni-c"}}
		for range rng.IntN(8) {
			a := addrs[[]int{0, 1, 3, 4}[rng.IntN(4)]]
			from, to := time.Time{}, time.Time{}
			if rng.IntN(4) != 0 {
				from = at(rng.IntN(100))
			}
			if rng.IntN(3) != 0 {
				to = at(rng.IntN(100))
			}
			inv.Add(ifaces[rng.IntN(len(ifaces))], a, from, to)
		}
		if round%5 == 0 {
			inv.AddPrefix(ifaces[0], netip.MustParsePrefix("2001:db8::/120"), at(rng.IntN(100)), time.Time{})
		}
		for _, a := range append(addrs, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::ffff:10.0.0.1")) {
			for range 20 {
				when := at(rng.IntN(110) - 5)
				want, wantOK := inv.Lookup(a, when)
				got, from, to, ok := inv.LookupRange(a, when)
				if got != want || ok != wantOK {
					t.Fatalf("round %d: LookupRange(%v, %v) = %v %v, Lookup %v %v", round, a, when, got, ok, want, wantOK)
				}
				if u := when.UnixNano(); from > u || u >= to {
					t.Fatalf("round %d: LookupRange(%v, %v): range [%d, %d) without the time", round, a, when, from, to)
				}
				for s := -6; s <= 106; s++ {
					if u := at(s).UnixNano(); u < from || u >= to {
						continue
					}
					if other, ok := inv.Lookup(a, at(s)); other != want || ok != wantOK {
						t.Fatalf("round %d: %v at %ds is %v %v, not %v %v as LookupRange said from %v", round, a, s, other, ok, want, wantOK, when)
					}
				}
			}
		}
	}
}

// TestLookupOtherAddressOfSlash16 checks the quick rejection of IPv4
// addresses by /16: an address owned in one /16 does not make its
// neighbours owned, and a clone keeps the /16s of its original.
func TestLookupOtherAddressOfSlash16(t *testing.T) {
	inv := inventory.New()
	eni := &inventory.Interface{ID: "eni-a"}
	inv.Add(eni, netip.MustParseAddr("172.31.5.6"), time.Time{}, time.Time{})
	c := inv.Clone()
	c.Add(eni, netip.MustParseAddr("54.1.2.3"), time.Time{}, time.Time{})
	for _, tt := range []struct {
		inv  *inventory.Inventory
		addr string
		want bool
	}{
		{inv, "172.31.5.6", true},
		{inv, "172.31.5.7", false},
		{inv, "172.30.5.6", false},
		{inv, "54.1.2.3", false},
		{c, "172.31.5.6", true},
		{c, "54.1.2.3", true},
		{c, "54.1.2.4", false},
	} {
		if _, ok := tt.inv.Lookup(netip.MustParseAddr(tt.addr), t1000); ok != tt.want {
			t.Errorf("Lookup(%s) = %v, want %v", tt.addr, ok, tt.want)
		}
	}
}
