package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// Moto stores rules, targets and the function policy, but does not
// implement TestEventPattern and cannot invoke the function, so the event
// patterns are checked here against the inventory's own sample events. A
// trail moto creates has no event selectors, which AWS never returns; the
// check reads that as the default selector (all management events).

const testAccInventoryRulesAddress = "vpcflow_inventory_rules.test"

func testAccRuleARN(rule string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", acctest.Region, acctest.AccountID, rule)
}

func testAccEventsClient(t *testing.T) *eventbridge.Client {
	return eventbridge.NewFromConfig(acctest.AWSConfig(t))
}

// testAccInventoryFunction is the inventory function the rules invoke.
func testAccInventoryFunction(name string) string {
	return fmt.Sprintf(`
resource "vpcflow_enricher_function" "inventory" {
  function_name       = %q
  mode                = "inventory"
  inventory_table_arn = %q
}
`, name, testAccTableARN("inventory"))
}

func TestAccInventoryRules_basic(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	testAccTest(t, testAccCheckInventoryRulesDestroyed(t), []resource.TestStep{
		{
			Config: testAccInventoryFunction(name) + fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name         = %q
  function_arn = vpcflow_enricher_function.inventory.arn
}
`, name),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testAccInventoryRulesAddress, tfjsonpath.New("rule_arns").AtMapKey("api-calls"), knownvalue.StringExact(testAccRuleARN(name+"-api-calls"))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccInventoryRulesAddress, tfjsonpath.New("id"), knownvalue.StringExact("default|"+name)),
				statecheck.ExpectKnownValue(testAccInventoryRulesAddress, tfjsonpath.New("rule_arns"), knownvalue.MapSizeExact(3)),
				statecheck.ExpectKnownValue(testAccInventoryRulesAddress, tfjsonpath.New("lambda_permission_statement_ids"), knownvalue.MapSizeExact(3)),
			},
			Check: testAccCheckInventoryRules(t, name, []string{"api-calls", "instance-state", "tag-changes"}, "ENABLED", testAccFunctionARN(name)),
		},
		testAccImportStep(testAccInventoryRulesAddress, "default|"+name),
	})
}

func TestAccInventoryRules_disappears(t *testing.T) {
	testAccParallelWithEnricherCode(t)
	name := testAccEnricherName()
	config := testAccInventoryFunction(name) + fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name         = %q
  function_arn = vpcflow_enricher_function.inventory.arn
}
`, name)
	deleteRule := func(kind string) error {
		ctx, client := context.Background(), testAccEventsClient(t)
		rule := aws.String(name + "-" + kind)
		if _, err := client.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: rule, Ids: []string{inventoryTargetID}}); err != nil {
			return err
		}
		_, err := client.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: rule})
		return err
	}
	read := &readWarnings{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckInventoryRulesDestroyed(t),
		Steps: append(testAccDisappearsSteps(t, read, newInventoryRulesResource, testAccInventoryRulesAddress, config, conns.Settings{}), []resource.TestStep{
			// Out of band, one rule gone: the next apply puts it back.
			testAccRemovedStep(testAccInventoryRulesAddress, config, func(*terraform.State) error { return deleteRule("api-calls") }, plancheck.ResourceActionUpdate),
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					testAccCheckInventoryRules(t, name, []string{"api-calls", "instance-state", "tag-changes"}, "ENABLED", testAccFunctionARN(name)),
					// All gone: the resource leaves the state and is created again.
					func(*terraform.State) error {
						return errors.Join(deleteRule("api-calls"), deleteRule("instance-state"), deleteRule("tag-changes"))
					},
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccInventoryRulesAddress, plancheck.ResourceActionCreate)},
				},
			},
		}...),
	})
}

