package inventorystore_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventorystore"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// at returns t0 plus some minutes.
func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

const (
	account = "123456789012"
	eniWeb  = "eni-0a1b2c3d4e5f60718"
	eniDB   = "eni-0f9e8d7c6b5a49382"
)

func webInterface() *inventory.Interface {
	return &inventory.Interface{
		ID:               eniWeb,
		AccountID:        account,
		Region:           "us-east-1",
		AvailabilityZone: "us-east-1a",
		VPCID:            "vpc-0f1e2d3c4b5a69788",
		SubnetID:         "subnet-0123456789abcdef0",
		SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
		InterfaceType:    "interface",
		Status:           "in-use",
		InstanceID:       "i-0abcdef1234567890",
		InstanceOwnerID:  account,
		AttachmentStatus: "attached",
		AttachTime:       t0.Add(-time.Hour),
		PrivateIPs:       []netip.Addr{netip.MustParseAddr("10.0.1.5"), netip.MustParseAddr("10.0.1.6")},
		PublicIPs:        []netip.Addr{netip.MustParseAddr("54.210.10.20")},
		Tags:             map[string]string{"Name": "web-1", "team": "payments"},
	}
}

func single(s string) netip.Prefix { return inventorystore.Single(netip.MustParseAddr(s)) }

// describe renders ranges as "eni from-to" in minutes after t0.
func describe(rs []inventorystore.Range) []string {
	var out []string
	for _, r := range rs {
		from := "start"
		if !r.From.IsZero() {
			from = strconv.Itoa(int(r.From.Sub(t0) / time.Minute))
		}
		to := "open"
		if !r.To.IsZero() {
			to = strconv.Itoa(int(r.To.Sub(t0) / time.Minute))
		}
		out = append(out, fmt.Sprintf("%s %s-%s", r.InterfaceID, from, to))
	}
	return out
}

func TestCreateTable(t *testing.T) {
	store, _, client := newStore(t)
	ctx := context.Background()
	// A second call finds the table and leaves it as it is.
	if err := inventorystore.CreateTable(ctx, client, store.Table()); err != nil {
		t.Fatalf("CreateTable again: %v", err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(store.Table())})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "ttl" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("time to live = %+v, want enabled on ttl", ttl.TimeToLiveDescription)
	}
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(store.Table())})
	if err != nil {
		t.Fatal(err)
	}
	if bm := desc.Table.BillingModeSummary; bm == nil || bm.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", desc.Table.BillingModeSummary)
	}
}

