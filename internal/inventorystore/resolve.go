package inventorystore

import (
	"context"
	"errors"
	"net/netip"
	"sync"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
)

// Resolve returns an inventory for one batch of flow records: a clone of
// base (typically holding ip-ranges.json; nil for none) to which it adds
// every range of the given addresses, their interfaces, and the tags of
// those interfaces and of the resources behind them, all read through the
// cache. base is not modified. Enrich the batch against the result: its
// lookups are in memory and lock-free.
//
// Ranges of delegated prefixes are added as prefixes, so addresses of the
// batch that fall in the same prefix share them.
//
// inventory.Inventory merges touching ranges of the same interface and
// keeps the newest facts for them, so an interface whose attachment
// changed resolves with its latest facts for the whole merged period; the
// store itself keeps each period's facts (Store.LookupIP).
func (c *Cache) Resolve(ctx context.Context, base *inventory.Inventory, addrs []netip.Addr) (*inventory.Inventory, error) {
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
	ranges := make([][]Range, len(distinct))
	if err := c.each(ctx, len(distinct), func(ctx context.Context, i int) error {
		rs, err := c.Ranges(ctx, distinct[i])
		ranges[i] = rs
		return err
	}); err != nil {
		return nil, err
	}

	type added struct {
		key  netip.Prefix
		eni  string
		from int64
	}
	done := make(map[added]bool)
	var arns []string
	arnSeen := make(map[string]bool)
	wantTags := func(arn string) {
		if arn != "" && !arnSeen[arn] {
			arnSeen[arn] = true
			arns = append(arns, arn)
		}
	}
	for _, rs := range ranges {
		for i := range rs {
			r := &rs[i]
			k := added{r.Key, r.InterfaceID, ms(r.From)}
			if done[k] {
				continue
			}
			done[k] = true
			if r.Key.IsSingleIP() {
				inv.Add(r.Interface, r.Key.Addr(), r.From, r.To)
			} else {
				inv.AddPrefix(r.Interface, r.Key, r.From, r.To)
			}
			if r.Interface.AccountID != "" && r.Interface.Region != "" {
				wantTags(r.Interface.ARN())
			}
			wantTags(r.ResourceARN)
		}
	}

	tags := make([]map[string]string, len(arns))
	if err := c.each(ctx, len(arns), func(ctx context.Context, i int) error {
		t, _, err := c.Tags(ctx, arns[i])
		tags[i] = t
		return err
	}); err != nil {
		return nil, err
	}
	for i, arn := range arns {
		if len(tags[i]) > 0 {
			inv.SetTags(arn, tags[i])
		}
	}
	return inv, nil
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
