// Package inventorysync runs the scheduled full sync of the inventory: it
// lists every network interface and every tagged resource of an account and
// region, in this account or in a source account through a role assumed
// with an external id, and writes them to the inventory store. Interfaces
// the store knows in that account and region that EC2 no longer lists are
// deleted there. The sync repairs whatever events were missed or could not
// be applied: it replays the inventory's API calls that CloudTrail still
// holds (LookupEvents, up to 90 days) at their own times, records
// attachments from the attachment time EC2 keeps, and records what it
// lists as of the sync's start.
package inventorysync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
)

// EC2API is the part of the EC2 client the sync uses.
type EC2API interface {
	DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, opts ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
}

// TaggingAPI is the part of the Resource Groups Tagging API client the sync
// uses.
type TaggingAPI interface {
	GetResources(ctx context.Context, in *resourcegroupstaggingapi.GetResourcesInput, opts ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// STSAPI tells which account credentials belong to.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Target is one account and region to sync.
type Target struct {
	// AccountID is the account; when empty it is taken from RoleARN, or
	// asked of STS.
	AccountID string
	Region    string
	// RoleARN is a role in the source account to assume; empty syncs with
	// the caller's own credentials.
	RoleARN string
	// ExternalID is passed to sts:AssumeRole; the role's trust policy
	// should require it (sts:ExternalId).
	ExternalID string
	// SessionName names the assumed-role session; default "vpcflow-inventory-sync".
	SessionName string
}

func (t Target) String() string {
	if t.RoleARN != "" {
		return fmt.Sprintf("%s/%s (%s)", t.AccountID, t.Region, t.RoleARN)
	}
	return t.AccountID + "/" + t.Region
}

// Clients are the AWS clients of one target.
type Clients struct {
	EC2     EC2API
	Tagging TaggingAPI
	STS     STSAPI
	// CloudTrail reads the past API calls the sync replays; nil skips
	// the replay.
	CloudTrail CloudTrailAPI
}

// ConfigFor returns the configuration of a target: base in the target's
// region, with, when the target has a RoleARN, temporary credentials of
// that role, assumed with the target's ExternalID and refreshed as they
// expire.
func ConfigFor(base aws.Config, t Target) aws.Config {
	cfg := base.Copy()
	if t.Region != "" {
		cfg.Region = t.Region
	}
	if t.RoleARN != "" {
		session := t.SessionName
		if session == "" {
			session = "vpcflow-inventory-sync"
		}
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), t.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
			if t.ExternalID != "" {
				o.ExternalID = aws.String(t.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg
}

// ClientsFor returns the clients of a target (see ConfigFor).
func ClientsFor(base aws.Config, t Target) Clients {
	cfg := ConfigFor(base, t)
	return Clients{
		EC2:        ec2.NewFromConfig(cfg),
		Tagging:    resourcegroupstaggingapi.NewFromConfig(cfg),
		STS:        sts.NewFromConfig(cfg),
		CloudTrail: cloudtrail.NewFromConfig(cfg),
	}
}

// Account returns the target's account: AccountID, else the account of
// RoleARN, else "".
func (t Target) Account() string {
	if t.AccountID != "" {
		return t.AccountID
	}
	if parts := strings.Split(t.RoleARN, ":"); len(parts) >= 6 {
		return parts[4]
	}
	return ""
}

// Report counts what one sync of a target did.
type Report struct {
	Target Target
	// Interfaces and Resources are how many interfaces and tagged
	// resources AWS listed, in Pages pages.
	Interfaces int
	Resources  int
	Pages      int
	// InterfacesWritten counts interfaces whose facts were written;
	// Opened, Closed and Refreshed count ranges.
	InterfacesWritten int
	Opened            int
	Closed            int
	Refreshed         int
	// Deleted counts interfaces the store knew that AWS no longer lists.
	Deleted int
	// TagsWritten counts resources whose tags were written.
	TagsWritten int
	// Stale counts descriptions of interfaces deleted before.
	Stale int
	// Replayed counts the CloudTrail events applied again, read in
	// ReplayPages pages; ReplayTruncated says MaxReplayPages stopped the
	// replay; ReplayError says why the replay failed, which does not stop
	// the rest of the sync.
	Replayed        int
	ReplayPages     int
	ReplayTruncated bool
	ReplayError     string
}

func (r *Report) add(ch inventorystore.Change) {
	if ch.Interface {
		r.InterfacesWritten++
	}
	r.Opened += ch.Opened
	r.Closed += ch.Closed
	r.Refreshed += ch.Refreshed
	if ch.Stale {
		r.Stale++
	}
}

// Syncer writes what AWS lists to the store.
type Syncer struct {
	Store *inventorystore.Store
	// Now is the clock; the sync's start is the time of everything it
	// writes. Default time.Now.
	Now func() time.Time
	// TagResourceTypes limits the tag sync to resource types
	// ("ec2:instance", "rds:db", ...); empty syncs the tags of every
	// resource type.
	TagResourceTypes []string
	// Replay applies the events read from CloudTrail; nil skips the
	// replay. InventorySyncHandler sets it to the inventory handler.
	Replay Replayer
	// ReplayWindow is how far back the replay reads CloudTrail, at most
	// MaxReplayWindow (90 days, what CloudTrail keeps); default
	// DefaultReplayWindow. A sync that runs every hour with a window of a
	// day replays each event many times, which changes nothing; set 90
	// days to heal everything CloudTrail holds.
	ReplayWindow time.Duration
	// MaxReplayPages bounds the LookupEvents calls of one sync of a
	// target (50 events a page, 2 calls a second); default
	// DefaultMaxReplayPages.
	MaxReplayPages int

	replayPace func(context.Context) error
}

// Sync syncs one target with its clients. When listing interfaces fails,
// nothing is deleted: only a complete listing says an interface is gone.
func (s *Syncer) Sync(ctx context.Context, t Target, c Clients) (Report, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	at := now().UTC()
	rep := Report{Target: t}
	if err := resolveAccount(ctx, &rep.Target, c); err != nil {
		return rep, err
	}
	t = rep.Target

	// The past first: what CloudTrail still holds, at its own times.
	if s.Replay != nil && c.CloudTrail != nil {
		if err := s.replay(ctx, t, c.CloudTrail, at, &rep); err != nil {
			rep.ReplayError = err.Error()
		}
	}

	seen := make(map[string]bool)
	p := ec2.NewDescribeNetworkInterfacesPaginator(c.EC2, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return rep, fmt.Errorf("listing network interfaces of %s: %w", t, err)
		}
		rep.Pages++
		for _, ni := range page.NetworkInterfaces {
			iface, attachmentID := FromEC2(ni, t.Region)
			if iface.ID == "" {
				continue
			}
			rep.Interfaces++
			seen[iface.ID] = true
			ch, err := s.Store.SyncInterface(ctx, iface, attachmentID, at)
			if err != nil {
				return rep, fmt.Errorf("syncing network interface %s of %s: %w", iface.ID, t, err)
			}
			rep.add(ch)
		}
	}

	known, err := s.Store.ScopeInterfaces(ctx, t.AccountID, t.Region)
	if err != nil {
		return rep, err
	}
	for _, id := range known {
		if seen[id] {
			continue
		}
		e, ok, err := s.Store.ENI(ctx, id)
		if err != nil {
			return rep, err
		}
		// An interface described after the sync started (by an event)
		// may be missing from a listing taken before it existed.
		if !ok || !e.Deleted.IsZero() || !e.Updated.Before(at) {
			continue
		}
		ch, err := s.Store.DeleteInterface(ctx, id, at)
		if err != nil {
			return rep, fmt.Errorf("deleting network interface %s of %s: %w", id, t, err)
		}
		rep.add(ch)
		rep.Deleted++
	}

	in := &resourcegroupstaggingapi.GetResourcesInput{ResourcesPerPage: aws.Int32(100), ResourceTypeFilters: s.TagResourceTypes}
	tp := resourcegroupstaggingapi.NewGetResourcesPaginator(c.Tagging, in)
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return rep, fmt.Errorf("listing tagged resources of %s: %w", t, err)
		}
		rep.Pages++
		for _, m := range page.ResourceTagMappingList {
			arn := aws.ToString(m.ResourceARN)
			if arn == "" {
				continue
			}
			rep.Resources++
			tags := make(map[string]string, len(m.Tags))
			for _, tag := range m.Tags {
				tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			written, err := s.Store.SyncTags(ctx, arn, tags, at)
			if err != nil {
				return rep, err
			}
			if written {
				rep.TagsWritten++
			}
		}
	}
	return rep, nil
}

// resolveAccount fills in the target's account from its role ARN or STS.
func resolveAccount(ctx context.Context, t *Target, c Clients) error {
	if t.AccountID = t.Account(); t.AccountID != "" {
		return nil
	}
	if c.STS == nil {
		return fmt.Errorf("syncing %s: no account id and no STS client to ask", t)
	}
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("finding the account of %s: %w", t, err)
	}
	t.AccountID = aws.ToString(out.Account)
	return nil
}

// SyncAll syncs every target, each with clients from base (see
// ClientsFor). A failing target does not stop the others; the errors are
// joined.
func (s *Syncer) SyncAll(ctx context.Context, base aws.Config, targets []Target) ([]Report, error) {
	reports := make([]Report, 0, len(targets))
	var errs []error
	for _, t := range targets {
		if t.Region == "" {
			t.Region = base.Region
		}
		rep, err := s.Sync(ctx, t, ClientsFor(base, t))
		reports = append(reports, rep)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return reports, errors.Join(errs...)
}
