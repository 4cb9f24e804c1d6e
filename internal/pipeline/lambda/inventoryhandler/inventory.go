package inventoryhandler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
)

// EC2API is what the inventory handler asks EC2 when an event lacks facts.
type EC2API interface {
	DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, opts ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, opts ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
}

// DefaultMaxDescribes is the most EC2 calls one event may make when
// InventoryHandler.MaxDescribes is zero.
const DefaultMaxDescribes = 4

// InventoryHandler applies inventory events to the inventory store.
//
// Which event does what (see package inventoryevents for the decoding):
//
//	Tag Change on Resource      the resource's tags, ordered by time and version
//	CreateNetworkInterface      the interface and its addresses, from the response
//	DeleteNetworkInterface      closes its ranges, marks it deleted
//	AttachNetworkInterface      its instance; an unknown interface is described
//	DetachNetworkInterface      clears its instance; the interface is found by attachment
//	                            id, and a detachment that arrives first waits for it
//	Assign*/Unassign*           opens or closes ranges; an assignment by count whose
//	                            response names no address, or of an unknown
//	                            interface, describes the interface
//	AssociateAddress            describes the Elastic IP (the event names only its
//	                            allocation) and opens the public address's range, also
//	                            for an address associated elsewhere since
//	DisassociateAddress         closes the range recorded for the association; one that
//	                            arrives first waits for the association
//	Instance running, stopped   describes the instance's interfaces: auto-assigned
//	                            public addresses change on stop and start
//	Instance terminated         interfaces still listed are described, the others
//	                            deleted (EC2 records no DeleteNetworkInterface for
//	                            interfaces it deletes with their instance); without
//	                            EC2 their ranges are closed
//
// Every write is keyed by the event's own time (see package
// inventorystore), so events may arrive in any order and any number of
// times: the store ends the same. An assignment of an address another
// interface owns ends that interface's ownership at the event's time.
// Descriptions from EC2 are applied as of the event's time. What the events
// and EC2 calls cannot tell is left to the scheduled sync, which also
// replays CloudTrail's record of the past (see InventorySyncHandler).
type InventoryHandler struct {
	Store *inventorystore.Store
	// EC2 returns a client for the account and region of an event, for
	// example through a role assumed in a source account (see
	// inventorysync.ClientsFor). Nil turns EC2 calls off.
	EC2 func(ctx context.Context, account, region string) (EC2API, error)
	// MaxDescribes bounds the EC2 calls of one event; default
	// DefaultMaxDescribes.
	MaxDescribes int
	// Logger receives one line per applied update; default slog.Default().
	Logger *slog.Logger
}

