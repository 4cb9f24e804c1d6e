package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	eventbridgetypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// testAccProdTag is the resource's own tag in every case.
const testAccProdTag = `  tags = { Environment = "prod" }`

// tagsAllCase is one resource type with tags: what it needs, its
// configuration with `tags = { Environment = "prod" }`, and a check of the
// tags AWS holds for it.
type tagsAllCase struct {
	name     string
	address  string
	importID string
	// provider is extra provider configuration (e.g. another region).
	provider  string
	factories map[string]func() (tfprotov6.ProviderServer, error)
	config    string
	awsTags   func(want map[string]string) resource.TestCheckFunc
}

// TestAccTagsAll_defaultTags applies each resource with the provider's
// default_tags: tags_all is the default tags with the resource's tags over
// them, AWS holds the same, the plan after apply is empty, an import reads
// back tags without the default ones, and a new default tag is an in-place
// update after which the plan is empty again.
func TestAccTagsAll_defaultTags(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) tagsAllCase
	}{
		{"delivery_role", func(t *testing.T) tagsAllCase {
			name := testAccDeliveryRoleName()
			return tagsAllCase{name: "delivery_role", address: "vpcflow_delivery_role.test", importID: name,
				config:  testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckDeliveryRoleTags)}
		}},
		{"source_account_role", func(t *testing.T) tagsAllCase {
			name := testAccDeliveryRoleName()
			return tagsAllCase{name: "source_account_role", address: "vpcflow_source_account_role.test", importID: name,
				config:  testAccSourceRoleConfig(name, testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckDeliveryRoleTags)}
		}},
		{"kinesis_stream", func(t *testing.T) tagsAllCase {
			name := testAccKinesisStreamName()
			return tagsAllCase{name: "kinesis_stream", address: "vpcflow_kinesis_stream.test", importID: name,
				config:  testAccKinesisStreamConfig(name, testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckKinesisStreamTags)}
		}},
		{"inventory_table", func(t *testing.T) tagsAllCase {
			name := testAccInventoryTableName()
			return tagsAllCase{name: "inventory_table", address: "vpcflow_inventory_table.test", importID: name,
				config:  testAccInventoryTableConfig(name, testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckInventoryTableTags)}
		}},
		{"log_destination", func(t *testing.T) tagsAllCase {
			name := flName("tf-acc-dest")
			stream := testAccCreateStream(t, name)
			role := testAccCreateLogsRole(t, name, stream, "")
			return tagsAllCase{name: "log_destination", address: "vpcflow_log_destination.test", importID: name,
				config:  testAccLogDestinationConfig(name, stream, role, "  source_account_ids = [\"111111111111\"]\n"+testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckLogDestinationTags)}
		}},
		{"enricher_function", func(t *testing.T) tagsAllCase {
			testAccUseEnricherCode(t, "v1")
			name := testAccEnricherName()
			return tagsAllCase{name: "enricher_function", address: testAccEnricherAddress, importID: name,
				config:  testAccEnricherConfig(name, testAccProdTag),
				awsTags: testAccTagsOf(t, name, testAccCheckEnricherTags)}
		}},
		{"inventory_rules", func(t *testing.T) tagsAllCase {
			testAccUseEnricherCode(t, "v1")
			name := testAccEnricherName()
			return tagsAllCase{name: "inventory_rules", address: "vpcflow_inventory_rules.test", importID: "default|" + name,
				config: testAccInventoryFunction(name) + fmt.Sprintf(`
resource "vpcflow_inventory_rules" "test" {
  name         = %q
  function_arn = vpcflow_enricher_function.inventory.arn
  rules        = ["tag-changes", "instance-state"]
  tags         = { Environment = "prod" }
}
`, name),
				awsTags: testAccTagsOf(t, name, testAccCheckRuleTags)}
		}},
		{"watchdog", func(t *testing.T) tagsAllCase {
			name := flName("vpcflow-watchdog")
			fn := wdFunction(t, name, flDoc(wdPermissions), map[string]string{"VPCFLOW_MODE": "watchdog"})
			return tagsAllCase{name: "watchdog", address: wdResource, importID: name,
				config: wdConfig(fmt.Sprintf("  name         = %q\n  function_arn = %q\n  tags         = { Environment = \"prod\" }", name, fn)),
				awsTags: func(want map[string]string) resource.TestCheckFunc {
					return eventBridgeRuleTags(t, fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", acctest.Region, acctest.AccountID, name), want)
				}}
		}},
		{"compliance", func(t *testing.T) tagsAllCase {
			a := newCompAWS(t)
			name := flName("cov-comp")
			group := a.logGroup("/vpc/" + name)
			return tagsAllCase{name: "compliance", address: compResource, importID: name,
				provider:  fmt.Sprintf("region      = %q\n  max_retries = 0", compRegion),
				factories: flowLogProviderFactories(nil, (&remediationStandIn{}).install),
				config: fmt.Sprintf(`
resource "vpcflow_compliance" "test" {
  name            = %q
  log_destination = %q
  remediation     = "none"
  tags            = { Environment = "prod" }
}
`, name, group),
				awsTags: func(want map[string]string) resource.TestCheckFunc {
					return func(s *terraform.State) error {
						out, err := a.config.ListTagsForResource(a.ctx, &configservice.ListTagsForResourceInput{ResourceArn: a.rule(name).ConfigRuleArn})
						if err != nil {
							return err
						}
						got := map[string]string{}
						for _, tag := range out.Tags {
							got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
						}
						return sameTags("config rule "+name, got, want)
					}
				}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testAccTagsAll(t, c.setup(t))
		})
	}
}

func testAccTagsAll(t *testing.T, tc tagsAllCase) {
	provider := func(defaults string) string {
		return fmt.Sprintf("provider \"vpcflow\" {\n  %s\n  default_tags {\n    tags = { %s }\n  }\n}\n", tc.provider, defaults)
	}
	first := provider(`Owner = "network", Environment = "default"`)
	second := provider(`Owner = "network", Environment = "default", CostCenter = "42"`)
	own := map[string]knownvalue.Check{"Environment": knownvalue.StringExact("prod")}
	all := map[string]string{"Environment": "prod", "Owner": "network"}
	allPlus := maps.Clone(all)
	allPlus["CostCenter"] = "42"
	factories := tc.factories
	if factories == nil {
		factories = testAccProtoV6ProviderFactories
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: first + tc.config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tc.address, tfjsonpath.New("tags"), knownvalue.MapExact(own)),
					testAccStateTags(tc.address, "tags_all", all),
				},
				Check: tc.awsTags(all),
			},
			{
				Config:            first + tc.config,
				ResourceName:      tc.address,
				ImportState:       true,
				ImportStateId:     tc.importID,
				ImportStateVerify: true,
			},
			{
				// A new default tag: an in-place update of tags_all, not of tags.
				Config: second + tc.config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(tc.address, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tc.address, tfjsonpath.New("tags"), knownvalue.MapExact(own)),
					testAccStateTags(tc.address, "tags_all", allPlus),
				},
				Check: tc.awsTags(allPlus),
			},
		},
	})
}

// eventBridgeRuleTags checks the tags of one EventBridge rule.
func eventBridgeRuleTags(t *testing.T, ruleARN string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags(ruleARN, want, func(ctx context.Context) (map[string]string, error) {
		out, err := testAccEventsClient(t).ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN)})
		if err != nil {
			return nil, err
		}
		return tagMap(out.Tags, func(tag eventbridgetypes.Tag) (string, string) { return aws.ToString(tag.Key), aws.ToString(tag.Value) }), nil
	})
}
