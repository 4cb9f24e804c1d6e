package inventoryevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// Decode turns an EventBridge event into inventory updates. Events that do
// not change the inventory return an error wrapping ErrIgnored; events of a
// decoded kind that cannot be read return another error.
func Decode(ev events.CloudWatchEvent) ([]Update, error) {
	switch {
	case ev.Source == contract.SourceTag && ev.DetailType == contract.DetailTagChange:
		return decodeTagChange(ev)
	case ev.Source == contract.SourceEC2 && ev.DetailType == contract.DetailInstanceState:
		return decodeInstanceState(ev)
	case ev.DetailType == contract.DetailAPICall:
		return decodeAPICall(ev)
	}
	return nil, fmt.Errorf("%w: %s event %q", ErrIgnored, ev.Source, ev.DetailType)
}

func baseMeta(ev events.CloudWatchEvent) Meta {
	return Meta{EventID: ev.ID, Name: ev.DetailType, Time: ev.Time.UTC(), Account: ev.AccountID, Region: ev.Region}
}

type tagChangeDetail struct {
	ChangedTagKeys []string          `json:"changed-tag-keys"`
	Service        string            `json:"service"`
	ResourceType   string            `json:"resource-type"`
	Version        json.Number       `json:"version"`
	Tags           map[string]string `json:"tags"`
}

func decodeTagChange(ev events.CloudWatchEvent) ([]Update, error) {
	var d tagChangeDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return nil, fmt.Errorf("decoding %s event %s: %w", ev.DetailType, ev.ID, err)
	}
	arns := slices.DeleteFunc(slices.Clone(ev.Resources), func(arn string) bool { return arn == "" })
	if len(arns) == 0 {
		return nil, fmt.Errorf("decoding %s event %s: no resources", ev.DetailType, ev.ID)
	}
	var version int64
	if d.Version != "" {
		// AWS has sent the version both as 3 and as 3.0.
		f, err := d.Version.Float64()
		if err != nil || f < 0 || f > math.MaxInt64 {
			return nil, fmt.Errorf("decoding %s event %s: version %q", ev.DetailType, ev.ID, d.Version)
		}
		version = int64(f)
	}
	tags := d.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	var removed []string
	for _, k := range d.ChangedTagKeys {
		if _, ok := tags[k]; !ok {
			removed = append(removed, k)
		}
	}
	out := make([]Update, 0, len(arns))
	for _, arn := range arns {
		out = append(out, TagsChanged{
			Meta:         baseMeta(ev),
			ARN:          arn,
			Service:      d.Service,
			ResourceType: d.ResourceType,
			Tags:         tags,
			Changed:      d.ChangedTagKeys,
			Removed:      removed,
			Version:      version,
		})
	}
	return out, nil
}

func decodeInstanceState(ev events.CloudWatchEvent) ([]Update, error) {
	var d struct {
		InstanceID string `json:"instance-id"`
		State      string `json:"state"`
	}
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return nil, fmt.Errorf("decoding %s event %s: %w", ev.DetailType, ev.ID, err)
	}
	if d.InstanceID == "" || d.State == "" {
		return nil, fmt.Errorf("decoding %s event %s: no instance id or state", ev.DetailType, ev.ID)
	}
	return []Update{InstanceStateChanged{Meta: baseMeta(ev), InstanceID: d.InstanceID, State: d.State}}, nil
}

// cloudTrail is the detail of an "AWS API Call via CloudTrail" event.
type cloudTrail struct {
	EventTime          time.Time       `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	ErrorCode          string          `json:"errorCode"`
	RecipientAccountID string          `json:"recipientAccountId"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
}

// decoders maps the EC2 event names decoded to their decoders.
var decoders = map[string]func(Meta, *cloudTrail) ([]Update, error){
	"CreateNetworkInterface":     decodeCreateNetworkInterface,
	"DeleteNetworkInterface":     decodeDeleteNetworkInterface,
	"AttachNetworkInterface":     decodeAttachNetworkInterface,
	"DetachNetworkInterface":     decodeDetachNetworkInterface,
	"AssignPrivateIpAddresses":   decodeAssignPrivateIPAddresses,
	"UnassignPrivateIpAddresses": decodeUnassignPrivateIPAddresses,
	"AssignIpv6Addresses":        decodeAssignIPv6Addresses,
	"UnassignIpv6Addresses":      decodeUnassignIPv6Addresses,
	"AssociateAddress":           decodeAssociateAddress,
	"DisassociateAddress":        decodeDisassociateAddress,
}

