package provider

import (
	"context"
	"fmt"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// flowLogsPerPlan is the size of the plan-cost configuration.
const flowLogsPerPlan = 200

// TestAccFlowLog_planCostSharedRole plans 200 flow logs that share one role
// and one log group, and checks that the plan read the role and each of its
// policies once: the documents are remembered for the provider process, so
// the plan's cost in AWS calls does not grow with the number of flow logs.
func TestAccFlowLog_planCostSharedRole(t *testing.T) {
	a := newFlowLogAWS(t)
	logGroup := a.logGroup()
	role := a.role(flDoc(flTrustGood), flDoc(flPermissions, logGroup, ":*"), "")
	vpcs := make([]string, flowLogsPerPlan)
	for i := range vpcs {
		vpcs[i] = a.vpc()
	}
	seen := &providerDataLog{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(seen),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
locals {
  vpcs = %s
}

resource "vpcflow_flow_log" "test" {
  count           = length(local.vpcs)
  vpc_id          = local.vpcs[count.index]
  traffic_type    = "ALL"
  log_destination = %q
  iam_role_arn    = %q
}`, hclList(vpcs), logGroup, role),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})

	plans := 0
	for _, pd := range seen.snapshot() {
		calls := pd.client.Calls
		if calls.Total() == 0 {
			continue // a provider process that only answered schema or validation requests
		}
		plans++
		t.Logf("AWS calls of one plan of %d flow logs: %v", flowLogsPerPlan, calls.Snapshot())
		for op, want := range map[string]int{
			"IAM.GetRole":                       1,
			"IAM.ListRolePolicies":              1,
			"IAM.GetRolePolicy":                 1, // the role has one inline policy
			"IAM.ListAttachedRolePolicies":      1,
			"CloudWatch Logs.DescribeLogGroups": 1,
		} {
			if got := calls.Count(op); got != want {
				t.Errorf("one plan of %d flow logs called %s %d times, want %d", flowLogsPerPlan, op, got, want)
			}
		}
		if got := calls.Total(); got > 10 {
			t.Errorf("one plan of %d flow logs made %d AWS calls, want at most 10: %v", flowLogsPerPlan, got, calls.Snapshot())
		}
	}
	if plans == 0 {
		t.Fatal("no provider process made an AWS call: the delivery check did not run")
	}
}

// BenchmarkFlowLogModifyPlan measures the plan-time check of one flow log
// whose role and log group were already read in this run (the case of all
// but the first of many flow logs sharing them).
func BenchmarkFlowLogModifyPlan(b *testing.B) {
	a := newFlowLogAWS(b)
	logGroup := a.logGroup()
	role := a.role(flDoc(flTrustGood), flDoc(flPermissions, logGroup, ":*"), "")
	vpc := a.vpc()
	ctx := context.Background()
	client, err := conns.New(ctx, conns.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	r, req := newFlowLogPlanRequest(ctx, client)
	planned := plannedFlowLog(vpc, logGroup, role)
	if diags := req.Plan.Set(ctx, &planned); diags.HasError() {
		b.Fatal(diags)
	}
	// ModifyPlan reads the configuration too; a plan without unknowns is its own.
	req.Config = tfsdk.Config{Schema: req.Plan.Schema, Raw: req.Plan.Raw}
	b.ResetTimer()
	for b.Loop() {
		resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
		r.ModifyPlan(ctx, req, resp)
		if len(resp.Diagnostics) != 0 {
			b.Fatal(resp.Diagnostics)
		}
	}
	b.StopTimer()
	if n := client.Calls.Count("IAM.GetRole"); n != 1 {
		b.Errorf("the role was read %d times, want once", n)
	}
}
