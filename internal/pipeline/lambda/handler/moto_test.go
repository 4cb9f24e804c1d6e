package handler

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestMain starts moto for the whole package: the handler tests write rows
// to S3 buckets and read inventory tables in it.
func TestMain(m *testing.M) { acctest.MainMoto(m) }

var tableSeq atomic.Int64

// newInventory creates an inventory table in moto and returns a store on
// it and the raw client.
func newInventory(t *testing.T) (*inventorystore.Store, *dynamodb.Client) {
	t.Helper()
	client := dynamodb.NewFromConfig(acctest.AWSConfig(t))
	name := fmt.Sprintf("enrich-handler-%d", tableSeq.Add(1))
	if err := inventorystore.CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return inventorystore.New(client, name, inventorystore.Options{}), client
}