// EventNames returns the CloudTrail event names Decode reads, sorted, for
// building the EventBridge rule that selects them.
func EventNames() []string {
	out := make([]string, 0, len(decoders))
	for name := range decoders {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func decodeAPICall(ev events.CloudWatchEvent) ([]Update, error) {
	var ct cloudTrail
	if err := json.Unmarshal(ev.Detail, &ct); err != nil {
		return nil, fmt.Errorf("decoding %s event %s: %w", ev.DetailType, ev.ID, err)
	}
	if ct.EventSource != "ec2.amazonaws.com" {
		return nil, fmt.Errorf("%w: CloudTrail event %s from %s", ErrIgnored, ct.EventName, ct.EventSource)
	}
	decode, ok := decoders[ct.EventName]
	if !ok {
		return nil, fmt.Errorf("%w: CloudTrail event %s", ErrIgnored, ct.EventName)
	}
	if ct.ErrorCode != "" {
		return nil, fmt.Errorf("%w: %s failed with %s", ErrIgnored, ct.EventName, ct.ErrorCode)
	}
	m := baseMeta(ev)
	m.Name = ct.EventName
	if !ct.EventTime.IsZero() {
		m.Time = ct.EventTime.UTC()
	}
	if ct.RecipientAccountID != "" {
		m.Account = ct.RecipientAccountID
	}
	if ct.AWSRegion != "" {
		m.Region = ct.AWSRegion
	}
	ups, err := decode(m, &ct)
	if err != nil {
		return nil, fmt.Errorf("decoding %s event %s: %w", ct.EventName, ev.ID, err)
	}
	return ups, nil
}

// unwrap returns the parameters of a request or response that CloudTrail
// wrapped in a single "<Operation>Request" or "<Operation>Response" key.
func unwrap(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return raw
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return raw
	}
	for k, v := range m {
		v = bytes.TrimSpace(v)
		if (strings.HasSuffix(k, "Request") || strings.HasSuffix(k, "Response")) && len(v) > 0 && v[0] == '{' {
			return v
		}
	}
	return raw
}

// parse decodes request parameters or response elements into v; absent
// ones leave v as it is.
func parse(raw json.RawMessage, v any) error {
	raw = unwrap(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// list is an EC2 list as CloudTrail renders it; see the package
// documentation.
type list []json.RawMessage

func (l *list) UnmarshalJSON(b []byte) error {
	*l = nil
	return l.add(bytes.TrimSpace(b))
}

func isWrapper(key string) bool {
	return key == "item" || key == "items" || key == "member" || strings.HasSuffix(key, "SetType")
}

func (l *list) add(b []byte) error {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	switch b[0] {
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return err
		}
		for _, e := range elems {
			*l = append(*l, bytes.TrimSpace(e))
		}
		return nil
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		if len(m) == 0 {
			return nil
		}
		if len(m) == 1 {
			for k, v := range m {
				if v = bytes.TrimSpace(v); isWrapper(k) || (len(v) > 0 && v[0] == '[') {
					return l.add(v)
				}
			}
		}
	}
	*l = append(*l, b)
	return nil
}

// addrFields are the element fields that hold an address or prefix.
var addrFields = []string{"privateIpAddress", "ipv6Address", "publicIp", "ipv4Prefix", "ipv6Prefix", "address", "value", "content"}

// prefixes returns the addresses (as /32 or /128) and prefixes of a list
// whose elements are strings or objects with one of addrFields.
func (l list) prefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, e := range l {
		var s string
		if len(e) > 0 && e[0] == '"' {
			if err := json.Unmarshal(e, &s); err != nil {
				return nil, err
			}
		} else {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(e, &m); err != nil {
				return nil, fmt.Errorf("list element %s: %w", e, err)
			}
			for _, f := range addrFields {
				if v, ok := lookupFold(m, f); ok && json.Unmarshal(v, &s) == nil && s != "" {
					break
				}
			}
		}
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// lookupFold finds a key as encoding/json matches field names: exactly,
// else ignoring case.
func lookupFold(m map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parseAddr(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	return a.Unmap().WithZone(""), nil
}

// addrsOf joins the prefixes of lists, without duplicates, in order.
func addrsOf(ls ...list) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, l := range ls {
		ps, err := l.prefixes()
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// networkInterface is the networkInterface of a CreateNetworkInterface
// response.
type networkInterface struct {
	NetworkInterfaceID    string `json:"networkInterfaceId"`
	SubnetID              string `json:"subnetId"`
	VPCID                 string `json:"vpcId"`
	AvailabilityZone      string `json:"availabilityZone"`
	AvailabilityZoneID    string `json:"availabilityZoneId"`
	Description           string `json:"description"`
	OwnerID               string `json:"ownerId"`
	RequesterID           string `json:"requesterId"`
	RequesterManaged      bool   `json:"requesterManaged"`
	Status                string `json:"status"`
	InterfaceType         string `json:"interfaceType"`
	PrivateIPAddress      string `json:"privateIpAddress"`
	GroupSet              list   `json:"groupSet"`
	PrivateIPAddressesSet list   `json:"privateIpAddressesSet"`
	IPv6AddressesSet      list   `json:"ipv6AddressesSet"`
	IPv4PrefixSet         list   `json:"ipv4PrefixSet"`
	IPv6PrefixSet         list   `json:"ipv6PrefixSet"`
	TagSet                list   `json:"tagSet"`
	Association           *struct {
		PublicIP string `json:"publicIp"`
	} `json:"association"`
}

func decodeCreateNetworkInterface(m Meta, ct *cloudTrail) ([]Update, error) {
	var resp struct {
		NetworkInterface *networkInterface `json:"networkInterface"`
	}
	if err := parse(ct.ResponseElements, &resp); err != nil {
		return nil, err
	}
	ni := resp.NetworkInterface
	if ni == nil || ni.NetworkInterfaceID == "" {
		return nil, errors.New("no network interface in the response")
	}
	iface := &inventory.Interface{
		ID:                 ni.NetworkInterfaceID,
		AccountID:          ni.OwnerID,
		Region:             inventory.RegionFromAZ(ni.AvailabilityZone),
		AvailabilityZone:   ni.AvailabilityZone,
		AvailabilityZoneID: ni.AvailabilityZoneID,
		VPCID:              ni.VPCID,
		SubnetID:           ni.SubnetID,
		InterfaceType:      ni.InterfaceType,
		Status:             ni.Status,
		RequesterID:        ni.RequesterID,
		RequesterManaged:   ni.RequesterManaged,
		Description:        ni.Description,
	}
	if iface.AccountID == "" {
		iface.AccountID = m.Account
	}
	if iface.Region == "" {
		iface.Region = m.Region
	}
	for _, g := range ni.GroupSet {
		var v struct {
			GroupID string `json:"groupId"`
		}
		if json.Unmarshal(g, &v) == nil && v.GroupID != "" {
			iface.SecurityGroupIDs = append(iface.SecurityGroupIDs, v.GroupID)
		}
	}
	for _, t := range ni.TagSet {
		var v struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		}
		if json.Unmarshal(t, &v) == nil && v.Key != "" {
			if iface.Tags == nil {
				iface.Tags = map[string]string{}
			}
			iface.Tags[v.Key] = v.Value
		}
	}
	if ni.PrivateIPAddress != "" {
		a, err := parseAddr(ni.PrivateIPAddress)
		if err != nil {
			return nil, err
		}
		iface.PrivateIPs = append(iface.PrivateIPs, a)
	}
	private, err := addrsOf(ni.PrivateIPAddressesSet)
	if err != nil {
		return nil, err
	}
	for _, p := range private {
		if !slices.Contains(iface.PrivateIPs, p.Addr()) {
			iface.PrivateIPs = append(iface.PrivateIPs, p.Addr())
		}
	}
	if ni.Association != nil && ni.Association.PublicIP != "" {
		a, err := parseAddr(ni.Association.PublicIP)
		if err != nil {
			return nil, err
		}
		iface.PublicIPs = append(iface.PublicIPs, a)
	}
	v6, err := addrsOf(ni.IPv6AddressesSet)
	if err != nil {
		return nil, err
	}
	for _, p := range v6 {
		iface.IPv6s = append(iface.IPv6s, p.Addr())
	}
	if iface.IPv4Prefixes, err = addrsOf(ni.IPv4PrefixSet); err != nil {
		return nil, err
	}
	if iface.IPv6Prefixes, err = addrsOf(ni.IPv6PrefixSet); err != nil {
		return nil, err
	}
	return []Update{InterfaceCreated{Meta: m, Interface: iface}}, nil
}

// interfaceRequest is the part common to the requests that name an
// interface.
type interfaceRequest struct {
	NetworkInterfaceID string `json:"networkInterfaceId"`
}

func decodeDeleteNetworkInterface(m Meta, ct *cloudTrail) ([]Update, error) {
	var req interfaceRequest
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, err
	}
	if req.NetworkInterfaceID == "" {
		return nil, errors.New("no networkInterfaceId in the request")
	}
	return []Update{InterfaceDeleted{Meta: m, InterfaceID: req.NetworkInterfaceID}}, nil
}

func decodeAttachNetworkInterface(m Meta, ct *cloudTrail) ([]Update, error) {
	var req struct {
		NetworkInterfaceID string `json:"networkInterfaceId"`
		InstanceID         string `json:"instanceId"`
		DeviceIndex        int    `json:"deviceIndex"`
	}
	var resp struct {
		AttachmentID string `json:"attachmentId"`
	}
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, err
	}
	if err := parse(ct.ResponseElements, &resp); err != nil {
		return nil, err
	}
	if req.NetworkInterfaceID == "" || req.InstanceID == "" {
		return nil, errors.New("no networkInterfaceId or instanceId in the request")
	}
	return []Update{InterfaceAttached{Meta: m, InterfaceID: req.NetworkInterfaceID, InstanceID: req.InstanceID, AttachmentID: resp.AttachmentID, DeviceIndex: req.DeviceIndex}}, nil
}

func decodeDetachNetworkInterface(m Meta, ct *cloudTrail) ([]Update, error) {
	var req struct {
		AttachmentID string `json:"attachmentId"`
		Force        bool   `json:"force"`
	}
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, err
	}
	if req.AttachmentID == "" {
		return nil, errors.New("no attachmentId in the request")
	}
	return []Update{InterfaceDetached{Meta: m, AttachmentID: req.AttachmentID, Force: req.Force}}, nil
}

// addressRequest holds the fields of the assign and unassign requests and
// responses; each operation uses some of them.
type addressRequest struct {
	NetworkInterfaceID string `json:"networkInterfaceId"`

	PrivateIPAddressesSet          list `json:"privateIpAddressesSet"`
	PrivateIPAddress               list `json:"privateIpAddress"`
	SecondaryPrivateIPAddressCount int  `json:"secondaryPrivateIpAddressCount"`
	IPv4Prefix                     list `json:"ipv4Prefix"`
	IPv4Prefixes                   list `json:"ipv4Prefixes"`
	IPv4PrefixCount                int  `json:"ipv4PrefixCount"`

	IPv6Addresses    list `json:"ipv6Addresses"`
	IPv6AddressesSet list `json:"ipv6AddressesSet"`
	IPv6AddressCount int  `json:"ipv6AddressCount"`
	IPv6Prefix       list `json:"ipv6Prefix"`
	IPv6Prefixes     list `json:"ipv6Prefixes"`
	IPv6PrefixCount  int  `json:"ipv6PrefixCount"`
}

type addressResponse struct {
	NetworkInterfaceID            string `json:"networkInterfaceId"`
	AssignedPrivateIPAddressesSet list   `json:"assignedPrivateIpAddressesSet"`
	AssignedIPv4PrefixSet         list   `json:"assignedIpv4PrefixSet"`
	AssignedIPv6Addresses         list   `json:"assignedIpv6Addresses"`
	AssignedIPv6PrefixSet         list   `json:"assignedIpv6PrefixSet"`
	UnassignedIPv6Addresses       list   `json:"unassignedIpv6Addresses"`
	UnassignedIPv6PrefixSet       list   `json:"unassignedIpv6PrefixSet"`
}

func parseAddressCall(ct *cloudTrail) (*addressRequest, *addressResponse, string, error) {
	var req addressRequest
	var resp addressResponse
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, nil, "", err
	}
	if err := parse(ct.ResponseElements, &resp); err != nil {
		return nil, nil, "", err
	}
	id := req.NetworkInterfaceID
	if id == "" {
		id = resp.NetworkInterfaceID
	}
	if id == "" {
		return nil, nil, "", errors.New("no networkInterfaceId in the request")
	}
	return &req, &resp, id, nil
}

