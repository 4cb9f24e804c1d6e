package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/inventoryhandler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/watchdoghandler"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// These tests follow each sts:AssumeRole our functions make from the
// configuration to the request: the function's environment as
// vpcflow_enricher_function sets it, read by the handler as the function
// reads it, and the AssumeRole call inventorysync.ConfigFor makes, captured
// from the SDK as it is sent (to moto). Then our policy engine decides that
// request against the target role's trust policy as vpcflow_source_account_role
// (and so modules/source-account) writes it, and the function's execution
// role policy as vpcflow_enricher_function writes it: a cross-account
// AssumeRole needs both.
//
// Moto does not check external IDs, nor evaluate trust policies at all: it
// lets any caller assume any role. That the call succeeds there proves
// nothing, which is why the decision is our policy engine's.

const (
	assumeCentral = acctest.AccountID
	assumeSource  = "210987654321"
	// assumeSourceRole is the role modules/source-account creates with its defaults.
	assumeSourceRole = "arn:aws:iam::" + assumeSource + ":role/vpcflow-inventory-reader"
	assumeExternalID = "vpcflow-7c1d0e"
)

// capturedAssumeRole is the sts:AssumeRole request the credentials of a
// target send, captured at the SDK's Initialize step.
func capturedAssumeRole(t *testing.T, target inventorysync.Target) *sts.AssumeRoleInput {
	t.Helper()
	base := acctest.AWSConfig(t)
	var got *sts.AssumeRoleInput
	base.APIOptions = append(base.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("captureAssumeRole",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if ar, ok := in.Parameters.(*sts.AssumeRoleInput); ok {
					got = ar
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
	cfg := inventorysync.ConfigFor(base, target)
	if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
		t.Fatalf("assuming %s: %v", target.RoleARN, err)
	}
	if got == nil {
		t.Fatalf("no sts:AssumeRole request for %s", target.RoleARN)
	}
	return got
}

// decideAssumeRole evaluates the captured request, made by a Lambda
// function as a session of its execution role (Lambda names the session
// after the function), against the trust policy and the execution role's
// policy.
func decideAssumeRole(t *testing.T, functionName string, in *sts.AssumeRoleInput, trust, permissions string) policy.Result {
	t.Helper()
	keys := map[string][]string{"sts:RoleSessionName": {aws.ToString(in.RoleSessionName)}}
	if in.ExternalId != nil {
		keys["sts:ExternalId"] = []string{aws.ToString(in.ExternalId)}
	}
	req := policy.Request{
		Principal: policy.Principal{
			Type:    policy.PrincipalAWS,
			ID:      fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", assumeCentral, functionName, functionName),
			Account: assumeCentral,
		},
		Action:   "sts:AssumeRole",
		Resource: aws.ToString(in.RoleArn),
		Context:  keys,
	}
	trustPolicy, err := policy.Parse(trust, policy.Options{Name: "trust policy", Kind: policy.KindTrust})
	if err != nil {
		t.Fatal(err)
	}
	identity, err := policy.Parse(permissions, policy.Options{Name: "inline policy " + pipelinepolicy.ExecutionPolicyName, Kind: policy.KindIdentity})
	if err != nil {
		t.Fatal(err)
	}
	return policy.Evaluate(policy.Set{Identity: []*policy.Policy{identity}, Resource: trustPolicy, ResourceAccount: assumeSource}, req)
}

// TestAssumeRole_inventoryFunction: the inventory function's sync assumes
// each source account role with the external ID of
// source_account_external_ids, which the role's trust policy lets through;
// without it, or with another, the trust policy refuses.
func TestAssumeRole_inventoryFunction(t *testing.T) {
	const functionName = "vpcflow-inventory"
	execRole := iamRoleARN("aws", assumeCentral, enricherRolePath, functionName)
	exec := pipelinepolicy.Execution{
		Partition: "aws", Region: acctest.Region, Account: assumeCentral, FunctionName: functionName, Mode: pipelinepolicy.ModeInventory,
		InventoryTableARN: testAccTableARN("vpcflow-inventory"), SourceAccountRoleARNs: []string{assumeSourceRole},
	}
	permissions, err := pipelinepolicy.ExecutionPermissionsDocument(exec)
	if err != nil {
		t.Fatal(err)
	}
	for _, trusted := range []string{execRole, "arn:aws:iam::" + assumeCentral + ":root"} {
		// As vpcflow_source_account_role writes it, for the two principals
		// modules/source-account documents: the enrichment module's
		// inventory_role_arn, or the central account.
		trust, err := pipelinepolicy.SourceRoleTrustDocument(pipelinepolicy.SourceRole{TrustedPrincipalARNs: []string{trusted}, ExternalID: assumeExternalID})
		if err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			ids   map[string]string
			allow bool
		}{
			"external ID as the role requires": {map[string]string{assumeSourceRole: assumeExternalID}, true},
			"no external ID":                   {nil, false},
			"another external ID":              {map[string]string{assumeSourceRole: "vpcflow-0ther"}, false},
		} {
			t.Run(fmt.Sprintf("trusting %s: %s", trusted, name), func(t *testing.T) {
				m := testAssumeInventoryModel(t, functionName, tc.ids)
				env, diags := m.environment(context.Background())
				if diags.HasError() {
					t.Fatal(diags)
				}
				targets, err := inventoryhandler.InventoryTargets(acctest.Region, func(k string) string { return env[k] })
				if err != nil {
					t.Fatal(err)
				}
				var assumed int
				for _, target := range targets {
					if target.RoleARN == "" {
						continue // the function's own account, with its own credentials
					}
					assumed++
					in := capturedAssumeRole(t, target)
					if aws.ToString(in.RoleArn) != assumeSourceRole {
						t.Fatalf("assumed %s, want %s", aws.ToString(in.RoleArn), assumeSourceRole)
					}
					res := decideAssumeRole(t, functionName, in, trust, permissions)
					if res.Allowed() != tc.allow || res.Assumed() {
						t.Errorf("sts:AssumeRole of %s with external ID %q: %s (%s), want allowed %v",
							assumeSourceRole, aws.ToString(in.ExternalId), res.Decision, res.Reason, tc.allow)
					}
				}
				if assumed != 1 {
					t.Errorf("the sync assumes %d source roles, want 1: the function's environment %v", assumed, envKeys(env))
				}
			})
		}
	}
}

// TestAssumeRole_watchdog: the watchdog assumes each scan target's role
// with the target's external_id. The target roles are the user's own (no
// resource of ours writes them); the trust policy here is the one
// vpcflow_source_account_role writes, trusting the watchdog's role, the
// shape the watchdog's documentation asks for.
func TestAssumeRole_watchdog(t *testing.T) {
	const functionName = "vpcflow-watchdog"
	target := "arn:aws:iam::" + assumeSource + ":role/vpcflow-watchdog-scan"
	trust, err := pipelinepolicy.SourceRoleTrustDocument(pipelinepolicy.SourceRole{
		TrustedPrincipalARNs: []string{iamRoleARN("aws", assumeCentral, enricherRolePath, functionName)}, ExternalID: assumeExternalID,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		externalID types.String
		allow      bool
	}{
		"external ID as the role requires": {types.StringValue(assumeExternalID), true},
		"no external ID":                   {types.StringNull(), false},
		"another external ID":              {types.StringValue("vpcflow-0ther"), false},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			m := testAssumeWatchdogModel(t, functionName, target, tc.externalID)
			env, diags := m.environment(ctx)
			if diags.HasError() {
				t.Fatal(diags)
			}
			w, diags := m.watchdogPolicy(ctx, "aws", assumeCentral, acctest.Region)
			if diags.HasError() {
				t.Fatal(diags)
			}
			permissions, err := pipelinepolicy.ExecutionPermissionsDocument(pipelinepolicy.Execution{
				Partition: "aws", Region: acctest.Region, Account: assumeCentral, FunctionName: functionName, Mode: pipelinepolicy.ModeWatchdog, Watchdog: w,
			})
			if err != nil {
				t.Fatal(err)
			}
			h, err := watchdoghandler.NewWatchdog(acctest.AWSConfig(t), func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Targets) != 1 || h.Targets[0].RoleARN != target {
				t.Fatalf("watchdog targets %+v, want the one role", h.Targets)
			}
			in := capturedAssumeRole(t, h.Targets[0])
			res := decideAssumeRole(t, functionName, in, trust, permissions)
			if res.Allowed() != tc.allow || res.Assumed() {
				t.Errorf("sts:AssumeRole of %s with external ID %q: %s (%s), want allowed %v", target, aws.ToString(in.ExternalId), res.Decision, res.Reason, tc.allow)
			}
		})
	}
}

