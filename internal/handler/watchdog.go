package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/coverage"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/watchdog"
)

// ModeWatchdog is the value of VPCFLOW_MODE with which the enricher binary
// serves the watchdog's schedule instead of flow log records.
const ModeWatchdog = "watchdog"

// Environment of the watchdog mode.
const (
	// EnvWatchdogTargets is a JSON list of the accounts and regions to scan,
	// [{"account_id":"…","region":"…","role_arn":"…","external_id":"…"}];
	// empty scans the function's own account and region.
	EnvWatchdogTargets = "VPCFLOW_WATCHDOG_TARGETS"
	// EnvWatchdogStateBucket holds the previous run's failing flow logs;
	// without it every run announces every failing flow log.
	EnvWatchdogStateBucket = "VPCFLOW_WATCHDOG_STATE_BUCKET"
	// EnvWatchdogStatePrefix prefixes the state objects; "vpcflow-watchdog/" by default.
	EnvWatchdogStatePrefix = "VPCFLOW_WATCHDOG_STATE_PREFIX"
	// EnvWatchdogNamespace is the CloudWatch namespace; "VPCFlow" by default.
	EnvWatchdogNamespace = "VPCFLOW_WATCHDOG_NAMESPACE"
	// EnvWatchdogEventBus receives the events; "default" by default.
	EnvWatchdogEventBus = "VPCFLOW_WATCHDOG_EVENT_BUS"
	// EnvWatchdogTrafficType is the traffic every VPC must log; ALL by default.
	EnvWatchdogTrafficType = "VPCFLOW_WATCHDOG_TRAFFIC_TYPE"
	// EnvWatchdogExcludeVPCs is a comma-separated list of VPC IDs left out of the count.
	EnvWatchdogExcludeVPCs = "VPCFLOW_WATCHDOG_EXCLUDE_VPC_IDS"
)

// watchdogSession names the sessions of the roles the watchdog assumes.
const watchdogSession = "vpcflow-watchdog"

// WatchdogHandler runs the coverage scan of every target on an EventBridge
// schedule and publishes metrics and events from the function's own
// account, so one watchdog can watch many accounts.
type WatchdogHandler struct {
	Runner *watchdog.Runner
	// Base is the function's own configuration; each target is reached
	// from it, through the target's role when it has one.
	Base    aws.Config
	Targets []inventorysync.Target
	// Clients returns the scan's clients of a target; coverage.NewClients
	// of inventorysync.ConfigFor when nil.
	Clients func(cfg aws.Config) coverage.Clients
	// Account asks STS for the account of credentials when a target names none.
	Account func(ctx context.Context, cfg aws.Config) (string, error)
	Logger  *slog.Logger
}

// WatchdogReport is what an invocation returns.
type WatchdogReport struct {
	Targets []watchdog.Result `json:"targets"`
}

// HandleWatchdog scans every target; one that fails does not stop the
// others, and the returned error joins their errors (Lambda then records
// the invocation as failed, which the function's Errors metric shows).
func (h *WatchdogHandler) HandleWatchdog(ctx context.Context, ev events.CloudWatchEvent) (WatchdogReport, error) {
	log := h.Logger
	if log == nil {
		log = slog.Default()
	}
	var rep WatchdogReport
	var errs []error
	for _, t := range h.Targets {
		if t.Region == "" {
			t.Region = h.Base.Region
		}
		if t.SessionName == "" {
			t.SessionName = watchdogSession
		}
		cfg := inventorysync.ConfigFor(h.Base, t)
		account := t.Account()
		if account == "" {
			var err error
			if account, err = h.account(ctx, cfg); err != nil {
				errs = append(errs, fmt.Errorf("target %s: %w", t, err))
				continue
			}
		}
		res, err := h.Runner.Run(ctx, h.clients(cfg), account, t.Region)
		rep.Targets = append(rep.Targets, res)
		log.InfoContext(ctx, "watchdog run", "event_id", ev.ID, "account", account, "region", t.Region, "role", t.RoleARN,
			"vpcs", res.Counts.VPCs, "vpcs_without_flow_logs", res.Counts.VPCsWithoutFlowLogs, "flow_logs", res.Counts.FlowLogs,
			"failing", res.Counts.FailingFlowLogs, "newly_failing", res.NewlyFailing, "recovered", res.Recovered,
			"events_sent", res.EventsSent, "events_failed", res.EventsFailed, "scan_calls", res.ScanCalls)
		if err != nil {
			log.ErrorContext(ctx, "watchdog run failed", "event_id", ev.ID, "account", account, "region", t.Region, "error", err)
			errs = append(errs, fmt.Errorf("target %s/%s: %w", account, t.Region, err))
		}
	}
	return rep, errors.Join(errs...)
}