// TestAccInventoryRules_update keeps one rule and disables it, then sends
// the events to another account's bus through a role instead of the
// function, which loses its permissions.
func TestAccInventoryRules_update(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	bus := "arn:aws:events:us-east-1:999999999999:event-bus/vpcflow-central"
	role := testAccCreateEventsRole(t, name+"-events", bus, pipelinepolicy.EventsService)
	config := func(body string) string {
		return testAccInventoryFunction(name) + fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name = %q
%s
}
`, name, body)
	}
	update := testAccPlanAction(testAccInventoryRulesAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckInventoryRulesDestroyed(t), []resource.TestStep{
		{Config: config(`  function_arn = vpcflow_enricher_function.inventory.arn`)},
		{
			Config:           config("  function_arn = vpcflow_enricher_function.inventory.arn\n  rules = [\"tag-changes\"]\n  enabled = false"),
			ConfigPlanChecks: update,
			Check: resource.ComposeTestCheckFunc(
				testAccCheckInventoryRules(t, name, []string{"tag-changes"}, "DISABLED", testAccFunctionARN(name)),
				testAccCheckRuleGone(t, name+"-api-calls"),
				testAccCheckRuleGone(t, name+"-instance-state"),
			),
		},
		testAccImportStep(testAccInventoryRulesAddress, ""),
		{
			Config:           config(fmt.Sprintf("  target_event_bus_arn = %q\n  role_arn = %q\n  rules = [\"tag-changes\", \"instance-state\"]", bus, role)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccInventoryRulesAddress, tfjsonpath.New("lambda_permission_statement_ids"), knownvalue.MapSizeExact(0)),
			},
			Check: testAccCheckInventoryRules(t, name, []string{"instance-state", "tag-changes"}, "ENABLED", bus),
		},
		testAccImportStep(testAccInventoryRulesAddress, ""),
	})
}

func TestAccInventoryRules_tags(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := func(tags string) string {
		return testAccInventoryFunction(name) + fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name         = %q
  function_arn = vpcflow_enricher_function.inventory.arn
  rules        = ["tag-changes", "instance-state"]
%s
}
`, name, tags)
	}
	testAccTest(t, testAccCheckInventoryRulesDestroyed(t), testAccTagsSteps(testAccInventoryRulesAddress, config, testAccTagsOf(t, name, testAccCheckRuleTags)))
}

