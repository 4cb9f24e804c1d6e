package watchdoghandler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
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
	// Clients returns the scan's clients of a target; coveragescan.NewClients
	// of inventorysync.ConfigFor when nil.
	Clients func(cfg aws.Config) coveragescan.Clients
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

func (h *WatchdogHandler) clients(cfg aws.Config) coveragescan.Clients {
	if h.Clients != nil {
		return h.Clients(cfg)
	}
	return coveragescan.NewClients(cfg)
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

// NewWatchdogFromEnv builds the watchdog from the function's environment
// (see the watchdog package's Env constants) and the AWS configuration of the Lambda runtime.
func NewWatchdogFromEnv(ctx context.Context, getenv func(string) string) (*WatchdogHandler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return NewWatchdog(cfg, getenv)
}

// NewWatchdog builds the watchdog from an environment (see the watchdog
// package's Env constants) and a configuration.
func NewWatchdog(cfg aws.Config, getenv func(string) string) (*WatchdogHandler, error) {
	c, err := watchdog.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	targets := make([]inventorysync.Target, 0, len(c.Targets))
	for _, t := range c.Targets {
		region := t.Region
		if region == "" {
			region = cfg.Region
		}
		targets = append(targets, inventorysync.Target{AccountID: t.AccountID, Region: region, RoleARN: t.RoleARN, ExternalID: t.ExternalID})
	}
	runner := &watchdog.Runner{
		Metrics:   watchdog.PutMetricDataFunc(cloudwatch.NewFromConfig(cfg).PutMetricData),
		Events:    watchdog.PutEventsFunc(eventbridge.NewFromConfig(cfg).PutEvents),
		Namespace: c.Namespace,
		EventBus:  c.EventBus,
		Options:   c.Options,
	}
	if c.StateBucket != "" {
		local := cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
		runner.State = &watchdog.S3State{
			S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
			Bucket: c.StateBucket, Prefix: c.StatePrefix,
		}
	}
	return &WatchdogHandler{Runner: runner, Base: cfg, Targets: targets}, nil
}