func TestRanges(t *testing.T) {
	type step struct {
		op      string // open or close
		eni     string
		minute  int
		written bool
	}
	tests := []struct {
		name    string
		steps   []step
		want    []string
		lookups map[int]string // minute -> owner ("" for none)
	}{
		{
			name:    "open and close",
			steps:   []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}},
			want:    []string{eniWeb + " 0-10"},
			lookups: map[int]string{-1: "", 0: eniWeb, 9: eniWeb, 10: ""},
		},
		{
			name:  "replayed open after close does not reopen",
			steps: []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"open", eniWeb, 0, false}},
			want:  []string{eniWeb + " 0-10"},
		},
		{
			name:  "late open inside a closed range is ignored",
			steps: []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"open", eniWeb, 5, false}},
			want:  []string{eniWeb + " 0-10"},
		},
		{
			name:  "replayed close writes nothing",
			steps: []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"close", eniWeb, 10, false}},
			want:  []string{eniWeb + " 0-10"},
		},
		{
			name:  "close before the start is ignored",
			steps: []step{{"open", eniWeb, 10, true}, {"close", eniWeb, 5, false}},
			want:  []string{eniWeb + " 10-open"},
		},
		{
			name:  "earlier open moves the start back",
			steps: []step{{"open", eniWeb, 10, true}, {"open", eniWeb, 5, true}, {"open", eniWeb, 20, false}},
			want:  []string{eniWeb + " 5-open"},
		},
		{
			name:    "reopen after close",
			steps:   []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"open", eniWeb, 20, true}, {"close", eniWeb, 10, false}},
			want:    []string{eniWeb + " 0-10", eniWeb + " 20-open"},
			lookups: map[int]string{5: eniWeb, 15: "", 25: eniWeb},
		},
		{
			name:  "reopen at the close time",
			steps: []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"open", eniWeb, 10, true}},
			want:  []string{eniWeb + " 0-10", eniWeb + " 10-open"},
		},
		{
			name:  "start moves back only to the last close",
			steps: []step{{"open", eniWeb, 0, true}, {"close", eniWeb, 10, true}, {"open", eniWeb, 30, true}, {"open", eniWeb, 20, true}, {"open", eniWeb, 5, false}},
			want:  []string{eniWeb + " 0-10", eniWeb + " 20-open"},
		},
		{
			name:    "the later start wins between interfaces",
			steps:   []step{{"open", eniWeb, 0, true}, {"open", eniDB, 5, true}},
			want:    []string{eniWeb + " 0-open", eniDB + " 5-open"},
			lookups: map[int]string{3: eniWeb, 7: eniDB},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _, _ := newStore(t)
			ctx := context.Background()
			k := single("10.0.1.5")
			for i, s := range tt.steps {
				iface := webInterface()
				iface.ID = s.eni
				var written bool
				var err error
				if s.op == "open" {
					written, err = store.OpenRange(ctx, k, iface, "", at(s.minute))
				} else {
					written, err = store.CloseRange(ctx, k, s.eni, at(s.minute))
				}
				if err != nil {
					t.Fatalf("step %d %s: %v", i, s.op, err)
				}
				if written != s.written {
					t.Errorf("step %d %s %s at %d: written = %v, want %v", i, s.op, s.eni, s.minute, written, s.written)
				}
			}
			rs, err := store.Ranges(ctx, k.Addr())
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(rs); !slices.Equal(got, tt.want) {
				t.Errorf("ranges = %q, want %q", got, tt.want)
			}
			for minute, want := range tt.lookups {
				r, ok, err := store.LookupIP(ctx, k.Addr(), at(minute))
				if err != nil {
					t.Fatal(err)
				}
				if got := r.InterfaceID; ok != (want != "") || got != want {
					t.Errorf("LookupIP at %d = %q, %v; want %q", minute, got, ok, want)
				}
			}
		})
	}
}

