package inventoryhandler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const (
	eni      = "eni-0a8b7c6d5e4f32109"
	instance = "i-0d4f9a2b7c1e83456"
	account  = "123456789012"
)

var tableSeq atomic.Int64

// newInventory creates a table in moto and returns a store on it and the
// raw client.
func newInventory(t *testing.T) (*inventorystore.Store, *dynamodb.Client) {
	t.Helper()
	client := dynamodb.NewFromConfig(acctest.AWSConfig(t))
	name := fmt.Sprintf("inventory-handler-%d", tableSeq.Add(1))
	if err := inventorystore.CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return inventorystore.New(client, name, inventorystore.Options{}), client
}

// loadEvent reads an event fixture of package inventoryevents.
func loadEvent(t *testing.T, name string) events.CloudWatchEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "inventory", "inventoryevents", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// dump renders every item of a table, sorted, to compare tables.
func dump(t *testing.T, client *dynamodb.Client, table string) []string {
	t.Helper()
	out, err := client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LastEvaluatedKey) > 0 {
		t.Fatal("table larger than one scan page")
	}
	lines := make([]string, 0, len(out.Items))
	for _, item := range out.Items {
		lines = append(lines, render(item))
	}
	sort.Strings(lines)
	return lines
}

func render(item map[string]types.AttributeValue) string {
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		switch v := item[k].(type) {
		case *types.AttributeValueMemberS:
			fmt.Fprintf(&b, "%s=%s ", k, v.Value)
		case *types.AttributeValueMemberN:
			fmt.Fprintf(&b, "%s=%s ", k, v.Value)
		case *types.AttributeValueMemberSS:
			s := slices.Clone(v.Value)
			slices.Sort(s)
			fmt.Fprintf(&b, "%s=%v ", k, s)
		case *types.AttributeValueMemberM:
			fmt.Fprintf(&b, "%s={%s} ", k, render(v.Value))
		case *types.AttributeValueMemberL:
			parts := make([]string, len(v.Value))
			for i, e := range v.Value {
				parts[i] = render(map[string]types.AttributeValue{"": e})
			}
			fmt.Fprintf(&b, "%s=%v ", k, parts)
		default:
			fmt.Fprintf(&b, "%s=%v ", k, v)
		}
	}
	return b.String()
}

// fakeEC2 answers the handler's EC2 calls from fixed interfaces and
// addresses, and counts them.
type fakeEC2 struct {
	mu         sync.Mutex
	interfaces []ec2types.NetworkInterface
	addresses  []ec2types.Address
	calls      map[string]int
}

func (f *fakeEC2) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeEC2) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func filterValues(filters []ec2types.Filter, name string) []string {
	for _, f := range filters {
		if aws.ToString(f.Name) == name {
			return f.Values
		}
	}
	return nil
}

func (f *fakeEC2) DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.count("DescribeNetworkInterfaces")
	ids := filterValues(in.Filters, "network-interface-id")
	instances := filterValues(in.Filters, "attachment.instance-id")
	out := &ec2.DescribeNetworkInterfacesOutput{}
	for _, ni := range f.interfaces {
		switch {
		case ids != nil && slices.Contains(ids, aws.ToString(ni.NetworkInterfaceId)),
			instances != nil && ni.Attachment != nil && slices.Contains(instances, aws.ToString(ni.Attachment.InstanceId)):
			out.NetworkInterfaces = append(out.NetworkInterfaces, ni)
		}
	}
	return out, nil
}

func (f *fakeEC2) DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	f.count("DescribeAddresses")
	out := &ec2.DescribeAddressesOutput{}
	for _, a := range f.addresses {
		if slices.Contains(in.AllocationIds, aws.ToString(a.AllocationId)) || slices.Contains(in.PublicIps, aws.ToString(a.PublicIp)) {
			out.Addresses = append(out.Addresses, a)
		}
	}
	return out, nil
}

func handlerFor(store *inventorystore.Store, fake *fakeEC2) *InventoryHandler {
	h := &InventoryHandler{Store: store, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))}
	if fake != nil {
		h.EC2 = func(context.Context, string, string) (EC2API, error) { return fake, nil }
	}
	return h
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func owner(t *testing.T, store *inventorystore.Store, addr, at string) (string, *inventory.Interface) {
	t.Helper()
	r, ok, err := store.LookupIP(context.Background(), netip.MustParseAddr(addr), ts(at))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "", nil
	}
	return r.InterfaceID, r.Interface
}

