package inventorysync_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

func TestMain(m *testing.M) { acctest.MainMoto(m) }

var tableSeq atomic.Int64

func newStore(t *testing.T, cfg aws.Config) *inventorystore.Store {
	t.Helper()
	client := dynamodb.NewFromConfig(cfg)
	name := fmt.Sprintf("inventory-sync-%d", tableSeq.Add(1))
	if err := inventorystore.CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return inventorystore.New(client, name, inventorystore.Options{})
}

// network creates a VPC and a subnet and returns the subnet id.
func network(t *testing.T, c *ec2.Client, cidr, subnetCIDR string) string {
	t.Helper()
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(subnetCIDR), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(sn.Subnet.SubnetId)
}

// createENI creates an interface with the given private addresses, the
// first primary. Addresses are explicit because moto, asked for a count of
// secondary addresses, sometimes hands out the primary address again.
func createENI(t *testing.T, c *ec2.Client, subnet string, ips []string, tags map[string]string) ec2types.NetworkInterface {
	t.Helper()
	in := &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Description: aws.String("inventory sync test"), PrivateIpAddress: aws.String(ips[0])}
	for i, ip := range ips {
		in.PrivateIpAddresses = append(in.PrivateIpAddresses, ec2types.PrivateIpAddressSpecification{PrivateIpAddress: aws.String(ip), Primary: aws.Bool(i == 0)})
	}
	if len(tags) > 0 {
		spec := ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeNetworkInterface}
		for k, v := range tags {
			spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		in.TagSpecifications = []ec2types.TagSpecification{spec}
	}
	out, err := c.CreateNetworkInterface(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return *out.NetworkInterface
}

func privateIPs(ni ec2types.NetworkInterface) []netip.Addr {
	var out []netip.Addr
	for _, p := range ni.PrivateIpAddresses {
		out = append(out, netip.MustParseAddr(aws.ToString(p.PrivateIpAddress)))
	}
	return out
}

func lookup(t *testing.T, store *inventorystore.Store, a netip.Addr, at time.Time) string {
	t.Helper()
	r, ok, err := store.LookupIP(context.Background(), a, at)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return r.InterfaceID
}

