package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	configtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

const (
	compResource = "vpcflow_compliance.test"
	// The compliance tests use a region of their own, so the plan's
	// configuration recorder check sees only what they create.
	compRegion = "eu-west-2"
)

// compAWS is an SDK view of moto in the compliance tests' region.
type compAWS struct {
	t      *testing.T
	ctx    context.Context
	config *configservice.Client
	ssm    *ssm.Client
	iam    *iam.Client
	logs   *cloudwatchlogs.Client
}

func newCompAWS(t *testing.T) *compAWS {
	cfg := acctest.AWSConfig(t)
	cfg.Region = compRegion
	return &compAWS{t: t, ctx: context.Background(), config: configservice.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
}

// logGroup creates a log group and returns its ARN.
func (a *compAWS) logGroup(name string) string {
	a.t.Helper()
	testAccLogGroupFixture(a.t, a.logs, name)
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", compRegion, acctest.AccountID, name)
}

// checkDestroyed fails if any part of the compliance named name is left.
func (a *compAWS) checkDestroyed(name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n := namesOf(name)
		// With no rule left at all, moto answers an empty list rather than NoSuchConfigRuleException.
		out, err := a.config.DescribeConfigRules(a.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{n.rule}})
		if !hasErrorCode(err, "NoSuchConfigRuleException") && (err != nil || len(out.ConfigRules) != 0) {
			return fmt.Errorf("config rule %s left after destroy (err %v)", n.rule, err)
		}
		if _, err := a.ssm.GetDocument(a.ctx, &ssm.GetDocumentInput{Name: aws.String(n.document)}); !hasErrorCode(err, "InvalidDocument") {
			return fmt.Errorf("document %s left after destroy (err %v)", n.document, err)
		}
		for _, role := range []string{n.automationRole, n.deliveryRole} {
			if _, err := a.iam.GetRole(a.ctx, &iam.GetRoleInput{RoleName: aws.String(role)}); !hasErrorCode(err, "NoSuchEntity") {
				return fmt.Errorf("role %s left after destroy (err %v)", role, err)
			}
		}
		return nil
	}
}

// checkRolesPassTheChecker reads back from IAM the roles the resource
// created and runs the delivery checker on them as they are: the
// Automation role against what the document does, the delivery role
// against the destination. Neither may have any finding.
func (a *compAWS) checkRolesPassTheChecker(name, destination, traffic string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n := namesOf(name)
		docs := &policysource.Reader{IAM: a.iam}
		auto, err := docs.Role(a.ctx, iamRoleARN("aws", acctest.AccountID, "/", n.automationRole))
		if err != nil {
			return err
		}
		rem := coveragescan.Remediation{Account: acctest.AccountID, Region: compRegion, RuleName: name, TrafficType: traffic,
			DestinationType: delivery.DestinationCloudWatchLogs, Destination: destination,
			DeliveryRoleARN: iamRoleARN("aws", acctest.AccountID, "/", n.deliveryRole), AutomationRoleARN: auto.ARN}
		role := rem.AutomationRole(auto.Trust.Document, "")
		role.Permissions = []delivery.NamedPolicy{{Name: auto.Permissions[0].Name, Document: auto.Permissions[0].Document}}
		if fs := delivery.CheckServiceRole(role); len(fs) != 0 {
			return fmt.Errorf("the Automation role as IAM holds it has findings: %v", fs)
		}
		dr, err := docs.Role(a.ctx, rem.DeliveryRoleARN)
		if err != nil {
			return err
		}
		fs := delivery.Check(delivery.Input{
			DestinationType: delivery.DestinationCloudWatchLogs, DestinationARN: destination, FlowLogAccount: acctest.AccountID, FlowLogRegion: compRegion,
			RoleARN: dr.ARN, TrustPolicy: &delivery.NamedPolicy{Name: dr.Trust.Name, Document: dr.Trust.Document},
			PermissionPolicies: []delivery.NamedPolicy{{Name: dr.Permissions[0].Name, Document: dr.Permissions[0].Document}},
		})
		if len(fs) != 0 {
			return fmt.Errorf("the delivery role as IAM holds it has findings: %v", fs)
		}
		return nil
	}
}

// rule reads the Config rule.
func (a *compAWS) rule(name string) configtypes.ConfigRule {
	a.t.Helper()
	out, err := a.config.DescribeConfigRules(a.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{name}})
	if err != nil || len(out.ConfigRules) != 1 {
		a.t.Fatalf("reading config rule %s: %v", name, err)
	}
	return out.ConfigRules[0]
}

