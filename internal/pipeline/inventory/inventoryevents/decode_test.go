package inventoryevents_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
)

func load(t *testing.T, name string) events.CloudWatchEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func meta(id, name, at string) inventoryevents.Meta {
	return inventoryevents.Meta{EventID: id, Name: name, Time: ts(at), Account: "123456789012", Region: "us-east-1"}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func pfx(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
			continue
		}
		a := addr(s)
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}

const eni = "eni-0a8b7c6d5e4f32109"

func TestDecode(t *testing.T) {
	tests := []struct {
		file string
		want []inventoryevents.Update
	}{
		{
			file: "tag-change-instance.json",
			want: []inventoryevents.Update{inventoryevents.TagsChanged{
				Meta:         meta("bddcf1d6-0251-35a1-aab0-adc1fb47c11c", "Tag Change on Resource", "2025-03-01T10:15:38Z"),
				ARN:          "arn:aws:ec2:us-east-1:123456789012:instance/i-0d4f9a2b7c1e83456",
				Service:      "ec2",
				ResourceType: "instance",
				Tags:         map[string]string{"Name": "prod-eks-node-b", "team": "payments", "cost-center": "cc-4417", "eks:cluster-name": "prod-eks"},
				Changed:      []string{"team", "cost-center", "owner"},
				Removed:      []string{"owner"},
				Version:      7,
			}},
		},
		{
			file: "tag-change-interface-cleared.json",
			want: []inventoryevents.Update{inventoryevents.TagsChanged{
				Meta:         meta("c1e2f3a4-5b6c-47d8-9e0f-1a2b3c4d5e6f", "Tag Change on Resource", "2025-03-01T10:16:02Z"),
				ARN:          "arn:aws:ec2:us-east-1:123456789012:network-interface/" + eni,
				Service:      "ec2",
				ResourceType: "network-interface",
				Tags:         map[string]string{},
				Changed:      []string{"cluster.k8s.amazonaws.com/name", "node.k8s.amazonaws.com/instance_id"},
				Removed:      []string{"cluster.k8s.amazonaws.com/name", "node.k8s.amazonaws.com/instance_id"},
				Version:      2,
			}},
		},
		{
			file: "create-network-interface.json",
			want: []inventoryevents.Update{inventoryevents.InterfaceCreated{
				Meta: meta("6f1d2c3b-8a4e-4f2d-9b1a-3c5d7e9f0a12", "CreateNetworkInterface", "2025-03-01T10:00:01Z"),
				Interface: &inventory.Interface{
					ID:                 eni,
					AccountID:          "123456789012",
					Region:             "us-east-1",
					AvailabilityZone:   "us-east-1b",
					AvailabilityZoneID: "use1-az2",
					VPCID:              "vpc-0123abcd4567ef890",
					SubnetID:           "subnet-0a1b2c3d4e5f60718",
					SecurityGroupIDs:   []string{"sg-0c1d2e3f4a5b6c7d8"},
					InterfaceType:      "interface",
					Status:             "pending",
					Description:        "aws-K8S-i-0d4f9a2b7c1e83456",
					PrivateIPs:         []netip.Addr{addr("10.0.12.77")},
					IPv6s:              []netip.Addr{addr("2600:1f18:6a2:7c01:4e1b:9d3a:c2f7:81e5")},
					Tags:               map[string]string{"cluster.k8s.amazonaws.com/name": "prod-eks", "node.k8s.amazonaws.com/instance_id": "i-0d4f9a2b7c1e83456"},
				},
			}},
		},
		{
			file: "delete-network-interface.json",
			want: []inventoryevents.Update{inventoryevents.InterfaceDeleted{Meta: meta("9c4a5f6e-1d7b-4a5c-8e4d-6f8a0b2c3d45", "DeleteNetworkInterface", "2025-03-01T11:30:00Z"), InterfaceID: eni}},
		},
		{
			file: "attach-network-interface.json",
			want: []inventoryevents.Update{inventoryevents.InterfaceAttached{
				Meta:         meta("ad5b6a7f-2e8c-4b6d-9f5e-7a9b1c3d4e56", "AttachNetworkInterface", "2025-03-01T10:00:05Z"),
				InterfaceID:  eni,
				InstanceID:   "i-0d4f9a2b7c1e83456",
				AttachmentID: "eni-attach-0e1f2a3b4c5d6e7f8",
				DeviceIndex:  1,
			}},
		},
		{
			file: "detach-network-interface.json",
			want: []inventoryevents.Update{inventoryevents.InterfaceDetached{Meta: meta("be6c7b8a-3f9d-4c7e-8a6f-8b0c2d4e5f67", "DetachNetworkInterface", "2025-03-01T11:29:30Z"), AttachmentID: "eni-attach-0e1f2a3b4c5d6e7f8"}},
		},
		{
			file: "assign-private-ip-addresses.json",
			want: []inventoryevents.Update{inventoryevents.AddressesAssigned{Meta: meta("cf7d8c9b-4a0e-4d8f-9b7a-9c1d3e5f6a78", "AssignPrivateIpAddresses", "2025-03-01T10:05:00Z"), InterfaceID: eni, Addrs: pfx("10.0.12.88", "10.0.12.91"), Requested: 2}},
		},
		{
			file: "assign-private-ip-prefix.json",
			want: []inventoryevents.Update{inventoryevents.AddressesAssigned{Meta: meta("d08e9dac-5b1f-4e9a-8c8b-0d2e4f6a7b89", "AssignPrivateIpAddresses", "2025-03-01T10:06:00Z"), InterfaceID: eni, Addrs: pfx("10.0.12.160/28"), Requested: 1}},
		},
		{
			file: "assign-private-ip-by-count-no-response.json",
			want: []inventoryevents.Update{inventoryevents.AddressesAssigned{Meta: meta("e19fa0bd-6c2a-4fab-9d9c-1e3f5a7b8c90", "AssignPrivateIpAddresses", "2025-03-01T10:07:00Z"), InterfaceID: eni, Requested: 3}},
		},
		{
			file: "unassign-private-ip-addresses.json",
			want: []inventoryevents.Update{inventoryevents.AddressesUnassigned{Meta: meta("f2a0b1ce-7d3b-4abc-8e0d-2f4a6b8c9d01", "UnassignPrivateIpAddresses", "2025-03-01T10:20:00Z"), InterfaceID: eni, Addrs: pfx("10.0.12.91")}},
		},
		{
			file: "assign-ipv6-addresses.json",
			want: []inventoryevents.Update{inventoryevents.AddressesAssigned{Meta: meta("03b1c2df-8e4c-4bcd-9f1e-3a5b7c9d0e12", "AssignIpv6Addresses", "2025-03-01T10:08:00Z"), InterfaceID: eni, Addrs: pfx("2600:1f18:6a2:7c01:b3c4:1a2e:77d0:4f19"), Requested: 1}},
		},
		{
			file: "assign-ipv6-prefix.json",
			want: []inventoryevents.Update{inventoryevents.AddressesAssigned{Meta: meta("14c2d3e0-9f5d-4cde-8a2f-4b6c8d0e1f23", "AssignIpv6Addresses", "2025-03-01T10:09:00Z"), InterfaceID: eni, Addrs: pfx("2600:1f18:6a2:7c01:9a3e::/80"), Requested: 1}},
		},
		{
			file: "unassign-ipv6-addresses.json",
			want: []inventoryevents.Update{inventoryevents.AddressesUnassigned{Meta: meta("25d3e4f1-0a6e-4def-9b3a-5c7d9e1f2a34", "UnassignIpv6Addresses", "2025-03-01T10:21:00Z"), InterfaceID: eni, Addrs: pfx("2600:1f18:6a2:7c01:b3c4:1a2e:77d0:4f19")}},
		},
		{
			file: "associate-address-instance.json",
			want: []inventoryevents.Update{inventoryevents.AddressAssociated{
				Meta:          meta("36e4f502-1b7f-4ef0-8c4b-6d8e0f2a3b45", "AssociateAddress", "2025-03-01T10:10:00Z"),
				AllocationID:  "eipalloc-0f1e2d3c4b5a69780",
				AssociationID: "eipassoc-0b1c2d3e4f5a69788",
				InstanceID:    "i-0d4f9a2b7c1e83456",
			}},
		},
		{
			file: "associate-address-interface.json",
			want: []inventoryevents.Update{inventoryevents.AddressAssociated{
				Meta:          meta("47f50613-2c80-4f01-9d5c-7e9f1a3b4c56", "AssociateAddress", "2025-03-01T10:11:00Z"),
				AllocationID:  "eipalloc-0a9b8c7d6e5f43210",
				AssociationID: "eipassoc-0c2d3e4f5a6b79899",
				InterfaceID:   eni,
				PrivateIP:     addr("10.0.12.88"),
			}},
		},
		{
			file: "disassociate-address.json",
			want: []inventoryevents.Update{inventoryevents.AddressDisassociated{Meta: meta("58061724-3d91-4012-8e6d-8f0a2b4c5d67", "DisassociateAddress", "2025-03-01T11:00:00Z"), AssociationID: "eipassoc-0c2d3e4f5a6b79899"}},
		},
		{
			file: "instance-running.json",
			want: []inventoryevents.Update{inventoryevents.InstanceStateChanged{Meta: meta("7bf73129-1428-4cd3-a780-95db273d1602", "EC2 Instance State-change Notification", "2025-03-01T09:58:44Z"), InstanceID: "i-0d4f9a2b7c1e83456", State: "running"}},
		},
		{
			file: "instance-terminated.json",
			want: []inventoryevents.Update{inventoryevents.InstanceStateChanged{Meta: meta("9d195341-364a-4ef5-c9a2-b7fd495f3824", "EC2 Instance State-change Notification", "2025-03-01T13:02:31Z"), InstanceID: "i-0d4f9a2b7c1e83456", State: "terminated"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := inventoryevents.Decode(load(t, tt.file))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestDecodeIgnores(t *testing.T) {
	for _, file := range []string{
		"create-network-interface-failed.json",
		"create-network-interface-dryrun.json",
		"run-instances.json",
		"s3-object-created.json",
	} {
		t.Run(file, func(t *testing.T) {
			got, err := inventoryevents.Decode(load(t, file))
			if !errors.Is(err, inventoryevents.ErrIgnored) || got != nil {
				t.Errorf("Decode = %v, %v; want nothing and ErrIgnored", got, err)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*events.CloudWatchEvent)
	}{
		{"tag change without resources", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "tag-change-instance.json")
			ev.Resources = nil
		}},
		{"tag change with a non-numeric version", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "tag-change-instance.json")
			ev.Detail = json.RawMessage(`{"changed-tag-keys":["a"],"tags":{"a":"b"},"version":"x"}`)
		}},
		{"create without a response", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "create-network-interface.json")
			setDetail(t, ev, "responseElements", nil)
		}},
		{"delete without an interface", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "delete-network-interface.json")
			setDetail(t, ev, "requestParameters", map[string]any{})
		}},
		{"assignment with a bad address", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "unassign-private-ip-addresses.json")
			setDetail(t, ev, "requestParameters", map[string]any{"networkInterfaceId": eni, "privateIpAddressesSet": map[string]any{"item": []any{map[string]any{"privateIpAddress": "10.0.12.999"}}}})
		}},
		{"instance state without a state", func(ev *events.CloudWatchEvent) {
			*ev = load(t, "instance-running.json")
			ev.Detail = json.RawMessage(`{"instance-id":"i-0d4f9a2b7c1e83456"}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev events.CloudWatchEvent
			tt.mutate(&ev)
			got, err := inventoryevents.Decode(ev)
			if err == nil || errors.Is(err, inventoryevents.ErrIgnored) {
				t.Errorf("Decode = %v, %v; want a decoding error", got, err)
			}
		})
	}
}

func setDetail(t *testing.T, ev *events.CloudWatchEvent, field string, v any) {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	d[field] = v
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	ev.Detail = b
}

// TestListShapes covers the shapes CloudTrail gives EC2 lists.
func TestListShapes(t *testing.T) {
	tests := []struct {
		name string
		set  string
		want []netip.Prefix
	}{
		{"items wrapper", `{"items":[{"privateIpAddress":"10.0.1.5"},{"privateIpAddress":"10.0.1.6"}]}`, pfx("10.0.1.5", "10.0.1.6")},
		{"item wrapper", `{"item":[{"privateIpAddress":"10.0.1.5"}]}`, pfx("10.0.1.5")},
		{"SetType wrapper", `{"assignedPrivateIpAddressSetType":[{"privateIpAddress":"10.0.1.5"}]}`, pfx("10.0.1.5")},
		{"lone element", `{"item":{"privateIpAddress":"10.0.1.5"}}`, pfx("10.0.1.5")},
		{"lone string", `{"item":"10.0.1.5"}`, pfx("10.0.1.5")},
		{"bare array of strings", `["10.0.1.5","10.0.1.6"]`, pfx("10.0.1.5", "10.0.1.6")},
		{"bare element", `{"privateIpAddress":"10.0.1.5","primary":false}`, pfx("10.0.1.5")},
		{"tag and content", `{"tag":1,"content":"10.0.1.5"}`, pfx("10.0.1.5")},
		{"empty object", `{}`, nil},
		{"null", `null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := load(t, "unassign-private-ip-addresses.json")
			setDetail(t, &ev, "requestParameters", map[string]any{"networkInterfaceId": eni, "privateIpAddressesSet": json.RawMessage(tt.set)})
			got, err := inventoryevents.Decode(ev)
			if tt.want == nil {
				if err == nil {
					t.Errorf("Decode = %v, want an error: nothing to unassign", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u := got[0].(inventoryevents.AddressesUnassigned); !reflect.DeepEqual(u.Addrs, tt.want) {
				t.Errorf("addresses = %v, want %v", u.Addrs, tt.want)
			}
		})
	}
}

// TestEventNames keeps the names the provider's rule selects
// (contract.APICallNames) equal to the calls Decode reads.
func TestEventNames(t *testing.T) {
	if got := inventoryevents.EventNames(); !reflect.DeepEqual(got, contract.APICallNames) {
		t.Errorf("EventNames = %v, contract.APICallNames = %v", got, contract.APICallNames)
	}
}
