package inventorystore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
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

// apply runs steps in order, then in reverse order on a second table, and
// each twice, and checks that every run ends with the same ranges: events
// apply commutatively and idempotently.
func applyBothWays(t *testing.T, steps []func(context.Context, *inventorystore.Store) error, check func(*testing.T, *inventorystore.Store)) {
	t.Helper()
	for _, order := range []string{"in order", "reversed, twice"} {
		t.Run(order, func(t *testing.T) {
			store, _, _ := newStore(t)
			ctx := context.Background()
			run := slices.Clone(steps)
			if order != "in order" {
				slices.Reverse(run)
				run = append(run, run...)
			}
			for i, s := range run {
				if err := s(ctx, store); err != nil && !errors.Is(err, inventorystore.ErrUnknownInterface) {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			check(t, store)
		})
	}
}

func open(eni string, minute int) func(context.Context, *inventorystore.Store) error {
	return func(ctx context.Context, s *inventorystore.Store) error {
		_, err := s.OpenRange(ctx, single("10.0.1.5"), eni, at(minute))
		return err
	}
}

func closeAt(eni string, minute int) func(context.Context, *inventorystore.Store) error {
	return func(ctx context.Context, s *inventorystore.Store) error {
		_, err := s.CloseRange(ctx, single("10.0.1.5"), eni, at(minute))
		return err
	}
}

func TestRanges(t *testing.T) {
	type step = func(context.Context, *inventorystore.Store) error
	tests := []struct {
		name    string
		steps   []step
		want    []string
		lookups map[int]string // minute -> owner ("" for none)
	}{
		{
			name:    "open and close",
			steps:   []step{open(eniWeb, 0), closeAt(eniWeb, 10)},
			want:    []string{eniWeb + " 0-10"},
			lookups: map[int]string{-1: "", 0: eniWeb, 9: eniWeb, 10: ""},
		},
		{
			name:  "an open inside a closed range changes nothing",
			steps: []step{open(eniWeb, 0), closeAt(eniWeb, 10), open(eniWeb, 5)},
			want:  []string{eniWeb + " 0-10"},
		},
		{
			name:  "a close before the start is about an earlier range",
			steps: []step{open(eniWeb, 10), closeAt(eniWeb, 5)},
			want:  []string{eniWeb + " 10-open"},
		},
		{
			name:  "the earliest open starts the range",
			steps: []step{open(eniWeb, 10), open(eniWeb, 5), open(eniWeb, 20)},
			want:  []string{eniWeb + " 5-open"},
		},
		{
			name:    "reopen after close",
			steps:   []step{open(eniWeb, 0), closeAt(eniWeb, 10), open(eniWeb, 20)},
			want:    []string{eniWeb + " 0-10", eniWeb + " 20-open"},
			lookups: map[int]string{5: eniWeb, 15: "", 25: eniWeb},
		},
		{
			name:  "reopen at the close time",
			steps: []step{open(eniWeb, 0), closeAt(eniWeb, 10), open(eniWeb, 10)},
			want:  []string{eniWeb + " 0-10", eniWeb + " 10-open"},
		},
		{
			name:    "reassignment without an unassignment ends the previous owner",
			steps:   []step{open(eniWeb, 0), open(eniDB, 5)},
			want:    []string{eniWeb + " 0-5", eniDB + " 5-open"},
			lookups: map[int]string{3: eniWeb, 7: eniDB},
		},
		{
			name:    "moved back and forth",
			steps:   []step{open(eniWeb, 0), open(eniDB, 5), open(eniWeb, 10), open(eniDB, 15)},
			want:    []string{eniWeb + " 0-5", eniDB + " 5-10", eniWeb + " 10-15", eniDB + " 15-open"},
			lookups: map[int]string{3: eniWeb, 7: eniDB, 12: eniWeb, 20: eniDB},
		},
		{
			name:  "the former owner's late close changes nothing",
			steps: []step{open(eniWeb, 0), open(eniDB, 5), closeAt(eniWeb, 7)},
			want:  []string{eniWeb + " 0-5", eniDB + " 5-open"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			applyBothWays(t, tt.steps, func(t *testing.T, store *inventorystore.Store) {
				ctx := context.Background()
				a := netip.MustParseAddr("10.0.1.5")
				rs, err := store.Ranges(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				if got := describe(rs); !slices.Equal(got, tt.want) {
					t.Errorf("ranges = %q, want %q", got, tt.want)
				}
				for minute, want := range tt.lookups {
					r, ok, err := store.LookupIP(ctx, a, at(minute))
					if err != nil {
						t.Fatal(err)
					}
					if got := r.InterfaceID; ok != (want != "") || got != want {
						t.Errorf("LookupIP at %d = %q, %v; want %q", minute, got, ok, want)
					}
				}
			})
		})
	}
}

// TestInterfaceHistory checks that attachment changes and deletion split
// and end an interface's ranges at their own times, whatever the order.
func TestInterfaceHistory(t *testing.T) {
	type step = func(context.Context, *inventorystore.Store) error
	created := func(ctx context.Context, s *inventorystore.Store) error {
		iface := webInterface()
		iface.InstanceID, iface.InstanceOwnerID, iface.AttachmentStatus, iface.AttachTime, iface.Status = "", "", "", time.Time{}, "available"
		_, err := s.PutInterface(ctx, iface, "", at(0))
		return err
	}
	attach := func(instance string, minute int) step {
		return func(ctx context.Context, s *inventorystore.Store) error {
			_, err := s.SetAttachment(ctx, eniWeb, "eni-attach-"+instance, instance, account, at(minute))
			return err
		}
	}
	detach := func(instance string, minute int) step {
		return func(ctx context.Context, s *inventorystore.Store) error {
			_, _, err := s.Detach(ctx, "eni-attach-"+instance, at(minute))
			return err
		}
	}
	deleted := func(minute int) step {
		return func(ctx context.Context, s *inventorystore.Store) error {
			_, err := s.DeleteInterface(ctx, eniWeb, at(minute))
			return err
		}
	}
	steps := []step{created, attach("i-0aaaaaaaaaaaaaaaa", 10), detach("i-0aaaaaaaaaaaaaaaa", 20), attach("i-0cccccccccccccccc", 30), deleted(40)}
	applyBothWays(t, steps, func(t *testing.T, store *inventorystore.Store) {
		ctx := context.Background()
		a := netip.MustParseAddr("10.0.1.5")
		rs, err := store.Ranges(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, describe([]inventorystore.Range{r})[0]+" "+r.Interface.InstanceID+" "+r.ResourceType)
		}
		want := []string{
			eniWeb + " 0-10  ec2:network-interface",
			eniWeb + " 10-20 i-0aaaaaaaaaaaaaaaa ec2:instance",
			eniWeb + " 20-30  ec2:network-interface",
			eniWeb + " 30-40 i-0cccccccccccccccc ec2:instance",
		}
		if !slices.Equal(got, want) {
			t.Errorf("ranges =\n%q\nwant\n%q", got, want)
		}
		if _, ok, _ := store.LookupIP(ctx, a, at(45)); ok {
			t.Errorf("a deleted interface still owns its address")
		}
	})
}

func TestTagHistory(t *testing.T) {
	const arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcdef1234567890"
	type step = func(context.Context, *inventorystore.Store) error
	put := func(minute int, version int64, tags map[string]string) step {
		return func(ctx context.Context, s *inventorystore.Store) error {
			_, err := s.PutTags(ctx, arn, tags, at(minute), version)
			return err
		}
	}
	steps := []step{
		put(0, 1, map[string]string{"app": "web"}),
		put(10, 2, map[string]string{"app": "api"}),
		put(10, 3, map[string]string{"app": "api", "team": "core"}),
		put(20, 4, map[string]string{}),
	}
	applyBothWays(t, steps, func(t *testing.T, store *inventorystore.Store) {
		h, err := store.TagHistory(context.Background(), arn)
		if err != nil {
			t.Fatal(err)
		}
		for minute, want := range map[int]map[string]string{
			-5: {"app": "web"}, // before the first record: the first
			5:  {"app": "web"},
			10: {"app": "api", "team": "core"}, // the higher version of the same time
			15: {"app": "api", "team": "core"},
			25: {},
		} {
			if got := h.At(at(minute)); !maps.Equal(got, want) {
				t.Errorf("tags at %d = %v, want %v", minute, got, want)
			}
		}
	})
}

func TestAssociationEndBeforeStart(t *testing.T) {
	a := inventorystore.Association{ID: "eipassoc-0a1b2c3d4e5f60718", AllocationID: "eipalloc-0123456789abcdef0", PublicIP: netip.MustParseAddr("3.91.22.7"), InterfaceID: eniWeb, At: at(0)}
	type step = func(context.Context, *inventorystore.Store) error
	steps := []step{
		func(ctx context.Context, s *inventorystore.Store) error {
			_, err := s.AssignAddresses(ctx, eniWeb, []netip.Prefix{inventorystore.Single(a.PublicIP)}, a.At)
			if err != nil && !errors.Is(err, inventorystore.ErrUnknownInterface) {
				return err
			}
			_, err = s.PutAssociation(ctx, a)
			return err
		},
		func(ctx context.Context, s *inventorystore.Store) error {
			_, _, _, err := s.Disassociate(ctx, a.ID, at(10))
			return err
		},
	}
	applyBothWays(t, steps, func(t *testing.T, store *inventorystore.Store) {
		rs, err := store.Ranges(context.Background(), a.PublicIP)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := describe(rs), []string{eniWeb + " 0-10"}; !slices.Equal(got, want) {
			t.Errorf("ranges = %q, want %q", got, want)
		}
	})
}

// TestSyncInterfaceWritesWhatIsNew checks that a sync that finds what the
// store holds writes nothing, and that it records the attachment and the
// primary address from the attachment time.
func TestSyncInterfaceWritesWhatIsNew(t *testing.T) {
	store, db, client := newStore(t)
	ctx := context.Background()
	iface := webInterface() // attached an hour before t0
	if _, err := store.SyncInterface(ctx, iface, "eni-attach-0123456789abcdef0", at(0)); err != nil {
		t.Fatal(err)
	}
	r, ok, err := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.5"), at(-30))
	if err != nil || !ok || r.Interface.InstanceID != iface.InstanceID {
		t.Errorf("primary address half an hour before the sync = %+v, %v, %v; want owned since the attachment", r, ok, err)
	}
	if _, ok, _ := store.LookupIP(ctx, netip.MustParseAddr("10.0.1.6"), at(-30)); ok {
		t.Errorf("a secondary address is owned before the sync saw it")
	}
	before := dump(t, client, store.Table())
	db.Reset()
	if _, err := store.SyncInterface(ctx, iface, "eni-attach-0123456789abcdef0", at(60)); err != nil {
		t.Fatal(err)
	}
	if w := db.Writes(); w != 0 {
		t.Errorf("second sync made %d writes, want 0", w)
	}
	if after := dump(t, client, store.Table()); !slices.Equal(before, after) {
		t.Errorf("second sync changed the table")
	}
}

// TestResolveTagsAtRecordTime checks that records before and after a tag
// change get the tags of their own time from the same cache.
func TestResolveTagsAtRecordTime(t *testing.T) {
	store, _, _ := newStore(t)
	ctx := context.Background()
	iface := webInterface()
	if _, err := store.PutInterface(ctx, iface, "eni-attach-0123456789abcdef0", at(0)); err != nil {
		t.Fatal(err)
	}
	instanceARN := "arn:aws:ec2:us-east-1:123456789012:instance/" + iface.InstanceID
	if _, err := store.PutTags(ctx, instanceARN, map[string]string{"app": "web"}, at(0), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutTags(ctx, instanceARN, map[string]string{"app": "api"}, at(10), 2); err != nil {
		t.Fatal(err)
	}
	cache := inventorystore.NewCache(store, inventorystore.CacheOptions{Now: func() time.Time { return at(30) }})
	a := netip.MustParseAddr("10.0.1.5")
	inv, err := cache.ResolveAt(ctx, nil, []netip.Addr{a}, at(15))
	if err != nil {
		t.Fatal(err)
	}
	for minute, want := range map[int]string{5: "web", 15: "api"} {
		ep := attribution.Attribute(inv, a, at(minute), attribution.Hints{})
		if ep.Tags["app"] != want || ep.Tags["Name"] != "web-1" {
			t.Errorf("tags at %d = %v, want app=%s and the interface's Name", minute, ep.Tags, want)
		}
	}
}