func (h *WatchdogHandler) clients(cfg aws.Config) coverage.Clients {
	if h.Clients != nil {
		return h.Clients(cfg)
	}
	return coverage.NewClients(cfg)
}

func (h *WatchdogHandler) account(ctx context.Context, cfg aws.Config) (string, error) {
	if h.Account != nil {
		return h.Account(ctx, cfg)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("reading the account of the credentials (sts:GetCallerIdentity): %w", err)
	}
	return aws.ToString(out.Account), nil
}

// watchdogTarget is one element of VPCFLOW_WATCHDOG_TARGETS.
type watchdogTarget struct {
	AccountID  string `json:"account_id"`
	Region     string `json:"region"`
	RoleARN    string `json:"role_arn"`
	ExternalID string `json:"external_id"`
}

// NewWatchdogFromEnv builds the watchdog from the function's environment
// (see the Env constants) and the AWS configuration of the Lambda runtime.
func NewWatchdogFromEnv(ctx context.Context, getenv func(string) string) (*WatchdogHandler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return NewWatchdog(cfg, getenv)
}

// NewWatchdog builds the watchdog from an environment and a configuration.
func NewWatchdog(cfg aws.Config, getenv func(string) string) (*WatchdogHandler, error) {
	targets := []inventorysync.Target{{Region: cfg.Region}}
	if s := strings.TrimSpace(getenv(EnvWatchdogTargets)); s != "" {
		var list []watchdogTarget
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return nil, fmt.Errorf("%s is not a JSON list of {account_id, region, role_arn, external_id}: %w", EnvWatchdogTargets, err)
		}
		if len(list) > 0 {
			targets = targets[:0]
		}
		for i, t := range list {
			if t.AccountID == "" && t.RoleARN == "" && len(list) > 1 {
				return nil, fmt.Errorf("%s[%d] names neither account_id nor role_arn", EnvWatchdogTargets, i)
			}
			targets = append(targets, inventorysync.Target{AccountID: t.AccountID, Region: t.Region, RoleARN: t.RoleARN, ExternalID: t.ExternalID})
		}
	}
	opts := coverage.Options{TrafficType: strings.ToUpper(strings.TrimSpace(getenv(EnvWatchdogTrafficType)))}
	if opts.TrafficType != "" && opts.TrafficType != coverage.TrafficAll && opts.TrafficType != coverage.TrafficAccept && opts.TrafficType != coverage.TrafficReject {
		return nil, fmt.Errorf("%s=%q: want one of %s", EnvWatchdogTrafficType, opts.TrafficType, strings.Join(coverage.TrafficTypes, ", "))
	}
	for _, id := range strings.Split(getenv(EnvWatchdogExcludeVPCs), ",") {
		if id = strings.TrimSpace(id); id != "" {
			opts.ExcludeVPCIDs = append(opts.ExcludeVPCIDs, id)
		}
	}
	runner := &watchdog.Runner{
		Metrics:   watchdog.PutMetricDataFunc(cloudwatch.NewFromConfig(cfg).PutMetricData),
		Events:    watchdog.PutEventsFunc(eventbridge.NewFromConfig(cfg).PutEvents),
		Namespace: getenv(EnvWatchdogNamespace),
		EventBus:  getenv(EnvWatchdogEventBus),
		Options:   opts,
	}
	if bucket := getenv(EnvWatchdogStateBucket); bucket != "" {
		local := cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
		runner.State = &watchdog.S3State{
			S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
			Bucket: bucket, Prefix: getenv(EnvWatchdogStatePrefix),
		}
	}
	return &WatchdogHandler{Runner: runner, Base: cfg, Targets: targets}, nil
}
