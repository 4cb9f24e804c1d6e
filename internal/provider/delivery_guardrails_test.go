package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// testOrg is an organisation made on moto for one test: the test account is
// its management account, with one OU holding one member account. moto serves
// CreateOrganization, CreateOrganizationalUnit, CreateAccount, MoveAccount,
// CreatePolicy, AttachPolicy, DescribeOrganization, ListParents,
// ListPoliciesForTarget and DescribePolicy; it attaches FullAWSAccess and
// RCPFullAWSAccess to the root and to new OUs, but not to new accounts, so
// the test attaches FullAWSAccess to the member as AWS does. It answers a
// member account's ListParents with AccountNotFoundException where AWS
// answers AccessDeniedException; both are a failed read.
type testOrg struct {
	client         *organizations.Client
	root, ou       string
	member         string
	policies       []string
	attachments    [][2]string // policy, target
	memberAccounts []string
}

func newTestOrg(t *testing.T) *testOrg {
	t.Helper()
	ctx := context.Background()
	o := &testOrg{client: organizations.NewFromConfig(acctest.AWSConfig(t))}
	if _, err := o.client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatalf("creating organisation: %v", err)
	}
	t.Cleanup(func() { o.delete(t) })
	roots, err := o.client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) == 0 {
		t.Fatalf("listing roots: %v", err)
	}
	o.root = aws.ToString(roots.Roots[0].Id)
	for _, pt := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		_, _ = o.client.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(o.root), PolicyType: pt})
	}
	ou, err := o.client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(o.root), Name: aws.String("workloads")})
	if err != nil {
		t.Fatalf("creating OU: %v", err)
	}
	o.ou = aws.ToString(ou.OrganizationalUnit.Id)
	acct, err := o.client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("network"), Email: aws.String("network@example.com")})
	if err != nil {
		t.Fatalf("creating member account: %v", err)
	}
	o.member = aws.ToString(acct.CreateAccountStatus.AccountId)
	o.memberAccounts = append(o.memberAccounts, o.member)
	if _, err := o.client.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(o.member), SourceParentId: aws.String(o.root), DestinationParentId: aws.String(o.ou)}); err != nil {
		t.Fatalf("moving account: %v", err)
	}
	o.attach(t, "p-FullAWSAccess", o.member)
	return o
}

func (o *testOrg) attach(t *testing.T, policyID, target string) {
	t.Helper()
	if _, err := o.client.AttachPolicy(context.Background(), &organizations.AttachPolicyInput{PolicyId: aws.String(policyID), TargetId: aws.String(target)}); err != nil {
		t.Fatalf("attaching %s to %s: %v", policyID, target, err)
	}
	o.attachments = append(o.attachments, [2]string{policyID, target})
}

// policy creates a policy of the type and attaches it to target.
func (o *testOrg) policy(t *testing.T, typ orgtypes.PolicyType, name, content, target string) string {
	t.Helper()
	out, err := o.client.CreatePolicy(context.Background(), &organizations.CreatePolicyInput{
		Name: aws.String(name), Description: aws.String(name), Type: typ, Content: aws.String(content),
	})
	if err != nil {
		t.Fatalf("creating policy %s: %v", name, err)
	}
	id := aws.ToString(out.Policy.PolicySummary.Id)
	o.policies = append(o.policies, id)
	o.attach(t, id, target)
	return id
}

// delete leaves moto without an organisation, as the other tests expect.
func (o *testOrg) delete(t *testing.T) {
	ctx := context.Background()
	for _, a := range o.attachments {
		_, _ = o.client.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(a[0]), TargetId: aws.String(a[1])})
	}
	for _, id := range o.policies {
		_, _ = o.client.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
	}
	for _, a := range o.memberAccounts {
		_, _ = o.client.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(a)})
	}
	if o.ou != "" {
		_, _ = o.client.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(o.ou)})
	}
	if _, err := o.client.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{}); err != nil {
		t.Errorf("deleting the test organisation: %v", err)
	}
}

const denyPutLogEventsSCP = `{"Version":"2012-10-17","Statement":[{"Sid":"NoLogWrites","Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`

