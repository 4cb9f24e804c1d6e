package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// Moto keeps bucket notification configurations as written and does not
// send S3's test message to the queue when one is written.

const testAccFlowLogQueueAddress = "vpcflow_flow_log_queue.test"

func testAccFlowLogQueueS3(t *testing.T) *s3.Client {
	return s3.NewFromConfig(acctest.AWSConfig(t), func(o *s3.Options) { o.UsePathStyle = true })
}

// testAccFlowLogQueueBucket creates a bucket whose notification
// configuration already sends other objects to a queue of its own, which
// the resource must keep.
func testAccFlowLogQueueBucket(t *testing.T) (bucket, otherQueueARN string) {
	t.Helper()
	ctx := context.Background()
	bucket = sdkacctest.RandomWithPrefix("tf-acc-flowlogs")
	if _, err := testAccFlowLogQueueS3(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(acctest.AWSConfig(t))
	other := bucket + "-other"
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(other)}); err != nil {
		t.Fatal(err)
	}
	otherQueueARN = fmt.Sprintf("arn:aws:sqs:%s:%s:%s", acctest.Region, acctest.AccountID, other)
	_, err := testAccFlowLogQueueS3(t).PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			Id: aws.String("someone-else"), QueueArn: aws.String(otherQueueARN), Events: []s3types.Event{"s3:ObjectRemoved:*"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return bucket, otherQueueARN
}

// testAccCheckFlowLogQueueNotification checks the bucket's configuration:
// the queue's own with its prefix (none when prefix is ""; absent when
// present is false), and the other one kept.
func testAccCheckFlowLogQueueNotification(t *testing.T, bucket, name, prefix string, present bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := testAccFlowLogQueueS3(t).GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return err
		}
		var own, other int
		for _, q := range out.QueueConfigurations {
			switch aws.ToString(q.Id) {
			case "someone-else":
				other++
			case queueNotificationPrefix + name:
				own++
				if !strings.HasSuffix(aws.ToString(q.QueueArn), ":"+name) {
					return fmt.Errorf("configuration sends to %s", aws.ToString(q.QueueArn))
				}
				got := ""
				if q.Filter != nil && q.Filter.Key != nil && len(q.Filter.Key.FilterRules) > 0 {
					got = aws.ToString(q.Filter.Key.FilterRules[0].Value)
				}
				if got != prefix {
					return fmt.Errorf("prefix %q, want %q", got, prefix)
				}
			}
		}
		if other != 1 {
			return fmt.Errorf("the bucket's other configuration was not kept: %+v", out.QueueConfigurations)
		}
		if want := map[bool]int{true: 1, false: 0}[present]; own != want {
			return fmt.Errorf("%d configurations of the queue, want %d", own, want)
		}
		return nil
	}
}

func testAccFlowLogQueueConfig(name, bucket, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_flow_log_queue" "test" {
  name   = %q
  bucket = %q
%s
}
`, name, bucket, body)
}

func TestAccFlowLogQueue_basic(t *testing.T) {
	bucket, _ := testAccFlowLogQueueBucket(t)
	name := sdkacctest.RandomWithPrefix("tf-acc-files")
	arn := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", acctest.Region, acctest.AccountID, name)
	testAccTest(t, testAccCheckFlowLogQueueDestroyed(t, bucket, name), []resource.TestStep{
		{
			Config: testAccFlowLogQueueConfig(name, bucket, `  prefix = "flow-logs/"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
				statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("failed_queue_arn"), knownvalue.StringExact(arn+failedQueueSuffix)),
				statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("visibility_timeout_seconds"), knownvalue.Int64Exact(defaultQueueVisibility)),
				statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("max_receive_count"), knownvalue.Int64Exact(defaultMaxReceiveCount)),
				statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("notified"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckFlowLogQueueNotification(t, bucket, name, "flow-logs/", true),
				testAccCheckFlowLogQueuePolicy(t, name, bucket),
			),
		},
		testAccImportStep(testAccFlowLogQueueAddress, name),
	})
}

