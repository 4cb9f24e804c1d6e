// Package inventoryevents decodes the EventBridge events that keep the
// inventory current into typed updates. It reads events and calls nothing.
//
// # Events
//
//	source    detail-type                              updates
//	aws.tag   Tag Change on Resource                   TagsChanged, one per resources[] ARN
//	aws.ec2   AWS API Call via CloudTrail, eventSource ec2.amazonaws.com:
//	            CreateNetworkInterface                 InterfaceCreated (the response describes the interface)
//	            DeleteNetworkInterface                 InterfaceDeleted
//	            AttachNetworkInterface                 InterfaceAttached
//	            DetachNetworkInterface                 InterfaceDetached (names only the attachment)
//	            AssignPrivateIpAddresses               AddressesAssigned (IPv4 addresses and /28 prefixes)
//	            UnassignPrivateIpAddresses             AddressesUnassigned
//	            AssignIpv6Addresses                    AddressesAssigned (IPv6 addresses and /80 prefixes)
//	            UnassignIpv6Addresses                  AddressesUnassigned
//	            AssociateAddress                       AddressAssociated
//	            DisassociateAddress                    AddressDisassociated
//	aws.ec2   EC2 Instance State-change Notification   InstanceStateChanged
//
// Every update carries the time of the change: the CloudTrail eventTime of
// an API call, the event time otherwise. API calls that failed (errorCode
// present, dry runs included) change nothing and are ignored, as are all
// other events; Decode says so with an error that wraps ErrIgnored.
//
// # What the events do not say
//
// CloudTrail records what the caller sent and what EC2 answered, so some
// facts are missing and the handler must look them up or wait for a sync:
//
//   - AttachNetworkInterface and DetachNetworkInterface carry only ids;
//     DetachNetworkInterface only the attachment id.
//   - AssociateAddress carries the allocation id and the instance or
//     interface, not the public address; DisassociateAddress carries only the
//     association id (or, for EC2-Classic, the public address).
//   - Assignments requested by count (secondaryPrivateIpAddressCount,
//     ipv6AddressCount) name their addresses only in the response; when a
//     response lacks them, AddressesAssigned has Requested > 0 and no Addrs.
//   - Instance state changes name the instance only; addresses that come and
//     go with it (auto-assigned public IPv4 on stop and start, interfaces
//     deleted on termination, for which no DeleteNetworkInterface is
//     recorded) must be read from EC2 or from the inventory.
//
// CloudTrail renders EC2 lists in several shapes: an array, an object
// wrapping the array under "items", "item" or "<name>SetType", a lone
// element, and for some operations the whole request or response wrapped in
// a "<Operation>Request" or "<Operation>Response" object. Decoding accepts
// each of them.
package inventoryevents

import (
	"errors"
	"net/netip"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// ErrIgnored is wrapped by the error Decode returns for events that do not
// change the inventory.
var ErrIgnored = errors.New("event does not change the inventory")

// Meta describes the event an update comes from.
type Meta struct {
	// EventID is the EventBridge event id.
	EventID string
	// Name is the CloudTrail event name, or the detail type.
	Name string
	// Time is when the change happened.
	Time time.Time
	// Account and Region are where the resource lives.
	Account string
	Region  string
}

// Update is one change to the inventory.
type Update interface {
	// Event describes the event the update comes from.
	Event() Meta
}

// Event returns m; embedding Meta makes a type an Update.
func (m Meta) Event() Meta { return m }

// TagsChanged gives the tags a resource has after a change.
type TagsChanged struct {
	Meta
	ARN          string
	Service      string
	ResourceType string
	// Tags are all the resource's tags after the change.
	Tags map[string]string
	// Changed are the keys added, changed or removed; Removed those of them
	// the resource no longer has.
	Changed []string
	Removed []string
	// Version increases with every tag change of the resource.
	Version int64
}

// InterfaceCreated describes a new interface.
type InterfaceCreated struct {
	Meta
	Interface *inventory.Interface
}

// InterfaceDeleted says an interface was deleted.
type InterfaceDeleted struct {
	Meta
	InterfaceID string
}

// InterfaceAttached says an interface was attached to an instance.
type InterfaceAttached struct {
	Meta
	InterfaceID  string
	InstanceID   string
	AttachmentID string
	DeviceIndex  int
}

// InterfaceDetached says an attachment ended; the event names neither the
// interface nor the instance.
type InterfaceDetached struct {
	Meta
	AttachmentID string
	Force        bool
}

// AddressesAssigned says an interface got addresses or delegated prefixes.
type AddressesAssigned struct {
	Meta
	InterfaceID string
	// Addrs are single addresses (/32, /128) and delegated prefixes.
	Addrs []netip.Prefix
	// Requested is the number of addresses or prefixes asked for by count;
	// when Addrs is empty they are not known from the event.
	Requested int
}

// AddressesUnassigned says an interface gave up addresses or prefixes.
type AddressesUnassigned struct {
	Meta
	InterfaceID string
	Addrs       []netip.Prefix
}

// AddressAssociated says an Elastic IP address was associated. The public
// address is known only for EC2-Classic style calls that name it; otherwise
// AllocationID names the address and InstanceID or InterfaceID its target.
type AddressAssociated struct {
	Meta
	AllocationID  string
	AssociationID string
	InstanceID    string
	InterfaceID   string
	PrivateIP     netip.Addr
	PublicIP      netip.Addr
}

// AddressDisassociated says an Elastic IP association ended.
type AddressDisassociated struct {
	Meta
	AssociationID string
	PublicIP      netip.Addr
}

// InstanceStateChanged says an instance entered a state: pending, running,
// stopping, stopped, shutting-down or terminated.
type InstanceStateChanged struct {
	Meta
	InstanceID string
	State      string
}