// TestSync syncs moto's default account. It is the only test of the package
// that creates interfaces there; the others use accounts of their own.
func TestSync(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	ec2c := ec2.NewFromConfig(cfg)
	subnet := network(t, ec2c, "10.20.0.0/16", "10.20.1.0/24")
	web := createENI(t, ec2c, subnet, []string{"10.20.1.10", "10.20.1.11", "10.20.1.12"}, map[string]string{"Name": "web-1", "team": "payments"})
	worker := createENI(t, ec2c, subnet, []string{"10.20.1.20"}, nil)
	if _, err := ec2c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{subnet}, Tags: []ec2types.Tag{{Key: aws.String("tier"), Value: aws.String("private")}}}); err != nil {
		t.Fatal(err)
	}

	store := newStore(t, cfg)
	t1 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	now := t1
	syncer := &inventorysync.Syncer{Store: store, Now: func() time.Time { return now }}
	target := inventorysync.Target{Region: acctest.Region}
	clients := inventorysync.ClientsFor(cfg, target)

	rep, err := syncer.Sync(ctx, target, clients)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Target.AccountID != acctest.AccountID {
		t.Errorf("account = %q, want the caller's, %s (from STS)", rep.Target.AccountID, acctest.AccountID)
	}
	if rep.Interfaces != 2 || rep.InterfacesWritten != 2 || rep.Opened != 4 || rep.Deleted != 0 {
		t.Errorf("first sync: %+v; want 2 interfaces written and 4 ranges opened", rep)
	}
	// The interfaces' tags were written with the interfaces; the tag
	// listing adds the subnet's.
	if rep.Resources < 2 || rep.TagsWritten != rep.Resources-1 {
		t.Errorf("first sync: %d tagged resources, %d written; want all but the interface, written with it", rep.Resources, rep.TagsWritten)
	}
	webID, workerID := aws.ToString(web.NetworkInterfaceId), aws.ToString(worker.NetworkInterfaceId)
	for _, a := range privateIPs(web) {
		if got := lookup(t, store, a, t1.Add(time.Minute)); got != webID {
			t.Errorf("LookupIP(%s) = %q, want %s", a, got, webID)
		}
	}
	workerIP := privateIPs(worker)[0]
	if got := lookup(t, store, workerIP, t1.Add(time.Minute)); got != workerID {
		t.Errorf("LookupIP(%s) = %q, want %s", workerIP, got, workerID)
	}
	webARN := (&inventory.Interface{ID: webID, AccountID: acctest.AccountID, Region: acctest.Region}).ARN()
	if tags, _, _ := store.Tags(ctx, webARN); tags["Name"] != "web-1" || tags["team"] != "payments" {
		t.Errorf("tags of %s = %v", webID, tags)
	}
	subnetARN := "arn:aws:ec2:us-east-1:123456789012:subnet/" + subnet
	if tags, _, _ := store.Tags(ctx, subnetARN); tags["tier"] != "private" {
		t.Errorf("tags of %s = %v", subnet, tags)
	}
	if ids, _ := store.ScopeInterfaces(ctx, acctest.AccountID, acctest.Region); !slices.Equal(ids, sorted(webID, workerID)) {
		t.Errorf("scope = %v", ids)
	}

	t.Run("unchanged resync writes no ranges", func(t *testing.T) {
		now = t1.Add(30 * time.Minute)
		rep, err := syncer.Sync(ctx, target, clients)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Opened != 0 || rep.Closed != 0 || rep.Refreshed != 0 || rep.Deleted != 0 {
			t.Errorf("resync: %+v; want no range changes", rep)
		}
	})

	t.Run("resync closes what disappeared", func(t *testing.T) {
		released := privateIPs(web)[2]
		if _, err := ec2c.UnassignPrivateIpAddresses(ctx, &ec2.UnassignPrivateIpAddressesInput{NetworkInterfaceId: web.NetworkInterfaceId, PrivateIpAddresses: []string{released.String()}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ec2c.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: worker.NetworkInterfaceId}); err != nil {
			t.Fatal(err)
		}
		t2 := t1.Add(time.Hour)
		now = t2
		rep, err := syncer.Sync(ctx, target, clients)
		if err != nil {
			t.Fatal(err)
		}
		// The deleted interface's range ends with its deletion, which
		// reads apply: only the released address is closed.
		if rep.Interfaces != 1 || rep.Deleted != 1 || rep.Closed != 1 {
			t.Errorf("resync: %+v; want 1 interface listed, 1 deleted, 1 range closed", rep)
		}
		if got := lookup(t, store, workerIP, t2.Add(time.Minute)); got != "" {
			t.Errorf("deleted interface's address still owned by %s", got)
		}
		if got := lookup(t, store, workerIP, t1.Add(time.Minute)); got != workerID {
			t.Errorf("history of the deleted interface lost: LookupIP = %q", got)
		}
		if got := lookup(t, store, released, t2.Add(time.Minute)); got != "" {
			t.Errorf("released secondary address still owned by %s", got)
		}
		if e, _, _ := store.ENI(ctx, workerID); !e.Deleted.Equal(t2) {
			t.Errorf("deleted = %v, want %v", e.Deleted, t2)
		}
	})
}

func sorted(ss ...string) []string {
	slices.Sort(ss)
	return ss
}

