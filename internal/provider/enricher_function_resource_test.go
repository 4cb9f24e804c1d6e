package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/artifact"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/lambdazip"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// Moto stores a function's code and configuration but cannot run it, so the
// tests deploy a small stand-in package; what the function does is tested in
// the enricher's own packages. Moto does not change a function's
// architecture on UpdateFunctionCode, and PutFunctionEventInvokeConfig on a
// function that has one adds a second config that GetFunctionEventInvokeConfig
// never returns, so neither change is exercised here.

const testAccEnricherAddress = "vpcflow_enricher_function.test"

// testAccEnricherCode is a stand-in of the deployment packages: the
// version stands for the provider release that embeds them, and each mode's
// package is the one lambdazip.ForMode names, as in the provider.
func testAccEnricherCode(t *testing.T, version string) func(string, string) ([]byte, error) {
	t.Helper()
	return func(mode, arch string) ([]byte, error) {
		f, err := lambdazip.ForMode(mode)
		if err != nil {
			return nil, err
		}
		return lambdazip.Zip("bootstrap", strings.NewReader("#!/bin/sh\n# "+f.Name+" "+version+" for "+arch+"\n"))
	}
}

// testAccUseEnricherCode deploys the stand-in package for the test's duration.
func testAccUseEnricherCode(t *testing.T, version string) {
	t.Helper()
	saved := enricherArtifact
	enricherArtifact = testAccEnricherCode(t, version)
	t.Cleanup(func() { enricherArtifact = saved })
}

// testAccEnricherHash is the hash of the stand-in package of the
// enrichment modes (subscription and kinesis).
func testAccEnricherHash(t *testing.T, version, arch string) string {
	t.Helper()
	return testAccEnricherModeHash(t, version, "cloudwatch-logs", arch)
}

// testAccEnricherModeHash is the hash of the stand-in package that serves
// a VPCFLOW_MODE value.
func testAccEnricherModeHash(t *testing.T, version, mode, arch string) string {
	t.Helper()
	zip, err := testAccEnricherCode(t, version)(mode, arch)
	if err != nil {
		t.Fatal(err)
	}
	return artifact.SourceCodeHash(zip)
}

