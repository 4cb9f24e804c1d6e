package provider

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
)

// Variables of staging and compaction, named by the handler that reads them.
const (
	envOutputStaging = contract.EnvOutputStaging
	envCompactGrace  = contract.EnvCompactGrace
)

// enricherCompactionAttributes are the attributes of staging (the record
// modes) and of mode compact.
func enricherCompactionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"output_staging": schema.BoolAttribute{
			MarkdownDescription: "In `subscription` and `kinesis` modes, write the rows under `OUTPUT_PREFIX" + contract.StagingDir + "/` (`" + envOutputStaging + "`) " +
				"instead of `OUTPUT_PREFIX`: Athena skips that folder, and a function in `compact` mode, run by `vpcflow_compaction_schedule`, merges the rows of " +
				"each closed hour into large objects where the table reads them. Without it each invocation's rows are objects of their own, up to 86,400 a day per " +
				"partition for a busy shard. Defaults to `false`. Refused in the other modes. Changed in place.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
		"compaction_grace": schema.StringAttribute{
			MarkdownDescription: "In `compact` mode, how long after the end of its hour a partition is compacted, as a Go duration such as `1h` or `45m` (`" + envCompactGrace + "`). " +
				"Unset, `1h`: CloudWatch Logs delivers flow log records up to about 10 minutes after their capture window, a Kinesis tumbling window holds them up to 15 minutes, " +
				"and retries add more. Rows that arrive later are not lost: the next run compacts them into one more object of the partition. Refused in the other modes. Changed in place.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.RegexMatches(durationPattern, "must be a duration such as 1h, 45m or 1h30m")},
		},
	}
}

// validateCompactionConfig refuses staging outside the record modes and a
// grace outside compact mode, and an inventory table in compact mode.
func validateCompactionConfig(m enricherFunctionModel, mode string, diags *diag.Diagnostics) {
	records := mode == pipelinepolicy.ModeSubscription || mode == pipelinepolicy.ModeKinesis
	if !records && m.OutputStaging.ValueBool() {
		diags.AddAttributeError(path.Root("output_staging"), "Staging outside the record modes",
			fmt.Sprintf(`output_staging decides where the subscription and kinesis functions write their rows, but mode is %q, which writes no rows. Remove output_staging, or set it on the functions that read the flow log records.`, mode))
	}
	if mode != pipelinepolicy.ModeCompact && !m.CompactionGrace.IsNull() && !m.CompactionGrace.IsUnknown() {
		diags.AddAttributeError(path.Root("compaction_grace"), "Compaction grace outside compact mode",
			fmt.Sprintf(`compaction_grace is read only in mode %q, but mode is %q. Set mode = %q or remove compaction_grace.`, pipelinepolicy.ModeCompact, mode, pipelinepolicy.ModeCompact))
	}
	if mode == pipelinepolicy.ModeCompact && !m.InventoryTableARN.IsNull() {
		diags.AddAttributeError(path.Root("inventory_table_arn"), "Inventory table in compact mode",
			"The compaction merges rows already enriched and reads no inventory, so inventory_table_arn would grant DynamoDB reads for nothing. Remove it.")
	}
}

// compactionEnvironment sets the staging and compaction variables.
func (m enricherFunctionModel) compactionEnvironment(env map[string]string) {
	switch m.Mode.ValueString() {
	case pipelinepolicy.ModeSubscription, pipelinepolicy.ModeKinesis:
		if m.OutputStaging.ValueBool() {
			env[envOutputStaging] = "true"
		}
	case pipelinepolicy.ModeCompact:
		if g := m.CompactionGrace.ValueString(); g != "" {
			env[envCompactGrace] = g
		}
	}
}

// readCompactionEnvironment reads the staging and compaction variables
// back, so that a change made outside Terraform shows in the next plan.
func (m *enricherFunctionModel) readCompactionEnvironment(env map[string]string) {
	staged, _ := strconv.ParseBool(env[envOutputStaging])
	m.OutputStaging = types.BoolValue(staged)
	m.CompactionGrace = types.StringNull()
	if g, ok := env[envCompactGrace]; ok {
		m.CompactionGrace = types.StringValue(g)
	}
	delete(env, envOutputStaging)
	delete(env, envCompactGrace)
}