// lifecycle is the life of one EKS node interface, in event time order.
var lifecycle = []string{
	"create-network-interface.json",      // 10:00:01 10.0.12.77, 2600:...:81e5
	"attach-network-interface.json",      // 10:00:05 to i-0d4f9a2b7c1e83456
	"assign-private-ip-addresses.json",   // 10:05    10.0.12.88, 10.0.12.91
	"assign-private-ip-prefix.json",      // 10:06    10.0.12.160/28
	"assign-ipv6-addresses.json",         // 10:08    2600:...:4f19
	"assign-ipv6-prefix.json",            // 10:09    2600:1f18:6a2:7c01:9a3e::/80
	"associate-address-interface.json",   // 10:11    3.91.22.7 (Elastic IP) to 10.0.12.88
	"tag-change-instance.json",           // 10:15:38
	"tag-change-interface-cleared.json",  // 10:16:02 interface tags removed
	"unassign-private-ip-addresses.json", // 10:20    10.0.12.91
	"unassign-ipv6-addresses.json",       // 10:21    2600:...:4f19
	"disassociate-address.json",          // 11:00    3.91.22.7
	"detach-network-interface.json",      // 11:29:30
	"delete-network-interface.json",      // 11:30
}

func lifecycleEC2() *fakeEC2 {
	return &fakeEC2{addresses: []ec2types.Address{{
		AllocationId:       aws.String("eipalloc-0a9b8c7d6e5f43210"),
		AssociationId:      aws.String("eipassoc-0c2d3e4f5a6b79899"),
		PublicIp:           aws.String("3.91.22.7"),
		NetworkInterfaceId: aws.String(eni),
		PrivateIpAddress:   aws.String("10.0.12.88"),
		Domain:             ec2types.DomainTypeVpc,
	}}}
}

// TestInventoryLifecycle feeds the events of an interface's life to the
// handler, reads the resulting DynamoDB items back through the store, and
// replays the events, in order and shuffled, to check that nothing changes.
func TestInventoryLifecycle(t *testing.T) {
	store, client := newInventory(t)
	fake := lifecycleEC2()
	h := handlerFor(store, fake)
	ctx := context.Background()
	for _, name := range lifecycle {
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if got := fake.Calls("DescribeAddresses"); got != 1 {
		t.Errorf("DescribeAddresses calls = %d, want 1 (AssociateAddress names only the allocation)", got)
	}
	if got := fake.Calls("DescribeNetworkInterfaces"); got != 0 {
		t.Errorf("DescribeNetworkInterfaces calls = %d, want 0: every event found the interface known", got)
	}

	tests := []struct {
		addr, at, want, instance string
	}{
		{"10.0.12.77", "2025-03-01T10:00:00Z", "", ""},
		{"10.0.12.77", "2025-03-01T10:00:02Z", eni, ""},
		{"10.0.12.77", "2025-03-01T10:30:00Z", eni, instance},
		{"10.0.12.77", "2025-03-01T11:29:45Z", eni, ""},
		{"10.0.12.77", "2025-03-01T11:30:00Z", "", ""},
		{"2600:1f18:6a2:7c01:4e1b:9d3a:c2f7:81e5", "2025-03-01T10:30:00Z", eni, instance},
		{"10.0.12.88", "2025-03-01T10:04:59Z", "", ""},
		{"10.0.12.88", "2025-03-01T10:30:00Z", eni, instance},
		{"10.0.12.91", "2025-03-01T10:19:00Z", eni, instance},
		{"10.0.12.91", "2025-03-01T10:20:00Z", "", ""},
		{"10.0.12.165", "2025-03-01T10:30:00Z", eni, instance},
		{"10.0.12.176", "2025-03-01T10:30:00Z", "", ""},
		{"2600:1f18:6a2:7c01:b3c4:1a2e:77d0:4f19", "2025-03-01T10:20:00Z", eni, instance},
		{"2600:1f18:6a2:7c01:b3c4:1a2e:77d0:4f19", "2025-03-01T10:21:00Z", "", ""},
		{"2600:1f18:6a2:7c01:9a3e:0:0:1", "2025-03-01T10:30:00Z", eni, instance},
		{"3.91.22.7", "2025-03-01T10:10:59Z", "", ""},
		{"3.91.22.7", "2025-03-01T10:30:00Z", eni, instance},
		{"3.91.22.7", "2025-03-01T11:00:00Z", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"@"+tt.at, func(t *testing.T) {
			got, iface := owner(t, store, tt.addr, tt.at)
			if got != tt.want {
				t.Fatalf("owner = %q, want %q", got, tt.want)
			}
			if iface != nil && iface.InstanceID != tt.instance {
				t.Errorf("instance = %q, want %q", iface.InstanceID, tt.instance)
			}
		})
	}

	e, ok, err := store.ENI(ctx, eni)
	if err != nil || !ok || !e.Deleted.Equal(ts("2025-03-01T11:30:00Z")) || len(e.Addrs) != 0 {
		t.Errorf("ENI after delete = %+v, %v, %v", e, ok, err)
	}
	if tags, found, _ := store.Tags(ctx, "arn:aws:ec2:us-east-1:123456789012:network-interface/"+eni); !found || len(tags) != 0 {
		t.Errorf("interface tags = %v, %v; want recorded as none (cleared at 10:16:02)", tags, found)
	}
	if tags, _, _ := store.Tags(ctx, "arn:aws:ec2:us-east-1:123456789012:instance/"+instance); tags["team"] != "payments" {
		t.Errorf("instance tags = %v", tags)
	}
	// The association is kept with its end, so that a replayed
	// AssociateAddress finds the address's range closed again.
	if _, ok, _ := store.Association(ctx, "eipassoc-0c2d3e4f5a6b79899"); !ok {
		t.Errorf("association forgotten after DisassociateAddress")
	}

	before := dump(t, client, store.Table())
	t.Run("replay in order changes nothing", func(t *testing.T) {
		for _, name := range lifecycle {
			if err := h.HandleInventoryEvent(ctx, loadEvent(t, name)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
			t.Errorf("items changed:\n%s", diff(before, after))
		}
	})
	t.Run("replay shuffled changes nothing", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for round := range 3 {
			order := slices.Clone(lifecycle)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, name := range order {
				if err := h.HandleInventoryEvent(ctx, loadEvent(t, name)); err != nil {
					t.Fatalf("round %d %s: %v", round, name, err)
				}
			}
		}
		if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
			t.Errorf("items changed:\n%s", diff(before, after))
		}
	})
}

