package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamodbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const testAccInventoryTableAddress = "vpcflow_inventory_table.test"

func testAccInventoryTableConfig(name, body string) string {
	return testAccNamedConfig("vpcflow_inventory_table", name, body)
}

func testAccInventoryTableName() string { return sdkacctest.RandomWithPrefix("tf-acc-inventory") }

func testAccDynamoDBClient(t *testing.T) *dynamodb.Client {
	return dynamodb.NewFromConfig(acctest.AWSConfig(t))
}

// TestInventoryKeys: the key names come from inventorystore, as KEYS.md
// documents them.
func TestInventoryKeys(t *testing.T) {
	t.Parallel()
	if hash, rangeKey := inventoryKeys(); hash != "PK" || rangeKey != "SK" {
		t.Errorf("inventory keys %q, %q; want PK, SK (internal/pipeline/inventory/inventorystore/KEYS.md)", hash, rangeKey)
	}
}

func TestAccInventoryTable_basic(t *testing.T) {
	name := testAccInventoryTableName()
	testAccTest(t, testAccCheckInventoryTableDestroyed(t), []resource.TestStep{
		{
			Config:           testAccInventoryTableConfig(name, ""),
			ConfigPlanChecks: testAccPlanCreateKnownARN(testAccInventoryTableAddress, testAccTableARN(name)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("hash_key"), knownvalue.StringExact("PK")),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("range_key"), knownvalue.StringExact("SK")),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("ttl_attribute"), knownvalue.StringExact(inventorystore.TTLAttribute)),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("billing_mode"), knownvalue.StringExact("PAY_PER_REQUEST")),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("point_in_time_recovery"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
			},
			Check: testAccCheckInventoryTable(t, name, true, true),
		},
		testAccImportStep(testAccInventoryTableAddress, name),
	})
}

func TestAccInventoryTable_disappears(t *testing.T) {
	name := testAccInventoryTableName()
	config := testAccInventoryTableConfig(name, "")
	testAccDisappearsTest(t, testAccCheckInventoryTableDestroyed(t), newInventoryTableResource, testAccInventoryTableAddress, config, testAccCheckInventoryTable(t, name, true, true))
}

// TestAccInventoryTable_update changes the options in place, and turns time
// to live back on after it was turned off outside Terraform.
func TestAccInventoryTable_update(t *testing.T) {
	name := testAccInventoryTableName()
	config := func(body string) string { return testAccInventoryTableConfig(name, body) }
	update := testAccPlanAction(testAccInventoryTableAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckInventoryTableDestroyed(t), []resource.TestStep{
		{
			Config: config("  point_in_time_recovery = false\n  deletion_protection = true"),
			Check:  testAccCheckInventoryTable(t, name, false, true),
		},
		{
			Config:           config(""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("point_in_time_recovery"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testAccInventoryTableAddress, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckInventoryTable(t, name, true, true),
				func(*terraform.State) error {
					_, err := testAccDynamoDBClient(t).UpdateTimeToLive(context.Background(), &dynamodb.UpdateTimeToLiveInput{
						TableName:               aws.String(name),
						TimeToLiveSpecification: &dynamodbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(false)},
					})
					return err
				},
			),
			ExpectNonEmptyPlan: true,
		},
		{
			Config:           config(""),
			ConfigPlanChecks: update,
			Check:            testAccCheckInventoryTable(t, name, true, true),
		},
	})
}

func TestAccInventoryTable_tags(t *testing.T) {
	name := testAccInventoryTableName()
	config := func(tags string) string { return testAccInventoryTableConfig(name, tags) }
	testAccTest(t, testAccCheckInventoryTableDestroyed(t), testAccTagsSteps(testAccInventoryTableAddress, config, testAccTagsOf(t, name, testAccCheckInventoryTableTags)))
}

// TestAccInventoryTable_existing: a table that exists is not taken over,
// and one with other keys cannot be imported into use.
func TestAccInventoryTable_existing(t *testing.T) {
	name := testAccInventoryTableName()
	client := testAccDynamoDBClient(t)
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          dynamodbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dynamodbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dynamodbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dynamodbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dynamodbtypes.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	config := testAccInventoryTableConfig(name, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ExpectError: regexp.MustCompile(`(?s)exists already.*terraform import`)},
			{
				Config:             config,
				ResourceName:       testAccInventoryTableAddress,
				ImportState:        true,
				ImportStateId:      name,
				ImportStatePersist: true,
			},
			{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Table without the inventory keys.*"id" and "".*"PK" and "SK"`)},
		},
	})
}

func testAccCheckInventoryTableDestroyed(t *testing.T) resource.TestCheckFunc {
	return testAccCheckDestroyed("vpcflow_inventory_table", func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := findInventoryTable(ctx, testAccDynamoDBClient(t), id)
		return notFound(err, isNotFound)
	})
}

// testAccCheckInventoryTable checks the keys and the options DynamoDB holds.
func testAccCheckInventoryTable(t *testing.T, name string, pitr, ttl bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		client := testAccDynamoDBClient(t)
		table, err := findInventoryTable(ctx, client, name)
		if err != nil {
			return err
		}
		keys := map[dynamodbtypes.KeyType]string{}
		for _, k := range table.KeySchema {
			keys[k.KeyType] = aws.ToString(k.AttributeName)
		}
		if keys[dynamodbtypes.KeyTypeHash] != "PK" || keys[dynamodbtypes.KeyTypeRange] != "SK" {
			return fmt.Errorf("table %s keys %v", name, keys)
		}
		b, err := client.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
		if err != nil {
			return err
		}
		if got := b.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == dynamodbtypes.PointInTimeRecoveryStatusEnabled; got != pitr {
			return fmt.Errorf("table %s point-in-time recovery %v, want %v", name, got, pitr)
		}
		tl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil {
			return err
		}
		if got := tl.TimeToLiveDescription.TimeToLiveStatus == dynamodbtypes.TimeToLiveStatusEnabled && aws.ToString(tl.TimeToLiveDescription.AttributeName) == "ttl"; got != ttl {
			return fmt.Errorf("table %s time to live on ttl %v, want %v", name, got, ttl)
		}
		return nil
	}
}

func testAccCheckInventoryTableTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return testAccCheckTags("table "+name, want, func(ctx context.Context) (map[string]string, error) {
		out, err := testAccDynamoDBClient(t).ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(testAccTableARN(name))})
		if err != nil {
			return nil, err
		}
		return tagMap(out.Tags, func(tag dynamodbtypes.Tag) (string, string) { return aws.ToString(tag.Key), aws.ToString(tag.Value) }), nil
	})
}
