package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const testAccLogGroupAddress = "vpcflow_log_group.test"

func testAccLogGroupARN(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", acctest.Region, acctest.AccountID, name)
}

func testAccLogGroupConfig(name, body string) string {
	return testAccNamedConfig("vpcflow_log_group", name, body)
}

func testAccLogGroupName() string { return "/tf-acc/vpcflow/" + sdkacctest.RandomWithPrefix("lg") }

func TestAccLogGroup_basic(t *testing.T) {
	name := testAccLogGroupName()
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{
			Config: testAccLogGroupConfig(name, ""),
			ConfigPlanChecks: testAccPlanCreateKnownARN(testAccLogGroupAddress, testAccLogGroupARN(name),
				plancheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(0))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccLogGroupARN(name))),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("never_expire"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("log_group_class"), knownvalue.StringExact("STANDARD")),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("skip_destroy"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("kms_key_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("tags"), knownvalue.Null()),
			},
			Check: testAccCheckLogGroupRetention(t, name, nil),
		},
		testAccImportStep(testAccLogGroupAddress, name),
	})
}

func TestAccLogGroup_namePrefix(t *testing.T) {
	prefix := "/tf-acc/vpcflow/prefix-" + sdkacctest.RandString(6) + "-"
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{
			Config: fmt.Sprintf(`
resource "vpcflow_log_group" "test" {
  name_prefix = %q
}
`, prefix),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(testAccLogGroupAddress, tfjsonpath.New("name"))},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("name"),
					knownvalue.StringRegexp(regexp.MustCompile("^"+regexp.QuoteMeta(prefix)+`\d{14}[0-9a-f]{12}$`))),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("name_prefix"), knownvalue.StringExact(prefix)),
			},
		},
		testAccImportStep(testAccLogGroupAddress, "", "name_prefix"),
	})
}

func TestAccLogGroup_update(t *testing.T) {
	name := testAccLogGroupName()
	config := func(body string) string { return testAccLogGroupConfig(name, body) }
	update := testAccPlanAction(testAccLogGroupAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{
			Config: config(`  retention_in_days = 30`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(30)),
			},
			Check: testAccCheckLogGroupRetention(t, name, aws.Int32(30)),
		},
		{
			Config:           config(`  retention_in_days = 3653`),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(3653)),
			},
			Check: testAccCheckLogGroupRetention(t, name, aws.Int32(3653)),
		},
		{
			Config:           config(`  never_expire = true`),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("never_expire"), knownvalue.Bool(true)),
			},
			Check: testAccCheckLogGroupRetention(t, name, nil),
		},
		{
			// Leaving never_expire out is the default, never expire, as
			// aws_cloudwatch_log_group: no change.
			Config: config(``),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testAccLogGroupAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("never_expire"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccLogGroupARN(name))),
			},
			Check: testAccCheckLogGroupRetention(t, name, nil),
		},
	})
}

func TestAccLogGroup_replace(t *testing.T) {
	name1, name2 := testAccLogGroupName(), testAccLogGroupName()
	config := func(name, class string) string {
		return testAccLogGroupConfig(name, fmt.Sprintf("  log_group_class = %q", class))
	}
	replace := testAccPlanAction(testAccLogGroupAddress, plancheck.ResourceActionReplace)
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{Config: config(name1, "STANDARD")},
		{
			Config:           config(name2, "STANDARD"),
			ConfigPlanChecks: replace,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccLogGroupARN(name2))),
			},
			Check: resource.ComposeTestCheckFunc(testAccCheckLogGroupGone(t, name1), testAccCheckLogGroupRetention(t, name2, nil)),
		},
		{
			Config:           config(name2, "INFREQUENT_ACCESS"),
			ConfigPlanChecks: replace,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("log_group_class"), knownvalue.StringExact("INFREQUENT_ACCESS")),
			},
		},
	})
}

// TestAccLogGroup_disappears deletes the log group through the resource's
// Delete: the refresh drops it from state and the next apply creates it again.
func TestAccLogGroup_disappears(t *testing.T) {
	name := testAccLogGroupName()
	config := testAccLogGroupConfig(name, "")
	testAccDisappearsTest(t, testAccCheckLogGroupDestroyed(t), newLogGroupResource, testAccLogGroupAddress, config,
		testAccCheckLogGroupRetention(t, name, nil))
}

func TestAccLogGroup_tags(t *testing.T) {
	name := testAccLogGroupName()
	config := func(tags string) string { return testAccLogGroupConfig(name, tags) }
	testAccTest(t, testAccCheckLogGroupDestroyed(t), testAccTagsSteps(testAccLogGroupAddress, config, testAccTagsOf(t, name, testAccCheckLogGroupTags)))
}

