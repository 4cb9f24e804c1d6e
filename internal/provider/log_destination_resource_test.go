package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// Moto stores a destination's role and target without assuming the role or
// checking the target, so a wrong role is caught only by the plan-time
// check these tests exercise.

const testAccLogDestinationAddress = "vpcflow_log_destination.test"

func testAccDestinationARN(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:destination:%s", acctest.Region, acctest.AccountID, name)
}

// testAccCreateLogsRole creates a role CloudWatch Logs assumes to put
// records into the stream, written as pipelinepolicy renders it, trusting
// service instead of logs.amazonaws.com when it is set. It is deleted after
// the test.
func testAccCreateLogsRole(t *testing.T, name, streamARN, service string) string {
	t.Helper()
	trust, err := pipelinepolicy.LogsRoleTrustDocument("aws", acctest.Region, []string{acctest.AccountID})
	if err != nil {
		t.Fatal(err)
	}
	if service != "" {
		trust = strings.ReplaceAll(trust, pipelinepolicy.LogsService, service)
	}
	target, err := pipelinepolicy.ParseLogsTarget(streamARN)
	if err != nil {
		t.Fatal(err)
	}
	perms, err := pipelinepolicy.LogsRolePermissionsDocument(target)
	if err != nil {
		t.Fatal(err)
	}
	return testAccRoleFixture(t, testAccIAMClient(t), name, trust, "", map[string]string{"put-records": perms})
}

// testAccLogDestinationConfig is a destination named name that sends to the
// stream through role, with the attribute lines of body.
func testAccLogDestinationConfig(name, stream, role, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_log_destination" "test" {
  name       = %q
  target_arn = %q
  role_arn   = %q
%s
}
`, name, stream, role, body)
}

// testAccCreateStream creates a Kinesis stream outside Terraform, deleted after the test.
func testAccCreateStream(t *testing.T, name string) string {
	t.Helper()
	client := testAccKinesisClient(t)
	if _, err := client.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("creating stream %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
	})
	return testAccStreamARN(name)
}

func TestAccLogDestination_basic(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dest")
	stream := testAccCreateStream(t, name)
	role := testAccCreateLogsRole(t, name, stream, "")
	testAccTest(t, testAccCheckLogDestinationDestroyed(t), []resource.TestStep{
		{
			Config: testAccLogDestinationConfig(name, stream, role, `  source_account_ids = ["111111111111", "222222222222"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testAccLogDestinationAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccDestinationARN(name))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogDestinationAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccLogDestinationAddress, tfjsonpath.New("organization_id"), knownvalue.Null()),
			},
			Check: testAccCheckLogDestination(t, name, stream, role, pipelinepolicy.DestinationAccess{
				DestinationARN: testAccDestinationARN(name), Accounts: []string{"111111111111", "222222222222"},
			}),
		},
		testAccImportStep(testAccLogDestinationAddress, name),
	})
}

