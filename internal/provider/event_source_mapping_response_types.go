package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// reportsBatchItemFailures refuses a mapping of the enricher without
// ReportBatchItemFailures. The enricher names the record Lambda must retry
// from when it cannot read a record's inventory; without the response type
// Lambda takes that response for a success and drops the record and every
// later one of the batch, with no trace in the on-failure destination.
type reportsBatchItemFailures struct{}

var _ validator.Set = reportsBatchItemFailures{}

func (reportsBatchItemFailures) Description(context.Context) string {
	return "must include ReportBatchItemFailures"
}

func (v reportsBatchItemFailures) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (reportsBatchItemFailures) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var got []types.String
	resp.Diagnostics.Append(req.ConfigValue.ElementsAs(ctx, &got, false)...)
	for _, s := range got {
		if s.ValueString() == mappingResponseTypes[0] {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "The enricher's batch item failures would drop records",
		fmt.Sprintf("function_response_types is %s, without %q. When the enricher cannot read the inventory of a record it answers "+
			"with that record as its batch item failure, so that Lambda retries from it. Without ReportBatchItemFailures Lambda "+
			"takes that answer for a success: the record and every later record of the batch are dropped, and none reaches "+
			"on_failure_destination_arn. Remove the argument (its default is [%q]) or write function_response_types = [%q].",
			req.ConfigValue.String(), mappingResponseTypes[0], mappingResponseTypes[0], mappingResponseTypes[0]))
}