func TestClosedRangesExpire(t *testing.T) {
	store, _, client := newStore(t)
	ctx := context.Background()
	k := single("10.0.1.5")
	if _, err := store.OpenRange(ctx, k, webInterface(), "", at(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CloseRange(ctx, k, eniWeb, at(10)); err != nil {
		t.Fatal(err)
	}
	want := strconv.FormatInt(at(10).Add(inventorystore.DefaultRetention).Unix(), 10)
	hist := item(t, client, store.Table(), "IP#10.0.1.5", "FROM#"+fmt.Sprintf("%013d", at(0).UnixMilli())+"#ENI#"+eniWeb)
	if got, _ := numAttr(hist, "ttl"); got != want {
		t.Errorf("closed range ttl = %q, want %q (close time plus retention, epoch seconds)", got, want)
	}
	head := item(t, client, store.Table(), "IP#10.0.1.5", "ENI#"+eniWeb)
	if got, _ := numAttr(head, "ttl"); got != want {
		t.Errorf("closed head ttl = %q, want %q", got, want)
	}
	// Reopening keeps the head: it must not expire while open.
	if _, err := store.OpenRange(ctx, k, webInterface(), "", at(20)); err != nil {
		t.Fatal(err)
	}
	head = item(t, client, store.Table(), "IP#10.0.1.5", "ENI#"+eniWeb)
	if got, ok := numAttr(head, "ttl"); ok {
		t.Errorf("open head has ttl %s", got)
	}
	// moto keeps expired items (it does not run DynamoDB's expiry sweeper),
	// so the test checks the attribute DynamoDB expires on, not deletion.
}

func TestInterruptedCloseReadsAsClosed(t *testing.T) {
	store, _, client := newStore(t)
	ctx := context.Background()
	k := single("10.0.1.5")
	if _, err := store.OpenRange(ctx, k, webInterface(), "", at(0)); err != nil {
		t.Fatal(err)
	}
	// The first write of a close, without the second.
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(store.Table()),
		Item: map[string]types.AttributeValue{
			"PK":   &types.AttributeValueMemberS{Value: "IP#10.0.1.5"},
			"SK":   &types.AttributeValueMemberS{Value: "FROM#" + fmt.Sprintf("%013d", at(0).UnixMilli()) + "#ENI#" + eniWeb},
			"eni":  &types.AttributeValueMemberS{Value: eniWeb},
			"from": &types.AttributeValueMemberN{Value: strconv.FormatInt(at(0).UnixMilli(), 10)},
			"to":   &types.AttributeValueMemberN{Value: strconv.FormatInt(at(10).UnixMilli(), 10)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := store.Ranges(ctx, k.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(rs), []string{eniWeb + " 0-10"}; !slices.Equal(got, want) {
		t.Errorf("ranges = %q, want %q", got, want)
	}
	// Retrying the close completes it.
	if _, err := store.CloseRange(ctx, k, eniWeb, at(10)); err != nil {
		t.Fatal(err)
	}
	head := item(t, client, store.Table(), "IP#10.0.1.5", "ENI#"+eniWeb)
	if _, open := head["from"]; open {
		t.Errorf("head still open after the retried close: %v", render(head))
	}
}

func TestPutInterface(t *testing.T) {
	store, db, client := newStore(t)
	ctx := context.Background()

	ch, err := store.PutInterface(ctx, webInterface(), "eni-attach-0123456789abcdef0", at(0))
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Interface || ch.Opened != 3 {
		t.Errorf("first description: %+v, want the interface and 3 ranges written", ch)
	}
	e, ok, err := store.ENI(ctx, eniWeb)
	if err != nil || !ok {
		t.Fatalf("ENI: %v, %v", ok, err)
	}
	if e.ResourceType != "ec2:instance" || e.ResourceARN != "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef1234567890" {
		t.Errorf("resource = %s %s, want the instance", e.ResourceType, e.ResourceARN)
	}
	if e.Interface.Tags != nil {
		t.Errorf("stored facts carry tags %v; tags belong in the ARN item", e.Interface.Tags)
	}
	tags, found, err := store.Tags(ctx, "arn:aws:ec2:us-east-1:123456789012:network-interface/"+eniWeb)
	if err != nil || !found || tags["Name"] != "web-1" {
		t.Errorf("interface tags = %v, %v, %v", tags, found, err)
	}
	if ids, _ := store.ScopeInterfaces(ctx, account, "us-east-1"); !slices.Equal(ids, []string{eniWeb}) {
		t.Errorf("scope index = %v", ids)
	}
	if ids, _ := store.InstanceInterfaces(ctx, "i-0abcdef1234567890"); !slices.Equal(ids, []string{eniWeb}) {
		t.Errorf("instance index = %v", ids)
	}
	if id, ok, _ := store.InterfaceByAttachment(ctx, "eni-attach-0123456789abcdef0"); !ok || id != eniWeb {
		t.Errorf("attachment index = %q, %v", id, ok)
	}

	t.Run("replay writes nothing", func(t *testing.T) {
		before := dump(t, client, store.Table())
		db.Reset()
		ch, err := store.PutInterface(ctx, webInterface(), "eni-attach-0123456789abcdef0", at(0))
		if err != nil {
			t.Fatal(err)
		}
		if !ch.Empty() || db.Writes() != 0 {
			t.Errorf("replay: %+v, %d writes; want none", ch, db.Writes())
		}
		if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
			t.Errorf("items changed on replay:\nbefore %q\nafter  %q", before, after)
		}
	})

	t.Run("newer description closes a released address", func(t *testing.T) {
		iface := webInterface()
		iface.PrivateIPs = iface.PrivateIPs[:1]
		ch, err := store.PutInterface(ctx, iface, "eni-attach-0123456789abcdef0", at(10))
		if err != nil {
			t.Fatal(err)
		}
		if ch.Closed != 1 || ch.Opened != 0 {
			t.Errorf("change = %+v, want 1 closed", ch)
		}
		if r, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.6"), at(5)); !ok || r.InterfaceID != eniWeb {
			t.Errorf("10.0.1.6 before release: %+v %v", r, ok)
		}
		if _, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.6"), at(11)); ok {
			t.Errorf("10.0.1.6 still owned after release")
		}
		e, _, _ := store.ENI(ctx, eniWeb)
		if got := len(e.Addrs); got != 2 {
			t.Errorf("address set = %v, want 10.0.1.5 and the public address", e.Addrs)
		}
	})

	t.Run("older description is ignored", func(t *testing.T) {
		ch, err := store.PutInterface(ctx, webInterface(), "eni-attach-0123456789abcdef0", at(5))
		if err != nil {
			t.Fatal(err)
		}
		if !ch.Stale || !ch.Empty() {
			t.Errorf("change = %+v, want stale and nothing written", ch)
		}
	})

	t.Run("delete closes, tombstones and unindexes", func(t *testing.T) {
		ch, err := store.DeleteInterface(ctx, eniWeb, at(20))
		if err != nil {
			t.Fatal(err)
		}
		if ch.Closed != 2 {
			t.Errorf("change = %+v, want 2 closed", ch)
		}
		e, ok, _ := store.ENI(ctx, eniWeb)
		if !ok || !e.Deleted.Equal(at(20)) || len(e.Addrs) != 0 {
			t.Errorf("after delete: %+v", e)
		}
		meta := item(t, client, store.Table(), "ENI#"+eniWeb, "META")
		if got, _ := numAttr(meta, "ttl"); got != strconv.FormatInt(at(20).Add(inventorystore.DefaultRetention).Unix(), 10) {
			t.Errorf("tombstone ttl = %q", got)
		}
		if ids, _ := store.ScopeInterfaces(ctx, account, "us-east-1"); len(ids) != 0 {
			t.Errorf("scope index after delete = %v", ids)
		}
		if ids, _ := store.InstanceInterfaces(ctx, "i-0abcdef1234567890"); len(ids) != 0 {
			t.Errorf("instance index after delete = %v", ids)
		}
		db.Reset()
		if ch, err := store.DeleteInterface(ctx, eniWeb, at(20)); err != nil || !ch.Stale || db.Writes() != 0 {
			t.Errorf("replayed delete: %+v, %v, %d writes", ch, err, db.Writes())
		}
		if ch, err := store.PutInterface(ctx, webInterface(), "", at(1)); err != nil || !ch.Stale || db.Writes() != 0 {
			t.Errorf("late create after delete: %+v, %v, %d writes", ch, err, db.Writes())
		}
		if _, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.5"), at(30)); ok {
			t.Errorf("10.0.1.5 owned after the interface was deleted")
		}
	})
}

func TestAssignAddresses(t *testing.T) {
	store, db, client := newStore(t)
	ctx := context.Background()
	added := []netip.Prefix{single("10.0.1.7"), netip.MustParsePrefix("10.0.1.32/28"), single("2600:1f18:4a3:6e00:8a4c:1b2d:3e4f:5a6b"), netip.MustParsePrefix("2600:1f18:4a3:6e01:a1b2::/80")}

	if _, err := store.AssignAddresses(ctx, eniWeb, added, at(5)); !errors.Is(err, inventorystore.ErrUnknownInterface) {
		t.Fatalf("assign to an unknown interface: %v, want ErrUnknownInterface", err)
	}
	if _, err := store.PutInterface(ctx, webInterface(), "", at(0)); err != nil {
		t.Fatal(err)
	}
	ch, err := store.AssignAddresses(ctx, eniWeb, added, at(5))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Opened != 4 {
		t.Errorf("assign: %+v, want 4 opened", ch)
	}
	for _, a := range []string{"10.0.1.7", "10.0.1.40", "2600:1f18:4a3:6e00:8a4c:1b2d:3e4f:5a6b", "2600:1f18:4a3:6e01:a1b2:0:0:9"} {
		r, ok, err := store.LookupIP(ctx, netip.MustParseAddr(a), at(6))
		if err != nil || !ok || r.InterfaceID != eniWeb {
			t.Errorf("LookupIP(%s) = %+v, %v, %v; want %s", a, r, ok, err, eniWeb)
		}
	}
	if _, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.48"), at(6)); ok {
		t.Errorf("10.0.1.48 is outside 10.0.1.32/28 but was found")
	}

	ch, err = store.UnassignAddresses(ctx, eniWeb, added[:1], at(10))
	if err != nil || ch.Closed != 1 {
		t.Fatalf("unassign: %+v, %v", ch, err)
	}
	e, _, _ := store.ENI(ctx, eniWeb)
	if slices.Contains(e.Addrs, single("10.0.1.7")) {
		t.Errorf("address set still holds 10.0.1.7: %v", e.Addrs)
	}

	before := dump(t, client, store.Table())
	db.Reset()
	if ch, err := store.AssignAddresses(ctx, eniWeb, added, at(5)); err != nil || !ch.Empty() {
		t.Errorf("replayed assign: %+v, %v; want nothing written", ch, err)
	}
	if ch, err := store.UnassignAddresses(ctx, eniWeb, added[:1], at(10)); err != nil || !ch.Empty() {
		t.Errorf("replayed unassign: %+v, %v; want nothing written", ch, err)
	}
	if db.Writes() != 0 {
		t.Errorf("replays made %d writes", db.Writes())
	}
	if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
		t.Errorf("items changed on replay:\nbefore %q\nafter  %q", before, after)
	}
}

