package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// ownFlowLog is the synthetic flow log whose records go to the log group
// the configuration creates, in its format (custom, version 5); the others
// stand for flow logs made elsewhere, in log groups of their own.
const ownFlowLog = "/vpcflow/data"

// Vars are the Terraform variables of examples/complete that make it take
// the synthetic estate's flow logs, as terraform.tfvars.json.
type Vars struct {
	LogFormat          string            `json:"log_format"`
	OtherFlowLogGroups map[string]string `json:"other_flow_log_groups"`
}

// Setup creates the log groups of the flow logs made elsewhere and returns
// the variables that name them and the configuration's own format.
func Setup(ctx context.Context, cfg aws.Config) (Vars, error) {
	vars := Vars{OtherFlowLogGroups: map[string]string{}}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	// The formats do not depend on the seed or the traffic.
	for _, fl := range synthetic.Generate(synthetic.Options{Seed: 1, HoursPerDay: 1}).FlowLogs {
		if fl.LogGroup == ownFlowLog {
			vars.LogFormat = fl.Format
			continue
		}
		vars.OtherFlowLogGroups[fl.LogGroup] = fl.Format
		_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(fl.LogGroup)})
		var exists *cwltypes.ResourceAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return vars, fmt.Errorf("creating log group %s: %w", fl.LogGroup, err)
		}
	}
	if vars.LogFormat == "" {
		return vars, fmt.Errorf("the synthetic estate has no flow log %s", ownFlowLog)
	}
	return vars, nil
}