// TestAccInventoryRules_busRoleNotTrusted: a forwarding role EventBridge
// cannot assume fails the plan on role_arn.
func TestAccInventoryRules_busRoleNotTrusted(t *testing.T) {
	name := testAccEnricherName()
	bus := "arn:aws:events:us-east-1:999999999999:event-bus/vpcflow-central"
	role := testAccCreateEventsRole(t, name, bus, "lambda.amazonaws.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name                 = %q
  target_event_bus_arn = %q
  role_arn             = %q
}
`, name, bus, role),
			ExpectError: regexp.MustCompile(`(?s)EventBridge could not forward the inventory events: TRUST_SERVICE_NOT_TRUSTED.*events\.amazonaws\.com`),
		}},
	})
}

// TestTrailsRecordingManagementEvents reads trails from moto: none, one
// that is not logging, one that logs the default selector, and one whose
// selectors leave write events out.
func TestTrailsRecordingManagementEvents(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	ct := cloudtrail.NewFromConfig(cfg)
	bucket := sdkacctest.RandomWithPrefix("tf-acc-trail")
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	check := func(want int) {
		t.Helper()
		got, err := trailsRecordingManagementEvents(ctx, ct, acctest.Region)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("%d trails record management events (%v), want %d", len(got), got, want)
		}
	}
	check(0)
	// The plan warns on rules, and only warns.
	r := &inventoryRulesResource{resourceBase: resourceBase{data: &providerData{client: &conns.Client{Settings: conns.Settings{Region: acctest.Region}}}}, trails: ct}
	var diags diag.Diagnostics
	r.warnWithoutTrail(ctx, &diags)
	if diags.HasError() || diags.WarningsCount() != 1 || !strings.Contains(diags[0].Summary(), "No CloudTrail trail records management events in us-east-1") ||
		!diags[0].(diag.DiagnosticWithPath).Path().Equal(path.Root("rules")) {
		t.Errorf("diagnostics without a trail: %v", diags)
	}
	trail := sdkacctest.RandomWithPrefix("tf-acc-trail")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trail)}) })
	check(0) // created, not logging
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trail)}); err != nil {
		t.Fatal(err)
	}
	check(1)
	diags = nil
	r.warnWithoutTrail(ctx, &diags)
	if len(diags) != 0 {
		t.Errorf("diagnostics with a logging trail: %v", diags)
	}
	_, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail), EventSelectors: []cloudtrailtypes.EventSelector{
		{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cloudtrailtypes.ReadWriteTypeReadOnly},
	}})
	if err != nil {
		t.Fatal(err)
	}
	check(0)
}

func TestSelectorsRecordWriteManagementEvents(t *testing.T) {
	t.Parallel()
	field := func(name string, equals ...string) cloudtrailtypes.AdvancedFieldSelector {
		return cloudtrailtypes.AdvancedFieldSelector{Field: aws.String(name), Equals: equals}
	}
	cases := []struct {
		name     string
		basic    []cloudtrailtypes.EventSelector
		advanced []cloudtrailtypes.AdvancedEventSelector
		want     bool
	}{
		{name: "no selector is the default", want: true},
		{name: "all management events", basic: []cloudtrailtypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cloudtrailtypes.ReadWriteTypeAll}}, want: true},
		{name: "write only", basic: []cloudtrailtypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cloudtrailtypes.ReadWriteTypeWriteOnly}}, want: true},
		{name: "read only", basic: []cloudtrailtypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cloudtrailtypes.ReadWriteTypeReadOnly}}},
		{name: "data events only", basic: []cloudtrailtypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cloudtrailtypes.ReadWriteTypeAll}}},
		{name: "advanced management", advanced: []cloudtrailtypes.AdvancedEventSelector{{FieldSelectors: []cloudtrailtypes.AdvancedFieldSelector{field("eventCategory", "Management")}}}, want: true},
		{name: "advanced read-only management", advanced: []cloudtrailtypes.AdvancedEventSelector{{FieldSelectors: []cloudtrailtypes.AdvancedFieldSelector{field("eventCategory", "Management"), field("readOnly", "true")}}}},
		{name: "advanced data events", advanced: []cloudtrailtypes.AdvancedEventSelector{{FieldSelectors: []cloudtrailtypes.AdvancedFieldSelector{field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object")}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := selectorsRecordWriteManagementEvents(tc.basic, tc.advanced); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestInventoryEventPatterns: each sample event the inventory decodes
// matches exactly one rule, the one of its kind, and the events it ignores
// match none. The matcher covers what the patterns use: lists of values and
// {"exists": false}.
func TestInventoryEventPatterns(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "pipeline", "inventory", "inventoryevents", "testdata")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events in %s (%v)", dir, err)
	}
	patterns := map[string]any{}
	for _, kind := range inventoryRuleKinds {
		var p any
		if err := json.Unmarshal([]byte(inventoryEventPattern(kind)), &p); err != nil {
			t.Fatal(err)
		}
		patterns[kind] = p
	}
	decoded := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var raw any
		_ = json.Unmarshal(b, &raw)
		var matched []string
		for _, kind := range inventoryRuleKinds {
			if patternMatches(patterns[kind], raw) {
				matched = append(matched, kind)
			}
		}
		_, err = inventoryevents.Decode(ev)
		ignored := errors.Is(err, inventoryevents.ErrIgnored)
		switch {
		case ignored && len(matched) > 0:
			t.Errorf("%s: the inventory ignores the event, but rules %v would invoke it", filepath.Base(f), matched)
		case !ignored && len(matched) != 1:
			t.Errorf("%s: the inventory decodes the event (err %v), but rules %v match it", filepath.Base(f), err, matched)
		case !ignored:
			decoded++
		}
	}
	if decoded < 10 {
		t.Errorf("only %d sample events decode; the test needs the inventory's samples", decoded)
	}
	// Every API call the inventory decodes is in the pattern.
	if p := inventoryEventPattern(inventoryRuleAPICalls); !strings.Contains(p, strings.Join(quoteEach(contract.APICallNames), ",")) {
		t.Errorf("api-calls pattern %s lacks some of %v", p, contract.APICallNames)
	}
}

func quoteEach(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = `"` + v + `"`
	}
	return out
}

// patternMatches is EventBridge matching for the subset the patterns use.
func patternMatches(pattern, event any) bool {
	p, ok := pattern.(map[string]any)
	if !ok {
		return false
	}
	e, _ := event.(map[string]any)
	for key, want := range p {
		got, present := e[key]
		switch w := want.(type) {
		case map[string]any:
			if !present || !patternMatches(w, got) {
				return false
			}
		case []any:
			if !valueMatches(w, got, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func valueMatches(allowed []any, got any, present bool) bool {
	for _, a := range allowed {
		switch v := a.(type) {
		case string:
			if s, ok := got.(string); ok && present && s == v {
				return true
			}
		case map[string]any:
			if exists, ok := v["exists"].(bool); ok && exists == present {
				return true
			}
		}
	}
	return false
}

// testAccCreateEventsRole creates a role that lets service assume it and put
// events on the bus, deleted after the test.
func testAccCreateEventsRole(t *testing.T, name, bus, service string) string {
	t.Helper()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":%q}}}]}`, service, acctest.AccountID)
	perms := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":%q}]}`, bus)
	return testAccRoleFixture(t, testAccIAMClient(t), name, trust, "", map[string]string{"put-events": perms})
}

func testAccCheckInventoryRulesDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "vpcflow_inventory_rules" {
				continue
			}
			for _, kind := range inventoryRuleKinds {
				if err := testAccCheckRuleGone(t, rs.Primary.Attributes["name"]+"-"+kind)(s); err != nil {
					return err
				}
			}
		}
		return testAccCheckEnricherDestroyed(t)(s)
	}
}

func testAccCheckRuleGone(t *testing.T, rule string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := testAccEventsClient(t).DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(rule)})
		if hasErrorCode(err, "ResourceNotFoundException") {
			return nil
		}
		return fmt.Errorf("rule %s still exists (%v)", rule, err)
	}
}

// testAccCheckInventoryRules checks each rule's pattern, state and target,
// and, for a function target, the permission in its policy (GetPolicy).
func testAccCheckInventoryRules(t *testing.T, name string, kinds []string, state, target string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, client := context.Background(), testAccEventsClient(t)
		for _, kind := range inventoryRuleKinds {
			rule := name + "-" + kind
			out, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rule)})
			if !slices.Contains(kinds, kind) {
				if !hasErrorCode(err, "ResourceNotFoundException") {
					return fmt.Errorf("rule %s exists (%v)", rule, err)
				}
				continue
			}
			if err != nil {
				return err
			}
			if !pipelinepolicy.Equivalent(aws.ToString(out.EventPattern), inventoryEventPattern(kind)) || string(out.State) != state {
				return fmt.Errorf("rule %s: state %s pattern %s", rule, out.State, aws.ToString(out.EventPattern))
			}
			targets, err := client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
			if err != nil {
				return err
			}
			if len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != target {
				return fmt.Errorf("rule %s targets %+v, want %s", rule, targets.Targets, target)
			}
			if !strings.Contains(target, ":lambda:") {
				continue
			}
			has, err := hasLambdaPermission(ctx, testAccLambdaClient(t), lambdaPermission{
				Function: target, StatementID: inventoryStatementID("default", rule), Principal: pipelinepolicy.EventsService,
				SourceARN: testAccRuleARN(rule), SourceAccount: acctest.AccountID,
			})
			if err != nil || !has {
				return fmt.Errorf("function %s has no permission for rule %s (%v)", target, rule, err)
			}
		}
		return nil
	}
}

func testAccCheckRuleTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		eventBridgeRuleTags(t, testAccRuleARN(name+"-tag-changes"), want),
		eventBridgeRuleTags(t, testAccRuleARN(name+"-instance-state"), want),
	)
}