// testAccEnricherConfig is an enricher named name that writes to the
// "flows-enriched" bucket, with the attribute lines of body.
func testAccEnricherConfig(name, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_enricher_function" "test" {
  function_name = %q
  output_bucket = "flows-enriched"
%s
}
`, name, body)
}

func testAccEnricherName() string { return sdkacctest.RandomWithPrefix("tf-acc-enricher") }

func testAccFunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", acctest.Region, acctest.AccountID, name)
}

func testAccTableARN(name string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", acctest.Region, acctest.AccountID, name)
}

func testAccLambdaClient(t *testing.T) *lambda.Client {
	return lambda.NewFromConfig(acctest.AWSConfig(t))
}

func TestAccEnricherFunction_basic(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		{
			Config: testAccEnricherConfig(name, fmt.Sprintf("  inventory_table_arn = %q", testAccTableARN("inventory"))),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionCreate),
					// Known at plan time, so a subscription or rule in the same run can use them.
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccFunctionARN(name))),
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(testAccRoleARN("/vpcflow/", name))),
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("source_code_hash"), knownvalue.StringExact(testAccEnricherHash(t, "v1", "arm64"))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("mode"), knownvalue.StringExact("subscription")),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("architecture"), knownvalue.StringExact("arm64")),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("memory_size"), knownvalue.Int64Exact(256)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("timeout"), knownvalue.Int64Exact(60)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("log_retention_in_days"), knownvalue.Int64Exact(30)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("log_group_name"), knownvalue.StringExact("/aws/lambda/"+name)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("role_name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("reserved_concurrent_executions"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("environment"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("source_code_hash"), knownvalue.StringExact(testAccEnricherHash(t, "v1", "arm64"))),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
					"VPCFLOW_MODE": "cloudwatch-logs", "VPCFLOW_WINDOW": "60s", "VPCFLOW_INVENTORY_TABLE": "inventory",
					"VPCFLOW_OUTPUT_BUCKET": "flows-enriched", "VPCFLOW_OUTPUT_PREFIX": "connections/",
				}),
				testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
					Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeSubscription,
					InventoryTableARN: testAccTableARN("inventory"), OutputBucket: "flows-enriched", OutputPrefix: "connections/",
				}),
				testAccCheckLogGroupRetention(t, "/aws/lambda/"+name, aws.Int32(30)),
			),
		},
		testAccImportStep(testAccEnricherAddress, name),
	})
}

// TestAccEnricherFunction_newCode: a provider release with new enricher
// code plans an update of the code alone, and applying it uploads the code.
func TestAccEnricherFunction_newCode(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := testAccEnricherConfig(name, `  architecture  = "x86_64"`)
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		{
			Config: config,
			Check:  testAccCheckEnricherCode(t, name, testAccEnricherHash(t, "v1", "x86_64")),
		},
		{
			PreConfig: func() { enricherArtifact = testAccEnricherCode(t, "v2") },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("source_code_hash"), knownvalue.StringExact(testAccEnricherHash(t, "v2", "x86_64"))),
				},
			},
			Check: testAccCheckEnricherCode(t, name, testAccEnricherHash(t, "v2", "x86_64")),
		},
	})
}

// TestAccEnricherFunction_notEmbedded: a provider built without the
// package fails the plan of this resource, saying how to build one with it.
func TestAccEnricherFunction_notEmbedded(t *testing.T) {
	saved := enricherArtifact
	enricherArtifact = func(string, string) ([]byte, error) { return nil, artifact.ErrNotEmbedded }
	t.Cleanup(func() { enricherArtifact = saved })
	name := testAccEnricherName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "vpcflow_log_group" "other" {
  name = "/tf-acc/vpcflow/%[1]s"
}

resource "vpcflow_enricher_function" "test" {
  function_name = %[1]q
  output_bucket = "flows-enriched"
}
`, name),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Enricher code not available.*built without the enricher Lambda artifact.*make build`),
		}},
	})
	if _, err := testAccLambdaClient(t).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err == nil {
		t.Error("the function was created")
	}
}

func TestAccEnricherFunction_disappears(t *testing.T) {
	testAccParallelWithEnricherCode(t)
	name := testAccEnricherName()
	config := testAccEnricherConfig(name, "")
	created := testAccCheckEnricherConfig(t, name, "arm64", map[string]string{"VPCFLOW_MODE": "cloudwatch-logs", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched", "VPCFLOW_OUTPUT_PREFIX": "connections/", "VPCFLOW_WINDOW": "60s"})
	read := &readWarnings{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckEnricherDestroyed(t),
		Steps: append(testAccDisappearsSteps(t, read, newEnricherFunctionResource, testAccEnricherAddress, config, conns.Settings{}, created),
			// Out of band, the function alone: the role and log group it
			// left are taken over by the next apply.
			testAccRemovedStep(testAccEnricherAddress, config, func(*terraform.State) error {
				_, err := testAccLambdaClient(t).DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
				return err
			}),
			resource.TestStep{Config: config, Check: created}),
	})
}

// TestAccEnricherFunction_roleDisappears: a role deleted out of band is
// created again by the next apply, with the function kept.
func TestAccEnricherFunction_roleDisappears(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := testAccEnricherConfig(name, "")
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		{
			Config: config,
			Check: func(*terraform.State) error {
				return deleteDeliveryRole(context.Background(), testAccIAMClient(t), name)
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionUpdate),
				},
			},
		},
		{
			Config: config,
			Check: testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
				Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeSubscription,
				OutputBucket: "flows-enriched", OutputPrefix: "connections/",
			}),
		},
	})
}

// TestAccEnricherFunction_roleNameTaken: a role of the name that this
// provider did not make for the function is left alone, and the apply says
// how to go on.
func TestAccEnricherFunction_roleNameTaken(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	testAccCreateEventsRole(t, name, "arn:aws:events:us-east-1:123456789012:event-bus/default", "lambda.amazonaws.com")
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{{
		Config:      testAccEnricherConfig(name, ""),
		ExpectError: regexp.MustCompile(`(?s)EntityAlreadyExists.*not one this provider made for the function.*set role_name to another name`),
	}})
	// The other role keeps its own policy.
	if _, err := testAccIAMClient(t).GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("put-events")}); err != nil {
		t.Errorf("the existing role was changed: %v", err)
	}
}

func TestAccEnricherFunction_update(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	// Moto accepts any destination; the account's default event bus needs no fixture.
	queue := fmt.Sprintf("arn:aws:events:%s:%s:event-bus/default", acctest.Region, acctest.AccountID)
	config := func(body string) string {
		return fmt.Sprintf(`
