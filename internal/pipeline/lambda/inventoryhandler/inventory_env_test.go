package inventoryhandler

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
)

func TestRouteInventoryEvent(t *testing.T) {
	for name, tc := range map[string]struct {
		ev   events.CloudWatchEvent
		want string
	}{
		"schedule":   {events.CloudWatchEvent{Source: "aws.events", DetailType: "Scheduled Event"}, "sync"},
		"tag change": {events.CloudWatchEvent{Source: "aws.tag", DetailType: "Tag Change on Resource"}, "update"},
		"cloudtrail": {events.CloudWatchEvent{Source: "aws.ec2", DetailType: "AWS API Call via CloudTrail"}, "update"},
		"state":      {events.CloudWatchEvent{Source: "aws.ec2", DetailType: "EC2 Instance State-change Notification"}, "update"},
	} {
		t.Run(name, func(t *testing.T) {
			var got string
			route := routeInventoryEvent(
				func(context.Context, events.CloudWatchEvent) error { got = "update"; return nil },
				func(context.Context, events.CloudWatchEvent) error { got = "sync"; return nil })
			if err := route(context.Background(), tc.ev); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("routed to %s, want %s", got, tc.want)
			}
		})
	}
}

func TestInventoryTargets(t *testing.T) {
	env := map[string]string{
		contract.EnvSourceRoles:       " arn:aws:iam::210987654321:role/vpcflow-inventory ,,arn:aws:iam::333344445555:role/vpcflow-inventory",
		contract.EnvSourceExternalID:  "ext-1",
		contract.EnvSourceExternalIDs: `{"arn:aws:iam::333344445555:role/vpcflow-inventory":"ext-3"}`,
	}
	targets, err := InventoryTargets("eu-west-1", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 {
		t.Fatalf("targets = %+v, want own account and two roles", targets)
	}
	if targets[0].RoleARN != "" || targets[0].Region != "eu-west-1" {
		t.Errorf("first target = %+v, want the function's own account", targets[0])
	}
	for i, want := range []string{"ext-1", "ext-3"} {
		tg := targets[i+1]
		if tg.ExternalID != want || tg.Region != "eu-west-1" || tg.RoleARN == "" {
			t.Errorf("source target %d = %+v, want external ID %s", i, tg, want)
		}
	}

	env[contract.EnvSourceExternalIDs] = `["ext-3"]`
	if _, err := InventoryTargets("eu-west-1", func(k string) string { return env[k] }); err == nil || strings.Contains(err.Error(), "ext-3") {
		t.Errorf("unreadable %s: error %v, want one that does not repeat the secret", contract.EnvSourceExternalIDs, err)
	}
}