func TestSetAttachment(t *testing.T) {
	store, _, _ := newStore(t)
	ctx := context.Background()
	iface := webInterface()
	iface.InstanceID, iface.InstanceOwnerID, iface.AttachmentStatus, iface.Status = "", "", "", "available"
	iface.AttachTime = time.Time{}
	if _, err := store.PutInterface(ctx, iface, "", at(0)); err != nil {
		t.Fatal(err)
	}
	const instance, attachment = "i-0123456789abcdef0", "eni-attach-0fedcba9876543210"
	ch, err := store.SetAttachment(ctx, eniWeb, attachment, instance, account, at(5))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Refreshed != 3 {
		t.Errorf("attach: %+v, want the 3 open ranges refreshed", ch)
	}
	r, _, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.5"), at(6))
	if r.Interface.InstanceID != instance || r.ResourceType != "ec2:instance" {
		t.Errorf("range after attach: instance %q type %q", r.Interface.InstanceID, r.ResourceType)
	}
	if id, ok, _ := store.InterfaceByAttachment(ctx, attachment); !ok || id != eniWeb {
		t.Errorf("attachment index = %q, %v", id, ok)
	}
	if ids, _ := store.InstanceInterfaces(ctx, instance); !slices.Equal(ids, []string{eniWeb}) {
		t.Errorf("instance index = %v", ids)
	}

	if _, err := store.SetAttachment(ctx, eniWeb, "", "", "", at(10)); err != nil {
		t.Fatal(err)
	}
	r, _, _ = store.LookupIP(ctx, netip.MustParseAddr("10.0.1.5"), at(11))
	if r.Interface.InstanceID != "" || r.ResourceType != "ec2:network-interface" {
		t.Errorf("range after detach: instance %q type %q", r.Interface.InstanceID, r.ResourceType)
	}
	// History keeps what the interface was at each time.
	for _, c := range []struct {
		minute   int
		instance string
	}{{1, ""}, {6, instance}, {9, instance}, {10, ""}} {
		r, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.5"), at(c.minute))
		if !ok || r.Interface.InstanceID != c.instance {
			t.Errorf("LookupIP at %d: instance %q, want %q", c.minute, r.Interface.InstanceID, c.instance)
		}
	}
	rs, _ := store.Ranges(ctx, netip.MustParseAddr("10.0.1.5"))
	if got, want := describe(rs), []string{eniWeb + " 0-5", eniWeb + " 5-10", eniWeb + " 10-open"}; !slices.Equal(got, want) {
		t.Errorf("ranges = %q, want %q", got, want)
	}
	if _, ok, _ := store.InterfaceByAttachment(ctx, attachment); ok {
		t.Errorf("attachment index kept after detach")
	}
	if ids, _ := store.InstanceInterfaces(ctx, instance); len(ids) != 0 {
		t.Errorf("instance index after detach = %v", ids)
	}
	// A late attach event is older than the detach: ignored.
	if ch, err := store.SetAttachment(ctx, eniWeb, attachment, instance, account, at(5)); err != nil || !ch.Stale {
		t.Errorf("late attach: %+v, %v; want stale", ch, err)
	}
}

