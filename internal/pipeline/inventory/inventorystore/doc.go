// Package inventorystore keeps the enrichment inventory in one DynamoDB
// table, so that events can keep it current between full syncs and any
// Lambda instance can read it: which network interface owned an address
// over time, what each interface was over time (attachment, facts,
// deletion), and the tags of every resource over time.
//
// # Keys
//
// Every item has a string partition key PK and a string sort key SK
// (KEYS.md beside this file lists every attribute):
//
//	PK                          SK                                   item
//	IP#<addr or prefix>         AT#<ms, 13 digits>#<C|O>#<eni-id>     ownership event: the interface gave the address up (C) or took it (O)
//	ENI#<eni-id>                F#<ms>#D                             a full description of the interface
//	ENI#<eni-id>                F#<ms>#A#0, F#<ms>#A#1<attach-id>    detached, attached
//	ENI#<eni-id>                F#<ms>#X                             deleted
//	ENI#<eni-id>                META                                 latest description, address set, deletion (for the handlers and the sync)
//	ARN#<arn>                   T#<ms>#<version, 20 digits>          the tags of a resource from a time on
//	SCOPE#<account>#<region>    ENI#<eni-id>                         interfaces known in an account and region
//	INSTANCE#<instance-id>      ENI#<eni-id>                         interfaces attached to an instance
//	ATTACH#<attachment-id>      META, END                            interface of an attachment, and its end
//	EIPASSOC#<association-id>   META, END                            public address and interface of an Elastic IP association, and its end
//
// An address is a single IPv4 or IPv6 address (IP#10.0.1.5) or a prefix
// delegated to an interface (IP#10.0.1.16/28, IP#2600:1f18:a:b:1::/80):
// lookups therefore read the address and the /28 or /80 that contains it,
// the sizes AWS delegates.
//
// # Events, not state
//
// Writes record what happened and when, keyed by the event's own time;
// reads fold them. Writing an event twice rewrites the same item, and the
// fold sorts by time, so events may arrive in any order and any number of
// times: the answer depends on the set of events only. There are no
// read-modify-write conditions on the ownership path.
//
// The ownership events of an address fold into periods (foldOwnership): an
// open by another interface ends the current owner's period at its time (a
// reassignment needs no unassignment), a close ends it when it is the
// owner's, and a close by anyone else is about a period already over. The
// periods of an interface are then cut at its deletion and split where its
// history changes its facts (History.Split): each part carries what the
// interface was then. An end that arrives before its start (a detachment
// before its attachment, a disassociation before its association) is kept
// under END and applied by the start when it comes.
//
// An address between two periods is owned by no interface.
//
// # Expiry
//
// Ownership events, histories and association items get a numeric "ttl"
// attribute (epoch seconds, the event time plus Options.Retention) so that
// DynamoDB deletes them once flow records of that age are no longer
// enriched. The open event of a period still open is refreshed by the sync
// (SyncInterface) before it expires. Deletion markers and tag versions are
// kept: they are few. DynamoDB deletes expired items within days, not at
// once; readers do not depend on it.
//
// # Reading in a Lambda
//
// The enricher looks addresses up millions of times a second, far too often
// for a remote store. Cache is a bounded read-through cache of the
// ownership of addresses, the histories of interfaces and the tags of
// ARNs, with per-entry expiry and negative caching; an entry read at T
// answers for records up to T less CacheOptions.Settle, and a batch with a
// later record reads it again. Cache.ResolveAt takes the distinct
// addresses of a batch of flow records and its latest record time and
// returns an inventory.Inventory (a clone of a base holding
// ip-ranges.json) that holds their ranges, each with the facts and tags of
// its time, which the batch is then enriched against. A warm Lambda
// resolves a batch of already seen addresses without reading DynamoDB.
package inventorystore