// HandleInventoryEvent applies one EventBridge event. Events that do not
// concern the inventory are logged and succeed; an error makes Lambda retry
// the event, which is safe.
func (h *InventoryHandler) HandleInventoryEvent(ctx context.Context, ev events.CloudWatchEvent) error {
	log := h.Logger
	if log == nil {
		log = slog.Default()
	}
	ups, err := inventoryevents.Decode(ev)
	if errors.Is(err, inventoryevents.ErrIgnored) {
		log.DebugContext(ctx, "event ignored", "event_id", ev.ID, "reason", err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	run := &applyRun{h: h, log: log, budget: h.MaxDescribes}
	if run.budget <= 0 {
		run.budget = DefaultMaxDescribes
	}
	for _, u := range ups {
		if err := run.apply(ctx, u); err != nil {
			m := u.Event()
			return fmt.Errorf("applying %s event %s: %w", m.Name, m.EventID, err)
		}
	}
	return nil
}

// applyRun applies the updates of one event.
type applyRun struct {
	h      *InventoryHandler
	log    *slog.Logger
	budget int
	ec2    EC2API
}

func (r *applyRun) logChange(ctx context.Context, u inventoryevents.Update, ch inventorystore.Change, attrs ...any) {
	m := u.Event()
	attrs = append([]any{
		"event_id", m.EventID, "event", m.Name, "account", m.Account, "region", m.Region, "time", m.Time,
		"interface_written", ch.Interface, "opened", ch.Opened, "closed", ch.Closed, "refreshed", ch.Refreshed, "stale", ch.Stale,
	}, attrs...)
	r.log.InfoContext(ctx, "inventory update", attrs...)
}

// client returns the EC2 client of the event's account and region, or nil
// when EC2 calls are off or the budget is spent.
func (r *applyRun) client(ctx context.Context, m inventoryevents.Meta, why string) (EC2API, error) {
	if r.h.EC2 == nil {
		r.log.InfoContext(ctx, "EC2 calls are off; left to the sync", "event_id", m.EventID, "event", m.Name, "needed_for", why)
		return nil, nil
	}
	if r.budget <= 0 {
		r.log.WarnContext(ctx, "EC2 call budget of the event spent; left to the sync", "event_id", m.EventID, "event", m.Name, "needed_for", why)
		return nil, nil
	}
	r.budget--
	if r.ec2 == nil {
		c, err := r.h.EC2(ctx, m.Account, m.Region)
		if err != nil {
			return nil, fmt.Errorf("EC2 client for %s/%s: %w", m.Account, m.Region, err)
		}
		r.ec2 = c
	}
	return r.ec2, nil
}

func (r *applyRun) apply(ctx context.Context, u inventoryevents.Update) error {
	store := r.h.Store
	switch u := u.(type) {
	case inventoryevents.TagsChanged:
		written, err := store.PutTags(ctx, u.ARN, u.Tags, u.Time, u.Version)
		if err != nil {
			return err
		}
		r.log.InfoContext(ctx, "inventory update", "event_id", u.EventID, "event", u.Name, "arn", u.ARN, "version", u.Version, "written", written)
		return nil

	case inventoryevents.InterfaceCreated:
		ch, err := store.PutInterface(ctx, u.Interface, "", u.Time)
		if err != nil {
			return err
		}
		r.logChange(ctx, u, ch, "eni", u.Interface.ID)
		return nil

	case inventoryevents.InterfaceDeleted:
		ch, err := store.DeleteInterface(ctx, u.InterfaceID, u.Time)
		if err != nil {
			return err
		}
		r.logChange(ctx, u, ch, "eni", u.InterfaceID)
		return nil

	case inventoryevents.InterfaceAttached:
		ch, err := store.SetAttachment(ctx, u.InterfaceID, u.AttachmentID, u.InstanceID, u.Account, u.Time)
		if errors.Is(err, inventorystore.ErrUnknownInterface) {
			ch, err = r.describeInterface(ctx, u.Meta, u.InterfaceID, "attached interface unknown")
		}
		if err != nil {
			return err
		}
		r.logChange(ctx, u, ch, "eni", u.InterfaceID, "instance", u.InstanceID)
		return nil

	case inventoryevents.InterfaceDetached:
		id, ch, err := store.Detach(ctx, u.AttachmentID, u.Time)
		if err != nil {
			return err
		}
		if id == "" {
			r.log.InfoContext(ctx, "attachment not known yet; its attachment event applies the detachment", "event_id", u.EventID, "attachment", u.AttachmentID)
			return nil
		}
		r.logChange(ctx, u, ch, "eni", id, "attachment", u.AttachmentID)
		return nil

	case inventoryevents.AddressesAssigned:
		var ch inventorystore.Change
		err := inventorystore.ErrUnknownInterface
		if len(u.Addrs) > 0 {
			ch, err = store.AssignAddresses(ctx, u.InterfaceID, u.Addrs, u.Time)
		}
		if errors.Is(err, inventorystore.ErrUnknownInterface) {
			ch, err = r.describeInterface(ctx, u.Meta, u.InterfaceID, "assigned addresses or interface unknown")
		}
		if err != nil {
			return err
		}
		r.logChange(ctx, u, ch, "eni", u.InterfaceID, "addrs", len(u.Addrs))
		return nil

	case inventoryevents.AddressesUnassigned:
		ch, err := store.UnassignAddresses(ctx, u.InterfaceID, u.Addrs, u.Time)
		if err != nil {
			return err
		}
		r.logChange(ctx, u, ch, "eni", u.InterfaceID, "addrs", len(u.Addrs))
		return nil

	case inventoryevents.AddressAssociated:
		return r.associate(ctx, u)

	case inventoryevents.AddressDisassociated:
		return r.disassociate(ctx, u)

	case inventoryevents.InstanceStateChanged:
		return r.instanceState(ctx, u)
	}
	return fmt.Errorf("no handling for %T", u)
}

// describeInterface describes one interface and records the description;
// an interface EC2 no longer lists is deleted.
func (r *applyRun) describeInterface(ctx context.Context, m inventoryevents.Meta, id, why string) (inventorystore.Change, error) {
	c, err := r.client(ctx, m, why)
	if err != nil || c == nil {
		return inventorystore.Change{}, err
	}
	out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("network-interface-id"), Values: []string{id}}},
	})
	if err != nil {
		return inventorystore.Change{}, fmt.Errorf("describing network interface %s: %w", id, err)
	}
	if len(out.NetworkInterfaces) == 0 {
		// Deleted since the event, at a time the description does not
		// tell: its DeleteNetworkInterface event, or the sync, records it.
		r.log.InfoContext(ctx, "network interface no longer listed; left to its delete event or the sync", "event_id", m.EventID, "eni", id)
		return inventorystore.Change{}, nil
	}
	iface, attachmentID := inventorysync.FromEC2(out.NetworkInterfaces[0], m.Region)
	return r.h.Store.PutInterface(ctx, iface, attachmentID, m.Time)
}

