package inventoryhandler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
)

// InventoryFromEnv builds the inventory function from its environment.
func InventoryFromEnv(ctx context.Context, getenv func(string) string) (func(context.Context, events.CloudWatchEvent) error, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	table := getenv(contract.EnvInventoryTable)
	if table == "" {
		return nil, fmt.Errorf("%s is required in mode %q", contract.EnvInventoryTable, contract.ModeInventory)
	}
	store := inventorystore.New(dynamodb.NewFromConfig(cfg), table, inventorystore.Options{})
	targets, err := InventoryTargets(cfg.Region, getenv)
	if err != nil {
		return nil, err
	}
	events := &InventoryHandler{Store: store, EC2: EC2For(cfg, targets)}
	sync := &InventorySyncHandler{Syncer: &inventorysync.Syncer{Store: store}, Base: cfg, Targets: targets}
	return routeInventoryEvent(events.HandleInventoryEvent, sync.HandleInventorySync), nil
}

// InventoryTargets returns the accounts the inventory function reads: its
// own, and every source role in the function's region, each with its
// external ID.
func InventoryTargets(region string, getenv func(string) string) ([]inventorysync.Target, error) {
	ids := map[string]string{}
	if s := strings.TrimSpace(getenv(contract.EnvSourceExternalIDs)); s != "" {
		if err := json.Unmarshal([]byte(s), &ids); err != nil {
			// The value is secret: name the variable, not what it holds.
			return nil, fmt.Errorf("%s is not a JSON object of external IDs by role ARN", contract.EnvSourceExternalIDs)
		}
	}
	targets := []inventorysync.Target{{Region: region}}
	for _, role := range strings.Split(getenv(contract.EnvSourceRoles), ",") {
		if role = strings.TrimSpace(role); role != "" {
			id, ok := ids[role]
			if !ok {
				id = getenv(contract.EnvSourceExternalID)
			}
			targets = append(targets, inventorysync.Target{Region: region, RoleARN: role, ExternalID: id})
		}
	}
	return targets, nil
}

// routeInventoryEvent sends EventBridge's scheduled events to the full sync
// and every other event to the incremental update.
func routeInventoryEvent(update, sync func(context.Context, events.CloudWatchEvent) error) func(context.Context, events.CloudWatchEvent) error {
	return func(ctx context.Context, ev events.CloudWatchEvent) error {
		if ev.Source == "aws.events" && ev.DetailType == "Scheduled Event" {
			slog.InfoContext(ctx, "scheduled inventory sync", "event_id", ev.ID)
			return sync(ctx, ev)
		}
		return update(ctx, ev)
	}
}