func diff(before, after []string) string {
	var b strings.Builder
	for _, l := range before {
		if !slices.Contains(after, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range after {
		if !slices.Contains(before, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestInventoryReplayEachEvent applies each event twice in a row on a
// fresh table and checks the second application changes nothing.
func TestInventoryReplayEachEvent(t *testing.T) {
	store, client := newInventory(t)
	h := handlerFor(store, lifecycleEC2())
	ctx := context.Background()
	for _, name := range lifecycle {
		t.Run(name, func(t *testing.T) {
			ev := loadEvent(t, name)
			if err := h.HandleInventoryEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			before := dump(t, client, store.Table())
			if err := h.HandleInventoryEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
				t.Errorf("replay changed items:\n%s", diff(before, after))
			}
		})
	}
}

func nodeInterface(id, ip string, attached bool) ec2types.NetworkInterface {
	ni := ec2types.NetworkInterface{
		NetworkInterfaceId: aws.String(id),
		OwnerId:            aws.String(account),
		AvailabilityZone:   aws.String("us-east-1b"),
		VpcId:              aws.String("vpc-0123abcd4567ef890"),
		SubnetId:           aws.String("subnet-0a1b2c3d4e5f60718"),
		InterfaceType:      ec2types.NetworkInterfaceTypeInterface,
		Status:             ec2types.NetworkInterfaceStatusAvailable,
		PrivateIpAddress:   aws.String(ip),
		PrivateIpAddresses: []ec2types.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: aws.String(ip), Primary: aws.Bool(true)}},
	}
	if attached {
		ni.Status = ec2types.NetworkInterfaceStatusInUse
		ni.Attachment = &ec2types.NetworkInterfaceAttachment{
			AttachmentId:    aws.String("eni-attach-0" + id[5:]),
			InstanceId:      aws.String(instance),
			InstanceOwnerId: aws.String(account),
			Status:          ec2types.AttachmentStatusAttached,
		}
	}
	return ni
}

// TestInventoryDescribes covers the events that need EC2 to complete them.
func TestInventoryDescribes(t *testing.T) {
	ctx := context.Background()

	t.Run("attach of an unknown interface describes it", func(t *testing.T) {
		store, _ := newInventory(t)
		fake := &fakeEC2{interfaces: []ec2types.NetworkInterface{nodeInterface(eni, "10.0.12.77", true)}}
		if err := handlerFor(store, fake).HandleInventoryEvent(ctx, loadEvent(t, "attach-network-interface.json")); err != nil {
			t.Fatal(err)
		}
		if fake.Calls("DescribeNetworkInterfaces") != 1 {
			t.Errorf("describes = %d, want 1", fake.Calls("DescribeNetworkInterfaces"))
		}
		if got, iface := owner(t, store, "10.0.12.77", "2025-03-01T10:01:00Z"); got != eni || iface.InstanceID != instance {
			t.Errorf("owner = %q %+v", got, iface)
		}
	})

	t.Run("assignment by count without addresses describes the interface", func(t *testing.T) {
		store, _ := newInventory(t)
		ni := nodeInterface(eni, "10.0.12.77", true)
		for _, ip := range []string{"10.0.12.95", "10.0.12.96", "10.0.12.97"} {
			ni.PrivateIpAddresses = append(ni.PrivateIpAddresses, ec2types.NetworkInterfacePrivateIpAddress{PrivateIpAddress: aws.String(ip)})
		}
		fake := &fakeEC2{interfaces: []ec2types.NetworkInterface{ni}}
		h := handlerFor(store, fake)
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "create-network-interface.json")); err != nil {
			t.Fatal(err)
		}
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "assign-private-ip-by-count-no-response.json")); err != nil {
			t.Fatal(err)
		}
		if fake.Calls("DescribeNetworkInterfaces") != 1 {
			t.Errorf("describes = %d, want 1", fake.Calls("DescribeNetworkInterfaces"))
		}
		if got, _ := owner(t, store, "10.0.12.96", "2025-03-01T10:07:30Z"); got != eni {
			t.Errorf("10.0.12.96 owner = %q, want %s", got, eni)
		}
	})

	t.Run("without EC2 an assignment by count is left to the sync", func(t *testing.T) {
		store, _ := newInventory(t)
		h := handlerFor(store, nil)
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "create-network-interface.json")); err != nil {
			t.Fatal(err)
		}
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "assign-private-ip-by-count-no-response.json")); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner(t, store, "10.0.12.77", "2025-03-01T10:07:30Z"); got != eni {
			t.Errorf("the primary address was lost: owner = %q", got)
		}
	})

	t.Run("Elastic IP associated with an instance", func(t *testing.T) {
		store, _ := newInventory(t)
		primary := "eni-01f2e3d4c5b6a7980"
		fake := &fakeEC2{
			interfaces: []ec2types.NetworkInterface{nodeInterface(primary, "10.0.12.10", true)},
			addresses: []ec2types.Address{{
				AllocationId: aws.String("eipalloc-0f1e2d3c4b5a69780"), AssociationId: aws.String("eipassoc-0b1c2d3e4f5a69788"),
				PublicIp: aws.String("52.4.19.200"), InstanceId: aws.String(instance), NetworkInterfaceId: aws.String(primary),
			}},
		}
		h := handlerFor(store, fake)
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "associate-address-instance.json")); err != nil {
			t.Fatal(err)
		}
		if fake.Calls("DescribeAddresses") != 1 || fake.Calls("DescribeNetworkInterfaces") != 1 {
			t.Errorf("calls = %v, want one DescribeAddresses and one DescribeNetworkInterfaces (the primary interface was unknown)", fake.calls)
		}
		if got, _ := owner(t, store, "52.4.19.200", "2025-03-01T10:10:30Z"); got != primary {
			t.Errorf("Elastic IP owner = %q, want %s", got, primary)
		}
		if a, ok, _ := store.Association(ctx, "eipassoc-0b1c2d3e4f5a69788"); !ok || a.InterfaceID != primary {
			t.Errorf("association = %+v, %v", a, ok)
		}
	})

	t.Run("EC2 calls per event are bounded", func(t *testing.T) {
		store, _ := newInventory(t)
		fake := &fakeEC2{
			interfaces: []ec2types.NetworkInterface{nodeInterface("eni-01f2e3d4c5b6a7980", "10.0.12.10", true)},
			addresses: []ec2types.Address{{
				AllocationId: aws.String("eipalloc-0f1e2d3c4b5a69780"), AssociationId: aws.String("eipassoc-0b1c2d3e4f5a69788"),
				PublicIp: aws.String("52.4.19.200"), NetworkInterfaceId: aws.String("eni-01f2e3d4c5b6a7980"),
			}},
		}
		h := handlerFor(store, fake)
		h.MaxDescribes = 1
		if err := h.HandleInventoryEvent(ctx, loadEvent(t, "associate-address-instance.json")); err != nil {
			t.Fatal(err)
		}
		if fake.Calls("DescribeAddresses")+fake.Calls("DescribeNetworkInterfaces") != 1 {
			t.Errorf("calls = %v, want 1", fake.calls)
		}
		// The association is recorded with the interface the Elastic IP
		// description names; the interface's facts wait for the sync.
		if got, _ := owner(t, store, "52.4.19.200", "2025-03-01T10:10:30Z"); got != "eni-01f2e3d4c5b6a7980" {
			t.Errorf("owner = %q, want the interface the Elastic IP is on", got)
		}
	})

	t.Run("instance running refreshes its interfaces", func(t *testing.T) {
		store, _ := newInventory(t)
		ni := nodeInterface("eni-01f2e3d4c5b6a7980", "10.0.12.10", true)
		ni.Association = &ec2types.NetworkInterfaceAssociation{PublicIp: aws.String("54.198.3.44")}
		ni.PrivateIpAddresses[0].Association = ni.Association
		fake := &fakeEC2{interfaces: []ec2types.NetworkInterface{ni}}
		if err := handlerFor(store, fake).HandleInventoryEvent(ctx, loadEvent(t, "instance-running.json")); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner(t, store, "54.198.3.44", "2025-03-01T10:00:00Z"); got != "eni-01f2e3d4c5b6a7980" {
			t.Errorf("auto-assigned public address owner = %q", got)
		}
		// Stopping releases the auto-assigned public address.
		ni.Association, ni.PrivateIpAddresses[0].Association = nil, nil
		fake.interfaces[0] = ni
		if err := handlerFor(store, fake).HandleInventoryEvent(ctx, loadEvent(t, "instance-stopped.json")); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner(t, store, "54.198.3.44", "2025-03-01T12:00:10Z"); got != "" {
			t.Errorf("public address still owned by %q after the stop", got)
		}
		if got, _ := owner(t, store, "10.0.12.10", "2025-03-01T12:00:10Z"); got != "eni-01f2e3d4c5b6a7980" {
			t.Errorf("private address owner after the stop = %q", got)
		}
	})

	t.Run("instance terminated", func(t *testing.T) {
		store, _ := newInventory(t)
		kept := nodeInterface("eni-02a3b4c5d6e7f8091", "10.0.12.20", true)
		gone := nodeInterface("eni-03b4c5d6e7f809102", "10.0.12.30", true)
		seed := &fakeEC2{interfaces: []ec2types.NetworkInterface{kept, gone}}
		if err := handlerFor(store, seed).HandleInventoryEvent(ctx, loadEvent(t, "instance-running.json")); err != nil {
			t.Fatal(err)
		}
		// After termination EC2 lists the interface kept (detached) only.
		detached := nodeInterface("eni-02a3b4c5d6e7f8091", "10.0.12.20", false)
		fake := &fakeEC2{interfaces: []ec2types.NetworkInterface{detached}}
		if err := handlerFor(store, fake).HandleInventoryEvent(ctx, loadEvent(t, "instance-terminated.json")); err != nil {
			t.Fatal(err)
		}
		after := "2025-03-01T13:05:00Z"
		if got, iface := owner(t, store, "10.0.12.20", after); got != "eni-02a3b4c5d6e7f8091" || iface.InstanceID != "" {
			t.Errorf("kept interface: owner %q %+v; want it detached", got, iface)
		}
		if got, _ := owner(t, store, "10.0.12.30", after); got != "" {
			t.Errorf("interface deleted with the instance still owns its address: %q", got)
		}
		if e, _, _ := store.ENI(ctx, "eni-03b4c5d6e7f809102"); e.Deleted.IsZero() {
			t.Errorf("interface deleted with the instance not marked deleted")
		}
	})

	t.Run("instance terminated without EC2 closes ranges", func(t *testing.T) {
		store, _ := newInventory(t)
		seed := &fakeEC2{interfaces: []ec2types.NetworkInterface{nodeInterface("eni-03b4c5d6e7f809102", "10.0.12.30", true)}}
		if err := handlerFor(store, seed).HandleInventoryEvent(ctx, loadEvent(t, "instance-running.json")); err != nil {
			t.Fatal(err)
		}
		if err := handlerFor(store, nil).HandleInventoryEvent(ctx, loadEvent(t, "instance-terminated.json")); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner(t, store, "10.0.12.30", "2025-03-01T13:05:00Z"); got != "" {
			t.Errorf("address still owned by %q after termination", got)
		}
		if e, _, _ := store.ENI(ctx, "eni-03b4c5d6e7f809102"); !e.Deleted.IsZero() {
			t.Errorf("interface marked deleted though it may have outlived the instance")
		}
	})
}

