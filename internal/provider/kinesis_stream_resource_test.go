package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// Moto gives an on-demand stream four shards, changes retention, mode,
// shards and encryption at once (streams are never UPDATING), and does not
// check that a KMS key exists.

const testAccKinesisStreamAddress = "vpcflow_kinesis_stream.test"

func testAccKinesisStreamName() string { return sdkacctest.RandomWithPrefix("tf-acc-flows") }

func testAccStreamARN(name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", acctest.Region, acctest.AccountID, name)
}

func testAccKinesisStreamConfig(name, body string) string {
	return testAccNamedConfig("vpcflow_kinesis_stream", name, body)
}

func testAccKinesisClient(t *testing.T) *kinesis.Client {
	return kinesis.NewFromConfig(acctest.AWSConfig(t))
}

func TestAccKinesisStream_basic(t *testing.T) {
	name := testAccKinesisStreamName()
	testAccTest(t, testAccCheckKinesisStreamDestroyed(t), []resource.TestStep{
		{
			Config:           testAccKinesisStreamConfig(name, ""),
			ConfigPlanChecks: testAccPlanCreateKnownARN(testAccKinesisStreamAddress, testAccStreamARN(name)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("stream_mode"), knownvalue.StringExact("ON_DEMAND")),
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("retention_period"), knownvalue.Int64Exact(24)),
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("kms_key_id"), knownvalue.Null()),
			},
			Check: testAccCheckKinesisStream(t, name, "ON_DEMAND", 24, ""),
		},
		testAccImportStep(testAccKinesisStreamAddress, name),
	})
}

func TestAccKinesisStream_disappears(t *testing.T) {
	name := testAccKinesisStreamName()
	config := testAccKinesisStreamConfig(name, "")
	testAccDisappearsTest(t, testAccCheckKinesisStreamDestroyed(t), newKinesisStreamResource, testAccKinesisStreamAddress, config)
}

func TestAccKinesisStream_update(t *testing.T) {
	name := testAccKinesisStreamName()
	config := func(body string) string { return testAccKinesisStreamConfig(name, body) }
	update := testAccPlanAction(testAccKinesisStreamAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckKinesisStreamDestroyed(t), []resource.TestStep{
		{
			Config: config("  stream_mode = \"PROVISIONED\"\n  shard_count = 1\n  retention_period = 48"),
			Check:  testAccCheckKinesisStream(t, name, "PROVISIONED", 48, ""),
		},
		{
			Config:           config("  stream_mode = \"PROVISIONED\"\n  shard_count = 2\n  retention_period = 24\n  kms_key_id = \"alias/aws/kinesis\""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("shard_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("kms_key_id"), knownvalue.StringExact("alias/aws/kinesis")),
			},
			Check: testAccCheckKinesisStream(t, name, "PROVISIONED", 24, "alias/aws/kinesis"),
		},
		testAccImportStep(testAccKinesisStreamAddress, ""),
		{
			Config:           config(""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("stream_mode"), knownvalue.StringExact("ON_DEMAND")),
				statecheck.ExpectKnownValue(testAccKinesisStreamAddress, tfjsonpath.New("kms_key_id"), knownvalue.Null()),
			},
			Check: testAccCheckKinesisStream(t, name, "ON_DEMAND", 24, ""),
		},
	})
}

func TestAccKinesisStream_tags(t *testing.T) {
	name := testAccKinesisStreamName()
	config := func(tags string) string { return testAccKinesisStreamConfig(name, tags) }
	testAccTest(t, testAccCheckKinesisStreamDestroyed(t), testAccTagsSteps(testAccKinesisStreamAddress, config, testAccTagsOf(t, name, testAccCheckKinesisStreamTags)))
}

func TestAccKinesisStream_shardValidation(t *testing.T) {
	testAccPlanErrors(t, "vpcflow_kinesis_stream", "name", []planErrorCase{
		{"provisioned without shards", `stream_mode = "PROVISIONED"`, regexp.MustCompile(`Provisioned stream without shards`)},
		{"on-demand with shards", `shard_count = 2`, regexp.MustCompile(`Shard count of an on-demand stream`)},
	})
}

func testAccCheckKinesisStreamDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_kinesis_stream", func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := findKinesisStream(ctx, testAccKinesisClient(t), id)
		return notFound(err, isNotFound)
	})
}

func testAccCheckKinesisStream(t *testing.T, name, mode string, retention int32, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := findKinesisStream(context.Background(), testAccKinesisClient(t), name)
		if err != nil {
			return err
		}
		if string(s.StreamModeDetails.StreamMode) != mode || aws.ToInt32(s.RetentionPeriodHours) != retention || aws.ToString(s.KeyId) != key {
			return fmt.Errorf("stream %s: mode %s retention %d key %q; want %s %d %q", name, s.StreamModeDetails.StreamMode, aws.ToInt32(s.RetentionPeriodHours), aws.ToString(s.KeyId), mode, retention, key)
		}
		return nil
	}
}

func testAccCheckKinesisStreamTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags("stream "+name, want, func(ctx context.Context) (map[string]string, error) {
		out, err := testAccKinesisClient(t).ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		return tagMap(out.Tags, func(tag kinesistypes.Tag) (string, string) { return aws.ToString(tag.Key), aws.ToString(tag.Value) }), nil
	})
}