resource "vpcflow_enricher_function" "test" {
  function_name = %q
%s
}
`, name, body)
	}
	update := testAccPlanAction(testAccEnricherAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		{
			Config: config("  description = \"first\"\n  output_bucket = \"flows-enriched\""),
			Check:  testAccCheckEnricherConfig(t, name, "arm64", map[string]string{"VPCFLOW_MODE": "cloudwatch-logs", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched", "VPCFLOW_OUTPUT_PREFIX": "connections/", "VPCFLOW_WINDOW": "60s"}),
		},
		{
			Config: config(fmt.Sprintf(`
  description                    = "second"
  output_bucket                  = "flows-enriched"
  memory_size                    = 512
  timeout                        = 120
  window                         = "5m"
  reserved_concurrent_executions = 5
  log_retention_in_days          = 7
  inventory_table_arn            = %q
  on_failure_destination_arn     = %q
  environment = {
    VPCFLOW_MAX_KEYS = "100000"
  }
`, testAccTableARN("inventory"), queue)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("memory_size"), knownvalue.Int64Exact(512)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("reserved_concurrent_executions"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("on_failure_destination_arn"), knownvalue.StringExact(queue)),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("environment"), knownvalue.MapExact(map[string]knownvalue.Check{
					"VPCFLOW_MAX_KEYS": knownvalue.StringExact("100000"),
				})),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
					"VPCFLOW_MODE": "cloudwatch-logs", "VPCFLOW_WINDOW": "5m", "VPCFLOW_INVENTORY_TABLE": "inventory", "VPCFLOW_MAX_KEYS": "100000",
					"VPCFLOW_OUTPUT_BUCKET": "flows-enriched", "VPCFLOW_OUTPUT_PREFIX": "connections/",
				}),
				testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
					Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeSubscription,
					InventoryTableARN: testAccTableARN("inventory"), OnFailureDestinationARN: queue, OutputBucket: "flows-enriched", OutputPrefix: "connections/",
				}),
				testAccCheckLogGroupRetention(t, "/aws/lambda/"+name, aws.Int32(7)),
			),
		},
		testAccImportStep(testAccEnricherAddress, ""),
		{
			// The inventory function: read-write table access and EC2 reads, no stream.
			Config: config(fmt.Sprintf(`
  mode                     = "inventory"
  inventory_table_arn      = %q
  source_account_role_arns = ["arn:aws:iam::111111111111:role/vpcflow-read"]
  source_account_external_ids = {
    "arn:aws:iam::111111111111:role/vpcflow-read" = "vpcflow-7c1d0e"
  }
