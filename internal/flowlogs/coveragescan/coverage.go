// Package coveragescan finds where VPC Flow Logs fail silently in one account
// and region: VPCs without a flow log (the CIS AWS Foundations control "VPC
// flow logging is enabled in all VPCs"), flow logs AWS reports as failing
// (DeliverLogsStatus FAILED) with the root cause, flow logs that record only
// part of the traffic, and destinations that no longer exist. An optional
// checker adds, for each flow log, the delivery checker's findings on its
// current role and destination, which explain a failure AWS has not
// reported yet (a key policy edited, a role's trust policy overwritten).
//
// Read lists what the scan needs with paginated calls whose number does not
// grow with the number of flow logs; Evaluate is pure apart from the
// checker it is given. The provider's vpcflow_coverage data source and the
// enricher's watchdog mode share both.
package coveragescan

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
)

// Traffic types of a flow log, as EC2 spells them.
const (
	TrafficAll    = "ALL"
	TrafficAccept = "ACCEPT"
	TrafficReject = "REJECT"
)

// TrafficTypes lists the traffic types a scan can require.
var TrafficTypes = []string{TrafficAll, TrafficAccept, TrafficReject}

// Codes of the scan's own findings. Findings of the delivery checker keep
// their codes (see delivery.Codes); a flow log AWS reports as failing gets
// the code of its flowloghealth cause, such as DELIVERY_ACCESS_ERROR.
const (
	CodeDestinationNotFound = "DESTINATION_NOT_FOUND"
	CodeTrafficTypePartial  = "TRAFFIC_TYPE_PARTIAL"
	CodeCheckIncomplete     = "CHECK_INCOMPLETE"
)

// Attributes the scan's findings name, as vpcflow_flow_log spells them.
const (
	AttrDeliverLogsStatus = "deliver_logs_status"
	AttrLogDestination    = "log_destination"
	AttrTrafficType       = "traffic_type"
)

// VPC is one VPC the account owns.
type VPC struct {
	ID        string
	Name      string // the Name tag
	IsDefault bool
}

// FlowLog is one flow log as DescribeFlowLogs returns it.
type FlowLog struct {
	ID              string
	ResourceID      string // vpc-, subnet-, eni-, tgw- or tgw-attach- ID
	TrafficType     string // ALL, ACCEPT, REJECT; empty for transit gateway flow logs, which log all traffic
	DestinationType string // cloud-watch-logs, s3, kinesis-data-firehose
	// DestinationARN is the destination's ARN, without a trailing ":*"; built
	// from the log group name for flow logs that predate LogDestination.
	DestinationARN   string
	LogGroupName     string
	RoleARN          string // DeliverLogsPermissionArn
	CrossAccountRole string // DeliverCrossAccountRole
	Status           string // FlowLogStatus
	DeliverStatus    string // DeliverLogsStatus: SUCCESS, FAILED
	DeliverError     string // DeliverLogsErrorMessage
	Hive             bool   // S3 Hive-compatible partitions
}

// ResourceType names the kind of resource the flow log watches.
func (f FlowLog) ResourceType() string {
	switch {
	case strings.HasPrefix(f.ResourceID, "vpc-"):
		return "VPC"
	case strings.HasPrefix(f.ResourceID, "subnet-"):
		return "Subnet"
	case strings.HasPrefix(f.ResourceID, "eni-"):
		return "NetworkInterface"
	case strings.HasPrefix(f.ResourceID, "tgw-attach-"):
		return "TransitGatewayAttachment"
	case strings.HasPrefix(f.ResourceID, "tgw-"):
		return "TransitGateway"
	}
	return ""
}

// DeliveryRoleARN is the role delivery goes through: iam_role_arn for
// CloudWatch Logs, deliver_cross_account_role for a cross-account Firehose
// stream, none otherwise (as vpcflow_flow_log checks it).
func (f FlowLog) DeliveryRoleARN() string {
	switch f.DestinationType {
	case delivery.DestinationCloudWatchLogs:
		return f.RoleARN
	case delivery.DestinationFirehose:
		return f.CrossAccountRole
	}
	return ""
}

// Presence says whether a destination exists.
type Presence int

// Presences of a destination.
const (
	PresenceUnknown Presence = iota // not looked up: another account or region, or a Firehose stream
	PresenceExists
	PresenceMissing
)

func (p Presence) String() string {
	switch p {
	case PresenceExists:
		return "exists"
	case PresenceMissing:
		return "missing"
	}
	return "unknown"
}