func (r *applyRun) associate(ctx context.Context, u inventoryevents.AddressAssociated) error {
	store := r.h.Store
	eni, public, assocID := u.InterfaceID, u.PublicIP, u.AssociationID
	if !public.IsValid() || eni == "" {
		c, err := r.client(ctx, u.Meta, "public address of "+u.AllocationID)
		if err != nil {
			return err
		}
		if c == nil {
			return nil
		}
		in := &ec2.DescribeAddressesInput{}
		if u.AllocationID != "" {
			in.AllocationIds = []string{u.AllocationID}
		} else {
			in.PublicIps = []string{public.String()}
		}
		out, err := c.DescribeAddresses(ctx, in)
		if err != nil {
			return fmt.Errorf("describing Elastic IP %s: %w", u.AllocationID, err)
		}
		if len(out.Addresses) == 0 {
			r.log.InfoContext(ctx, "Elastic IP no longer exists; left to the sync", "event_id", u.EventID, "allocation", u.AllocationID)
			return nil
		}
		a := out.Addresses[0]
		// The public address of an allocation never changes; where it is
		// associated now tells this event's interface only while the
		// association is still this one. A late event, for an address
		// associated elsewhere since, still records its period: with the
		// interface the event names, or the primary interface of the
		// instance it names.
		if public, err = netip.ParseAddr(aws.ToString(a.PublicIp)); err != nil {
			return fmt.Errorf("parsing the public address of Elastic IP %s: %w", u.AllocationID, err)
		}
		current := assocID == "" || aws.ToString(a.AssociationId) == assocID
		if eni == "" && current {
			eni = aws.ToString(a.NetworkInterfaceId)
		}
		if eni == "" && u.InstanceID != "" {
			if eni, err = r.primaryInterface(ctx, c, u.InstanceID); err != nil {
				return err
			}
		}
		if assocID == "" && current {
			assocID = aws.ToString(a.AssociationId)
		}
	}
	if eni == "" {
		r.log.InfoContext(ctx, "Elastic IP not on a known network interface; left to the sync", "event_id", u.EventID, "allocation", u.AllocationID)
		return nil
	}
	keys := []netip.Prefix{inventorystore.Single(public)}
	ch, err := store.AssignAddresses(ctx, eni, keys, u.Time)
	if errors.Is(err, inventorystore.ErrUnknownInterface) {
		var described inventorystore.Change
		described, err = r.describeInterface(ctx, u.Meta, eni, "interface of an Elastic IP unknown")
		ch.Add(described)
	}
	if err != nil {
		return err
	}
	if assocID != "" {
		c, err := store.PutAssociation(ctx, inventorystore.Association{ID: assocID, AllocationID: u.AllocationID, PublicIP: public, InterfaceID: eni, At: u.Time})
		if err != nil {
			return err
		}
		ch.Add(c)
	}
	r.logChange(ctx, u, ch, "eni", eni, "public_ip", public.String(), "association", assocID)
	return nil
}