func TestPutTags(t *testing.T) {
	type put struct {
		minute  int
		version int64
		tags    map[string]string
		written bool
	}
	tests := []struct {
		name  string
		puts  []put
		want  map[string]string
		found bool
	}{
		{
			name:  "newer replaces",
			puts:  []put{{0, 1, map[string]string{"env": "dev"}, true}, {10, 2, map[string]string{"env": "prod"}, true}},
			want:  map[string]string{"env": "prod"},
			found: true,
		},
		{
			name:  "older is ignored",
			puts:  []put{{10, 2, map[string]string{"env": "prod"}, true}, {0, 1, map[string]string{"env": "dev"}, false}},
			want:  map[string]string{"env": "prod"},
			found: true,
		},
		{
			name:  "same second ordered by version",
			puts:  []put{{0, 3, map[string]string{"v": "3"}, true}, {0, 2, map[string]string{"v": "2"}, false}, {0, 4, map[string]string{"v": "4"}, true}},
			want:  map[string]string{"v": "4"},
			found: true,
		},
		{
			name:  "replay writes nothing",
			puts:  []put{{0, 1, map[string]string{"env": "dev"}, true}, {0, 1, map[string]string{"env": "dev"}, false}},
			want:  map[string]string{"env": "dev"},
			found: true,
		},
		{
			name:  "a sync wins over older events",
			puts:  []put{{10, 0, map[string]string{"env": "sync"}, true}, {5, 7, map[string]string{"env": "event"}, false}},
			want:  map[string]string{"env": "sync"},
			found: true,
		},
		{
			name:  "a sync at the same time as an event does not replace it",
			puts:  []put{{0, 5, map[string]string{"env": "event"}, true}, {0, 0, map[string]string{"env": "sync"}, false}},
			want:  map[string]string{"env": "event"},
			found: true,
		},
		{
			name:  "all tags removed",
			puts:  []put{{0, 1, map[string]string{"env": "dev"}, true}, {10, 2, nil, true}, {5, 3, map[string]string{"env": "late"}, false}},
			want:  map[string]string{},
			found: true,
		},
	}
	store, _, _ := newStore(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef12345678%02d", i)
			for j, p := range tt.puts {
				written, err := store.PutTags(ctx, arn, p.tags, at(p.minute), p.version)
				if err != nil {
					t.Fatal(err)
				}
				if written != p.written {
					t.Errorf("put %d: written = %v, want %v", j, written, p.written)
				}
			}
			got, found, err := store.Tags(ctx, arn)
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.found || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Tags = %v, %v; want %v, %v", got, found, tt.want, tt.found)
			}
		})
	}
	if _, found, _ := store.Tags(ctx, "arn:aws:ec2:us-east-1:123456789012:instance/i-0000000000000000"); found {
		t.Errorf("tags found for a resource never written")
	}
}

func TestAssociation(t *testing.T) {
	store, _, _ := newStore(t)
	ctx := context.Background()
	a := inventorystore.Association{ID: "eipassoc-0a1b2c3d4e5f60718", AllocationID: "eipalloc-0123456789abcdef0", PublicIP: netip.MustParseAddr("3.91.22.7"), InterfaceID: eniWeb, At: at(0)}
	if err := store.PutAssociation(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, ok, err := store.Association(ctx, a.ID)
	if err != nil || !ok || got != a {
		t.Errorf("Association = %+v, %v, %v; want %+v", got, ok, err, a)
	}
	if err := store.DeleteAssociation(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := store.Association(ctx, a.ID); ok {
		t.Errorf("association kept after delete")
	}
}