`, testAccTableARN("inventory"))),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionUpdate),
					// The external ID is hidden in the plan, and reaches the function through no plain attribute.
					plancheck.ExpectSensitiveValue(testAccEnricherAddress, tfjsonpath.New("source_account_external_ids")),
					// The inventory mode has a package of its own, uploaded in place.
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("source_code_hash"), knownvalue.StringExact(testAccEnricherModeHash(t, "v1", "inventory", "arm64"))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("reserved_concurrent_executions"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("on_failure_destination_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("environment"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherCode(t, name, testAccEnricherModeHash(t, "v1", "inventory", "arm64")),
				testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
					"VPCFLOW_MODE": "inventory", "VPCFLOW_WINDOW": "60s", "VPCFLOW_INVENTORY_TABLE": "inventory",
					"VPCFLOW_SOURCE_ROLES":        "arn:aws:iam::111111111111:role/vpcflow-read",
					"VPCFLOW_SOURCE_EXTERNAL_IDS": `{"arn:aws:iam::111111111111:role/vpcflow-read":"vpcflow-7c1d0e"}`,
				}),
				testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
					Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeInventory,
					InventoryTableARN: testAccTableARN("inventory"), SourceAccountRoleARNs: []string{"arn:aws:iam::111111111111:role/vpcflow-read"},
				}),
			),
		},
		testAccImportStep(testAccEnricherAddress, ""),
	})
}

func TestAccEnricherFunction_tags(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := func(tags string) string { return testAccEnricherConfig(name, tags) }
	testAccTest(t, testAccCheckEnricherDestroyed(t), testAccTagsSteps(testAccEnricherAddress, config, testAccTagsOf(t, name, testAccCheckEnricherTags)))
}

// TestAccEnricherFunction_planChecks: configurations that cannot work fail
// the plan on the attribute at fault, before anything is created.
func TestAccEnricherFunction_planChecks(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	boundary := testAccCreateManagedPolicy(t, sdkacctest.RandomWithPrefix("tf-acc-boundary"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","s3:*"],"Resource":"*"}]}`)
	cases := []planErrorCase{
		{"boundary without DynamoDB", fmt.Sprintf("inventory_table_arn = %q\n  permissions_boundary = %q", testAccTableARN("inventory"), boundary),
			regexp.MustCompile(`(?s)Permissions boundary blocks the enricher: PERMISSION_BOUNDARY_BLOCKS.*dynamodb:GetItem`)},
		{"kinesis without stream", `mode = "kinesis"`, regexp.MustCompile(`Kinesis mode needs a stream`)},
		{"stream without kinesis", `kinesis_stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s"`, regexp.MustCompile(`Stream without Kinesis mode`)},
		{"inventory without table", `mode = "inventory"`, regexp.MustCompile(`Inventory mode needs the table`)},
		{"no output bucket", `output_bucket = null`, regexp.MustCompile(`(?s)Enricher without an output bucket.*VPCFLOW_OUTPUT_BUCKET`)},
		{"managed variable", `environment = { VPCFLOW_WINDOW = "1m" }`, regexp.MustCompile(`(?s)Variable set by the provider.*window`)},
		{"S3 on-failure destination", `on_failure_destination_arn = "arn:aws:s3:::bucket"`, regexp.MustCompile(`SQS queue, SNS\s+topic, Lambda function or\s+EventBridge event bus`)},
	}
	for i := range cases {
		cases[i].body = testAccWithBucket(cases[i].body)
	}
	testAccPlanErrors(t, "vpcflow_enricher_function", "function_name", cases)

}

func testAccCheckEnricherDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_enricher_function", func(ctx context.Context, name string, a map[string]string) (bool, error) {
		_, err := testAccLambdaClient(t).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if found, err := notFound(err, errorCode("ResourceNotFoundException")); found || err != nil {
			return found, err
		}
		if found, err := testAccRoleExists(t)(ctx, a["role_name"], nil); found || err != nil {
			return found, err
		}
		_, err = findLogGroup(ctx, testAccLogsClient(t), "/aws/lambda/"+name)
		return notFound(err, isNotFound)
	})
}

// testAccCheckEnricherConfig checks the configuration Lambda holds.
func testAccCheckEnricherConfig(t *testing.T, name, arch string, env map[string]string) resource.TestCheckFunc {
	return testAccCheckFunction(t, name, func(out *lambda.GetFunctionOutput) error {
		cfg := out.Configuration
		if string(cfg.Runtime) != "provided.al2023" || aws.ToString(cfg.Handler) != "bootstrap" || string(cfg.Architectures[0]) != arch {
			return fmt.Errorf("function %s: runtime %s handler %s architectures %v", name, cfg.Runtime, aws.ToString(cfg.Handler), cfg.Architectures)
		}
		if aws.ToString(cfg.Role) != testAccRoleARN("/vpcflow/", name) {
			return fmt.Errorf("function %s role %s", name, aws.ToString(cfg.Role))
		}
		var got map[string]string
		if cfg.Environment != nil {
			got = cfg.Environment.Variables
		}
		if fmt.Sprint(got) != fmt.Sprint(env) {
			return fmt.Errorf("function %s environment %v, want %v", name, got, env)
		}
		return nil
	})
}

