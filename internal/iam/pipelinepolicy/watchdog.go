package pipelinepolicy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// Statement ids of the watchdog's execution role.
const (
	SidReadCoverage        = "ReadFlowLogCoverage"
	SidDescribeLogGroups   = "DescribeFlowLogGroups"
	SidPutWatchdogMetrics  = "PutWatchdogMetrics"
	SidPutWatchdogEvents   = "PutWatchdogEvents"
	SidWatchdogState       = "ReadWriteWatchdogState"
	SidFindWatchdogState   = "FindWatchdogState"
	SidAssumeWatchdogRoles = "AssumeWatchdogTargetRoles"
)

// Actions of the watchdog's execution role, each the IAM action of one
// call the watchdog makes (internal/flowlogs/coveragescan.Read, internal/flowlogs/watchdog).
var (
	// WatchdogScanActions are the scan's calls with the function's own
	// credentials that have no resource-level permissions: DescribeVpcs,
	// DescribeFlowLogs, and ListBuckets (s3:ListAllMyBuckets) to tell
	// whether the buckets of S3 flow logs exist.
	WatchdogScanActions = []string{"ec2:DescribeFlowLogs", "ec2:DescribeVpcs", "s3:ListAllMyBuckets"}
	// WatchdogStateActions read and write the state object of each
	// account and region.
	WatchdogStateActions = []string{"s3:GetObject", "s3:PutObject"}
)

// Watchdog is what the watchdog function does, as far as its role is
// concerned; every value resolved (the watchdog package fills in its
// defaults, see watchdog.Deployment.Policy).
type Watchdog struct {
	// Namespace of the metrics, the cloudwatch:namespace of PutMetricData.
	Namespace string
	// EventBus receives the events: a bus name or ARN.
	EventBus string
	// EventSource and DetailTypes are the source and detail types of the
	// events, sent by PutEvents as events:source and events:detail-type.
	EventSource string
	DetailTypes []string
	// StateBucket and StatePrefix locate the state objects
	// (PREFIX ACCOUNT/REGION.json); no bucket, no state.
	StateBucket, StatePrefix string
	// ScanRegions are the regions scanned with the function's own
	// credentials (targets without a role); none when every target has one.
	ScanRegions []string
	// TargetRoles are the roles assumed to scan other accounts.
	TargetRoles []WatchdogTargetRole
}

// WatchdogTargetRole is a role the watchdog assumes, with the external ID
// it sends (sts:ExternalId), if any.
type WatchdogTargetRole struct {
	RoleARN, ExternalID string
}

func (w Watchdog) validate() error {
	if w.Namespace == "" {
		return fmt.Errorf("mode %q needs the metric namespace", ModeWatchdog)
	}
	if w.EventBus == "" {
		return fmt.Errorf("mode %q needs the event bus", ModeWatchdog)
	}
	if w.EventSource == "" || len(w.DetailTypes) == 0 {
		return fmt.Errorf("mode %q needs the events' source and detail types", ModeWatchdog)
	}
	for _, r := range w.ScanRegions {
		if !regionPattern.MatchString(r) {
			return fmt.Errorf("region %q is not a region name such as us-east-1", r)
		}
	}
	for _, t := range w.TargetRoles {
		if a, err := ParseARN(t.RoleARN); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
			return fmt.Errorf("%q is not an IAM role ARN", t.RoleARN)
		}
	}
	return nil
}

// isZero reports whether nothing of the watchdog is set, as for the other modes.
func (w Watchdog) isZero() bool {
	return w.Namespace == "" && w.EventBus == "" && w.EventSource == "" && len(w.DetailTypes) == 0 && w.StateBucket == "" &&
		w.StatePrefix == "" && len(w.ScanRegions) == 0 && len(w.TargetRoles) == 0
}

func (w Watchdog) regions() []string { return sortedUnique(w.ScanRegions) }

func (w Watchdog) roleARNs() []string {
	out := make([]string, 0, len(w.TargetRoles))
	for _, t := range w.TargetRoles {
		out = append(out, t.RoleARN)
	}
	return sortedUnique(out)
}

// EventBusARN is the ARN of the bus, in the function's region and account
// when EventBus is a name.
func (w Watchdog) EventBusARN(partition, region, account string) string {
	if strings.HasPrefix(w.EventBus, "arn:") {
		return w.EventBus
	}
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", partitionOr(partition), region, account, w.EventBus)
}

// StateObjectsARN is every state object: the keys under the prefix.
func (w Watchdog) StateObjectsARN(partition string) string {
	return fmt.Sprintf("arn:%s:s3:::%s/%s*", partitionOr(partition), w.StateBucket, w.StatePrefix)
}

// StateBucketARN is the state bucket.
func (w Watchdog) StateBucketARN(partition string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", partitionOr(partition), w.StateBucket)
}

// describeLogGroupsResource is the resource CloudWatch Logs authorizes
// DescribeLogGroups against: not a log group but the region's
// "log-group::log-stream:", which "log-group:*" matches and a grant on
// named groups does not.
func describeLogGroupsResource(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group::log-stream:", partitionOr(partition), region, account)
}