// assigned prefers what the response says was assigned to what the request
// asked for: requests by count name nothing.
func assigned(m Meta, id string, requested int, fromResponse, fromRequest []list) ([]Update, error) {
	addrs, err := addrsOf(fromResponse...)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		if addrs, err = addrsOf(fromRequest...); err != nil {
			return nil, err
		}
	}
	if len(addrs) == 0 && requested == 0 {
		return nil, errors.New("no addresses in the request or the response")
	}
	return []Update{AddressesAssigned{Meta: m, InterfaceID: id, Addrs: addrs, Requested: requested}}, nil
}

func unassigned(m Meta, id string, fromResponse, fromRequest []list) ([]Update, error) {
	addrs, err := addrsOf(fromResponse...)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		if addrs, err = addrsOf(fromRequest...); err != nil {
			return nil, err
		}
	}
	if len(addrs) == 0 {
		return nil, errors.New("no addresses in the request or the response")
	}
	return []Update{AddressesUnassigned{Meta: m, InterfaceID: id, Addrs: addrs}}, nil
}

func decodeAssignPrivateIPAddresses(m Meta, ct *cloudTrail) ([]Update, error) {
	req, resp, id, err := parseAddressCall(ct)
	if err != nil {
		return nil, err
	}
	return assigned(m, id, req.SecondaryPrivateIPAddressCount+req.IPv4PrefixCount,
		[]list{resp.AssignedPrivateIPAddressesSet, resp.AssignedIPv4PrefixSet},
		[]list{req.PrivateIPAddressesSet, req.PrivateIPAddress, req.IPv4Prefix, req.IPv4Prefixes})
}

