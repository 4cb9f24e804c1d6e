package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const testAccDeliveryRoleAddress = "vpcflow_delivery_role.test"

func testAccDeliveryRoleName() string { return sdkacctest.RandomWithPrefix("tf-acc-flow") }

func testAccRoleARN(path, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role%s%s", acctest.AccountID, path, name)
}

// testAccDeliveryRoleConfig is a delivery role named name for the log group
// ARN group, with the attribute lines of body.
func testAccDeliveryRoleConfig(name, group, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_delivery_role" "test" {
  name           = %q
  log_group_arns = [%q]
%s
}
`, name, group, body)
}

func testAccIAMClient(t *testing.T) *iam.Client { return iam.NewFromConfig(acctest.AWSConfig(t)) }

// testAccRenderedTrust and testAccRenderedPolicy are what the resource must
// write for the inputs.
func testAccRenderedTrust(t *testing.T, regions ...string) string {
	t.Helper()
	doc, err := rolepolicy.TrustDocument(rolepolicy.Trust{Partition: "aws", Account: acctest.AccountID, Regions: regions})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func testAccRenderedPolicy(t *testing.T, create bool, groups ...string) string {
	t.Helper()
	doc, err := rolepolicy.PermissionsDocument(rolepolicy.Permissions{LogGroupARNs: groups, AllowCreateLogGroup: create})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestAccDeliveryRole_basic(t *testing.T) {
	name := testAccDeliveryRoleName()
	group := testAccLogGroupARN("/tf-acc/vpcflow/" + name)
	trust := testAccRenderedTrust(t, acctest.Region)
	policy := testAccRenderedPolicy(t, false, group)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: testAccDeliveryRoleConfig(name, group, ""),
			ConfigPlanChecks: testAccPlanCreateKnownARN(testAccDeliveryRoleAddress, testAccRoleARN("/", name),
				plancheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("trust_policy"), knownvalue.StringExact(trust)),
				plancheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("policy"), knownvalue.StringExact(policy)),
				plancheck.ExpectUnknownValue(testAccDeliveryRoleAddress, tfjsonpath.New("unique_id")),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccRoleARN("/", name))),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("unique_id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("path"), knownvalue.StringExact("/")),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("source_account"), knownvalue.StringExact(acctest.AccountID)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("source_regions"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acctest.Region)})),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("allow_create_log_group"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("max_session_duration"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("permissions_boundary"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("trust_policy"), knownvalue.StringExact(trust)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("policy"), knownvalue.StringExact(policy)),
			},
			Check: testAccCheckDeliveryRoleDocuments(t, name, trust, policy),
		},
		testAccImportStep(testAccDeliveryRoleAddress, name),
	})
}

// TestAccDeliveryRole_importReadsInputs imports a role whose configuration
// used ARNs with ":*": the inputs are read back from the documents.
func TestAccDeliveryRole_importReadsInputs(t *testing.T) {
	name := testAccDeliveryRoleName()
	group := testAccLogGroupARN("/tf-acc/vpcflow/" + name)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: testAccDeliveryRoleConfig(name, group+":*", `  allow_create_log_group = true
  source_regions         = ["us-east-1", "eu-west-1"]`),
		},
		{
			ResourceName:  testAccDeliveryRoleAddress,
			ImportState:   true,
			ImportStateId: name,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("imported %d states, want 1", len(states))
				}
				a := states[0].Attributes
				want := map[string]string{
					"log_group_arns.#":       "1",
					"log_group_arns.0":       group,
					"allow_create_log_group": "true",
					"source_account":         acctest.AccountID,
					"source_regions.#":       "2",
				}
				for k, v := range want {
					if a[k] != v {
						return fmt.Errorf("imported %s = %q, want %q", k, a[k], v)
					}
				}
				return nil
			},
		},
	})
}

func TestAccDeliveryRole_update(t *testing.T) {
	name := testAccDeliveryRoleName()
	group1 := testAccLogGroupARN("/tf-acc/vpcflow/" + name + "/a")
	group2 := testAccLogGroupARN("/tf-acc/vpcflow/" + name + "/b")
	update := testAccPlanAction(testAccDeliveryRoleAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: testAccDeliveryRoleConfig(name, group1, `  description = "first"`),
			Check:  testAccCheckDeliveryRoleDocuments(t, name, testAccRenderedTrust(t, acctest.Region), testAccRenderedPolicy(t, false, group1)),
		},
		{
			Config: fmt.Sprintf(`
