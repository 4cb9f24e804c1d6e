package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// The structs below mirror the parts of the AWS CLI output that are used.

type tagJSON struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type associationJSON struct {
	PublicIP string `json:"PublicIp"`
}

type networkInterfaceJSON struct {
	NetworkInterfaceID string           `json:"NetworkInterfaceId"`
	InterfaceType      string           `json:"InterfaceType"`
	Status             string           `json:"Status"`
	RequesterID        string           `json:"RequesterId"`
	RequesterManaged   bool             `json:"RequesterManaged"`
	Description        string           `json:"Description"`
	SubnetID           string           `json:"SubnetId"`
	VPCID              string           `json:"VpcId"`
	AvailabilityZone   string           `json:"AvailabilityZone"`
	AvailabilityZoneID string           `json:"AvailabilityZoneId"`
	OwnerID            string           `json:"OwnerId"`
	PrivateIPAddress   string           `json:"PrivateIpAddress"`
	Association        *associationJSON `json:"Association"`
	PrivateIPAddresses []struct {
		PrivateIPAddress string           `json:"PrivateIpAddress"`
		Association      *associationJSON `json:"Association"`
	} `json:"PrivateIpAddresses"`
	IPv6Address   string `json:"Ipv6Address"`
	IPv6Addresses []struct {
		IPv6Address string `json:"Ipv6Address"`
	} `json:"Ipv6Addresses"`
	IPv4Prefixes []struct {
		IPv4Prefix string `json:"Ipv4Prefix"`
	} `json:"Ipv4Prefixes"`
	IPv6Prefixes []struct {
		IPv6Prefix string `json:"Ipv6Prefix"`
	} `json:"Ipv6Prefixes"`
	Groups []struct {
		GroupID string `json:"GroupId"`
	} `json:"Groups"`
	Attachment *struct {
		InstanceID      string `json:"InstanceId"`
		InstanceOwnerID string `json:"InstanceOwnerId"`
		AttachTime      string `json:"AttachTime"`
		Status          string `json:"Status"`
	} `json:"Attachment"`
	TagSet []tagJSON `json:"TagSet"`
}

type describeNetworkInterfacesJSON struct {
	NetworkInterfaces []networkInterfaceJSON `json:"NetworkInterfaces"`
}

type resourceTagMappingJSON struct {
	ResourceARN string    `json:"ResourceARN"`
	Tags        []tagJSON `json:"Tags"`
}

type getResourcesJSON struct {
	ResourceTagMappingList []resourceTagMappingJSON `json:"ResourceTagMappingList"`
}

type ipPrefixJSON struct {
	IPPrefix           string `json:"ip_prefix"`
	IPv6Prefix         string `json:"ipv6_prefix"`
	Region             string `json:"region"`
	Service            string `json:"service"`
	NetworkBorderGroup string `json:"network_border_group"`
}

type ipRangesJSON struct {
	Prefixes     []ipPrefixJSON `json:"prefixes"`
	IPv6Prefixes []ipPrefixJSON `json:"ipv6_prefixes"`
}

// decodeEach decodes every top-level JSON value of r, so that pages printed
// one after another load like a single document. Each value is handed to
// object when it is a JSON object and to list when it is an array.
func decodeEach(r io.Reader, object, list func(json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		switch t := bytes.TrimSpace(raw); {
		case len(t) > 0 && t[0] == '{':
			if err := object(t); err != nil {
				return err
			}
		case len(t) > 0 && t[0] == '[':
			if err := list(t); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected JSON value %.20q: want an object or an array", t)
		}
	}
}

// LoadNetworkInterfaces adds the output of aws ec2 describe-network-interfaces
// (the {"NetworkInterfaces": [...]} document or the bare list) as a snapshot
// taken at observedAt: every address is owned from then on, open-ended. A
// zero observedAt makes the snapshot hold for all earlier times too, which
// suits a first load with no history behind it.
func (inv *Inventory) LoadNetworkInterfaces(r io.Reader, observedAt time.Time) error {
	var all []networkInterfaceJSON
	err := decodeEach(r,
		func(raw json.RawMessage) error {
			var doc describeNetworkInterfacesJSON
			if err := json.Unmarshal(raw, &doc); err != nil {
				return err
			}
			all = append(all, doc.NetworkInterfaces...)
			return nil
		},
		func(raw json.RawMessage) error {
			var list []networkInterfaceJSON
			if err := json.Unmarshal(raw, &list); err != nil {
				return err
			}
			all = append(all, list...)
			return nil
		})
	if err != nil {
		return fmt.Errorf("decoding describe-network-interfaces output: %w", err)
	}
	ifaces := make([]*Interface, 0, len(all))
	for i := range all {
		iface, err := all[i].toInterface()
		if err != nil {
			return err
		}
		ifaces = append(ifaces, iface)
	}
	for _, iface := range ifaces {
		for _, a := range iface.Addrs() {
			inv.add(iface, a, observedAt, time.Time{})
		}
		for _, p := range iface.IPv4Prefixes {
			inv.addPrefix(iface, p, observedAt, time.Time{})
		}
		for _, p := range iface.IPv6Prefixes {
			inv.addPrefix(iface, p, observedAt, time.Time{})
		}
		inv.index(iface)
	}
	inv.touch()
	return nil
}