func TestAccLogGroup_skipDestroy(t *testing.T) {
	name := testAccLogGroupName()
	t.Cleanup(func() {
		_, _ = testAccLogsClient(t).DeleteLogGroup(context.Background(), &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Destroyed in Terraform, kept in AWS.
			return testAccCheckLogGroupRetention(t, name, aws.Int32(7))(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: testAccLogGroupConfig(name, "  retention_in_days = 7\n  skip_destroy      = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("skip_destroy"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccLogGroup_retentionValidation(t *testing.T) {
	cases := []planErrorCase{
		{"never_expire = false without a retention", `never_expire = false`, regexp.MustCompile(`(?s)never_expire = false needs a retention`)},
		{"not a CloudWatch value", `retention_in_days = 10`, regexp.MustCompile(`(?s)retention_in_days.*value must be one of`)},
		{"never_expire conflicts", "never_expire = true\n  retention_in_days = 30", regexp.MustCompile(`never_expire conflicts with retention_in_days`)},
		{"name and prefix", `name_prefix = "x"`, regexp.MustCompile(`(?s)Invalid Attribute Combination.*name_prefix`)},
	}
	testAccPlanErrors(t, "vpcflow_log_group", "name", cases)

}

func TestAccLogGroup_kmsKey(t *testing.T) {
	name := testAccLogGroupName()
	keyARN := testAccCreateKMSKey(t, testAccLogsKeyPolicy(testAccLogGroupARN(name)))
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{
			Config: testAccLogGroupConfig(name, fmt.Sprintf("  kms_key_id = %q", keyARN)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccLogGroupAddress, tfjsonpath.New("kms_key_id"), knownvalue.StringExact(keyARN)),
			},
		},
		testAccImportStep(testAccLogGroupAddress, ""),
		{
			// The key policy names the log group, so a new name is checked too.
			Config:      testAccLogGroupConfig(name+"-renamed", fmt.Sprintf("  kms_key_id = %q", keyARN)),
			ExpectError: regexp.MustCompile(`(?s)KMS key cannot encrypt this log group.*-renamed`),
		},
	})
}

func TestAccLogGroup_kmsKeyPolicyWithoutLogs(t *testing.T) {
	name := testAccLogGroupName()
	// The default key policy: only the account's IAM principals, no CloudWatch Logs.
	keyARN := testAccCreateKMSKey(t, fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "EnableIAMUserPermissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::%s:root"},
    "Action": "kms:*",
    "Resource": "*"
  }]
}`, acctest.AccountID))
	testAccTest(t, testAccCheckLogGroupDestroyed(t), []resource.TestStep{
		{
			Config:      testAccLogGroupConfig(name, fmt.Sprintf("  kms_key_id = %q", keyARN)),
			ExpectError: regexp.MustCompile(`(?s)KMS key cannot encrypt this log group.*logs\.us-east-1\.amazonaws\.com`),
		},
	})
	// The plan failed before any call that creates something.
	if err := testAccCheckLogGroupGone(t, name)(nil); err != nil {
		t.Error(err)
	}
}

func TestAccLogGroup_kmsKeyOtherRegion(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "vpcflow_log_group" "test" {
  name       = "never-created"
  kms_key_id = "arn:aws:kms:eu-west-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
`, acctest.AccountID),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)KMS key in another region.*eu-west-1.*us-east-1`),
		}},
	})
}

// TestUpdateLogGroupKey covers key changes in place, which moto does not
// implement (AssociateKmsKey, DisassociateKmsKey).
func TestUpdateLogGroupKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unchanged", "k1", "k1", nil},
		{"add", "", "k2", []string{"AssociateKmsKey g k2"}},
		{"replace without a gap", "k1", "k2", []string{"AssociateKmsKey g k2"}},
		{"remove", "k1", "", []string{"DisassociateKmsKey g"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := &recordingLogsAPI{}
			if err := updateLogGroupKey(context.Background(), api, "g", tc.from, tc.to); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(api.calls) != fmt.Sprint(tc.want) {
				t.Errorf("calls %v, want %v", api.calls, tc.want)
			}
		})
	}
}

func TestUpdateLogGroupTags(t *testing.T) {
	t.Parallel()
	api := &recordingLogsAPI{}
	err := updateLogGroupTags(context.Background(), api, "arn:g", map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "20", "d": "4"})
	if err != nil {
		t.Fatal(err)
	}
	want := "[UntagResource arn:g [c] TagResource arn:g map[b:20 d:4]]"
	if got := fmt.Sprint(api.calls); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
}

// recordingLogsAPI records the calls made to it; unused methods panic.
type recordingLogsAPI struct {
	logGroupAPI
	calls []string
}

func (f *recordingLogsAPI) AssociateKmsKey(_ context.Context, in *cloudwatchlogs.AssociateKmsKeyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error) {
	f.calls = append(f.calls, "AssociateKmsKey "+aws.ToString(in.LogGroupName)+" "+aws.ToString(in.KmsKeyId))
	return &cloudwatchlogs.AssociateKmsKeyOutput{}, nil
}

func (f *recordingLogsAPI) DisassociateKmsKey(_ context.Context, in *cloudwatchlogs.DisassociateKmsKeyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DisassociateKmsKeyOutput, error) {
	f.calls = append(f.calls, "DisassociateKmsKey "+aws.ToString(in.LogGroupName))
	return &cloudwatchlogs.DisassociateKmsKeyOutput{}, nil
}

func (f *recordingLogsAPI) TagResource(_ context.Context, in *cloudwatchlogs.TagResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error) {
	f.calls = append(f.calls, fmt.Sprintf("TagResource %s %v", aws.ToString(in.ResourceArn), in.Tags))
	return &cloudwatchlogs.TagResourceOutput{}, nil
}

func (f *recordingLogsAPI) UntagResource(_ context.Context, in *cloudwatchlogs.UntagResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error) {
	f.calls = append(f.calls, fmt.Sprintf("UntagResource %s %v", aws.ToString(in.ResourceArn), in.TagKeys))
	return &cloudwatchlogs.UntagResourceOutput{}, nil
}

func testAccLogsClient(t *testing.T) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(acctest.AWSConfig(t))
}

// testAccCheckLogGroupDestroyed checks every log group of the state is gone from AWS.
func testAccCheckLogGroupDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_log_group", func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := findLogGroup(ctx, testAccLogsClient(t), id)
		return notFound(err, isNotFound)
	})
}

func testAccCheckLogGroupGone(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := findLogGroup(context.Background(), testAccLogsClient(t), name)
		if found, err := notFound(err, isNotFound); err != nil || found {
			return fmt.Errorf("log group %s still exists (%v)", name, err)
		}
		return nil
	}
}

// testAccCheckLogGroupRetention checks the retention AWS holds; nil means none.
func testAccCheckLogGroupRetention(t *testing.T, name string, want *int32) resource.TestCheckFunc {
	return func(*terraform.State) error {
		lg, err := findLogGroup(context.Background(), testAccLogsClient(t), name)
		if err != nil {
			return err
		}
		if got := lg.RetentionInDays; (got == nil) != (want == nil) || (got != nil && *got != *want) {
			return fmt.Errorf("log group %s retention = %v, want %v", name, aws.ToInt32(got), aws.ToInt32(want))
		}
		return nil
	}
}

func testAccCheckLogGroupTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags("log group "+name, want, func(ctx context.Context) (map[string]string, error) {
		out, err := testAccLogsClient(t).ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(testAccLogGroupARN(name))})
		if err != nil {
			return nil, err
		}
		return out.Tags, nil
	})
}

// testAccLogsKeyPolicy is the key policy CloudWatch Logs documents for
// encrypting one log group ("Encrypt log data in CloudWatch Logs using AWS KMS").
func testAccLogsKeyPolicy(logGroupARN string) string {
	return fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableIAMUserPermissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::%[1]s:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AllowCloudWatchLogs",
      "Effect": "Allow",
      "Principal": {"Service": "logs.%[2]s.amazonaws.com"},
      "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      "Resource": "*",
      "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": %[3]q}}
    }
  ]
}`, acctest.AccountID, acctest.Region, logGroupARN)
}

// testAccCreateKMSKey creates a key with the policy in moto and schedules its deletion after the test.
func testAccCreateKMSKey(t *testing.T, policy string) string {
	t.Helper()
	client := kms.NewFromConfig(acctest.AWSConfig(t))
	out, err := client.CreateKey(context.Background(), &kms.CreateKeyInput{Policy: aws.String(policy), Description: aws.String("vpcflow acceptance test")})
	if err != nil {
		t.Fatalf("creating KMS key: %v", err)
	}
	keyARN := aws.ToString(out.KeyMetadata.Arn)
	got, err := client.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default")})
	if err != nil || aws.ToString(got.Policy) != policy {
		t.Fatalf("the local AWS does not return the key policy it was given (err %v)", err)
	}
	t.Cleanup(func() {
		_, _ = client.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyARN), PendingWindowInDays: aws.Int32(7)})
	})
	return keyARN
}