func compConfig(body string) string {
	return testAccProviderBlock(compRegion) + "\nresource \"vpcflow_compliance\" \"test\" {\n" + body + "\n}\n"
}

// TestAccCompliance_basic creates the rule, the document and both roles
// without the remediation configuration (remediation = "none"), updates
// them in place, repairs parts deleted out of band, and imports them.
func TestAccCompliance_basic(t *testing.T) {
	a := newCompAWS(t)
	name := flName("cov-comp")
	group := a.logGroup("/vpc/" + name)
	standIn := &remediationStandIn{}
	body := func(extra string) string {
		return fmt.Sprintf("  name            = %q\n  log_destination = %q\n  remediation     = \"none\"\n%s", name, group, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(nil, standIn.install),
		CheckDestroy:             a.checkDestroyed(name),
		Steps: []resource.TestStep{
			{
				Config: compConfig(body(`  tags = { team = "network" }`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("components"), knownvalue.MapExact(map[string]knownvalue.Check{
						componentRule: knownvalue.StringExact(name), componentDocument: knownvalue.StringExact(name + complianceDocumentSuffix),
						componentAutomationRole: knownvalue.StringExact(name + complianceAutomationSuffix), componentDeliveryRole: knownvalue.StringExact(name + complianceDeliverySuffix),
					})),
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("config_rule_arn"),
						knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:config:`+compRegion+`:`+acctest.AccountID+`:config-rule/config-rule-`))),
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("document_arn"),
						knownvalue.StringExact(fmt.Sprintf("arn:aws:ssm:%s:%s:document/%s%s", compRegion, acctest.AccountID, name, complianceDocumentSuffix))),
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("delivery_role_arn"),
						knownvalue.StringExact(fmt.Sprintf("arn:aws:iam::%s:role/%s%s", acctest.AccountID, name, complianceDeliverySuffix))),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkRolesPassTheChecker(name, group, "ALL"),
					func(*terraform.State) error {
						rule := a.rule(name)
						if aws.ToString(rule.Source.SourceIdentifier) != coveragescan.ConfigRuleIdentifier || aws.ToString(rule.InputParameters) != `{"trafficType":"ALL"}` ||
							rule.MaximumExecutionFrequency != configtypes.MaximumExecutionFrequencyTwentyFourHours {
							return fmt.Errorf("config rule %+v", rule)
						}
						doc, err := a.ssm.GetDocument(a.ctx, &ssm.GetDocumentInput{Name: aws.String(name + complianceDocumentSuffix)})
						if err != nil {
							return err
						}
						rem, ok := coveragescan.RemediationFromDocument(aws.ToString(doc.Content))
						if !ok || rem.Destination != group || doc.DocumentType != "Automation" {
							return fmt.Errorf("document %s: %+v", aws.ToString(doc.Content), rem)
						}
						if n := standIn.calls(); n != 0 {
							return fmt.Errorf(`remediation = "none" made %d remediation calls`, n)
						}
						return nil
					},
				),
			},
			{
				// In place: the rule's parameter and frequency, a new default version of the document, the tags.
				Config: compConfig(body(`  traffic_type                = "REJECT"
  maximum_execution_frequency = "One_Hour"
  tags                        = { team = "security" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(compResource, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("traffic_type"), knownvalue.StringExact("REJECT")),
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("security")})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					a.checkRolesPassTheChecker(name, group, "REJECT"),
					func(*terraform.State) error {
						rule := a.rule(name)
						if aws.ToString(rule.InputParameters) != `{"trafficType":"REJECT"}` || rule.MaximumExecutionFrequency != configtypes.MaximumExecutionFrequencyOneHour {
							return fmt.Errorf("config rule not updated: %+v", rule)
						}
						d, err := a.ssm.DescribeDocument(a.ctx, &ssm.DescribeDocumentInput{Name: aws.String(name + complianceDocumentSuffix)})
						if err != nil {
							return err
						}
						if aws.ToString(d.Document.DefaultVersion) != "2" {
							return fmt.Errorf("document default version %s, want 2", aws.ToString(d.Document.DefaultVersion))
						}
						tags, err := a.config.ListTagsForResource(a.ctx, &configservice.ListTagsForResourceInput{ResourceArn: rule.ConfigRuleArn})
						if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "security" {
							return fmt.Errorf("rule tags %+v (err %v)", tags, err)
						}
						return nil
					},
				),
			},
			{
				// Out of band: the document is deleted and the Automation role's
				// policy emptied. The plan shows the update that puts them back.
				PreConfig: func() {
					if _, err := a.ssm.DeleteDocument(a.ctx, &ssm.DeleteDocumentInput{Name: aws.String(name + complianceDocumentSuffix)}); err != nil {
						t.Fatal(err)
					}
					if _, err := a.iam.PutRolePolicy(a.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name + complianceAutomationSuffix),
						PolicyName: aws.String(coveragescan.AutomationPolicyName), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeFlowLogs","Resource":"*"}]}`)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: compConfig(body(`  traffic_type                = "REJECT"
  maximum_execution_frequency = "One_Hour"
  tags                        = { team = "security" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(compResource, plancheck.ResourceActionUpdate),
				}},
				Check: a.checkRolesPassTheChecker(name, group, "REJECT"),
			},
			{
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Config: compConfig(body(`  traffic_type                = "REJECT"
  maximum_execution_frequency = "One_Hour"
  tags                        = { team = "security" }`)),
			},
			{
				// Import by rule name. moto has no DescribeRemediationConfigurations;
				// the stand-in answers it with no configuration, as AWS would here.
				ResourceName:      compResource,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCompliance_disappears deletes the rule, the document and both
// roles through the resource's Delete; moto lacks the remediation API, so
// the test keeps remediation = "none" and Delete skips it.
func TestAccCompliance_disappears(t *testing.T) {
	a := newCompAWS(t)
	name := flName("cov-comp")
	group := a.logGroup("/vpc/" + name)
	standIn := &remediationStandIn{}
	config := compConfig(fmt.Sprintf("  name            = %q\n  log_destination = %q\n  remediation     = \"none\"\n", name, group))
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(flowLogProviderFactories(nil, standIn.install)),
		CheckDestroy:             a.checkDestroyed(name),
		Steps: testAccDisappearsSteps(t, read, newComplianceResource, compResource, config,
			conns.Settings{Region: compRegion, MaxRetries: 0}, a.checkRolesPassTheChecker(name, group, "ALL")),
	})
}

// TestAccCompliance_remediation attaches the document to the rule. moto
// implements none of PutRemediationConfigurations,
// DescribeRemediationConfigurations and DeleteRemediationConfiguration;
// the stand-in below answers those three calls in the provider's process,
// and everything else goes to moto. The test checks what the provider
// asks of AWS Config.
func TestAccCompliance_remediation(t *testing.T) {
	a := newCompAWS(t)
	name := flName("cov-comp")
	group := a.logGroup("/vpc/" + name)
	standIn := &remediationStandIn{}
	body := func(mode string) string {
		return fmt.Sprintf("  name            = %q\n  log_destination = %q\n  remediation     = %q\n", name, group, mode)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(nil, standIn.install),
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(a.checkDestroyed(name), func(*terraform.State) error {
			if _, ok := standIn.get(name); ok {
				return fmt.Errorf("remediation configuration of %s left after destroy", name)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: compConfig(body("automatic")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(compResource, tfjsonpath.New("components").AtMapKey(componentRemediation), knownvalue.StringExact("automatic")),
				},
				Check: func(*terraform.State) error {
					rc, ok := standIn.get(name)
					if !ok {
						return fmt.Errorf("no remediation configuration put")
					}
					p := rc.Parameters
					if !rc.Automatic || aws.ToInt32(rc.MaximumAutomaticAttempts) != 5 || aws.ToInt64(rc.RetryAttemptSeconds) != 60 ||
						aws.ToString(rc.TargetId) != name+complianceDocumentSuffix || rc.TargetType != configtypes.RemediationTargetTypeSsmDocument ||
						p[coveragescan.ParamVpcID].ResourceValue == nil || p[coveragescan.ParamVpcID].ResourceValue.Value != configtypes.ResourceValueTypeResourceId ||
						p[coveragescan.ParamAssumeRole].StaticValue == nil || p[coveragescan.ParamAssumeRole].StaticValue.Values[0] != iamRoleARN("aws", acctest.AccountID, "/", name+complianceAutomationSuffix) {
						b, _ := json.Marshal(rc)
						return fmt.Errorf("remediation configuration %s", b)
					}
					return nil
				},
			},
			{
				Config: compConfig(body("manual")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(compResource, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if rc, _ := standIn.get(name); rc.Automatic || rc.MaximumAutomaticAttempts != nil {
						return fmt.Errorf("manual remediation is automatic: %+v", rc)
					}
					return nil
				},
			},
			{
				// Detached out of band: the plan puts it back.
				PreConfig: func() { standIn.remove(name) },
				Config:    compConfig(body("manual")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(compResource, plancheck.ResourceActionUpdate),
				}},
			},
			testAccImportStep(compResource, name),
			{
				// Detached by configuration.
				Config: compConfig(body("none")),
				Check: func(*terraform.State) error {
					if _, ok := standIn.get(name); ok {
						return fmt.Errorf(`remediation = "none" left the configuration attached`)
					}
					return nil
				},
			},
		},
	})
}

// TestAccCompliance_remediationMissingInMoto states the gap: moto does not
// implement PutRemediationConfigurations (moto_server answers HTTP 500,
// "The put_remediation_configurations action has not been implemented").
// Against moto itself the attachment fails with that error, after the
// rule, the document and the roles were created; the resource is then
// tainted and the destroy removes them.
func TestAccCompliance_remediationMissingInMoto(t *testing.T) {
	a := newCompAWS(t)
	name := flName("cov-comp")
	group := a.logGroup("/vpc/" + name)
	testAccTest(t, a.checkDestroyed(name), []resource.TestStep{{
		Config:      compConfig(fmt.Sprintf("  name            = %q\n  log_destination = %q\n", name, group)),
		ExpectError: regexp.MustCompile(`(?s)putting Config Remediation Configuration.*PutRemediationConfigurations.*StatusCode: 500`),
	}})
}

// TestAccCompliance_planChecks: the plan refuses what would make every
// remediated flow log fail, before anything is created.
func TestAccCompliance_planChecks(t *testing.T) {
	a := newCompAWS(t)
	name := flName("cov-comp")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      compConfig(fmt.Sprintf("  name = %q\n  log_destination = \"arn:aws:logs:us-west-2:%s:log-group:/vpc/elsewhere\"\n  remediation = \"none\"", name, acctest.AccountID)),
				ExpectError: regexp.MustCompile(`Log group outside the rule's account and region`),
			},
			{
				Config:      compConfig(fmt.Sprintf("  name = %q\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::%s-missing/vpc\"\n  remediation = \"none\"", name, name)),
				ExpectError: regexp.MustCompile(`The remediated flow logs would deliver nothing: DESTINATION_NOT_FOUND`),
			},
			{
				Config:      compConfig("  name = \"aws-flow-logs\"\n  log_destination = \"arn:aws:s3:::bucket\"\n  log_destination_type = \"s3\""),
				ExpectError: regexp.MustCompile(`Name reserved by Systems Manager`),
			},
			{
				Config:      compConfig(fmt.Sprintf("  name = %q\n  log_destination = \"arn:aws:s3:::bucket\"", name)),
				ExpectError: regexp.MustCompile(`Not a log group ARN`),
			},
		},
		CheckDestroy: a.checkDestroyed(name),
	})
}