func decodeUnassignPrivateIPAddresses(m Meta, ct *cloudTrail) ([]Update, error) {
	req, _, id, err := parseAddressCall(ct)
	if err != nil {
		return nil, err
	}
	return unassigned(m, id, nil, []list{req.PrivateIPAddressesSet, req.PrivateIPAddress, req.IPv4Prefix, req.IPv4Prefixes})
}

func decodeAssignIPv6Addresses(m Meta, ct *cloudTrail) ([]Update, error) {
	req, resp, id, err := parseAddressCall(ct)
	if err != nil {
		return nil, err
	}
	return assigned(m, id, req.IPv6AddressCount+req.IPv6PrefixCount,
		[]list{resp.AssignedIPv6Addresses, resp.AssignedIPv6PrefixSet},
		[]list{req.IPv6Addresses, req.IPv6AddressesSet, req.IPv6Prefix, req.IPv6Prefixes})
}

func decodeUnassignIPv6Addresses(m Meta, ct *cloudTrail) ([]Update, error) {
	req, resp, id, err := parseAddressCall(ct)
	if err != nil {
		return nil, err
	}
	return unassigned(m, id,
		[]list{resp.UnassignedIPv6Addresses, resp.UnassignedIPv6PrefixSet},
		[]list{req.IPv6Addresses, req.IPv6AddressesSet, req.IPv6Prefix, req.IPv6Prefixes})
}