resource "vpcflow_delivery_role" "test" {
  name                   = %q
  description            = "second"
  max_session_duration   = 7200
  log_group_arns         = [%q, "%s:*"]
  allow_create_log_group = true
  source_regions         = ["us-east-1", "us-west-2"]
}
`, name, group1, group2),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("description"), knownvalue.StringExact("second")),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("max_session_duration"), knownvalue.Int64Exact(7200)),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("log_group_arns"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(group1), knownvalue.StringExact(group2 + ":*"),
				})),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccRoleARN("/", name))),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckDeliveryRoleDocuments(t, name, testAccRenderedTrust(t, "us-east-1", "us-west-2"), testAccRenderedPolicy(t, true, group1, group2)),
				testAccCheckDeliveryRoleAttributes(t, name, "second", 7200),
			),
		},
		{
			// Removing the description clears it in IAM.
			Config:           testAccDeliveryRoleConfig(name, group1, ""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("description"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("allow_create_log_group"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckDeliveryRoleDocuments(t, name, testAccRenderedTrust(t, acctest.Region), testAccRenderedPolicy(t, false, group1)),
				testAccCheckDeliveryRoleAttributes(t, name, "", 3600),
			),
		},
	})
}

func TestAccDeliveryRole_replace(t *testing.T) {
	name1, name2 := testAccDeliveryRoleName(), testAccDeliveryRoleName()
	group := testAccLogGroupARN("/tf-acc/vpcflow/" + name1)
	config := func(name, path string) string {
		return testAccDeliveryRoleConfig(name, group, fmt.Sprintf("  path = %q", path))
	}
	replace := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(testAccDeliveryRoleAddress, plancheck.ResourceActionReplace),
			plancheck.ExpectUnknownValue(testAccDeliveryRoleAddress, tfjsonpath.New("unique_id")),
		},
	}
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{Config: config(name1, "/")},
		{
			Config:           config(name2, "/"),
			ConfigPlanChecks: replace,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccRoleARN("/", name2))),
			},
			Check: testAccCheckDeliveryRoleGone(t, name1),
		},
		{
			Config:           config(name2, "/vpcflow/"),
			ConfigPlanChecks: replace,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccRoleARN("/vpcflow/", name2))),
			},
		},
	})
}

// TestAccDeliveryRole_anyRegion: "*" covers every region, and listing one
// beside it does not make the plan differ from what IAM holds.
func TestAccDeliveryRole_anyRegion(t *testing.T) {
	name := testAccDeliveryRoleName()
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: fmt.Sprintf(`
resource "vpcflow_delivery_role" "test" {
  name           = %q
  log_group_arns = [%q, "arn:aws:logs:ap-southeast-2:%s:log-group:flow"]
  source_regions = ["us-east-1", "*"]
}
`, name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), acctest.AccountID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("trust_policy"), knownvalue.StringExact(testAccRenderedTrust(t, "*"))),
			},
		},
	})
}

func TestAccDeliveryRole_namePrefix(t *testing.T) {
	group := testAccLogGroupARN("/tf-acc/vpcflow/prefix")
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: fmt.Sprintf(`
resource "vpcflow_delivery_role" "test" {
  name_prefix    = "flow-"
  log_group_arns = [%q]
}
`, group),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(testAccDeliveryRoleAddress, tfjsonpath.New("arn")),
					// The documents do not depend on the name.
					plancheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("policy"), knownvalue.StringExact(testAccRenderedPolicy(t, false, group))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("name"), knownvalue.StringRegexp(regexp.MustCompile(`^flow-\d{14}[0-9a-f]{12}$`))),
			},
		},
	})
}

func TestAccDeliveryRole_disappears(t *testing.T) {
	name := testAccDeliveryRoleName()
	config := testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), "")
	testAccDisappearsTest(t, testAccCheckDeliveryRoleDestroyed(t), newDeliveryRoleResource, testAccDeliveryRoleAddress, config)
}

// TestAccDeliveryRole_policyChangedOutOfBand widens the inline policy behind
// Terraform's back: the next plan shows it and the apply puts the least
// privilege policy back.
func TestAccDeliveryRole_policyChangedOutOfBand(t *testing.T) {
	name := testAccDeliveryRoleName()
	group := testAccLogGroupARN("/tf-acc/vpcflow/" + name)
	config := testAccDeliveryRoleConfig(name, group, "")
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: config,
			Check: func(*terraform.State) error {
				_, err := testAccIAMClient(t).PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{
					RoleName: aws.String(name), PolicyName: aws.String(rolepolicy.PolicyName),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`),
				})
				return err
			},
			ExpectNonEmptyPlan: true,
		},
		{
			Config:           config,
			ConfigPlanChecks: testAccPlanAction(testAccDeliveryRoleAddress, plancheck.ResourceActionUpdate),
			Check:            testAccCheckDeliveryRoleDocuments(t, name, testAccRenderedTrust(t, acctest.Region), testAccRenderedPolicy(t, false, group)),
		},
	})
}