// TestSyncAssumedRole syncs a source account through a role assumed with
// an external id. moto's STS answers AssumeRole for any role and does not
// evaluate the trust policy, so the ExternalId condition below is
// documentation of the intended setup, not something this test can prove
// is enforced. moto does keep accounts apart: credentials of a role in
// 210987654321 see only that account's resources.
func TestSyncAssumedRole(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	const source, externalID = "210987654321", "vpcflow-7f3c2a91"

	// An administrator of the source account sets it up.
	admin := cfg.Copy()
	admin.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+source+":role/OrganizationAccountAccessRole"))
	trust := fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::%s:root"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"sts:ExternalId": %q}}
  }]
}`, acctest.AccountID, externalID)
	role, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("vpcflow-inventory-reader"),
		AssumeRolePolicyDocument: aws.String(trust),
	})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(role.Role.Arn)
	if !strings.Contains(roleARN, source) {
		t.Fatalf("role %s is not in the source account", roleARN)
	}
	ec2src := ec2.NewFromConfig(admin)
	subnet := network(t, ec2src, "10.30.0.0/16", "10.30.4.0/24")
	eni := createENI(t, ec2src, subnet, []string{"10.30.4.10"}, map[string]string{"Name": "source-app"})
	eniID := aws.ToString(eni.NetworkInterfaceId)

	store := newStore(t, cfg)
	// An interface of the central account that the source sync must not
	// touch: deletions are per account and region.
	own := &inventory.Interface{ID: "eni-0c0ffee0c0ffee001", AccountID: acctest.AccountID, Region: acctest.Region, PrivateIPs: []netip.Addr{netip.MustParseAddr("10.99.0.5")}}
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := store.PutInterface(ctx, own, "", t0); err != nil {
		t.Fatal(err)
	}

	syncer := &inventorysync.Syncer{Store: store, Now: func() time.Time { return t0.Add(time.Hour) }}
	reports, err := syncer.SyncAll(ctx, cfg, []inventorysync.Target{{RoleARN: roleARN, ExternalID: externalID, Region: acctest.Region}})
	if err != nil {
		t.Fatal(err)
	}
	rep := reports[0]
	if rep.Target.AccountID != source || rep.Interfaces != 1 || rep.Opened != 1 || rep.Deleted != 0 {
		t.Errorf("report = %+v; want account %s, 1 interface, 1 range opened, nothing deleted", rep, source)
	}
	e, ok, err := store.ENI(ctx, eniID)
	if err != nil || !ok || e.Interface.AccountID != source {
		t.Fatalf("ENI(%s) = %+v, %v, %v; want it in account %s", eniID, e.Interface, ok, err, source)
	}
	if ids, _ := store.ScopeInterfaces(ctx, source, acctest.Region); !slices.Equal(ids, []string{eniID}) {
		t.Errorf("source scope = %v, want [%s]", ids, eniID)
	}
	if got := lookup(t, store, netip.MustParseAddr("10.99.0.5"), t0.Add(2*time.Hour)); got != own.ID {
		t.Errorf("the central account's interface was closed by the source sync: LookupIP = %q", got)
	}
	arn := "arn:aws:ec2:us-east-1:" + source + ":network-interface/" + eniID
	if tags, _, _ := store.Tags(ctx, arn); tags["Name"] != "source-app" {
		t.Errorf("tags of %s = %v", arn, tags)
	}
}

// TestSyncListingFailureDeletesNothing checks that a failed listing leaves
// the store's interfaces alone.
func TestSyncListingFailureDeletesNothing(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	store := newStore(t, cfg)
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	iface := &inventory.Interface{ID: "eni-0b0b0b0b0b0b0b0b0", AccountID: "333344445555", Region: acctest.Region, PrivateIPs: []netip.Addr{netip.MustParseAddr("10.40.0.9")}}
	if _, err := store.PutInterface(ctx, iface, "", t0); err != nil {
		t.Fatal(err)
	}
	syncer := &inventorysync.Syncer{Store: store, Now: func() time.Time { return t0.Add(time.Hour) }}
	target := inventorysync.Target{AccountID: "333344445555", Region: acctest.Region}
	_, err := syncer.Sync(ctx, target, inventorysync.Clients{EC2: failingEC2{}})
	if err == nil {
		t.Fatal("Sync succeeded with a failing listing")
	}
	if got := lookup(t, store, netip.MustParseAddr("10.40.0.9"), t0.Add(2*time.Hour)); got != iface.ID {
		t.Errorf("LookupIP after a failed sync = %q, want %s", got, iface.ID)
	}
}

type failingEC2 struct{}

func (failingEC2) DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	return nil, fmt.Errorf("RequestLimitExceeded: Request limit exceeded")
}

// TestSyncReplayOnMoto runs the sync with the CloudTrail replay on; the
// sync reports the replay's failure and still lists and writes the present.
//
// moto 5.2.1 does not implement CloudTrail LookupEvents at all: its
// CloudTrail backend serves trails, event and insight selectors and tags
// only, and its dispatcher raises "NotImplementedError: The lookup_events
// action has not been implemented", which the server answers with HTTP 500
// and an HTML body. Every call shape fails the same way (checked: no
// parameters; StartTime and EndTime only; MaxResults only; an EventName
// LookupAttribute alone; the sync's shape with all of them), with or
// without a trail, so there is no shape to page through on moto. The
// replay's paging and pacing are therefore not covered against moto;
// FromCloudTrail and the decoding of what LookupEvents returns are
// (TestFromCloudTrail), and the churn simulation replays a day of
// CloudTrail records through the same conversion (package churn).
func TestSyncReplayOnMoto(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	ec2c := ec2.NewFromConfig(cfg)
	subnet := network(t, ec2c, "10.21.0.0/16", "10.21.1.0/24")
	web := createENI(t, ec2c, subnet, []string{"10.21.1.10"}, nil)
	store := newStore(t, cfg)
	var replayed int
	syncer := &inventorysync.Syncer{Store: store, Replay: func(context.Context, events.CloudWatchEvent) error {
		replayed++
		return nil
	}}
	target := inventorysync.Target{Region: acctest.Region}
	rep, err := syncer.Sync(ctx, target, inventorysync.ClientsFor(cfg, target))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReplayError == "" && rep.ReplayPages == 0 {
		t.Errorf("replay: %+v; want pages read or the reason none were", rep)
	}
	if rep.ReplayError != "" && !strings.Contains(rep.ReplayError, "500") {
		// A moto that implements LookupEvents, or fails it differently:
		// the comment above, and the coverage it describes, need a look.
		t.Logf("moto's LookupEvents no longer fails with HTTP 500: %s", rep.ReplayError)
	}
	t.Logf("CloudTrail replay on moto: %d pages, %d events, error %q", rep.ReplayPages, replayed, rep.ReplayError)
	if got := lookup(t, store, privateIPs(web)[0], time.Now().Add(time.Minute)); got != aws.ToString(web.NetworkInterfaceId) {
		t.Errorf("the listing was not written after the replay: owner %q", got)
	}
}

// TestFromCloudTrail checks that a CloudTrail record as LookupEvents
// returns it becomes the event the inventory handler decodes.
func TestFromCloudTrail(t *testing.T) {
	record := `{"eventVersion":"1.09","eventTime":"2025-03-01T10:05:00Z","eventSource":"ec2.amazonaws.com",` +
		`"eventName":"AssignPrivateIpAddresses","awsRegion":"us-east-1","recipientAccountId":"123456789012",` +
		`"requestParameters":{"networkInterfaceId":"eni-0a8b7c6d5e4f32109","privateIpAddressesSet":{"item":[{"privateIpAddress":"10.0.12.88"}]},"allowReassignment":true},` +
		`"responseElements":{"requestId":"r","networkInterfaceId":"eni-0a8b7c6d5e4f32109","assignedPrivateIpAddressesSet":{"assignedPrivateIpAddressSet":[{"privateIpAddress":"10.0.12.88"}]},"_return":true}}`
	when := time.Date(2025, 3, 1, 10, 5, 0, 0, time.UTC)
	ev, err := inventorysync.FromCloudTrail(cttypes.Event{EventId: aws.String("e-1"), EventTime: &when, CloudTrailEvent: aws.String(record)}, "123456789012", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	ups, err := inventoryevents.Decode(ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 {
		t.Fatalf("updates = %+v", ups)
	}
	u, ok := ups[0].(inventoryevents.AddressesAssigned)
	if !ok || u.InterfaceID != "eni-0a8b7c6d5e4f32109" || len(u.Addrs) != 1 || u.Addrs[0].Addr().String() != "10.0.12.88" || !u.Time.Equal(when) {
		t.Errorf("update = %+v", ups[0])
	}
}
