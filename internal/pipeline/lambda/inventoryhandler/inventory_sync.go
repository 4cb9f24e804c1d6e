package inventoryhandler

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
)

// InventorySyncHandler runs the full inventory sync on an EventBridge
// schedule. Unless Syncer.Replay is set, the sync replays CloudTrail's
// record of the inventory's API calls through an InventoryHandler on the
// same store (the function needs cloudtrail:LookupEvents).
type InventorySyncHandler struct {
	Syncer *inventorysync.Syncer
	// Base is the Lambda's own configuration; Targets the accounts and
	// regions to sync, each through its role when it has one.
	Base    aws.Config
	Targets []inventorysync.Target
	Logger  *slog.Logger
}

// HandleInventorySync syncs every target and logs one report per target. A
// target that fails does not stop the others; the returned error joins
// their errors.
func (h *InventorySyncHandler) HandleInventorySync(ctx context.Context, ev events.CloudWatchEvent) error {
	log := h.Logger
	if log == nil {
		log = slog.Default()
	}
	syncer := *h.Syncer
	if syncer.Replay == nil {
		// The past API calls that CloudTrail holds are applied as the
		// events would have been.
		replay := &InventoryHandler{Store: syncer.Store, EC2: EC2For(h.Base, h.Targets), Logger: log}
		syncer.Replay = replay.HandleInventoryEvent
	}
	reports, err := syncer.SyncAll(ctx, h.Base, h.Targets)
	for _, r := range reports {
		log.InfoContext(ctx, "inventory sync", "event_id", ev.ID,
			"account", r.Target.AccountID, "region", r.Target.Region, "role", r.Target.RoleARN,
			"interfaces", r.Interfaces, "resources", r.Resources, "pages", r.Pages,
			"interfaces_written", r.InterfacesWritten, "opened", r.Opened, "closed", r.Closed,
			"refreshed", r.Refreshed, "deleted", r.Deleted, "tags_written", r.TagsWritten, "stale", r.Stale,
			"replayed", r.Replayed, "replay_pages", r.ReplayPages, "replay_truncated", r.ReplayTruncated, "replay_error", r.ReplayError)
	}
	if err != nil {
		log.ErrorContext(ctx, "inventory sync failed", "event_id", ev.ID, "error", err)
	}
	return err
}

// EC2For returns an InventoryHandler.EC2 function: an account that one of
// targets names is reached through that target's role, any other through
// base. Clients are built once per account and region.
func EC2For(base aws.Config, targets []inventorysync.Target) func(ctx context.Context, account, region string) (EC2API, error) {
	byAccount := make(map[string]inventorysync.Target)
	for _, t := range targets {
		if a := t.Account(); a != "" && t.RoleARN != "" {
			byAccount[a] = t
		}
	}
	var mu sync.Mutex
	clients := make(map[string]EC2API)
	return func(ctx context.Context, account, region string) (EC2API, error) {
		mu.Lock()
		defer mu.Unlock()
		k := account + "/" + region
		if c, ok := clients[k]; ok {
			return c, nil
		}
		t := byAccount[account]
		t.Region = region
		c := ec2.NewFromConfig(inventorysync.ConfigFor(base, t))
		clients[k] = c
		return c, nil
	}
}