func TestAccDeliveryRole_tags(t *testing.T) {
	name := testAccDeliveryRoleName()
	config := func(tags string) string {
		return testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), tags)
	}
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), testAccTagsSteps(testAccDeliveryRoleAddress, config, testAccTagsOf(t, name, testAccCheckDeliveryRoleTags)))
}

func TestAccDeliveryRole_boundaryExcludesLogs(t *testing.T) {
	name := testAccDeliveryRoleName()
	boundary := testAccCreateManagedPolicy(t, "s3-only-"+name, `{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
}`)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config:      testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), fmt.Sprintf("  permissions_boundary = %q", boundary)),
			ExpectError: regexp.MustCompile(`(?s)Permissions boundary blocks flow log delivery.*logs:PutLogEvents.*PERMISSION_`),
		},
	})
	if err := testAccCheckDeliveryRoleGone(t, name)(nil); err != nil {
		t.Errorf("the plan failed, yet: %v", err)
	}
}

func TestAccDeliveryRole_boundary(t *testing.T) {
	name := testAccDeliveryRoleName()
	logsBoundary := testAccCreateManagedPolicy(t, "logs-"+name, `{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"}]
}`)
	config := func(boundary string) string {
		return testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), boundary)
	}
	update := testAccPlanAction(testAccDeliveryRoleAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{Config: config(``)},
		{
			Config:           config(fmt.Sprintf("  permissions_boundary = %q", logsBoundary)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("permissions_boundary"), knownvalue.StringExact(logsBoundary)),
			},
			Check: testAccCheckDeliveryRoleBoundary(t, name, logsBoundary),
		},
		testAccImportStep(testAccDeliveryRoleAddress, ""),
		{
			Config:           config(``),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccDeliveryRoleAddress, tfjsonpath.New("permissions_boundary"), knownvalue.Null()),
			},
			Check: testAccCheckDeliveryRoleBoundary(t, name, ""),
		},
	})
}

// TestAccDeliveryRole_validationWarn: with validation = "warn" a boundary
// that blocks delivery is reported, not refused.
func TestAccDeliveryRole_validationWarn(t *testing.T) {
	name := testAccDeliveryRoleName()
	boundary := testAccCreateManagedPolicy(t, "s3-only-"+name, `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
}`)
	testAccTest(t, testAccCheckDeliveryRoleDestroyed(t), []resource.TestStep{
		{
			Config: `
provider "vpcflow" {
  validation = "warn"
}
` + testAccDeliveryRoleConfig(name, testAccLogGroupARN("/tf-acc/vpcflow/"+name), fmt.Sprintf("  permissions_boundary = %q", boundary)),
			Check: testAccCheckDeliveryRoleBoundary(t, name, boundary),
		},
	})
}

