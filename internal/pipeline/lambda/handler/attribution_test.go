package handler

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/inventoryhandler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/churn"
)

// TestAttributionAtRecordTime applies inventory events through the
// inventory handler, in the order of each case, then enriches flow records
// through the CloudWatch Logs enrichment handler on the DynamoDB store and
// its cache, and asserts, from the rows in S3, who each record is
// attributed to: the owner at the record's start.
func TestAttributionAtRecordTime(t *testing.T) {
	base := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	m := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	const (
		eni1, eni2 = "eni-0a00000000000e001", "eni-0a00000000000e002"
		instA      = "i-0a0000000000000aa"
		instC      = "i-0a0000000000000cc"
	)
	addr := netip.MustParseAddr("10.9.5.10")
	secondary := netip.MustParseAddr("10.9.5.50")
	public := netip.MustParseAddr("52.95.1.1")
	seq := 0
	call := func(minute int, name string, req, resp any) events.CloudWatchEvent {
		seq++
		return churn.APICall(fmt.Sprintf("case-%d", seq), m(minute), name, req, resp)
	}
	create := func(minute int, id string, a netip.Addr) events.CloudWatchEvent {
		req, resp := churn.CreateInterface(id, a, "app-"+id[len(id)-1:])
		return call(minute, "CreateNetworkInterface", req, resp)
	}
	del := func(minute int, id string) events.CloudWatchEvent {
		return call(minute, "DeleteNetworkInterface", map[string]any{"networkInterfaceId": id}, map[string]any{"_return": true})
	}
	attach := func(minute int, id, inst, att string) events.CloudWatchEvent {
		return call(minute, "AttachNetworkInterface", map[string]any{"networkInterfaceId": id, "instanceId": inst, "deviceIndex": 1}, map[string]any{"attachmentId": att})
	}
	detach := func(minute int, att string) events.CloudWatchEvent {
		return call(minute, "DetachNetworkInterface", map[string]any{"attachmentId": att}, map[string]any{"_return": true})
	}
	assign := func(minute int, id string, a netip.Addr) events.CloudWatchEvent {
		return call(minute, "AssignPrivateIpAddresses",
			map[string]any{"networkInterfaceId": id, "privateIpAddressesSet": map[string]any{"item": []map[string]any{{"privateIpAddress": a.String()}}}, "allowReassignment": true},
			map[string]any{"networkInterfaceId": id, "assignedPrivateIpAddressesSet": map[string]any{"assignedPrivateIpAddressSetType": []map[string]any{{"privateIpAddress": a.String()}}}, "_return": true})
	}
	associate := func(minute int, id string) events.CloudWatchEvent {
		return call(minute, "AssociateAddress", map[string]any{"publicIp": public.String(), "networkInterfaceId": id, "allowReassociation": true},
			map[string]any{"_return": true, "associationId": fmt.Sprintf("eipassoc-0a00000000000%04d", minute)})
	}
	tag := func(minute int, id string, version int64, app string) events.CloudWatchEvent {
		arn := "arn:aws:ec2:" + churn.Region + ":" + churn.Account + ":network-interface/" + id
		return churn.TagChange(fmt.Sprintf("tag-%d", minute), m(minute), arn, "network-interface", version, map[string]string{"app": app})
	}
	reversed := func(evs ...events.CloudWatchEvent) []events.CloudWatchEvent {
		slices.Reverse(evs)
		return evs
	}
	twice := func(evs ...events.CloudWatchEvent) []events.CloudWatchEvent {
		return append(reversed(slices.Clone(evs)...), evs...)
	}
	type want struct {
		minute   int
		addr     netip.Addr
		eni      string // "" for no owner
		instance string
		app      string
	}
	tests := []struct {
		name string
		// events are delivered in this order, all before the records;
		// late are delivered after the first record is enriched.
		events, late []events.CloudWatchEvent
		records      []want
	}{
		{
			name: "attached to A, detached, moved to C (delivered newest first)",
			events: reversed(create(0, eni1, addr), attach(1, eni1, instA, "eni-attach-0a0000000000000a1"),
				detach(20, "eni-attach-0a0000000000000a1"), attach(25, eni1, instC, "eni-attach-0a0000000000000c1")),
			records: []want{{10, addr, eni1, instA, "app-1"}, {22, addr, eni1, "", "app-1"}, {30, addr, eni1, instC, "app-1"}},
		},
		{
			name:    "secondary address reassigned without an unassignment",
			events:  reversed(create(0, eni1, addr), create(0, eni2, netip.MustParseAddr("10.9.5.11")), assign(1, eni1, secondary), assign(10, eni2, secondary)),
			records: []want{{5, secondary, eni1, "", "app-1"}, {15, secondary, eni2, "", "app-2"}},
		},
		{
			name: "Elastic IP moved back and forth, late associations and duplicates",
			events: twice(create(0, eni1, addr), create(0, eni2, netip.MustParseAddr("10.9.5.11")),
				associate(1, eni1), associate(10, eni2), associate(20, eni1)),
			records: []want{{5, public, eni1, "", "app-1"}, {15, public, eni2, "", "app-2"}, {25, public, eni1, "", "app-1"}},
		},
		{
			name:    "delete delivered before create",
			events:  []events.CloudWatchEvent{del(30, eni1), create(0, eni1, addr)},
			records: []want{{10, addr, eni1, "", "app-1"}, {40, addr, "", "", ""}},
		},
		{
			name:    "an address between owners has none",
			events:  reversed(create(0, eni1, addr), del(10, eni1), create(20, eni2, addr)),
			records: []want{{5, addr, eni1, "", "app-1"}, {15, addr, "", "", ""}, {25, addr, eni2, "", "app-2"}},
		},
		{
			name:    "tags of the record's time",
			events:  reversed(create(0, eni1, addr), tag(10, eni1, 2, "checkout"), tag(20, eni1, 3, "payments")),
			records: []want{{5, addr, eni1, "", "app-1"}, {15, addr, eni1, "", "checkout"}, {25, addr, eni1, "", "payments"}},
		},
		{
			name:    "a warm cache does not answer for a record newer than it knows",
			events:  []events.CloudWatchEvent{create(0, eni1, addr), create(0, eni2, netip.MustParseAddr("10.9.5.11")), assign(1, eni1, secondary)},
			late:    []events.CloudWatchEvent{assign(10, eni2, secondary)},
			records: []want{{5, secondary, eni1, "", "app-1"}, {15, secondary, eni2, "", "app-2"}},
		},
	}
	client, bucket := motoS3(t)
	for ci, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store, _ := newInventory(t)
			h := &inventoryhandler.InventoryHandler{Store: store, Logger: quietLog}
			for _, ev := range tt.events {
				if err := h.HandleInventoryEvent(ctx, ev); err != nil {
					t.Fatalf("%s: %v", ev.ID, err)
				}
			}
			var now time.Time
			cache := inventorystore.NewCache(store, inventorystore.CacheOptions{Now: func() time.Time { return now }, TTL: time.Hour})
			for ri, r := range tt.records {
				if ri == 1 {
					for _, ev := range tt.late {
						if err := h.HandleInventoryEvent(ctx, ev); err != nil {
							t.Fatalf("%s: %v", ev.ID, err)
						}
					}
				}
				// Enriched 7 minutes after the record started, as flow
				// logs arrive.
				now = m(r.minute + 7)
				prefix := fmt.Sprintf("attr-%d-%d", ci, ri)
				sink, err := s3sink.New(client, bucket, prefix, s3sink.NDJSON)
				if err != nil {
					t.Fatal(err)
				}
				eh, err := NewLogsHandler(EnrichConfig{Sink: sink, Inventory: StoreInventory{Cache: cache}, Logger: quietLog})
				if err != nil {
					t.Fatal(err)
				}
				start := m(r.minute).Unix()
				line := fmt.Sprintf("2 %s %s %s 198.51.100.7 443 50000 6 10 1000 %d %d ACCEPT OK", churn.Account, cmp.Or(r.eni, "eni-0a0000000000000ff"), r.addr, start, start+30)
				gz := subscriptionPayload(t, churn.Account, "/vpcflow/attr", "stream", 1, []string{line})
				ev := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}}
				if _, err := eh.HandleCloudWatchLogs(ctx, ev); err != nil {
					t.Fatal(err)
				}
				var servers []string
				for _, rows := range storedRows(t, client, bucket, prefix+"/") {
					for _, row := range rows {
						s := row.Server
						if s == nil {
							continue
						}
						got := fmt.Sprintf("eni=%q instance=%v app=%q type=%s", s.InterfaceID, slices.ContainsFunc(s.ARNs, func(a string) bool { return r.instance != "" && strings.HasSuffix(a, r.instance) }), s.Tags["app"], s.Type)
						servers = append(servers, got)
					}
				}
				wantType := "ec2:network-interface"
				switch {
				case r.instance != "":
					wantType = "ec2:instance"
				case r.eni == "" && r.addr.IsPrivate():
					wantType = "unknown"
				case r.eni == "":
					wantType = "internet"
				}
				wantRow := fmt.Sprintf("eni=%q instance=%v app=%q type=%s", r.eni, r.instance != "", r.app, wantType)
				if len(servers) != 1 || servers[0] != wantRow {
					t.Errorf("record at +%d min of %s: server %v, want %s", r.minute, r.addr, servers, wantRow)
				}
			}
		})
	}
}