func TestInventoryEventSelection(t *testing.T) {
	store, client := newInventory(t)
	h := handlerFor(store, nil)
	ctx := context.Background()
	for _, name := range []string{"create-network-interface-failed.json", "create-network-interface-dryrun.json", "run-instances.json", "s3-object-created.json"} {
		t.Run("ignored "+name, func(t *testing.T) {
			if err := h.HandleInventoryEvent(ctx, loadEvent(t, name)); err != nil {
				t.Errorf("HandleInventoryEvent = %v, want nil", err)
			}
		})
	}
	if items := dump(t, client, store.Table()); len(items) != 0 {
		t.Errorf("ignored events wrote %d items", len(items))
	}
	t.Run("malformed event fails", func(t *testing.T) {
		ev := loadEvent(t, "delete-network-interface.json")
		ev.Detail = json.RawMessage(`{"eventSource":"ec2.amazonaws.com","eventName":"DeleteNetworkInterface","requestParameters":{}}`)
		if err := h.HandleInventoryEvent(ctx, ev); err == nil {
			t.Error("HandleInventoryEvent = nil, want an error")
		}
	})
}

// TestInventoryDescribesThroughMoto lets the handler describe an interface
// that moto's EC2 created, as it would in AWS.
func TestInventoryDescribesThroughMoto(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	ec2c := ec2.NewFromConfig(cfg)
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.50.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	created, err := ec2c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: sn.Subnet.SubnetId, SecondaryPrivateIpAddressCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	ni := created.NetworkInterface
	id := aws.ToString(ni.NetworkInterfaceId)

	store, _ := newInventory(t)
	h := &InventoryHandler{Store: store, EC2: EC2For(cfg, nil), Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))}
	ev := loadEvent(t, "assign-private-ip-by-count-no-response.json")
	var detail map[string]any
	if err := json.Unmarshal(ev.Detail, &detail); err != nil {
		t.Fatal(err)
	}
	detail["requestParameters"] = map[string]any{"networkInterfaceId": id, "secondaryPrivateIpAddressCount": 1}
	if ev.Detail, err = json.Marshal(detail); err != nil {
		t.Fatal(err)
	}
	if err := h.HandleInventoryEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	for _, p := range ni.PrivateIpAddresses {
		ip := aws.ToString(p.PrivateIpAddress)
		if got, _ := owner(t, store, ip, "2025-03-01T10:07:30Z"); got != id {
			t.Errorf("LookupIP(%s) = %q, want %s", ip, got, id)
		}
	}
	e, ok, err := store.ENI(ctx, id)
	if err != nil || !ok || e.Interface.SubnetID != aws.ToString(sn.Subnet.SubnetId) {
		t.Errorf("ENI = %+v, %v, %v", e.Interface, ok, err)
	}
}

func TestInventorySyncHandler(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	store, _ := newInventory(t)
	h := &InventorySyncHandler{
		Syncer:  &inventorysync.Syncer{Store: store, Now: func() time.Time { return ts("2025-03-01T12:00:00Z") }},
		Base:    cfg,
		Targets: []inventorysync.Target{{RoleARN: "arn:aws:iam::444455556666:role/vpcflow-inventory-reader", ExternalID: "vpcflow-1d2e", Region: acctest.Region}},
		Logger:  slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	}
	// 444455556666 is an account of its own in moto, empty: the sync
	// succeeds and finds nothing.
	if err := h.HandleInventorySync(ctx, events.CloudWatchEvent{ID: "5e1e2f3a-0b4c-4d5e-8f6a-7b8c9d0e1f2a", DetailType: "Scheduled Event", Source: "aws.events"}); err != nil {
		t.Fatal(err)
	}
}