// guardrailCheckConfig is a delivery check of a member account's flow log to
// CloudWatch Logs, its role documents inline (the log group is looked up, so
// the check reads AWS) and a postcondition that fails the plan with the codes
// of the errors, as a configuration guarding its flow logs would.
func guardrailCheckConfig(providerBody, member string) string {
	group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/vpc/guarded", testRegion, member)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"%s"}}}]}`, member)
	perms := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:%s:%s:log-group:*"}]}`, testRegion, member)
	return fmt.Sprintf(`
provider "vpcflow" {
%s
}

data "vpcflow_delivery_check" "test" {
  destination_type     = "cloud-watch-logs"
  destination_arn      = %q
  flow_log_account     = %q
  role_arn             = "arn:aws:iam::%s:role/flow-logs"
  trust_policy         = %q
  permission_policies  = [%q]
  permissions_boundary = ""

  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = join(", ", [for f in self.findings : f.code if f.severity == "error"])
    }
  }
}`, providerBody, group, member, member, trust, perms)
}

func TestAccDeliveryCheckDataSource_scpDeniesPutLogEvents(t *testing.T) {
	org := newTestOrg(t)
	org.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "no-log-writes", denyPutLogEventsSCP, org.ou)
	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{{
			Config:      guardrailCheckConfig("", org.member),
			ExpectError: regexp.MustCompile(`GUARDRAIL_SCP_DENIES`),
		}},
	})
	for _, op := range []string{"Organizations.ListParents", "Organizations.ListPoliciesForTarget", "Organizations.DescribePolicy"} {
		if providers.maxCount(op) == 0 {
			t.Errorf("no provider instance called %s", op)
		}
	}
}

func TestAccDeliveryCheckDataSource_scpFindingNamesPolicyAndStatement(t *testing.T) {
	org := newTestOrg(t)
	id := org.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "no-log-writes", denyPutLogEventsSCP, org.ou)
	cfg := regexp.MustCompile(`(?s)\n  lifecycle \{.*?\n  \}\n`).ReplaceAllString(guardrailCheckConfig("", org.member), "\n")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(false)),
			},
			Check: findingWith("data.vpcflow_delivery_check.test", "service_control_policies",
				regexp.MustCompile(regexp.QuoteMeta(`statement "NoLogWrites" (index 0) of service control policy `+id+` (no-log-writes) (attached to `+org.ou+`) denies logs:PutLogEvents`))),
		}},
	})
}

func TestAccDeliveryCheckDataSource_scpReadDeniedWarns(t *testing.T) {
	org := newTestOrg(t)
	org.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "no-log-writes", denyPutLogEventsSCP, org.ou)
	// The provider works in the member account, which may not read its
	// organisation's policies.
	provider := fmt.Sprintf("  assume_role {\n    role_arn = \"arn:aws:iam::%s:role/terraform\"\n  }", org.member)
	cfg := regexp.MustCompile(`(?s)\n  lifecycle \{.*?\n  \}\n`).ReplaceAllString(guardrailCheckConfig(provider, org.member), "\n")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				findingWith("data.vpcflow_delivery_check.test", "service_control_policies", regexp.MustCompile(`service control policies that apply to this flow log could not be read \(organizations:ListParents failed with AccountNotFoundException`)),
				findingWith("data.vpcflow_delivery_check.test", "resource_control_policies", regexp.MustCompile(`resource control policies that apply to this flow log could not be read`)),
			),
		}},
	})
}