// remediationStandIn answers the three AWS Config remediation calls moto
// lacks, in the provider's process, and keeps what was put.
type remediationStandIn struct {
	mu      sync.Mutex
	configs map[string]configtypes.RemediationConfiguration
	n       int
}

func (s *remediationStandIn) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("remediationStandIn",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if awsmiddleware.GetServiceID(ctx) != "Config Service" {
				return next.HandleInitialize(ctx, in)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.configs == nil {
				s.configs = map[string]configtypes.RemediationConfiguration{}
			}
			switch p := in.Parameters.(type) {
			case *configservice.PutRemediationConfigurationsInput:
				s.n++
				for _, rc := range p.RemediationConfigurations {
					s.configs[aws.ToString(rc.ConfigRuleName)] = rc
				}
				return middleware.InitializeOutput{Result: &configservice.PutRemediationConfigurationsOutput{}}, middleware.Metadata{}, nil
			case *configservice.DescribeRemediationConfigurationsInput:
				s.n++
				out := &configservice.DescribeRemediationConfigurationsOutput{}
				for _, name := range p.ConfigRuleNames {
					if rc, ok := s.configs[name]; ok {
						out.RemediationConfigurations = append(out.RemediationConfigurations, rc)
					}
				}
				return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, nil
			case *configservice.DeleteRemediationConfigurationInput:
				s.n++
				delete(s.configs, aws.ToString(p.ConfigRuleName))
				return middleware.InitializeOutput{Result: &configservice.DeleteRemediationConfigurationOutput{}}, middleware.Metadata{}, nil
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func (s *remediationStandIn) get(rule string) (configtypes.RemediationConfiguration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc, ok := s.configs[rule]
	return rc, ok
}

func (s *remediationStandIn) remove(rule string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.configs, rule)
}

func (s *remediationStandIn) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}