func TestAccDeliveryRole_sourceRegionMissing(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccDeliveryRoleConfig("never-created", "arn:aws:logs:eu-west-1:"+acctest.AccountID+":log-group:flow", ""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Log group outside the trusted regions.*Add "eu-west-1" to source_regions`),
		}},
	})
}

func TestAccDeliveryRole_accountMismatch(t *testing.T) {
	cases := []planErrorCase{
		{
			"source account is not the role's",
			fmt.Sprintf("source_account = \"210987654321\"\n  log_group_arns = [\"arn:aws:logs:us-east-1:%s:log-group:flow\"]", acctest.AccountID),
			regexp.MustCompile(`(?s)Delivery role in another account than its flow logs.*source_account =\s+"` + acctest.AccountID + `"`),
		},
		{
			"log group of another account",
			`log_group_arns = ["arn:aws:logs:us-east-1:210987654321:log-group:flow"]`,
			regexp.MustCompile(`(?s)Log group in another account.*Firehose`),
		},
	}
	testAccPlanErrors(t, "vpcflow_delivery_role", "name", cases)

}

func TestAccDeliveryRole_validation(t *testing.T) {
	cases := []planErrorCase{
		{"wildcard group", `log_group_arns = ["arn:aws:logs:us-east-1:123456789012:log-group:/vpc/*"]`, regexp.MustCompile(`must be a log group ARN`)},
		{"no groups", `log_group_arns = []`, regexp.MustCompile(`at least 1`)},
		{"bad boundary", "log_group_arns = [\"arn:aws:logs:us-east-1:123456789012:log-group:g\"]\n  permissions_boundary = \"arn:aws:iam::123456789012:role/x\"", regexp.MustCompile(`must be a managed policy ARN`)},
		{"session too long", "log_group_arns = [\"arn:aws:logs:us-east-1:123456789012:log-group:g\"]\n  max_session_duration = 50000", regexp.MustCompile(`between 3600 and 43200`)},
	}
	testAccPlanErrors(t, "vpcflow_delivery_role", "name", cases)

}

func testAccCheckDeliveryRoleDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_delivery_role", testAccRoleExists(t))
}

// testAccRoleExists reads the IAM role named by the ID.
func testAccRoleExists(t *testing.T) existsFunc {
	return func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := testAccIAMClient(t).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(id)})
		return notFound(err, errorCode("NoSuchEntity"))
	}
}

func testAccCheckDeliveryRoleGone(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		found, err := testAccRoleExists(t)(context.Background(), name, nil)
		if err != nil {
			return err
		}
		if found {
			return fmt.Errorf("IAM role %s still exists", name)
		}
		return nil
	}
}

// testAccCheckDeliveryRoleDocuments checks what IAM holds: the trust policy
// and exactly one inline policy, equivalent to the rendered documents.
func testAccCheckDeliveryRoleDocuments(t *testing.T, name, trust, policy string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		client := testAccIAMClient(t)
		role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			return err
		}
		gotTrust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
		if !rolepolicy.Equivalent(gotTrust, trust) {
			return fmt.Errorf("trust policy of %s is\n%s\nwant\n%s", name, gotTrust, trust)
		}
		list, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
		if err != nil {
			return err
		}
		if len(list.PolicyNames) != 1 || list.PolicyNames[0] != rolepolicy.PolicyName {
			return fmt.Errorf("inline policies of %s are %v, want only %s", name, list.PolicyNames, rolepolicy.PolicyName)
		}
		p, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(rolepolicy.PolicyName)})
		if err != nil {
			return err
		}
		gotPolicy, _ := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if !rolepolicy.Equivalent(gotPolicy, policy) {
			return fmt.Errorf("inline policy of %s is\n%s\nwant\n%s", name, gotPolicy, policy)
		}
		return nil
	}
}

// testAccCheckRole reads the IAM role name and hands it to check.
func testAccCheckRole(t *testing.T, name string, check func(*iamtypes.Role) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := testAccIAMClient(t).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			return err
		}
		return check(out.Role)
	}
}

func testAccCheckDeliveryRoleAttributes(t *testing.T, name, description string, maxSession int32) resource.TestCheckFunc {
	return testAccCheckRole(t, name, func(role *iamtypes.Role) error {
		if got := aws.ToString(role.Description); got != description {
			return fmt.Errorf("description of %s = %q, want %q", name, got, description)
		}
		if got := aws.ToInt32(role.MaxSessionDuration); got != maxSession {
			return fmt.Errorf("max session duration of %s = %d, want %d", name, got, maxSession)
		}
		return nil
	})
}

func testAccCheckDeliveryRoleBoundary(t *testing.T, name, want string) resource.TestCheckFunc {
	return testAccCheckRole(t, name, func(role *iamtypes.Role) error {
		got := ""
		if b := role.PermissionsBoundary; b != nil {
			got = aws.ToString(b.PermissionsBoundaryArn)
		}
		if got != want {
			return fmt.Errorf("permissions boundary of %s = %q, want %q", name, got, want)
		}
		return nil
	})
}

func testAccCheckDeliveryRoleTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags("IAM role "+name, want, func(ctx context.Context) (map[string]string, error) {
		return listRoleTags(ctx, testAccIAMClient(t), name)
	})
}

// testAccCreateManagedPolicy creates a managed policy in moto, deleted after the test.
func testAccCreateManagedPolicy(t *testing.T, name, doc string) string {
	t.Helper()
	client := testAccIAMClient(t)
	out, err := client.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("creating IAM policy %s: %v", name, err)
	}
	policyARN := aws.ToString(out.Policy.Arn)
	t.Cleanup(func() {
		_, _ = client.DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	})
	return policyARN
}

// TestSettleDeliveryRole: a role IAM does not return yet is waited for
// within the bound, while an error that is not "not found" fails at once.
func TestSettleDeliveryRole(t *testing.T) {
	t.Parallel()
	notFound := &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The role with name r cannot be found."}
	malformed := &smithy.GenericAPIError{Code: "MalformedPolicyDocument", Message: "Syntax errors in policy."}
	cases := []struct {
		name          string
		getRole, put  []error // successive results; nil after the list
		wantGet       int
		wantPut       int
		wantErr       string
		wantSleptOver time.Duration // total fake time waited at least
	}{
		{name: "visible at once", wantGet: 1, wantPut: 1},
		{name: "role appears after two reads", getRole: []error{notFound, notFound}, wantGet: 3, wantPut: 1, wantSleptOver: 1500 * time.Millisecond},
		{name: "policy put retried while the role propagates", put: []error{notFound}, wantGet: 1, wantPut: 2},
		{name: "malformed policy fails at once", put: []error{malformed}, wantGet: 1, wantPut: 1, wantErr: "MalformedPolicyDocument"},
		{name: "role never appears", getRole: repeatErr(notFound, 100), wantGet: 17, wantErr: "still failing after 2m0s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeRetryClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			api := &settlingIAMAPI{getRole: tc.getRole, put: tc.put}
			err := settleDeliveryRole(context.Background(), api, propagationRetry{now: clock.now, sleep: clock.sleep}, "r", "{}")
			if api.gets != tc.wantGet || api.puts != tc.wantPut {
				t.Errorf("GetRole called %d times, PutRolePolicy %d; want %d and %d", api.gets, api.puts, tc.wantGet, tc.wantPut)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
			var slept time.Duration
			for _, d := range clock.slept {
				slept += d
			}
			if slept < tc.wantSleptOver || slept > iamPropagationTimeout {
				t.Errorf("waited %s, want between %s and %s", slept, tc.wantSleptOver, iamPropagationTimeout)
			}
		})
	}
}

func TestIsPolicyDeleteConflict(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"Cannot delete entity, must delete policies first.":                    true,
		"Cannot delete entity, must detach all policies first.":                true,
		"Cannot delete entity, must remove roles from instance profile first.": false,
	}
	for msg, want := range cases {
		if got := isPolicyDeleteConflict(&smithy.GenericAPIError{Code: "DeleteConflict", Message: msg}); got != want {
			t.Errorf("isPolicyDeleteConflict(%q) = %v, want %v", msg, got, want)
		}
	}
	if isPolicyDeleteConflict(&smithy.GenericAPIError{Code: "NoSuchEntity", Message: "must delete policies first"}) {
		t.Error("another code matched")
	}
}

func repeatErr(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// settlingIAMAPI answers GetRole and PutRolePolicy from scripted results.
type settlingIAMAPI struct {
	deliveryRoleAPI
	getRole, put []error
	gets, puts   int
}

func (f *settlingIAMAPI) GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.gets++
	if f.gets <= len(f.getRole) && f.getRole[f.gets-1] != nil {
		return nil, f.getRole[f.gets-1]
	}
	return &iam.GetRoleOutput{}, nil
}

func (f *settlingIAMAPI) PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.puts++
	if f.puts <= len(f.put) && f.put[f.puts-1] != nil {
		return nil, f.put[f.puts-1]
	}
	return &iam.PutRolePolicyOutput{}, nil
}