// primaryInterface returns the interface at device index 0 of an
// instance, which AssociateAddress with an instance id associates.
func (r *applyRun) primaryInterface(ctx context.Context, c EC2API, instanceID string) (string, error) {
	out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{instanceID}}},
	})
	if err != nil {
		return "", fmt.Errorf("describing network interfaces of %s: %w", instanceID, err)
	}
	for _, ni := range out.NetworkInterfaces {
		if ni.Attachment != nil && aws.ToInt32(ni.Attachment.DeviceIndex) == 0 {
			return aws.ToString(ni.NetworkInterfaceId), nil
		}
	}
	return "", nil
}

func (r *applyRun) disassociate(ctx context.Context, u inventoryevents.AddressDisassociated) error {
	store := r.h.Store
	if u.AssociationID == "" {
		r.log.InfoContext(ctx, "disassociation without an association id; left to the sync", "event_id", u.EventID, "public_ip", u.PublicIP)
		return nil
	}
	a, ok, ch, err := store.Disassociate(ctx, u.AssociationID, u.Time)
	if err != nil {
		return err
	}
	if !ok {
		r.log.InfoContext(ctx, "association not known yet; its association event applies the end", "event_id", u.EventID, "association", u.AssociationID)
		return nil
	}
	r.logChange(ctx, u, ch, "eni", a.InterfaceID, "public_ip", a.PublicIP.String(), "association", u.AssociationID)
	return nil
}

func (r *applyRun) instanceState(ctx context.Context, u inventoryevents.InstanceStateChanged) error {
	store := r.h.Store
	switch u.State {
	case "running", "stopped":
		c, err := r.client(ctx, u.Meta, "interfaces of "+u.InstanceID+" "+u.State)
		if err != nil || c == nil {
			return err
		}
		out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
			Filters: []ec2types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{u.InstanceID}}},
		})
		if err != nil {
			return fmt.Errorf("describing network interfaces of %s: %w", u.InstanceID, err)
		}
		var total inventorystore.Change
		for _, ni := range out.NetworkInterfaces {
			iface, attachmentID := inventorysync.FromEC2(ni, u.Region)
			ch, err := store.PutInterface(ctx, iface, attachmentID, u.Time)
			if err != nil {
				return err
			}
			total.Add(ch)
		}
		r.logChange(ctx, u, total, "instance", u.InstanceID, "state", u.State, "interfaces", len(out.NetworkInterfaces))
		return nil

	case "terminated":
		ids, err := store.InstanceInterfaces(ctx, u.InstanceID)
		if err != nil || len(ids) == 0 {
			return err
		}
		var total inventorystore.Change
		c, err := r.client(ctx, u.Meta, "interfaces of terminated "+u.InstanceID)
		if err != nil {
			return err
		}
		if c == nil {
			// Without EC2 it is unknown which interfaces outlive the
			// instance: close their ranges without deleting them, so that
			// the sync reopens those that are still there.
			for _, id := range ids {
				ch, err := store.ReleaseInterface(ctx, id, u.Time)
				if err != nil {
					return err
				}
				total.Add(ch)
			}
			r.logChange(ctx, u, total, "instance", u.InstanceID, "state", u.State, "interfaces", len(ids))
			return nil
		}
		out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
			Filters: []ec2types.Filter{{Name: aws.String("network-interface-id"), Values: ids}},
		})
		if err != nil {
			return fmt.Errorf("describing network interfaces of %s: %w", u.InstanceID, err)
		}
		listed := make(map[string]bool)
		for _, ni := range out.NetworkInterfaces {
			iface, attachmentID := inventorysync.FromEC2(ni, u.Region)
			listed[iface.ID] = true
			ch, err := store.PutInterface(ctx, iface, attachmentID, u.Time)
			if err != nil {
				return err
			}
			total.Add(ch)
		}
		for _, id := range ids {
			if listed[id] {
				continue
			}
			ch, err := store.DeleteInterface(ctx, id, u.Time)
			if err != nil {
				return err
			}
			total.Add(ch)
		}
		r.logChange(ctx, u, total, "instance", u.InstanceID, "state", u.State, "interfaces", len(ids))
		return nil
	}
	r.log.DebugContext(ctx, "instance state needs no update", "event_id", u.EventID, "instance", u.InstanceID, "state", u.State)
	return nil
}
