package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

var _ function.Function = &checkTrustPolicyFunction{}

func newCheckTrustPolicyFunction() function.Function { return &checkTrustPolicyFunction{} }

type checkTrustPolicyFunction struct{}

func (f *checkTrustPolicyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "check_trust_policy"
}

func (f *checkTrustPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Check a flow log delivery role's trust policy",
		MarkdownDescription: "Evaluates a trust policy (JSON) the way IAM does for VPC Flow Logs assuming the role " +
			"(`vpc-flow-logs.amazonaws.com`, `sts:AssumeRole`, with the `aws:SourceAccount` and `aws:SourceArn` the service sends). " +
			"Returns `true` when the service can assume the role; otherwise the call fails with the same message and fix as " +
			"`vpcflow_delivery_check`. Made for a role created in the same configuration, in a `precondition` block. " +
			"Warnings (such as a trust policy without confused-deputy guards) do not fail the call.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "trust_policy",
				MarkdownDescription: "Trust policy document (JSON), e.g. from `jsonencode(...)`.",
			},
		},
		Return: function.BoolReturn{},
	}
}

func (f *checkTrustPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var document string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &document))
	if resp.Error != nil {
		return
	}
	var problems []string
	for _, finding := range delivery.CheckTrustPolicy(document, delivery.TrustOptions{}) {
		if finding.Severity == delivery.SeverityError {
			problems = append(problems, findingText(finding))
		}
	}
	if len(problems) > 0 {
		resp.Error = function.NewArgumentFuncError(0, strings.Join(problems, "\n\n"))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, true))
}