func logGroupsARN(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", partitionOr(partition), region, account)
}

// watchdogStatements are the statements of the watchdog's calls.
func watchdogStatements(e Execution) []statement {
	w := e.Watchdog
	var stmts []statement
	if regions := w.regions(); len(regions) > 0 {
		stmts = append(stmts, statement{Sid: SidReadCoverage, Effect: "Allow", Action: WatchdogScanActions, Resource: "*"})
		groups := make([]string, 0, len(regions))
		for _, r := range regions {
			groups = append(groups, logGroupsARN(e.Partition, r, e.Account))
		}
		stmts = append(stmts, statement{Sid: SidDescribeLogGroups, Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: oneOrMany(groups)})
	}
	stmts = append(stmts,
		statement{Sid: SidPutWatchdogMetrics, Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*",
			Condition: map[string]map[string]any{"StringEquals": {"cloudwatch:namespace": w.Namespace}}},
		statement{Sid: SidPutWatchdogEvents, Effect: "Allow", Action: "events:PutEvents", Resource: w.EventBusARN(e.Partition, e.Region, e.Account)},
	)
	if w.StateBucket != "" {
		stmts = append(stmts,
			statement{Sid: SidWatchdogState, Effect: "Allow", Action: WatchdogStateActions, Resource: w.StateObjectsARN(e.Partition)},
			statement{Sid: SidFindWatchdogState, Effect: "Allow", Action: "s3:ListBucket", Resource: w.StateBucketARN(e.Partition)},
		)
	}
	if roles := w.roleARNs(); len(roles) > 0 {
		stmts = append(stmts, statement{Sid: SidAssumeWatchdogRoles, Effect: "Allow", Action: "sts:AssumeRole", Resource: oneOrMany(roles)})
	}
	return stmts
}

// WatchdogNeeds are the calls the watchdog makes with its execution role,
// in the function's partition, region and account, for
// delivery.CheckServiceRole. Its scan makes no other call with the role:
//
//   - sts:GetCallerIdentity (the account of a target that names none)
//     needs no permission;
//   - HeadBucket on another account's bucket needs none either: the
//     watchdog reads 403 as "exists", and S3 answers 404 for a bucket that
//     does not exist whoever asks;
//   - it runs without the delivery checker, so it reads no role, key or
//     bucket policy (no iam:, kms: or s3:GetBucketPolicy);
//   - in a target with a role, every scan call is made with that role, so
//     the role needs them, not the function's.
func WatchdogNeeds(partition, region, account string, w Watchdog) []delivery.Need {
	var needs []delivery.Need
	if regions := w.regions(); len(regions) > 0 {
		needs = append(needs,
			delivery.Need{Action: "ec2:DescribeVpcs", Resource: "*"},
			delivery.Need{Action: "ec2:DescribeFlowLogs", Resource: "*"},
		)
		for _, r := range regions {
			needs = append(needs, delivery.Need{Action: "logs:DescribeLogGroups", Resource: describeLogGroupsResource(partition, r, account),
				FixResource: logGroupsARN(partition, r, account)})
		}
		needs = append(needs, delivery.Need{Action: "s3:ListAllMyBuckets", Resource: "*", Optional: true,
			Why: "the watchdog cannot tell whether the buckets of S3 flow logs still exist, and its scan fails in every region that has one"})
	}
	needs = append(needs, delivery.Need{Action: "cloudwatch:PutMetricData", Resource: "*", Context: map[string][]string{"cloudwatch:namespace": {w.Namespace}}})
	bus := w.EventBusARN(partition, region, account)
	for _, dt := range w.DetailTypes {
		needs = append(needs, delivery.Need{Action: "events:PutEvents", Resource: bus,
			Context: map[string][]string{"events:source": {w.EventSource}, "events:detail-type": {dt}}})
	}
	if w.StateBucket != "" {
		key := fmt.Sprintf("arn:%s:s3:::%s/%s%s/%s.json", partitionOr(partition), w.StateBucket, w.StatePrefix, account, region)
		for _, a := range WatchdogStateActions {
			needs = append(needs, delivery.Need{Action: a, Resource: key, FixResource: w.StateObjectsARN(partition)})
		}
		// GetObject of a key that does not exist answers 403, not 404,
		// without s3:ListBucket: the first run could not tell "no state
		// yet" from "denied", and every run would fail before publishing.
		needs = append(needs, delivery.Need{Action: "s3:ListBucket", Resource: w.StateBucketARN(partition)})
	}
	roles := slices.Clone(w.TargetRoles)
	slices.SortFunc(roles, func(a, b WatchdogTargetRole) int { return strings.Compare(a.RoleARN, b.RoleARN) })
	for _, t := range roles {
		n := delivery.Need{Action: "sts:AssumeRole", Resource: t.RoleARN}
		if t.ExternalID != "" {
			n.Context = map[string][]string{"sts:ExternalId": {t.ExternalID}}
		}
		needs = append(needs, n)
	}
	return needs
}
