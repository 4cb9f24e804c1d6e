// Command inventory is the bootstrap of the inventory function
// (VPCFLOW_MODE=inventory): EC2 and CloudTrail events keep the DynamoDB
// inventory current, and a scheduled event runs the full sync (package
// inventoryhandler).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/inventoryhandler"
)

func main() {
	if mode := os.Getenv("VPCFLOW_MODE"); mode != contract.ModeInventory {
		log.Fatal(fmt.Errorf("VPCFLOW_MODE=%q: this is the inventory function's package, which serves %q only", mode, contract.ModeInventory))
	}
	h, err := inventoryhandler.InventoryFromEnv(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