func TestAccLogDestination_update(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dest")
	stream1 := testAccCreateStream(t, name+"-1")
	stream2 := testAccCreateStream(t, name+"-2")
	role1 := testAccCreateLogsRole(t, name+"-1", stream1, "")
	role2 := testAccCreateLogsRole(t, name+"-2", stream2, "")
	config := func(stream, role, access string) string {
		return testAccLogDestinationConfig(name, stream, role, "  "+access)
	}
	update := testAccPlanAction(testAccLogDestinationAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckLogDestinationDestroyed(t), []resource.TestStep{
		{Config: config(stream1, role1, `source_account_ids = ["111111111111"]`)},
		{
			Config:           config(stream2, role2, `organization_id = "o-a1b2c3d4e5"`),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogDestinationAddress, tfjsonpath.New("source_account_ids"), knownvalue.Null()),
			},
			Check: testAccCheckLogDestination(t, name, stream2, role2, pipelinepolicy.DestinationAccess{
				DestinationARN: testAccDestinationARN(name), OrganizationID: "o-a1b2c3d4e5",
			}),
		},
		testAccImportStep(testAccLogDestinationAddress, ""),
		{
			// An access policy widened outside Terraform is put back.
			Config: config(stream2, role2, `organization_id = "o-a1b2c3d4e5"`),
			PreConfig: func() {
				_, err := testAccLogsClient(t).PutDestinationPolicy(context.Background(), &cloudwatchlogs.PutDestinationPolicyInput{
					DestinationName: aws.String(name),
					AccessPolicy:    aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:PutSubscriptionFilter","Resource":"*"}]}`),
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			ConfigPlanChecks: update,
			Check: testAccCheckLogDestination(t, name, stream2, role2, pipelinepolicy.DestinationAccess{
				DestinationARN: testAccDestinationARN(name), OrganizationID: "o-a1b2c3d4e5",
			}),
		},
	})
}

func TestAccLogDestination_disappears(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dest")
	stream := testAccCreateStream(t, name)
	role := testAccCreateLogsRole(t, name, stream, "")
	config := testAccLogDestinationConfig(name, stream, role, `  organization_id = "o-a1b2c3d4e5"`)
	testAccDisappearsTest(t, testAccCheckLogDestinationDestroyed(t), newLogDestinationResource, testAccLogDestinationAddress, config)
}

func TestAccLogDestination_tags(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dest")
	stream := testAccCreateStream(t, name)
	role := testAccCreateLogsRole(t, name, stream, "")
	config := func(tags string) string {
		return testAccLogDestinationConfig(name, stream, role, "  source_account_ids = [\"111111111111\"]\n"+tags)
	}
	testAccTest(t, testAccCheckLogDestinationDestroyed(t), testAccTagsSteps(testAccLogDestinationAddress, config, testAccTagsOf(t, name, testAccCheckLogDestinationTags)))
}

// TestAccLogDestination_roleNotTrustingLogs: a role CloudWatch Logs cannot
// assume fails the plan on role_arn, before the destination exists.
func TestAccLogDestination_roleNotTrustingLogs(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-dest")
	stream := testAccStreamARN(name)
	role := testAccCreateLogsRole(t, name, stream, "firehose.amazonaws.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccLogDestinationConfig(name, stream, role, `  source_account_ids = ["111111111111"]`),
			ExpectError: regexp.MustCompile(`(?s)CloudWatch Logs could not deliver through the destination: TRUST_.*logs\.amazonaws\.com`),
		}},
	})
	if _, err := findLogDestination(context.Background(), testAccLogsClient(t), name); !isNotFound(err) {
		t.Errorf("the destination was created (%v)", err)
	}
}

func testAccCheckLogDestinationDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_log_destination", func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := findLogDestination(ctx, testAccLogsClient(t), id)
		return notFound(err, isNotFound)
	})
}

func testAccCheckLogDestination(t *testing.T, name, target, role string, access pipelinepolicy.DestinationAccess) resource.TestCheckFunc {
	return func(*terraform.State) error {
		d, err := findLogDestination(context.Background(), testAccLogsClient(t), name)
		if err != nil {
			return err
		}
		want, err := pipelinepolicy.DestinationPolicyDocument(access)
		if err != nil {
			return err
		}
		if aws.ToString(d.TargetArn) != target || aws.ToString(d.RoleArn) != role || !pipelinepolicy.Equivalent(aws.ToString(d.AccessPolicy), want) {
			return fmt.Errorf("destination %s: target %s role %s policy %s", name, aws.ToString(d.TargetArn), aws.ToString(d.RoleArn), aws.ToString(d.AccessPolicy))
		}
		return nil
	}
}

func testAccCheckLogDestinationTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags("destination "+name, want, func(ctx context.Context) (map[string]string, error) {
		out, err := testAccLogsClient(t).ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(testAccDestinationARN(name))})
		if err != nil {
			return nil, err
		}
		return out.Tags, nil
	})
}
