// Package inventorystore keeps the enrichment inventory in one DynamoDB
// table, so that events can keep it current between full syncs and any
// Lambda instance can read it: which network interface owned an address
// over time, what is known about each interface and the resource behind it,
// and the tags of every resource.
//
// # Keys
//
// Every item has a string partition key PK and a string sort key SK
// (KEYS.md beside this file lists every attribute):
//
//	PK                          SK                              item
//	IP#<addr or prefix>         ENI#<eni-id>                    ownership head: open range of the address, or the last close
//	IP#<addr or prefix>         FROM#<from ms, 13 digits>#ENI#<eni-id>  closed ownership range, expires (ttl)
//	ENI#<eni-id>                META                            interface facts, resource, address set, tombstone
//	ARN#<arn>                   TAGS                            tags of a resource
//	SCOPE#<account>#<region>    ENI#<eni-id>                    interfaces known in an account and region
//	INSTANCE#<instance-id>      ENI#<eni-id>                    interfaces attached to an instance
//	ATTACH#<attachment-id>      META                            interface of an attachment (DetachNetworkInterface names only the attachment)
//	EIPASSOC#<association-id>   META                            public address and interface of an Elastic IP association
//
// An address is a single IPv4 or IPv6 address (IP#10.0.1.5) or a prefix
// delegated to an interface (IP#10.0.1.16/28, IP#2600:1f18:a:b:1::/80):
// LookupIP therefore reads the address and the /28 or /80 that contains it,
// the sizes AWS delegates.
//
// # Ranges
//
// Ownership of an address by an interface is a half-open time range
// [from, to). The head item of an (address, interface) pair holds "from"
// while the range is open and "closed", the end of its latest range, after.
// Opening is a conditional write that succeeds only when the head is absent
// or its latest range ended at or before the new start, so a late or
// replayed event cannot reopen a range that was closed after it, and a head
// that is open is never opened twice. Closing first writes the closed range
// under its start time (a conditional put, so a replay writes nothing new)
// and then closes the head on the condition that it still holds that start.
// Should the second write not happen, Ranges sees an open head and a closed
// range with the same start and reports the range as closed.
//
// Every write is conditional on event time: interface facts carry "updated"
// and are not replaced by older descriptions, tags carry "updated" and the
// tag-change "version". Times stored are event times, never the clock of the
// writer, so applying the same event twice leaves every item as it was.
//
// # Expiry
//
// Closed ranges, closed heads and deleted interfaces get a numeric "ttl"
// attribute (epoch seconds, the close time plus Options.Retention) so that
// DynamoDB deletes them once flow records of that age are no longer
// enriched. DynamoDB deletes expired items within days, not at once; readers
// do not depend on it.
//
// # Reading in a Lambda
//
// The enricher looks addresses up millions of times a second, far too often
// for a remote store. Cache is a bounded read-through cache with per-entry
// expiry and negative caching; Cache.Resolve takes the distinct addresses of
// a batch of flow records and returns an inventory.Inventory (a clone of a
// base holding ip-ranges.json) that holds their ranges, interfaces and tags,
// which the batch is then enriched against. A warm Lambda resolves a batch
// of already seen addresses without reading DynamoDB.
package inventorystore