// testAssumeInventoryModel is an inventory function as configured, with
// one source role and the external IDs given.
func testAssumeInventoryModel(t *testing.T, functionName string, ids map[string]string) enricherFunctionModel {
	t.Helper()
	ctx := context.Background()
	roles, d := types.SetValueFrom(ctx, types.StringType, []string{assumeSourceRole})
	extIDs := types.MapNull(types.StringType)
	if ids != nil {
		m, d2 := types.MapValueFrom(ctx, types.StringType, ids)
		extIDs = m
		d.Append(d2...)
	}
	if d.HasError() {
		t.Fatal(d)
	}
	m := testAssumeBaseModel(functionName, pipelinepolicy.ModeInventory)
	m.InventoryTableARN = types.StringValue(testAccTableARN("vpcflow-inventory"))
	m.SourceAccountRoleARNs = roles
	m.SourceAccountExternalIDs = extIDs
	return m
}

// testAssumeWatchdogModel is a watchdog with one scan target through a role.
func testAssumeWatchdogModel(t *testing.T, functionName, role string, externalID types.String) enricherFunctionModel {
	t.Helper()
	obj, d := types.ObjectValue(watchdogTargetAttrTypes, map[string]attr.Value{
		"account_id": types.StringNull(), "region": types.StringNull(), "role_arn": types.StringValue(role), "external_id": externalID,
	})
	list, d2 := types.ListValue(types.ObjectType{AttrTypes: watchdogTargetAttrTypes}, []attr.Value{obj})
	d.Append(d2...)
	if d.HasError() {
		t.Fatal(d)
	}
	m := testAssumeBaseModel(functionName, pipelinepolicy.ModeWatchdog)
	m.ScanTargets = list
	return m
}

func testAssumeBaseModel(functionName, mode string) enricherFunctionModel {
	null := types.StringNull()
	return enricherFunctionModel{
		FunctionName: types.StringValue(functionName), Mode: types.StringValue(mode), Window: types.StringValue(defaultEnricherWindow),
		InventoryTableARN: null, OutputBucket: null, OutputPrefix: types.StringValue(defaultEnricherPrefix), KinesisStreamARN: null,
		SourceAccountRoleARNs: types.SetNull(types.StringType), SourceAccountExternalIDs: types.MapNull(types.StringType),
		OnFailureDestinationARN: null, Environment: types.MapNull(types.StringType), Tags: types.MapNull(types.StringType),
		MetricNamespace: null, EventBusName: null, StateBucket: null, StatePrefix: null, TrafficType: null,
		ScanTargets:   types.ListNull(types.ObjectType{AttrTypes: watchdogTargetAttrTypes}),
		ExcludeVPCIDs: types.SetNull(types.StringType),
	}
}

// envKeys lists the names of an environment, without its values (which
// hold secrets).
func envKeys(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	return strings.Join(keys, ",")
}
