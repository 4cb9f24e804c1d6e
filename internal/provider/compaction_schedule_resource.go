package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
)

var (
	_ resource.Resource                = &compactionScheduleResource{}
	_ resource.ResourceWithConfigure   = &compactionScheduleResource{}
	_ resource.ResourceWithImportState = &compactionScheduleResource{}
	_ resource.ResourceWithModifyPlan  = &compactionScheduleResource{}
)

// compactionTargetID is the id of the schedule's target.
const compactionTargetID = "vpcflow-compaction"

func newCompactionScheduleResource() resource.Resource {
	r := &compactionScheduleResource{newFunctionSchedule("compaction_schedule", "compaction", compactionTargetID,
		"vpcflow compaction: staged enriched rows merged into large objects")}
	r.check = r.checkFunction
	return r
}

type compactionScheduleResource struct {
	functionSchedule
}

func (r *compactionScheduleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs the enricher's compaction on a schedule: an EventBridge scheduled rule on the default bus, its target, and the " +
			"statement in the function's policy that lets `" + pipelinepolicy.EventsService + "` invoke it for that rule only.\n\n" +
			"The enricher functions that read flow log records write, with `output_staging = true`, one object per payload and hour partition under " +
			"`OUTPUT_PREFIX_staging/`, which Athena skips (an underscore folder); a busy shard makes thousands of them an hour. " +
			"The function in `compact` mode (`VPCFLOW_MODE = \"" + contract.ModeCompact + "\"`) merges, at each run, every hour partition whose hour ended " +
			"`compaction_grace` ago (1 hour by default) into Parquet or gzip NDJSON objects of up to 128 MiB under `OUTPUT_PREFIX/dt=…/hour=…/`, where the table reads them, " +
			"writes a manifest of the parts each object holds under `OUTPUT_PREFIX_compacted/`, and deletes the parts. A partition gets one object " +
			"(more past 128 MiB) at the run after it closes, and one more at each later run that finds late parts in it. " +
			"A payload delivered again after its compaction is recognised by the manifest and deleted, not counted twice; " +
			"a run that stops midway is finished by the next.\n\n" +
			"Runs must not overlap: give the function `reserved_concurrent_executions = 1`. " +
			"Every plan reads the function (`lambda:GetFunction`) and checks its execution role with the provider's policy engine: " +
			"a compaction that cannot list, read or delete leaves the rows where the table does not see them.",
		Attributes: scheduleAttributes(
			"The enricher function in compact mode (`vpcflow_enricher_function.arn` with `mode = \""+pipelinepolicy.ModeCompact+"\"`, or any deployment of the enricher with `VPCFLOW_MODE = \""+contract.ModeCompact+"\"`).",
			"rate(15 minutes)",
			"How often the compaction runs: `rate(…)` or `cron(…)`. Defaults to `rate(15 minutes)`: an hour partition is compacted at most 15 minutes after it closes."),
	}
}

// checkFunction checks the scheduled function's mode, environment and role.
func (r *compactionScheduleResource) checkFunction(ctx context.Context, functionARN, account string, env map[string]string, role string, diags *diag.Diagnostics) {
	if env[envEnricherMode] != contract.ModeCompact {
		diags.AddAttributeError(path.Root("function_arn"), "Function not in compact mode",
			fmt.Sprintf("Function %s has %s = %q, so the schedule would invoke it with events it does not handle, and the staged rows would never reach the table. "+
				"Point function_arn at the enricher deployed with mode = %q (%s = %q).",
				functionARN, envEnricherMode, env[envEnricherMode], pipelinepolicy.ModeCompact, envEnricherMode, contract.ModeCompact))
		return
	}
	if _, err := contract.ParseCompaction(func(k string) string { return env[k] }); err != nil {
		diags.AddAttributeError(path.Root("function_arn"), "Compaction function misconfigured",
			fmt.Sprintf("Function %s would fail at every cold start: %s", functionARN, err))
		return
	}
	e := pipelinepolicy.Execution{Partition: r.data.callerPartition(ctx), Mode: pipelinepolicy.ModeCompact,
		OutputBucket: env[envEnricherOutputBucket], OutputPrefix: env[envEnricherOutputPrefix]}
	if e.OutputPrefix == "" {
		e.OutputPrefix = contract.DefaultOutputPrefix
	}
	part := pipelinepolicy.CompactNeeds(e)
	needs := append([]delivery.Need{{Action: "s3:PutObject", Resource: part[0].Resource, FixResource: e.OutputObjectsARN()}}, part...)
	r.checkRole(ctx, role, account, needs, "every compaction run fails and the staged rows never reach the table", diags)
}