// Destination is what the scan learnt of a flow log's destination.
type Destination struct {
	Presence Presence
	// KMSKeyARN is the key of a log group, when the listing gave it.
	KMSKeyARN string
}

// Inventory is what one account and region hold.
type Inventory struct {
	Account, Region string
	VPCs            []VPC
	FlowLogs        []FlowLog
	// Destinations maps each flow log's DestinationARN to what the listing
	// found; a destination not in the map is unknown.
	Destinations map[string]Destination
	// Calls is the number of AWS calls Read made.
	Calls int
}

// Checker returns the delivery checker's findings for a flow log's current
// role and destination. An error means the documents could not be read.
type Checker func(ctx context.Context, fl FlowLog, dest Destination) ([]delivery.Finding, error)

// Options tune Evaluate.
type Options struct {
	// TrafficType is the traffic a VPC's flow logs must record for the VPC
	// to count as covered; TrafficAll when empty. ACCEPT and REJECT flow
	// logs on the same VPC together record ALL.
	TrafficType string
	// ExcludeVPCIDs are VPCs left out of the coverage count (their flow
	// logs are still checked).
	ExcludeVPCIDs []string
	// Check, when set, runs the delivery checker on every flow log.
	Check Checker
	// Concurrency bounds the checks run at once; 8 when zero.
	Concurrency int
}

// VPCResult is one VPC's coverage.
type VPCResult struct {
	VPC
	Covered    bool
	FlowLogIDs []string // the VPC's own flow logs (not its subnets' or interfaces')
	// Reason says why an uncovered VPC does not count as covered.
	Reason string
}

// FlowLogResult is one flow log with what the scan found.
type FlowLogResult struct {
	FlowLog
	// Cause explains a FAILED delivery status; nil while AWS reports no failure.
	Cause       *health.Cause
	Destination Destination
	// Findings are errors first: the failure AWS reports, a missing
	// destination, the checker's findings, a partial traffic type.
	Findings []delivery.Finding
}

// DeliveryFailed reports whether AWS reports the flow log's delivery as failing.
func (r FlowLogResult) DeliveryFailed() bool { return r.Cause != nil }

// Failing reports whether the flow log delivers nothing, or will not: AWS
// reports a failure, the destination is gone, or the checker found an error.
func (r FlowLogResult) Failing() bool { return !delivery.Valid(r.Findings) }

// RootCause is the first error finding's message and fix, "" when there is none.
func (r FlowLogResult) RootCause() string {
	for _, f := range r.Findings {
		if f.Severity == delivery.SeverityError {
			text := f.Message
			if f.Fix != "" {
				text += " Fix: " + f.Fix
			}
			return text
		}
	}
	return ""
}

// Counts summarise a report.
type Counts struct {
	VPCs                int
	VPCsWithoutFlowLogs int
	FlowLogs            int
	// FailingFlowLogs have an error finding (FailedDelivery of them because AWS says so).
	FailingFlowLogs     int
	FailedDelivery      int
	MissingDestinations int
	PartialTraffic      int
}

// Report is the result of one scan of an account and region.
type Report struct {
	Account, Region string
	TrafficType     string
	VPCs            []VPCResult     // sorted by ID
	FlowLogs        []FlowLogResult // sorted by ID
	Counts          Counts
}

// Compliant reports whether every VPC is covered and no flow log is failing.
func (r *Report) Compliant() bool {
	return r.Counts.VPCsWithoutFlowLogs == 0 && r.Counts.FailingFlowLogs == 0
}

// Uncovered returns the VPCs without a flow log recording the required traffic.
func (r *Report) Uncovered() []VPCResult {
	var out []VPCResult
	for _, v := range r.VPCs {
		if !v.Covered {
			out = append(out, v)
		}
	}
	return out
}

// Failing returns the flow logs that deliver nothing, or will not.
func (r *Report) Failing() []FlowLogResult {
	var out []FlowLogResult
	for _, f := range r.FlowLogs {
		if f.Failing() {
			out = append(out, f)
		}
	}
	return out
}

