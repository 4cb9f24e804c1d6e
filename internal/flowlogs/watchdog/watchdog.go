// Package watchdog runs the coverage scan on a schedule and makes its
// result visible where operators already look: CloudWatch metrics per
// account and region (VPCsWithoutFlowLogs, FlowLogsFailingDelivery, …) to
// alarm on, and one EventBridge event per flow log that started failing
// since the previous run, with its root cause, to route to a queue, a
// ticket or a chat channel. AWS itself raises no alarm when a flow log
// stops delivering.
//
// "Started failing" needs the previous run's failing set. It is kept in a
// small JSON object per account and region (see S3State): the watchdog
// reads it, compares, publishes, then writes the new set. Only flow logs
// whose event was accepted are recorded, so an event that could not be
// sent is sent again by the next run. Without a state store every run
// announces every failing flow log.
package watchdog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// Event source and detail types of the events the watchdog sends.
const (
	EventSource             = "vpcflow.watchdog"
	DetailTypeFailed        = "Flow Log Delivery Failed"
	DetailTypeRecovered     = "Flow Log Delivery Recovered"
	DefaultNamespace        = "VPCFlow"
	DefaultEventBus         = "default"
	maxEntriesPerPutEvents  = 10 // EventBridge PutEvents limit
	maxDatumsPerPutMetric   = 1000
	stateVersion            = 1
	dimensionAccount        = "Account"
	dimensionRegion         = "Region"
	metricVPCs              = "VPCs"
	metricVPCsWithoutFlow   = "VPCsWithoutFlowLogs"
	metricFlowLogs          = "FlowLogs"
	metricFlowLogsFailing   = "FlowLogsFailingDelivery"
	metricDeliveryFailed    = "FlowLogsDeliveryFailed"
	metricMissingDest       = "FlowLogsMissingDestination"
	metricPartialTraffic    = "FlowLogsPartialTraffic"
	metricNewlyFailing      = "FlowLogsNewlyFailing"
	defaultStatePrefix      = "vpcflow-watchdog/"
	stateObjectContentType  = "application/json"
	eventDetailFindingLimit = 10
)

// MetricNames lists the metrics each run publishes per account and region.
var MetricNames = []string{metricVPCs, metricVPCsWithoutFlow, metricFlowLogs, metricFlowLogsFailing, metricDeliveryFailed,
	metricMissingDest, metricPartialTraffic, metricNewlyFailing}

// MetricsAPI is the part of CloudWatch the watchdog uses.
type MetricsAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// PutMetricDataFunc is a MetricsAPI made of the client's one method; it
// keeps the rest of the client out of the enricher's binary (see
// coveragescan.NewClients).
type PutMetricDataFunc func(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)

// PutMetricData calls f.
func (f PutMetricDataFunc) PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	return f(ctx, in, opts...)
}

// PutEventsFunc is an EventsAPI made of the client's one method.
type PutEventsFunc func(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)

// PutEvents calls f.
func (f PutEventsFunc) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	return f(ctx, in, opts...)
}

