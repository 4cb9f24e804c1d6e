package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// Moto stores trust policies as written and does not evaluate them when a
// role is assumed, so the tests evaluate the stored trust policy with the
// provider's policy engine.

const testAccSourceRoleAddress = "vpcflow_source_account_role.test"

const testAccCentralRole = "arn:aws:iam::999999999999:role/vpcflow/vpcflow-inventory"

// testAccSourceRoleConfig is a source account role named name that trusts
// the central role with an external ID, with the attribute lines of body.
func testAccSourceRoleConfig(name, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_source_account_role" "test" {
  name                   = %q
  trusted_principal_arns = [%q]
  external_id            = "vpcflow-7c1d0e"
%s
}
`, name, testAccCentralRole, body)
}

func TestAccSourceAccountRole_basic(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-source")
	testAccTest(t, testAccCheckSourceRoleDestroyed(t), []resource.TestStep{
		{
			Config: testAccSourceRoleConfig(name, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testAccSourceRoleAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccRoleARN("/", name))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccSourceRoleAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccSourceRoleAddress, tfjsonpath.New("max_session_duration"), knownvalue.Int64Exact(3600)),
			},
			Check: testAccCheckSourceRole(t, name, testAccCentralRole, "vpcflow-7c1d0e"),
		},
		testAccImportStep(testAccSourceRoleAddress, name),
	})
}

func TestAccSourceAccountRole_disappears(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-source")
	config := testAccSourceRoleConfig(name, "")
	testAccDisappearsTest(t, testAccCheckSourceRoleDestroyed(t), newSourceAccountRoleResource, testAccSourceRoleAddress, config)
}

// TestAccSourceAccountRole_update rotates the external ID, changes who is
// trusted and adds a boundary that allows the reads, all in place.
func TestAccSourceAccountRole_update(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-source")
	boundary := testAccCreateManagedPolicy(t, name+"-boundary",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","tag:Get*"],"Resource":"*"}]}`)
	config := func(body string) string { return testAccNamedConfig("vpcflow_source_account_role", name, body) }
	update := testAccPlanAction(testAccSourceRoleAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckSourceRoleDestroyed(t), []resource.TestStep{
		{
			Config: config(fmt.Sprintf("  trusted_principal_arns = [%q]\n  external_id = \"first-id\"", testAccCentralRole)),
			Check:  testAccCheckSourceRole(t, name, testAccCentralRole, "first-id"),
		},
		{
			Config: config(fmt.Sprintf(`
  trusted_principal_arns = ["arn:aws:iam::999999999999:root"]
  external_id            = "second-id"
  description            = "read by the central inventory"
  max_session_duration   = 7200
  permissions_boundary   = %q
`, boundary)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccSourceRoleAddress, tfjsonpath.New("max_session_duration"), knownvalue.Int64Exact(7200)),
				statecheck.ExpectKnownValue(testAccSourceRoleAddress, tfjsonpath.New("permissions_boundary"), knownvalue.StringExact(boundary)),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckSourceRole(t, name, "arn:aws:iam::999999999999:root", "second-id"),
				testAccCheckDeliveryRoleBoundary(t, name, boundary),
			),
		},
		testAccImportStep(testAccSourceRoleAddress, ""),
	})
}

func TestAccSourceAccountRole_tags(t *testing.T) {
	name := sdkacctest.RandomWithPrefix("tf-acc-source")
	config := func(tags string) string { return testAccSourceRoleConfig(name, tags) }
	testAccTest(t, testAccCheckSourceRoleDestroyed(t), testAccTagsSteps(testAccSourceRoleAddress, config, testAccTagsOf(t, name, testAccCheckDeliveryRoleTags)))
}

func TestAccSourceAccountRole_planChecks(t *testing.T) {
	boundary := testAccCreateManagedPolicy(t, sdkacctest.RandomWithPrefix("tf-acc-boundary"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	for name, tc := range map[string]struct {
		body string
		want *regexp.Regexp
	}{
		"boundary without tagging": {fmt.Sprintf("external_id = \"vpcflow-7c1d0e\"\n  permissions_boundary = %q", boundary),
			regexp.MustCompile(`(?s)Permissions boundary blocks the inventory: PERMISSION_BOUNDARY_BLOCKS.*tag:GetResources`)},
		"short external id": {`external_id = "x"`, regexp.MustCompile(`(?s)external_id.*string length must be between 2 and 1224`)},
		"a service":         {"external_id = \"vpcflow-7c1d0e\"\n  trusted_principal_arns = [\"lambda.amazonaws.com\"]", regexp.MustCompile(`role ARN or arn:aws:iam::ACCOUNT:root`)},
	} {
		t.Run(name, func(t *testing.T) {
			body := tc.body
			if !regexp.MustCompile(`trusted_principal_arns`).MatchString(body) {
				body += fmt.Sprintf("\n  trusted_principal_arns = [%q]", testAccCentralRole)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("resource \"vpcflow_source_account_role\" \"test\" {\n  name = \"never-created\"\n  %s\n}\n", body),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func testAccCheckSourceRoleDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_source_account_role", testAccRoleExists(t))
}

// testAccCheckSourceRole reads the role from IAM: the read-only policy, and
// a trust policy that lets the principal in only with the external ID.
func testAccCheckSourceRole(t *testing.T, name, principal, externalID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		role, err := findServiceRole(context.Background(), testAccIAMClient(t), name, pipelinepolicy.SourceRolePolicyName)
		if err != nil {
			return err
		}
		want, _ := pipelinepolicy.SourceRolePermissionsDocument()
		if !pipelinepolicy.Equivalent(role.Policy, want) {
			return fmt.Errorf("role %s policy:\n%s", name, role.Policy)
		}
		trust, err := policy.Parse(role.Trust, policy.Options{Name: "trust policy", Kind: policy.KindTrust})
		if err != nil {
			return err
		}
		caller := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`, policy.Options{Kind: policy.KindIdentity})
		assume := func(id string) bool {
			ctx := map[string][]string{}
			if id != "" {
				ctx["sts:ExternalId"] = []string{id}
			}
			return policy.Evaluate(policy.Set{Identity: []*policy.Policy{caller}, Resource: trust, ResourceAccount: "123456789012"}, policy.Request{
				Principal: policy.Principal{Type: policy.PrincipalAWS, ID: testAccCentralRole, Account: "999999999999"},
				Action:    "sts:AssumeRole", Context: ctx,
			}).Allowed()
		}
		if !assume(externalID) || assume("") || assume(externalID+"-wrong") {
			return fmt.Errorf("role %s: trust policy does not require external ID %q for %s:\n%s", name, externalID, principal, role.Trust)
		}
		return nil
	}
}
