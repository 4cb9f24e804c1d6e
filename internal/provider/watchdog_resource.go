package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
)

var (
	_ resource.Resource                = &watchdogResource{}
	_ resource.ResourceWithConfigure   = &watchdogResource{}
	_ resource.ResourceWithImportState = &watchdogResource{}
	_ resource.ResourceWithModifyPlan  = &watchdogResource{}
)

// watchdogTargetID is the id of the schedule's target.
const watchdogTargetID = "vpcflow-watchdog"

// watchdogModeValue is the enricher's VPCFLOW_MODE of the watchdog.
const watchdogModeValue = "watchdog"

var (
	scheduleExpressionPattern = regexp.MustCompile(`^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$`)
	functionARNPattern        = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+$`)
)

// watchdogLambdaAPI is the part of Lambda the watchdog resource uses.
type watchdogLambdaAPI interface {
	lambdaPermissionAPI
	GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
}

func newWatchdogResource() resource.Resource {
	r := &watchdogResource{newFunctionSchedule("watchdog", "watchdog", watchdogTargetID,
		"vpcflow watchdog: VPC flow log coverage and delivery")}
	r.check = r.checkFunction
	return r
}

type watchdogResource struct {
	functionSchedule
}

func (r *watchdogResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs the enricher's watchdog on a schedule: an EventBridge scheduled rule on the default bus, its target, and the " +
			"statement in the function's policy that lets `" + pipelinepolicy.EventsService + "` invoke it for that rule only.\n\n" +
			"The function is the enricher with `VPCFLOW_MODE = \"" + watchdogModeValue + "\"`. Each run scans the accounts and regions of `" + watchdog.EnvTargets +
			"` like `vpcflow_coverage` (without the delivery checker), publishes the CloudWatch metrics `VPCsWithoutFlowLogs`, `FlowLogsFailingDelivery` " +
			"and others in namespace `" + watchdog.DefaultNamespace + "` with dimensions `Account` and `Region`, and sends one EventBridge event " +
			"(`source = \"" + watchdog.EventSource + "\"`, `detail-type = \"" + watchdog.DetailTypeFailed + "\"`) per flow log that was not failing at the " +
			"previous run, with its root cause and fix, and `\"" + watchdog.DetailTypeRecovered + "\"` when it delivers again. The previous run's failing " +
			"set is a JSON object per account and region in `" + watchdog.EnvStateBucket + "`; without that bucket every run announces every failing flow log.\n\n" +
			"Every plan reads the function (`lambda:GetFunction`) and checks its execution role with the provider's policy engine against what its " +
			"environment makes it do: a watchdog whose role cannot publish fails as silently as the flow logs it watches. " +
			"Alarm on the metrics with `treat_missing_data = \"breaching\"`: a run that cannot scan publishes nothing.",
		Attributes: scheduleAttributes(
			"The enricher function in watchdog mode (`vpcflow_enricher_function.arn`, or any deployment of the enricher with `VPCFLOW_MODE = \""+watchdogModeValue+"\"`).",
			"rate(1 hour)",
			"How often the watchdog runs: `rate(…)` or `cron(…)`. Defaults to `rate(1 hour)`: a flow log that starts failing is reported within the hour."),
	}
}

func watchdogStatementID(name string) string { return lambdaStatementID("vpcflow-watchdog-", name) }

// checkFunction checks the scheduled function's mode, environment and role.
func (r *watchdogResource) checkFunction(ctx context.Context, functionARN, account string, env map[string]string, role string, diags *diag.Diagnostics) {
	if env[envEnricherMode] != watchdogModeValue {
		diags.AddAttributeWarning(path.Root("function_arn"), "Function not in watchdog mode",
			fmt.Sprintf("Function %s has %s = %q, so the schedule would invoke it with events it does not handle, and nothing would be watched. "+
				"Set %s = %q in its environment, or point function_arn at the enricher deployed in watchdog mode.",
				functionARN, envEnricherMode, env[envEnricherMode], envEnricherMode, watchdogModeValue))
		return
	}
	cfg, err := watchdog.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		diags.AddAttributeError(path.Root("function_arn"), "Watchdog function misconfigured",
			fmt.Sprintf("Function %s would fail at every cold start: %s", functionARN, err))
		return
	}
	needs := cfg.Deployment(r.data.callerPartition(ctx), account, r.data.client.Region()).Needs()
	r.checkRole(ctx, role, account, needs, "the watchdog fails on every run and reports nothing, as silently as a broken flow log", diags)
}