// Evaluate turns an inventory into a report. It calls AWS only through
// opts.Check; an error of the checker for one flow log becomes a
// CHECK_INCOMPLETE finding on it, so one unreadable role does not hide the
// rest of the estate.
func Evaluate(ctx context.Context, inv *Inventory, opts Options) (*Report, error) {
	want := opts.TrafficType
	if want == "" {
		want = TrafficAll
	}
	if !slices.Contains(TrafficTypes, want) {
		return nil, fmt.Errorf("traffic type %q is not one of %s", want, strings.Join(TrafficTypes, ", "))
	}
	rep := &Report{Account: inv.Account, Region: inv.Region, TrafficType: want}

	flowLogs := slices.Clone(inv.FlowLogs)
	sort.Slice(flowLogs, func(i, j int) bool { return flowLogs[i].ID < flowLogs[j].ID })
	byVPC := map[string][]FlowLog{}
	for _, fl := range flowLogs {
		if fl.ResourceType() == "VPC" && active(fl) {
			byVPC[fl.ResourceID] = append(byVPC[fl.ResourceID], fl)
		}
	}

	excluded := map[string]bool{}
	for _, id := range opts.ExcludeVPCIDs {
		excluded[id] = true
	}
	covered := map[string]bool{}
	vpcs := slices.Clone(inv.VPCs)
	sort.Slice(vpcs, func(i, j int) bool { return vpcs[i].ID < vpcs[j].ID })
	for _, v := range vpcs {
		fls := byVPC[v.ID]
		res := VPCResult{VPC: v}
		for _, fl := range fls {
			res.FlowLogIDs = append(res.FlowLogIDs, fl.ID)
		}
		res.Covered, res.Reason = coverage(fls, want)
		covered[v.ID] = res.Covered
		if excluded[v.ID] {
			continue
		}
		rep.VPCs = append(rep.VPCs, res)
		rep.Counts.VPCs++
		if !res.Covered {
			rep.Counts.VPCsWithoutFlowLogs++
		}
	}

	rep.FlowLogs = make([]FlowLogResult, len(flowLogs))
	for i, fl := range flowLogs {
		res := FlowLogResult{FlowLog: fl, Destination: inv.Destinations[fl.DestinationARN]}
		if cause, failing := health.Delivery(fl.DeliverStatus, fl.DeliverError, fl.DestinationType); failing {
			res.Cause = &cause
			res.Findings = append(res.Findings, deliveryFinding(fl, cause))
		}
		if res.Destination.Presence == PresenceMissing {
			res.Findings = append(res.Findings, missingDestination(fl))
		}
		if !covers(fl.TrafficType, want) && !covered[fl.ResourceID] {
			res.Findings = append(res.Findings, partialTraffic(fl, want))
		}
		rep.FlowLogs[i] = res
	}

	if opts.Check != nil {
		runChecks(ctx, rep.FlowLogs, opts)
	}

	for i := range rep.FlowLogs {
		res := &rep.FlowLogs[i]
		res.Findings = sortFindings(dedupe(res.Findings))
		rep.Counts.FlowLogs++
		if res.Failing() {
			rep.Counts.FailingFlowLogs++
		}
		if res.DeliveryFailed() {
			rep.Counts.FailedDelivery++
		}
		if res.Destination.Presence == PresenceMissing {
			rep.Counts.MissingDestinations++
		}
		if hasFinding(res.Findings, CodeTrafficTypePartial) {
			rep.Counts.PartialTraffic++
		}
	}
	return rep, ctx.Err()
}