func decodeAssociateAddress(m Meta, ct *cloudTrail) ([]Update, error) {
	var req struct {
		AllocationID       string `json:"allocationId"`
		InstanceID         string `json:"instanceId"`
		NetworkInterfaceID string `json:"networkInterfaceId"`
		PrivateIPAddress   string `json:"privateIpAddress"`
		PublicIP           string `json:"publicIp"`
	}
	var resp struct {
		AssociationID string `json:"associationId"`
	}
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, err
	}
	if err := parse(ct.ResponseElements, &resp); err != nil {
		return nil, err
	}
	u := AddressAssociated{Meta: m, AllocationID: req.AllocationID, AssociationID: resp.AssociationID, InstanceID: req.InstanceID, InterfaceID: req.NetworkInterfaceID}
	var err error
	if u.PrivateIP, err = parseAddr(req.PrivateIPAddress); err != nil {
		return nil, err
	}
	if u.PublicIP, err = parseAddr(req.PublicIP); err != nil {
		return nil, err
	}
	if u.AllocationID == "" && !u.PublicIP.IsValid() {
		return nil, errors.New("no allocationId or publicIp in the request")
	}
	return []Update{u}, nil
}

func decodeDisassociateAddress(m Meta, ct *cloudTrail) ([]Update, error) {
	var req struct {
		AssociationID string `json:"associationId"`
		PublicIP      string `json:"publicIp"`
	}
	if err := parse(ct.RequestParameters, &req); err != nil {
		return nil, err
	}
	u := AddressDisassociated{Meta: m, AssociationID: req.AssociationID}
	var err error
	if u.PublicIP, err = parseAddr(req.PublicIP); err != nil {
		return nil, err
	}
	if u.AssociationID == "" && !u.PublicIP.IsValid() {
		return nil, errors.New("no associationId or publicIp in the request")
	}
	return []Update{u}, nil
}
