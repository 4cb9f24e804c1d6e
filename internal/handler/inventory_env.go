package handler

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventorysync"
)

// ModeInventory is the VPCFLOW_MODE of the function that keeps the inventory:
// EventBridge events update it and a scheduled event runs the full sync.
const ModeInventory = "inventory"

// Environment of the inventory function besides EnvInventoryTable.
const (
	// EnvSourceRoles lists, comma separated, the roles in source accounts
	// the scheduled sync assumes.
	EnvSourceRoles = "VPCFLOW_SOURCE_ROLES"
	// EnvSourceExternalID is the external ID those roles require.
	EnvSourceExternalID = "VPCFLOW_SOURCE_EXTERNAL_ID"
)

// InventoryFromEnv builds the inventory function from its environment.
func InventoryFromEnv(ctx context.Context, getenv func(string) string) (func(context.Context, events.CloudWatchEvent) error, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	table := getenv(EnvInventoryTable)
	if table == "" {
		return nil, fmt.Errorf("%s is required in mode %q", EnvInventoryTable, ModeInventory)
	}
	store := inventorystore.New(dynamodb.NewFromConfig(cfg), table, inventorystore.Options{})
	targets := inventoryTargets(cfg.Region, getenv)
	events := &InventoryHandler{Store: store, EC2: EC2For(cfg, targets)}
	sync := &InventorySyncHandler{Syncer: &inventorysync.Syncer{Store: store}, Base: cfg, Targets: targets}
	return routeInventoryEvent(events.HandleInventoryEvent, sync.HandleInventorySync), nil
}

// inventoryTargets are the caller's own account and every source role, in the function's region.
func inventoryTargets(region string, getenv func(string) string) []inventorysync.Target {
	targets := []inventorysync.Target{{Region: region}}
	for _, role := range strings.Split(getenv(EnvSourceRoles), ",") {
		if role = strings.TrimSpace(role); role != "" {
			targets = append(targets, inventorysync.Target{Region: region, RoleARN: role, ExternalID: getenv(EnvSourceExternalID)})
		}
	}
	return targets
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