// testAccCheckFlowLogQueuePolicy checks that only S3, from the bucket, may
// send to the queue.
func testAccCheckFlowLogQueuePolicy(t *testing.T, name, bucket string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		q := sqs.NewFromConfig(acctest.AWSConfig(t))
		u, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return err
		}
		out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"Policy", "RedrivePolicy"}})
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out.Attributes["Policy"]), &doc); err != nil {
			return err
		}
		if got := bucketOfPolicy(out.Attributes["Policy"]); got != bucket {
			return fmt.Errorf("policy names bucket %q, want %q: %s", got, bucket, out.Attributes["Policy"])
		}
		if !strings.Contains(out.Attributes["Policy"], `"s3.amazonaws.com"`) || !strings.Contains(out.Attributes["Policy"], acctest.AccountID) {
			return fmt.Errorf("policy %s", out.Attributes["Policy"])
		}
		if !strings.Contains(out.Attributes["RedrivePolicy"], name+failedQueueSuffix) {
			return fmt.Errorf("redrive policy %s", out.Attributes["RedrivePolicy"])
		}
		return nil
	}
}

func testAccCheckFlowLogQueueDestroyed(t *testing.T, bucket, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		q := sqs.NewFromConfig(acctest.AWSConfig(t))
		for _, n := range []string{name, name + failedQueueSuffix} {
			if _, err := q.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(n)}); err == nil {
				return fmt.Errorf("queue %s still exists", n)
			}
		}
		return testAccCheckFlowLogQueueNotification(t, bucket, name, "", false)(s)
	}
}

// TestAccFlowLogQueue_update changes the prefix and the queue's settings in
// place, then puts back the bucket's configuration after another tool
// removed it.
func TestAccFlowLogQueue_update(t *testing.T) {
	bucket, otherARN := testAccFlowLogQueueBucket(t)
	name := sdkacctest.RandomWithPrefix("tf-acc-files")
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccFlowLogQueueAddress, plancheck.ResourceActionUpdate)}}
	testAccTest(t, testAccCheckFlowLogQueueDestroyed(t, bucket, name), []resource.TestStep{
		{
			Config: testAccFlowLogQueueConfig(name, bucket, ""),
			Check:  testAccCheckFlowLogQueueNotification(t, bucket, name, "", true),
		},
		{
			Config:            testAccFlowLogQueueConfig(name, bucket, "  prefix = \"logs/\"\n  max_receive_count = 3\n  visibility_timeout_seconds = 900"),
			ConfigPlanChecks:  update,
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(testAccFlowLogQueueAddress, tfjsonpath.New("max_receive_count"), knownvalue.Int64Exact(3))},
			Check:             testAccCheckFlowLogQueueNotification(t, bucket, name, "logs/", true),
		},
		{
			// Another tool writes the whole document without the queue.
			PreConfig: func() {
				_, err := testAccFlowLogQueueS3(t).PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
					Bucket: aws.String(bucket),
					NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
						Id: aws.String("someone-else"), QueueArn: aws.String(otherARN), Events: []s3types.Event{"s3:ObjectRemoved:*"},
					}}},
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			Config:           testAccFlowLogQueueConfig(name, bucket, "  prefix = \"logs/\"\n  max_receive_count = 3\n  visibility_timeout_seconds = 900"),
			ConfigPlanChecks: update,
			Check:            testAccCheckFlowLogQueueNotification(t, bucket, name, "logs/", true),
		},
	})
}

func TestAccFlowLogQueue_disappears(t *testing.T) {
	bucket, _ := testAccFlowLogQueueBucket(t)
	name := sdkacctest.RandomWithPrefix("tf-acc-files")
	config := testAccFlowLogQueueConfig(name, bucket, "")
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckFlowLogQueueDestroyed(t, bucket, name),
		Steps: append(testAccDisappearsSteps(t, read, newFlowLogQueueResource, testAccFlowLogQueueAddress, config, conns.Settings{}),
			// Out of band, the queue alone: the bucket notification and the failed queue the Delete removes too are left.
			testAccRemovedStep(testAccFlowLogQueueAddress, config, func(*terraform.State) error {
				q := sqs.NewFromConfig(acctest.AWSConfig(t))
				u, err := q.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
				if err != nil {
					return err
				}
				_, err = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl})
				return err
			})),
	})
}