func TestAccDeliveryCheckDataSource_rcpPerimeterOnBucket(t *testing.T) {
	org := newTestOrg(t)
	perimeter := func(exempt bool) string {
		cond := `"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}`
		if exempt {
			cond += `,"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}`
		}
		return `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{` + cond + `}}]}`
	}
	bucket := "guarded-flow-logs"
	s3c := s3.NewFromConfig(acctest.AWSConfig(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating bucket: %v", err)
	}
	t.Cleanup(func() {
		_, _ = s3c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	bucketPolicy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/AWSLogs/%[2]s/*","Condition":{"StringEquals":{"aws:SourceAccount":"%[2]s","s3:x-amz-acl":"bucket-owner-full-control"}}},
{"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:ListBucket"],"Resource":"arn:aws:s3:::%[1]s","Condition":{"StringEquals":{"aws:SourceAccount":"%[2]s"}}}]}`, bucket, org.member)
	config := fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type = "s3"
  destination_arn  = "arn:aws:s3:::%s"
  flow_log_account = %q
  bucket_policy    = %q

  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = join(", ", [for f in self.findings : f.code if f.severity == "error"])
    }
  }
}`, bucket, org.member, bucketPolicy)

	t.Run("without the service exemption", func(t *testing.T) {
		id := org.policy(t, orgtypes.PolicyTypeResourceControlPolicy, "perimeter-strict", perimeter(false), org.ou)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      config,
				ExpectError: regexp.MustCompile(`GUARDRAIL_RCP_DENIES`),
			}},
		})
		_, _ = org.client.DetachPolicy(context.Background(), &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(org.ou)})
	})
	t.Run("with the service exemption", func(t *testing.T) {
		org.policy(t, orgtypes.PolicyTypeResourceControlPolicy, "perimeter-exempt", perimeter(true), org.ou)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
				},
			}},
		})
	})
}

func TestAccDeliveryCheckDataSource_scpSparesManagementAccount(t *testing.T) {
	org := newTestOrg(t)
	// Attached to the root, the SCP covers the management account's place in
	// the tree, but SCPs never restrict the management account.
	org.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "no-log-writes", denyPutLogEventsSCP, org.root)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: guardrailCheckConfig("", testAccount),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccDeliveryCheckDataSource_inlineSCPs(t *testing.T) {
	full := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccInlineDeliveryCheck(fmt.Sprintf("  service_control_policies = [[%q], [%q, %q], [%q]]", full, full, denyPutLogEventsSCP, full)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(false)),
			},
			Check: findingWith("data.vpcflow_delivery_check.test", "service_control_policies",
				regexp.MustCompile(regexp.QuoteMeta(`statement "NoLogWrites" (index 0) of service control policy service_control_policies[1][1] (attached to service_control_policies[1]) denies logs:PutLogEvents`))),
		}},
	})
}

// TestAccFlowLog_guardrailsRead plans a flow log of the management account
// under an SCP, attached at the root, that denies logs:PutLogEvents: the plan
// reads the SCPs and RCPs over the account and passes, since SCPs do not
// restrict the management account. (moto lets only the management account
// read the policies, and a flow log's role is read in the provider's own
// account, so a member account's flow log is checked through
// vpcflow_delivery_check above.)
func TestAccFlowLog_guardrailsRead(t *testing.T) {
	_, vpc, logGroup, role := flCloudWatchFixture(t)
	org := newTestOrg(t)
	org.policy(t, orgtypes.PolicyTypeServiceControlPolicy, "no-log-writes", denyPutLogEventsSCP, org.root)
	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{{
			Config:             flConfig("", flCloudWatch(vpc, logGroup, role, "")),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	for op, want := range map[string]int{
		"Organizations.DescribeOrganization":  1,
		"Organizations.ListParents":           1, // the account's parent is the root
		"Organizations.ListPoliciesForTarget": 4, // SCPs and RCPs of the root and of the account
	} {
		if got := providers.maxCount(op); got != want {
			t.Errorf("one plan called %s %d times, want %d", op, got, want)
		}
	}
}

func TestFlowLogFindingPathGuardrails(t *testing.T) {
	role := path.Root("iam_role_arn")
	for attr, want := range map[string]path.Path{
		delivery.AttrServiceControlPolicies:  role,                         // SCPs limit the delivery role
		delivery.AttrResourceControlPolicies: path.Root("log_destination"), // RCPs limit the destination
	} {
		if got := flowLogFindingPath(delivery.Finding{Attribute: attr}, role); !got.Equal(want) {
			t.Errorf("finding on %s is reported at %s, want %s", attr, got, want)
		}
	}
}