// EventsAPI is the part of EventBridge the watchdog uses.
type EventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// State is what one run leaves for the next, per account and region.
type State struct {
	Version int    `json:"version"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Failing are the flow logs failing at the last run, by ID.
	Failing map[string]Failing `json:"failing"`
	Updated time.Time          `json:"updated"`
}

// Failing is one flow log failing at the last run.
type Failing struct {
	Since time.Time `json:"since"`
	Codes []string  `json:"codes"`
}

// StateStore keeps the state between runs.
type StateStore interface {
	// Load returns the last saved state, or an empty one.
	Load(ctx context.Context, account, region string) (State, error)
	Save(ctx context.Context, s State) error
}

// NoState remembers nothing: every run announces every failing flow log.
type NoState struct{}

// Load returns an empty state.
func (NoState) Load(_ context.Context, account, region string) (State, error) {
	return State{Version: stateVersion, Account: account, Region: region}, nil
}

// Save does nothing.
func (NoState) Save(context.Context, State) error { return nil }

// Runner runs the scan for one account and region and publishes it.
type Runner struct {
	Metrics MetricsAPI
	Events  EventsAPI
	State   StateStore
	// Namespace of the metrics; DefaultNamespace when empty.
	Namespace string
	// EventBus receives the events; DefaultEventBus when empty.
	EventBus string
	// Options of the scan (traffic type, excluded VPCs); the watchdog runs
	// without the delivery checker, which needs the provider's reads.
	Options coveragescan.Options
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Result says what one run did for one account and region.
type Result struct {
	Account, Region string
	Counts          coveragescan.Counts
	NewlyFailing    []string // flow log IDs announced as failing
	Recovered       []string // flow log IDs announced as recovered
	EventsSent      int
	EventsFailed    int
	ScanCalls       int
}

// Run scans the account and region with the clients, publishes the
// metrics and the events, and saves the new failing set. A failed scan
// publishes nothing, so an alarm treating missing data as breaching
// notices a watchdog that stopped working.
func (r *Runner) Run(ctx context.Context, c coveragescan.Clients, account, region string) (Result, error) {
	res := Result{Account: account, Region: region}
	inv, err := coveragescan.Read(ctx, c, account, region)
	if err != nil {
		return res, err
	}
	res.ScanCalls = inv.Calls
	opts := r.Options
	opts.Check = nil
	rep, err := coveragescan.Evaluate(ctx, inv, opts)
	if err != nil {
		return res, err
	}
	res.Counts = rep.Counts

	prev, err := r.state().Load(ctx, account, region)
	if err != nil {
		return res, fmt.Errorf("loading the watchdog state of %s/%s: %w", account, region, err)
	}
	now := r.now()
	diff := Compare(prev, rep, now)
	res.NewlyFailing, res.Recovered = ids(diff.Newly), diff.Recovered

	var errs []error
	if err := r.putMetrics(ctx, rep, len(diff.Newly), now); err != nil {
		errs = append(errs, err)
	}
	entries := Events(rep, diff, r.eventBus(), now)
	sent, err := r.putEvents(ctx, entries)
	if err != nil {
		errs = append(errs, err)
	}
	res.EventsSent, res.EventsFailed = len(sent), len(entries)-len(sent)

	next := diff.Next
	for _, fl := range diff.Newly {
		if !sent[fl.ID] {
			// Not announced: leave it out, so the next run announces it.
			delete(next.Failing, fl.ID)
		}
	}
	for _, id := range diff.Recovered {
		if !sent[id] {
			next.Failing[id] = prev.Failing[id]
		}
	}
	if err := r.state().Save(ctx, next); err != nil {
		errs = append(errs, fmt.Errorf("saving the watchdog state of %s/%s: %w", account, region, err))
	}
	return res, errors.Join(errs...)
}

func (r *Runner) state() StateStore {
	if r.State == nil {
		return NoState{}
	}
	return r.State
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}

func (r *Runner) namespace() string {
	if r.Namespace == "" {
		return DefaultNamespace
	}
	return r.Namespace
}

func (r *Runner) eventBus() string {
	if r.EventBus == "" {
		return DefaultEventBus
	}
	return r.EventBus
}

// Diff is what changed since the previous run.
type Diff struct {
	Newly     []coveragescan.FlowLogResult // failing now, not at the previous run
	Still     []coveragescan.FlowLogResult // failing now and then
	Recovered []string                     // failing then, present and not failing now
	Next      State
}

// Compare sets the report against the previous run's state. A flow log
// failing then that no longer exists is dropped silently: its deletion is
// not a recovery.
func Compare(prev State, rep *coveragescan.Report, now time.Time) Diff {
	d := Diff{Next: State{Version: stateVersion, Account: rep.Account, Region: rep.Region, Failing: map[string]Failing{}, Updated: now}}
	present := map[string]bool{}
	for _, fl := range rep.FlowLogs {
		present[fl.ID] = true
		if !fl.Failing() {
			continue
		}
		since := now
		if was, ok := prev.Failing[fl.ID]; ok {
			since = was.Since
			d.Still = append(d.Still, fl)
		} else {
			d.Newly = append(d.Newly, fl)
		}
		d.Next.Failing[fl.ID] = Failing{Since: since, Codes: errorCodes(fl.Findings)}
	}
	for id := range prev.Failing {
		if _, failing := d.Next.Failing[id]; !failing && present[id] {
			d.Recovered = append(d.Recovered, id)
		}
	}
	sort.Strings(d.Recovered)
	return d
}

// Detail is the detail of a "Flow Log Delivery Failed" or "Flow Log
// Delivery Recovered" event.
type Detail struct {
	FlowLogID          string    `json:"flow_log_id"`
	FlowLogARN         string    `json:"flow_log_arn"`
	Account            string    `json:"account"`
	Region             string    `json:"region"`
	ResourceID         string    `json:"resource_id,omitempty"`
	LogDestinationType string    `json:"log_destination_type,omitempty"`
	LogDestination     string    `json:"log_destination,omitempty"`
	IAMRoleARN         string    `json:"iam_role_arn,omitempty"`
	DeliverLogsStatus  string    `json:"deliver_logs_status,omitempty"`
	DeliverLogsError   string    `json:"deliver_logs_error,omitempty"`
	RootCause          *Cause    `json:"root_cause,omitempty"`
	Findings           []Cause   `json:"findings,omitempty"`
	FailingSince       time.Time `json:"failing_since"`
	RecoveredAt        time.Time `json:"recovered_at,omitzero"`
}

// Cause is one finding in an event.
type Cause struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Fix      string `json:"fix,omitempty"`
}

// Events renders one event per newly failing and per recovered flow log.
func Events(rep *coveragescan.Report, d Diff, bus string, now time.Time) []ebtypes.PutEventsRequestEntry {
	var out []ebtypes.PutEventsRequestEntry
	for _, fl := range d.Newly {
		det := Detail{
			FlowLogID: fl.ID, FlowLogARN: flowLogARN(rep, fl.ID), Account: rep.Account, Region: rep.Region,
			ResourceID: fl.ResourceID, LogDestinationType: fl.DestinationType, LogDestination: fl.DestinationARN, IAMRoleARN: fl.RoleARN,
			DeliverLogsStatus: fl.DeliverStatus, DeliverLogsError: fl.DeliverError, FailingSince: d.Next.Failing[fl.ID].Since,
		}
		for _, f := range fl.Findings {
			c := Cause{Code: f.Code, Severity: f.Severity, Message: f.Message, Fix: f.Fix}
			if det.RootCause == nil && f.Severity == delivery.SeverityError {
				det.RootCause = &c
			}
			if len(det.Findings) < eventDetailFindingLimit {
				det.Findings = append(det.Findings, c)
			}
		}
		out = append(out, entry(bus, DetailTypeFailed, det, now))
	}
	byID := map[string]coveragescan.FlowLogResult{}
	for _, fl := range rep.FlowLogs {
		byID[fl.ID] = fl
	}
	for _, id := range d.Recovered {
		fl := byID[id]
		det := Detail{
			FlowLogID: id, FlowLogARN: flowLogARN(rep, id), Account: rep.Account, Region: rep.Region,
			ResourceID: fl.ResourceID, LogDestinationType: fl.DestinationType, LogDestination: fl.DestinationARN, IAMRoleARN: fl.RoleARN,
			DeliverLogsStatus: fl.DeliverStatus, RecoveredAt: now,
		}
		out = append(out, entry(bus, DetailTypeRecovered, det, now))
	}
	return out
}

func entry(bus, detailType string, det Detail, now time.Time) ebtypes.PutEventsRequestEntry {
	b, _ := json.Marshal(det) // a struct of strings and times always marshals
	return ebtypes.PutEventsRequestEntry{
		Source: aws.String(EventSource), DetailType: aws.String(detailType), Detail: aws.String(string(b)),
		EventBusName: aws.String(bus), Resources: []string{det.FlowLogARN}, Time: aws.Time(now),
	}
}

// flowLogARN is the ARN EC2 gives a flow log.
func flowLogARN(rep *coveragescan.Report, id string) string {
	part := "aws"
	switch {
	case len(rep.Region) > 3 && rep.Region[:3] == "cn-":
		part = "aws-cn"
	case len(rep.Region) > 7 && rep.Region[:7] == "us-gov-":
		part = "aws-us-gov"
	}
	return fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/%s", part, rep.Region, rep.Account, id)
}

// putEvents sends the entries in batches and returns the flow log IDs
// whose event EventBridge accepted.
func (r *Runner) putEvents(ctx context.Context, entries []ebtypes.PutEventsRequestEntry) (map[string]bool, error) {
	sent := map[string]bool{}
	var errs []error
	for start := 0; start < len(entries); start += maxEntriesPerPutEvents {
		batch := entries[start:min(start+maxEntriesPerPutEvents, len(entries))]
		out, err := r.Events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: batch})
		if err != nil {
			errs = append(errs, fmt.Errorf("sending %d watchdog events (events:PutEvents): %w", len(batch), err))
			continue
		}
		for i, e := range batch {
			id := lastSegment(e.Resources[0])
			if i < len(out.Entries) && aws.ToString(out.Entries[i].ErrorCode) != "" {
				errs = append(errs, fmt.Errorf("event for %s refused: %s: %s", id, aws.ToString(out.Entries[i].ErrorCode), aws.ToString(out.Entries[i].ErrorMessage)))
				continue
			}
			sent[id] = true
		}
	}
	return sent, errors.Join(errs...)
}

// Metrics renders the datums of one report.
func Metrics(rep *coveragescan.Report, newly int, now time.Time) []cwtypes.MetricDatum {
	dims := []cwtypes.Dimension{
		{Name: aws.String(dimensionAccount), Value: aws.String(rep.Account)},
		{Name: aws.String(dimensionRegion), Value: aws.String(rep.Region)},
	}
	values := map[string]int{
		metricVPCs:            rep.Counts.VPCs,
		metricVPCsWithoutFlow: rep.Counts.VPCsWithoutFlowLogs,
		metricFlowLogs:        rep.Counts.FlowLogs,
		metricFlowLogsFailing: rep.Counts.FailingFlowLogs,
		metricDeliveryFailed:  rep.Counts.FailedDelivery,
		metricMissingDest:     rep.Counts.MissingDestinations,
		metricPartialTraffic:  rep.Counts.PartialTraffic,
		metricNewlyFailing:    newly,
	}
	out := make([]cwtypes.MetricDatum, 0, len(MetricNames))
	for _, name := range MetricNames {
		out = append(out, cwtypes.MetricDatum{
			MetricName: aws.String(name), Dimensions: dims, Value: aws.Float64(float64(values[name])),
			Unit: cwtypes.StandardUnitCount, Timestamp: aws.Time(now),
		})
	}
	return out
}

func (r *Runner) putMetrics(ctx context.Context, rep *coveragescan.Report, newly int, now time.Time) error {
	datums := Metrics(rep, newly, now)
	for start := 0; start < len(datums); start += maxDatumsPerPutMetric {
		batch := datums[start:min(start+maxDatumsPerPutMetric, len(datums))]
		if _, err := r.Metrics.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(r.namespace()), MetricData: batch}); err != nil {
			return fmt.Errorf("publishing watchdog metrics of %s/%s (cloudwatch:PutMetricData): %w", rep.Account, rep.Region, err)
		}
	}
	return nil
}

func errorCodes(fs []delivery.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == delivery.SeverityError {
			out = append(out, f.Code)
		}
	}
	return out
}

func ids(fls []coveragescan.FlowLogResult) []string {
	out := make([]string, len(fls))
	for i, fl := range fls {
		out[i] = fl.ID
	}
	return out
}

func lastSegment(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
