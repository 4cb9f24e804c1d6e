// Package inventoryhandler holds the Lambda handler of the inventory
// function (VPCFLOW_MODE=inventory): EC2 and CloudTrail events applied to
// the DynamoDB inventory as they happen, and the scheduled full sync of
// every source account. It is a package of its own, apart from the
// enrichment handlers of package handler, so that the enricher's bootstrap
// links neither the EC2 client nor the sync, and the inventory's links no
// Parquet writer (internal/pipeline/lambda/lambdazip lists which binary serves which mode).
package inventoryhandler
