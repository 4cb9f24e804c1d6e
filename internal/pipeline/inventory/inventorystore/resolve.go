package inventorystore

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"sync"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// Resolve is ResolveAt for records of any time the cache's entries know.
func (c *Cache) Resolve(ctx context.Context, base *inventory.Inventory, addrs []netip.Addr) (*inventory.Inventory, error) {
	return c.ResolveAt(ctx, base, addrs, time.Time{})
}

// ResolveAt returns an inventory for one batch of flow records whose latest
// start time is latest: a clone of base (typically holding ip-ranges.json;
// nil for none) to which it adds every range of the given addresses, each
// with the interface's facts and the tags of the interface and of the
// resource behind it as they were over that range, all read through the
// cache. base is not modified. Enrich the batch against the result: its
// lookups are in memory and lock-free, and each record gets the owner, the
// facts and the tags of its own start time.
//
// Ranges of delegated prefixes are added as prefixes, so addresses of the
// batch that fall in the same prefix share them. Where a range's facts or
// tags changed, it is split there; an address between two owners' ranges
// is owned by no interface.
func (c *Cache) ResolveAt(ctx context.Context, base *inventory.Inventory, addrs []netip.Addr, latest time.Time) (*inventory.Inventory, error) {
	var inv *inventory.Inventory
	if base != nil {
		inv = base.Clone()
	} else {
		inv = inventory.New()
	}

	distinct := make([]netip.Addr, 0, len(addrs))
	seen := make(map[netip.Addr]bool, len(addrs))
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		if a.IsValid() && !seen[a] {
			seen[a] = true
			distinct = append(distinct, a)
		}
	}
	owned := make([][]Owned, len(distinct))
	if err := c.each(ctx, len(distinct), func(ctx context.Context, i int) error {
		os, err := c.Ownership(ctx, distinct[i], latest)
		owned[i] = os
		return err
	}); err != nil {
		return nil, err
	}

	// Periods, once each (addresses of one delegated prefix share its).
	var periods []Owned
	done := make(map[Owned]bool)
	var enis []string
	eniSeen := make(map[string]bool)
	for _, os := range owned {
		for _, o := range os {
			if done[o] {
				continue
			}
			done[o] = true
			periods = append(periods, o)
			if !eniSeen[o.InterfaceID] {
				eniSeen[o.InterfaceID] = true
				enis = append(enis, o.InterfaceID)
			}
		}
	}
	hists := make([]*History, len(enis))
	if err := c.each(ctx, len(enis), func(ctx context.Context, i int) error {
		h, err := c.History(ctx, enis[i], latest)
		hists[i] = h
		return err
	}); err != nil {
		return nil, err
	}
	histOf := make(map[string]*History, len(enis))
	for i, id := range enis {
		histOf[id] = hists[i]
	}

	var ranges []Range
	var arns []string
	arnSeen := make(map[string]bool)
	wantTags := func(arn string) {
		if arn != "" && !arnSeen[arn] {
			arnSeen[arn] = true
			arns = append(arns, arn)
		}
	}
	for _, o := range periods {
		for _, r := range histOf[o.InterfaceID].Split(o) {
			ranges = append(ranges, r)
			if r.Interface.AccountID != "" && r.Interface.Region != "" {
				wantTags(r.Interface.ARN())
			}
			wantTags(r.ResourceARN)
		}
	}
	tags := make([]TagHistory, len(arns))
	if err := c.each(ctx, len(arns), func(ctx context.Context, i int) error {
		t, err := c.TagHistory(ctx, arns[i], latest)
		tags[i] = t
		return err
	}); err != nil {
		return nil, err
	}
	tagsOf := make(map[string]TagHistory, len(arns))
	for i, arn := range arns {
		tagsOf[arn] = tags[i]
	}

	for i := range ranges {
		addRange(inv, &ranges[i], tagsOf)
	}
	return inv, nil
}

// addRange adds a range to an inventory, split where the tags of the
// interface or of its resource changed, each part with an interface that
// carries the tags of its time: those of the interface ARN, overridden by
// those of the resource ARN, as package attribution merges them.
func addRange(inv *inventory.Inventory, r *Range, tagsOf map[string]TagHistory) {
	var eniTags, resTags TagHistory
	if r.Interface.AccountID != "" && r.Interface.Region != "" {
		eniTags = tagsOf[r.Interface.ARN()]
	}
	if r.ResourceARN != "" && (r.Interface.AccountID == "" || r.ResourceARN != r.Interface.ARN()) {
		resTags = tagsOf[r.ResourceARN]
	}
	points := []time.Time{r.From}
	points = append(points, eniTags.Changes(r.From, r.To)...)
	points = append(points, resTags.Changes(r.From, r.To)...)
	sortTimes(points[1:])
	for i, from := range points {
		to := r.To
		if i+1 < len(points) {
			to = points[i+1]
			if !to.After(from) {
				continue
			}
		}
		iface := r.Interface
		if t := mergeTags(eniTags.At(from), resTags.At(from)); len(t) > 0 {
			c := copyInterface(r.Interface)
			c.Tags = t
			iface = c
		}
		if r.Key.IsSingleIP() {
			inv.Add(iface, r.Key.Addr(), from, to)
		} else {
			inv.AddPrefix(iface, r.Key, from, to)
		}
	}
}

func copyInterface(i *inventory.Interface) *inventory.Interface {
	return &inventory.Interface{
		ID: i.ID, AccountID: i.AccountID, Region: i.Region, AvailabilityZone: i.AvailabilityZone,
		AvailabilityZoneID: i.AvailabilityZoneID, VPCID: i.VPCID, SubnetID: i.SubnetID,
		SecurityGroupIDs: i.SecurityGroupIDs, InterfaceType: i.InterfaceType, Status: i.Status,
		RequesterID: i.RequesterID, RequesterManaged: i.RequesterManaged, Description: i.Description,
		InstanceID: i.InstanceID, InstanceOwnerID: i.InstanceOwnerID, AttachTime: i.AttachTime,
		AttachmentStatus: i.AttachmentStatus, PrivateIPs: i.PrivateIPs, PublicIPs: i.PublicIPs,
		IPv6s: i.IPv6s, IPv4Prefixes: i.IPv4Prefixes, IPv6Prefixes: i.IPv6Prefixes,
		Tags: i.Tags, ResourceARN: i.ResourceARN,
	}
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// mergeTags merges tag maps, later ones winning.
func mergeTags(ms ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range ms {
		if len(m) == 0 {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
			continue
		}
		maps.Copy(out, m)
	}
	return out
}

// each runs f for 0..n-1 on up to Concurrency goroutines and returns the
// errors it returned.
func (c *Cache) each(ctx context.Context, n int, f func(context.Context, int) error) error {
	if n == 0 {
		return nil
	}
	workers := min(c.opts.Concurrency, n)
	next := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				if err := f(ctx, i); err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}