// runChecks runs the checker on every flow log, a bounded number at once;
// the checker's reads are shared (a role used by many flow logs is read
// once), so the first flow log of a role waits for its reads and the others
// reuse them.
func runChecks(ctx context.Context, results []FlowLogResult, opts Options) {
	n := opts.Concurrency
	if n <= 0 {
		n = 8
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i := range results {
		if ctx.Err() != nil {
			break
		}
		res := &results[i]
		if res.Destination.Presence == PresenceMissing && res.DestinationType != delivery.DestinationCloudWatchLogs {
			// Nothing to check against: the missing bucket or stream is the finding.
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fs, err := opts.Check(ctx, res.FlowLog, res.Destination)
			if err != nil {
				res.Findings = append(res.Findings, delivery.Finding{
					Code: CodeCheckIncomplete, Severity: delivery.SeverityError, Attribute: delivery.AttrRoleARN,
					Message: fmt.Sprintf("Flow log %s could not be checked: %v. Whether it can deliver is not known.", res.ID, err),
					Fix: "Let the scanning identity read the flow log's role and destination (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, " +
						"iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, s3:GetBucketPolicy, s3:GetEncryptionConfiguration, kms:GetKeyPolicy).",
				})
				return
			}
			res.Findings = append(res.Findings, fs...)
		}()
	}
	wg.Wait()
}

// active reports whether a flow log is in force; EC2 reports ACTIVE for
// every flow log it has accepted.
func active(fl FlowLog) bool { return fl.Status == "" || strings.EqualFold(fl.Status, "ACTIVE") }

// covers reports whether a flow log of traffic type have records the traffic want.
func covers(have, want string) bool {
	// Transit gateway flow logs have no traffic type and record everything.
	return have == "" || have == TrafficAll || have == want
}

// coverage decides whether a VPC's flow logs record the traffic wanted.
func coverage(fls []FlowLog, want string) (bool, string) {
	if len(fls) == 0 {
		return false, "the VPC has no flow log"
	}
	seen := map[string]bool{}
	for _, fl := range fls {
		if covers(fl.TrafficType, want) {
			return true, ""
		}
		seen[fl.TrafficType] = true
	}
	if want == TrafficAll && seen[TrafficAccept] && seen[TrafficReject] {
		return true, ""
	}
	var have []string
	for t := range seen {
		have = append(have, t)
	}
	sort.Strings(have)
	return false, fmt.Sprintf("the VPC's flow logs record only %s traffic, not %s", strings.Join(have, " and "), want)
}

func deliveryFinding(fl FlowLog, c health.Cause) delivery.Finding {
	return delivery.Finding{
		Code: c.Code, Severity: delivery.SeverityError, Attribute: AttrDeliverLogsStatus,
		Message: fmt.Sprintf("AWS reports delivery status %s for flow log %s of %s (%q): no records reach %s. %s",
			fl.DeliverStatus, fl.ID, fl.ResourceID, fl.DeliverError, fl.DestinationARN, c.RootCause),
		Fix: c.Fix,
	}
}

func missingDestination(fl FlowLog) delivery.Finding {
	f := delivery.Finding{Code: CodeDestinationNotFound, Severity: delivery.SeverityError, Attribute: AttrLogDestination}
	switch fl.DestinationType {
	case delivery.DestinationCloudWatchLogs:
		f.Message = fmt.Sprintf("Log group %s of flow log %s (%s) no longer exists. VPC Flow Logs creates a missing group again only if the delivery role "+
			"allows logs:CreateLogGroup, and that group has no retention setting or KMS key; otherwise every record is dropped, and AWS raises no alarm.",
			fl.LogGroupName, fl.ID, fl.ResourceID)
		f.Fix = "Create the log group again with its retention and key (vpcflow_log_group), or point a new flow log at an existing group."
	case delivery.DestinationS3:
		f.Message = fmt.Sprintf("S3 bucket of flow log %s (%s), %s, no longer exists: every record is dropped, and AWS raises no alarm.",
			fl.ID, fl.ResourceID, fl.DestinationARN)
		f.Fix = "Create the bucket again with the log delivery bucket policy, or recreate the flow log with an existing bucket."
	default:
		f.Message = fmt.Sprintf("Destination %s of flow log %s (%s) no longer exists: every record is dropped.", fl.DestinationARN, fl.ID, fl.ResourceID)
		f.Fix = "Create the destination again, or recreate the flow log with an existing one."
	}
	return f
}

func partialTraffic(fl FlowLog, want string) delivery.Finding {
	return delivery.Finding{
		Code: CodeTrafficTypePartial, Severity: delivery.SeverityWarning, Attribute: AttrTrafficType,
		Message: fmt.Sprintf("Flow log %s of %s records %s traffic only, and no other flow log of %s records the rest of %s: "+
			"the connections it leaves out cannot be investigated afterwards.", fl.ID, fl.ResourceID, fl.TrafficType, fl.ResourceID, want),
		Fix: fmt.Sprintf("Set traffic_type = %q (a flow log's traffic type cannot be changed: create the new one before deleting this one).", want),
	}
}

func hasFinding(fs []delivery.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// dedupe drops a finding whose code and attribute an earlier one has: the
// checker and the scan both report a bucket that does not exist.
func dedupe(fs []delivery.Finding) []delivery.Finding {
	type key struct{ code, attr string }
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Code, f.Attribute}
		if f.Attribute == delivery.AttrDestinationARN {
			k.attr = AttrLogDestination
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// sortFindings puts errors first, keeping the order of discovery among equals.
func sortFindings(fs []delivery.Finding) []delivery.Finding {
	sort.SliceStable(fs, func(i, j int) bool {
		return fs[i].Severity == delivery.SeverityError && fs[j].Severity != delivery.SeverityError
	})
	return fs
}