func (j *networkInterfaceJSON) toInterface() (*Interface, error) {
	iface := &Interface{
		ID:                 j.NetworkInterfaceID,
		AccountID:          j.OwnerID,
		Region:             RegionFromAZ(j.AvailabilityZone),
		AvailabilityZone:   j.AvailabilityZone,
		AvailabilityZoneID: j.AvailabilityZoneID,
		VPCID:              j.VPCID,
		SubnetID:           j.SubnetID,
		InterfaceType:      j.InterfaceType,
		Status:             j.Status,
		RequesterID:        j.RequesterID,
		RequesterManaged:   j.RequesterManaged,
		Description:        j.Description,
		Tags:               tagMap(j.TagSet),
	}
	for _, g := range j.Groups {
		iface.SecurityGroupIDs = append(iface.SecurityGroupIDs, g.GroupID)
	}
	if a := j.Attachment; a != nil {
		iface.InstanceID = a.InstanceID
		iface.InstanceOwnerID = a.InstanceOwnerID
		iface.AttachmentStatus = a.Status
		if a.AttachTime != "" {
			t, err := time.Parse(time.RFC3339, a.AttachTime)
			if err != nil {
				return nil, fmt.Errorf("network interface %s: parsing attach time: %w", j.NetworkInterfaceID, err)
			}
			iface.AttachTime = t.UTC()
		}
	}

	var errs []error
	addr := func(dst *[]netip.Addr, s string) {
		if s == "" {
			return
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, have := range *dst {
			if have == a {
				return
			}
		}
		*dst = append(*dst, a)
	}
	prefix := func(dst *[]netip.Prefix, s string) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			errs = append(errs, err)
			return
		}
		*dst = append(*dst, p.Masked())
	}
	addr(&iface.PrivateIPs, j.PrivateIPAddress)
	if j.Association != nil {
		addr(&iface.PublicIPs, j.Association.PublicIP)
	}
	for _, p := range j.PrivateIPAddresses {
		addr(&iface.PrivateIPs, p.PrivateIPAddress)
		if p.Association != nil {
			addr(&iface.PublicIPs, p.Association.PublicIP)
		}
	}
	addr(&iface.IPv6s, j.IPv6Address)
	for _, a := range j.IPv6Addresses {
		addr(&iface.IPv6s, a.IPv6Address)
	}
	for _, p := range j.IPv4Prefixes {
		prefix(&iface.IPv4Prefixes, p.IPv4Prefix)
	}
	for _, p := range j.IPv6Prefixes {
		prefix(&iface.IPv6Prefixes, p.IPv6Prefix)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("network interface %s: %w", j.NetworkInterfaceID, err)
	}
	return iface, nil
}

func tagMap(tags []tagJSON) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// LoadTags adds the output of aws resourcegroupstaggingapi get-resources
// (the {"ResourceTagMappingList": [...]} document or the bare list). Each
// listed resource's tags replace what was known for it.
func (inv *Inventory) LoadTags(r io.Reader) error {
	var all []resourceTagMappingJSON
	err := decodeEach(r,
		func(raw json.RawMessage) error {
			var doc getResourcesJSON
			if err := json.Unmarshal(raw, &doc); err != nil {
				return err
			}
			all = append(all, doc.ResourceTagMappingList...)
			return nil
		},
		func(raw json.RawMessage) error {
			var list []resourceTagMappingJSON
			if err := json.Unmarshal(raw, &list); err != nil {
				return err
			}
			all = append(all, list...)
			return nil
		})
	if err != nil {
		return fmt.Errorf("decoding get-resources output: %w", err)
	}
	for _, m := range all {
		if m.ResourceARN == "" {
			continue
		}
		if tags := tagMap(m.Tags); tags != nil {
			inv.tags[m.ResourceARN] = tags
		} else {
			delete(inv.tags, m.ResourceARN)
		}
	}
	inv.touch()
	return nil
}

// LoadIPRanges replaces the AWS service ranges with those of an
// ip-ranges.json document (or a bare list of its prefix objects).
//
// An address resolves to the longest matching prefix among the specific
// service codes (S3, DYNAMODB, EC2, ...) and only falls back to AMAZON, the
// code every range is also published under, when no specific prefix covers
// it. When services share the very same prefix, any other service wins over
// EC2, because AWS lists ranges that services run on EC2 capacity under both
// codes while only that service uses them; remaining ties go to the
// alphabetically first code.
func (inv *Inventory) LoadIPRanges(r io.Reader) error {
	var all []ipPrefixJSON
	err := decodeEach(r,
		func(raw json.RawMessage) error {
			var doc ipRangesJSON
			if err := json.Unmarshal(raw, &doc); err != nil {
				return err
			}
			all = append(all, doc.Prefixes...)
			all = append(all, doc.IPv6Prefixes...)
			return nil
		},
		func(raw json.RawMessage) error {
			var list []ipPrefixJSON
			if err := json.Unmarshal(raw, &list); err != nil {
				return err
			}
			all = append(all, list...)
			return nil
		})
	if err != nil {
		return fmt.Errorf("decoding ip-ranges.json: %w", err)
	}
	ranges := make([]serviceRange, 0, len(all))
	for _, p := range all {
		s := p.IPPrefix
		if s == "" {
			s = p.IPv6Prefix
		}
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("decoding ip-ranges.json: prefix of %s in %s: %w", p.Service, p.Region, err)
		}
		ranges = append(ranges, serviceRange{
			prefix:             pfx.Masked(),
			service:            strings.ToUpper(p.Service),
			region:             p.Region,
			networkBorderGroup: p.NetworkBorderGroup,
		})
	}
	inv.ranges = buildRanges(ranges)
	inv.touch()
	return nil
}