func testAccCheckEnricherCode(t *testing.T, name, hash string) resource.TestCheckFunc {
	return testAccCheckFunction(t, name, func(out *lambda.GetFunctionOutput) error {
		if got := aws.ToString(out.Configuration.CodeSha256); got != hash {
			return fmt.Errorf("function %s CodeSha256 %s, want %s", name, got, hash)
		}
		return nil
	})
}

// testAccCheckFunction reads the Lambda function name and hands it to check.
func testAccCheckFunction(t *testing.T, name string, check func(*lambda.GetFunctionOutput) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := testAccLambdaClient(t).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			return err
		}
		return check(out)
	}
}

// testAccCheckEnricherRolePassesChecker reads the execution role from IAM,
// expects exactly the rendered policy, and runs the delivery checker on it.
func testAccCheckEnricherRolePassesChecker(t *testing.T, name string, e pipelinepolicy.Execution) resource.TestCheckFunc {
	return func(*terraform.State) error {
		role, err := findServiceRole(context.Background(), testAccIAMClient(t), name, pipelinepolicy.ExecutionPolicyName)
		if err != nil {
			return err
		}
		want, err := pipelinepolicy.ExecutionPermissionsDocument(e)
		if err != nil {
			return err
		}
		if !pipelinepolicy.Equivalent(role.Policy, want) {
			return fmt.Errorf("role %s policy:\n%s\nwant:\n%s", name, role.Policy, want)
		}
		findings := delivery.CheckServiceRole(delivery.ServiceRole{
			RoleARN: aws.ToString(role.Role.Arn), Service: pipelinepolicy.LambdaService,
			Trust:        &delivery.NamedPolicy{Name: "trust policy", Document: role.Trust},
			TrustContext: pipelinepolicy.ExecutionTrustContext(e),
			Permissions:  []delivery.NamedPolicy{{Name: pipelinepolicy.ExecutionPolicyName, Document: role.Policy}},
			Needs:        pipelinepolicy.ExecutionNeeds(e),
		})
		if len(findings) > 0 {
			return fmt.Errorf("the checker finds %d problems with role %s, first: %s", len(findings), name, findings[0].Message)
		}
		return nil
	}
}

// testAccCheckEnricherTags checks the tags of the function, its role and its log group.
func testAccCheckEnricherTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		testAccCheckTags("function "+name, want, func(ctx context.Context) (map[string]string, error) {
			out, err := testAccLambdaClient(t).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
			if err != nil {
				return nil, err
			}
			return out.Tags, nil
		}),
		testAccCheckDeliveryRoleTags(t, name, want),
		testAccCheckLogGroupTags(t, "/aws/lambda/"+name, want),
	)
}

// TestIsLambdaRolePropagation: only Lambda's "role not usable yet" answers
// are retried; other invalid parameters fail at once.
func TestIsLambdaRolePropagation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{&smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "The role defined for the function cannot be assumed by Lambda."}, true},
		{&smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "The function's execution role does not have permissions to call SendMessage on arn:aws:sqs:us-east-1:1:q"}, true},
		{&smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "Unzipped size must be smaller than 262144000 bytes"}, false},
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "cannot be assumed by Lambda"}, false},
		{errors.New("The role defined for the function cannot be assumed by Lambda."), false},
	}
	for _, tc := range cases {
		if got := isLambdaRolePropagation(tc.err); got != tc.want {
			t.Errorf("isLambdaRolePropagation(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// testAccWithBucket adds the output bucket an enricher needs, unless the
// body sets it or is an inventory function.
func testAccWithBucket(body string) string {
	if strings.Contains(body, "output_bucket") || strings.Contains(body, `"inventory"`) {
		return body
	}
	return body + "\n  output_bucket = \"flows-enriched\""
}

// TestEnricherModesHavePackages: every mode the resource accepts is served
// by a deployment package, whose bootstrap reads the VPCFLOW_MODE the
// resource sets.
func TestEnricherModesHavePackages(t *testing.T) {
	for _, mode := range pipelinepolicy.Modes {
		handlerMode, ok := enricherHandlerModes[mode]
		if !ok {
			t.Errorf("mode %q sets no VPCFLOW_MODE", mode)
			continue
		}
		if _, err := lambdazip.ForMode(handlerMode); err != nil {
			t.Errorf("mode %q: %v", mode, err)
		}
	}
}
