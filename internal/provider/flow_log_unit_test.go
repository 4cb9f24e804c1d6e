package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// fakeFlowLogs answers CreateFlowLogs from a script of replies.
type fakeFlowLogs struct {
	flowLogsAPI // other operations are not used
	replies     []func() (*ec2.CreateFlowLogsOutput, error)
	calls       int
}

func (f *fakeFlowLogs) CreateFlowLogs(context.Context, *ec2.CreateFlowLogsInput, ...func(*ec2.Options)) (*ec2.CreateFlowLogsOutput, error) {
	reply := f.replies[min(f.calls, len(f.replies)-1)]
	f.calls++
	return reply()
}

func created(id string) func() (*ec2.CreateFlowLogsOutput, error) {
	return func() (*ec2.CreateFlowLogsOutput, error) {
		return &ec2.CreateFlowLogsOutput{FlowLogIds: []string{id}}, nil
	}
}

func apiError(code, message string) func() (*ec2.CreateFlowLogsOutput, error) {
	return func() (*ec2.CreateFlowLogsOutput, error) {
		return nil, &smithy.GenericAPIError{Code: code, Message: message}
	}
}

func unsuccessful(code, message string) func() (*ec2.CreateFlowLogsOutput, error) {
	return func() (*ec2.CreateFlowLogsOutput, error) {
		return &ec2.CreateFlowLogsOutput{Unsuccessful: []ec2types.UnsuccessfulItem{{
			ResourceId: aws.String("vpc-1"),
			Error:      &ec2types.UnsuccessfulItemError{Code: aws.String(code), Message: aws.String(message)},
		}}}, nil
	}
}

func TestCreateFlowLogRetry(t *testing.T) {
	notYet := apiError("InvalidParameter", "Unable to assume given IAM role: 'arn:aws:iam::123456789012:role/flow-logs'")
	tests := []struct {
		name      string
		replies   []func() (*ec2.CreateFlowLogsOutput, error)
		timeout   time.Duration
		wantID    string
		wantCalls int
		atLeast   bool     // wantCalls is a minimum: the last wait is cut to the time left
		wantErr   []string // fragments of the error
	}{
		{name: "created at once", replies: []func() (*ec2.CreateFlowLogsOutput, error){created("fl-1")}, timeout: time.Minute, wantID: "fl-1", wantCalls: 1},
		{
			name: "a role IAM has not propagated yet is retried", timeout: time.Minute,
			replies: []func() (*ec2.CreateFlowLogsOutput, error){notYet, notYet, created("fl-2")}, wantID: "fl-2", wantCalls: 3,
		},
		{
			name: "a role the check explained is not retried", timeout: 0,
			replies: []func() (*ec2.CreateFlowLogsOutput, error){notYet, created("fl-3")}, wantCalls: 1,
			wantErr: []string{"AWS reported: InvalidParameter: Unable to assume", "vpc-flow-logs.amazonaws.com", "(ROLE_NOT_ASSUMABLE)"},
		},
		{
			name: "retries are bounded and say how long they waited", timeout: 800 * time.Millisecond,
			replies: []func() (*ec2.CreateFlowLogsOutput, error){notYet}, wantCalls: 2, atLeast: true,
			wantErr: []string{"still failing after 800ms", "(ROLE_NOT_ASSUMABLE)"},
		},
		{
			name: "an Unsuccessful item is an error with its cause", timeout: time.Minute,
			replies:   []func() (*ec2.CreateFlowLogsOutput, error){unsuccessful("400", "Access Denied for LogDestination: b. Please check LogDestination permission")},
			wantCalls: 1, wantErr: []string{"AWSLogDeliveryWrite", "(DESTINATION_PERMISSION)"},
		},
		{
			name: "missing iam:PassRole is explained and not retried", timeout: time.Minute,
			replies:   []func() (*ec2.CreateFlowLogsOutput, error){apiError("UnauthorizedOperation", "You are not authorized to perform this operation.")},
			wantCalls: 1, wantErr: []string{"iam:PassRole", "(CALLER_NOT_AUTHORIZED)"},
		},
		{
			name: "neither ID nor error", timeout: time.Minute,
			replies:   []func() (*ec2.CreateFlowLogsOutput, error){func() (*ec2.CreateFlowLogsOutput, error) { return &ec2.CreateFlowLogsOutput{}, nil }},
			wantCalls: 1, wantErr: []string{"neither a flow log ID nor an error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeFlowLogs{replies: tt.replies}
			id, err := createFlowLog(context.Background(), api, &ec2.CreateFlowLogsInput{}, health.DestinationCloudWatchLogs, tt.timeout)
			if api.calls != tt.wantCalls && (!tt.atLeast || api.calls < tt.wantCalls) {
				t.Errorf("CreateFlowLogs called %d times, want %d", api.calls, tt.wantCalls)
			}
			if len(tt.wantErr) == 0 {
				if err != nil || id != tt.wantID {
					t.Fatalf("createFlowLog = %q, %v; want %q", id, err, tt.wantID)
				}
				return
			}
			if err == nil {
				t.Fatalf("createFlowLog = %q, want an error", id)
			}
			for _, frag := range tt.wantErr {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%s", frag, err)
				}
			}
		})
	}
}

func TestReportFlowLogFindings(t *testing.T) {
	findings := []delivery.Finding{
		{Code: "TRUST_X", Severity: delivery.SeverityError, Attribute: delivery.AttrTrustPolicy, Message: "trust", Fix: "fix trust"},
		{Code: "DESTINATION_Y", Severity: delivery.SeverityError, Attribute: delivery.AttrBucketPolicy, Message: "bucket"},
		{Code: "TRUST_Z", Severity: delivery.SeverityWarning, Attribute: delivery.AttrTrustPolicy, Message: "guard"},
	}
	role := path.Root("iam_role_arn")
	type want struct {
		severity diag.Severity
		summary  string
		path     path.Path
	}
	tests := []struct {
		name     string
		mode     string
		stage    flowLogCheckStage
		roleAttr path.Path
		blocking bool
		want     []want
	}{
		{
			name: "error mode fails the plan on the attribute at fault", mode: conns.ValidationError, stage: flowLogCheckAtPlan, roleAttr: role, blocking: true,
			want: []want{
				{diag.SeverityError, "Flow log delivery will fail: TRUST_X", role},
				{diag.SeverityError, "Flow log delivery will fail: DESTINATION_Y", path.Root("log_destination")},
				{diag.SeverityWarning, "Flow log delivery may fail: TRUST_Z", role},
			},
		},
		{
			name: "warn mode turns errors into warnings", mode: conns.ValidationWarn, stage: flowLogCheckAtPlan, roleAttr: role,
			want: []want{
				{diag.SeverityWarning, "Flow log delivery will fail: TRUST_X", role},
				{diag.SeverityWarning, "Flow log delivery will fail: DESTINATION_Y", path.Root("log_destination")},
				{diag.SeverityWarning, "Flow log delivery may fail: TRUST_Z", role},
			},
		},
		{
			name: "a cross-account role's findings land on deliver_cross_account_role", mode: conns.ValidationError, stage: flowLogCheckAtPlan,
			roleAttr: path.Root("deliver_cross_account_role"), blocking: true,
			want: []want{
				{diag.SeverityError, "Flow log delivery will fail: TRUST_X", path.Root("deliver_cross_account_role")},
				{diag.SeverityError, "Flow log delivery will fail: DESTINATION_Y", path.Root("log_destination")},
				{diag.SeverityWarning, "Flow log delivery may fail: TRUST_Z", path.Root("deliver_cross_account_role")},
			},
		},
		{
			name: "at apply in warn mode only errors are repeated", mode: conns.ValidationWarn, stage: flowLogCheckAtApply, roleAttr: role,
			want: []want{
				{diag.SeverityWarning, "Flow log created although delivery will fail: TRUST_X", role},
				{diag.SeverityWarning, "Flow log created although delivery will fail: DESTINATION_Y", path.Root("log_destination")},
			},
		},
		{
			name: "a failing flow log is explained, never blocked", mode: conns.ValidationError, stage: flowLogCheckFailing, roleAttr: role,
			want: []want{
				{diag.SeverityWarning, "Flow log delivery is failing: TRUST_X", role},
				{diag.SeverityWarning, "Flow log delivery is failing: DESTINATION_Y", path.Root("log_destination")},
				{diag.SeverityWarning, "Flow log delivery is failing: TRUST_Z", role},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			blocking := reportFlowLogFindings(&diags, findings, tt.mode, tt.roleAttr, tt.stage)
			if blocking != tt.blocking {
				t.Errorf("blocking = %v, want %v", blocking, tt.blocking)
			}
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d: %v", len(diags), len(tt.want), diags)
			}
			for i, w := range tt.want {
				d := diags[i]
				wp, ok := d.(diag.DiagnosticWithPath)
				if d.Severity() != w.severity || d.Summary() != w.summary || !ok || !wp.Path().Equal(w.path) {
					t.Errorf("diagnostic %d = %v %q at %v, want %v %q at %v", i, d.Severity(), d.Summary(), pathOf(d), w.severity, w.summary, w.path)
				}
			}
			if detail := diags[0].Detail(); !strings.Contains(detail, "trust") || !strings.Contains(detail, "Fix: fix trust") || !strings.Contains(detail, "(TRUST_X)") {
				t.Errorf("detail is not the finding's text: %q", detail)
			}
		})
	}
}

func pathOf(d diag.Diagnostic) any {
	if wp, ok := d.(diag.DiagnosticWithPath); ok {
		return wp.Path()
	}
	return nil
}

func TestFlowLogFindingPath(t *testing.T) {
	role := path.Root("iam_role_arn")
	for attribute, want := range map[string]path.Path{
		delivery.AttrTrustPolicy:         role,
		delivery.AttrPermissionPolicies:  role,
		delivery.AttrPermissionsBoundary: role,
		delivery.AttrRoleARN:             role,
		delivery.AttrBucketPolicy:        path.Root("log_destination"),
		delivery.AttrKMSKeyPolicy:        path.Root("log_destination"),
		delivery.AttrDestinationARN:      path.Root("log_destination"),
		delivery.AttrFlowLogAccount:      path.Root("log_destination"),
		delivery.AttrDestinationType:     path.Root("log_destination_type"),
	} {
		if got := flowLogFindingPath(delivery.Finding{Attribute: attribute}, role); !got.Equal(want) {
			t.Errorf("finding on %s lands on %s, want %s", attribute, got, want)
		}
	}
}

func TestFlowLogValidateLogFormat(t *testing.T) {
	vpc := flowLogTargets[2]
	tgw := flowLogTargets[1]
	if vpc.attr != "vpc_id" || tgw.attr != "transit_gateway_id" {
		t.Fatalf("flowLogTargets changed order: %v", flowLogTargets)
	}
	tests := []struct {
		name      string
		format    string
		target    flowLogTarget
		hasTarget bool
		want      string // "" for valid
	}{
		{name: "default VPC format", format: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}", target: vpc, hasTarget: true},
		{name: "fields of versions 3 to 8", format: "${vpc-id} ${subnet-id} ${pkt-srcaddr} ${tcp-flags} ${region} ${flow-direction} ${traffic-path} ${ecs-cluster-name} ${reject-reason}", target: vpc, hasTarget: true},
		{name: "typo with suggestion", format: "${version} ${account-id} ${interface-id} ${srcadr} ${dstaddr}", target: vpc, hasTarget: true,
			want: "unknown field ${srcadr} at position 4; did you mean ${srcaddr}?"},
		{name: "unknown field far from any", format: "${version} ${xyzzy-plugh-frobnicate}", target: vpc, hasTarget: true,
			want: "unknown field ${xyzzy-plugh-frobnicate} at position 2"},
		{name: "duplicate field", format: "${version} ${srcaddr} ${srcaddr}", target: vpc, hasTarget: true, want: "field ${srcaddr} at position 3: duplicate field"},
		{name: "bare names are the S3 header form", format: "version srcaddr", target: vpc, hasTarget: true, want: "log_format writes each field as ${name}"},
		{name: "transit gateway field on a VPC", format: "${version} ${tgw-id}", target: vpc, hasTarget: true,
			want: "field ${tgw-id} at position 2 exists only in transit gateway flow logs; a VPC flow log cannot record it"},
		{name: "VPC-only field on a transit gateway", format: "${version} ${tgw-id} ${interface-id}", target: tgw, hasTarget: true,
			want: "interface-id"},
		{name: "transit gateway fields on a transit gateway", format: "${version} ${resource-type} ${tgw-id} ${tgw-attachment-id} ${srcaddr}", target: tgw, hasTarget: true},
		{name: "no target yet checks fields only", format: "${version} ${tgw-id}", hasTarget: false},
		{name: "empty", format: "  ", target: vpc, hasTarget: true, want: "no fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateLogFormat(tt.format, tt.target, tt.hasTarget)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("validateLogFormat(%q) = %v, want valid", tt.format, err)
			case tt.want != "" && err == nil:
				t.Errorf("validateLogFormat(%q) is valid, want %q", tt.format, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("validateLogFormat(%q) = %q, want it to contain %q", tt.format, err, tt.want)
			}
		})
	}
}

func TestFlowLogSameLogFormat(t *testing.T) {
	if !sameLogFormat(types.StringValue("${version}  ${srcaddr}\n"), "${version} ${srcaddr}") {
		t.Error("spacing made two formats differ")
	}
	if sameLogFormat(types.StringValue("${srcaddr} ${version}"), "${version} ${srcaddr}") {
		t.Error("field order was ignored")
	}
	if sameLogFormat(types.StringNull(), "${version}") {
		t.Error("a null prior format matched")
	}
}

func TestSetFlowLogHealth(t *testing.T) {
	var m flowLogModel
	setFlowLogHealth(&m, "FAILED", "Rate limited", delivery.DestinationCloudWatchLogs)
	if m.DeliverLogsStatus.ValueString() != "FAILED" || m.DeliverLogsError.ValueString() != "Rate limited" ||
		!strings.HasSuffix(m.DeliverLogsRootCause.ValueString(), "("+health.CodeRateLimited+")") {
		t.Errorf("FAILED health = %v / %v / %v", m.DeliverLogsStatus, m.DeliverLogsError, m.DeliverLogsRootCause)
	}
	var diags diag.Diagnostics
	m.ID, m.VPCID = types.StringValue("fl-1"), types.StringValue("vpc-1")
	warnIfFlowLogFailing(&m, &diags)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || !strings.Contains(diags[0].Summary(), "fl-1 (vpc-1) delivers nothing") {
		t.Errorf("a failing flow log gave %v, want one warning naming it", diags)
	}

	setFlowLogHealth(&m, "SUCCESS", "", delivery.DestinationCloudWatchLogs)
	if !m.DeliverLogsError.IsNull() || !m.DeliverLogsRootCause.IsNull() {
		t.Errorf("SUCCESS health kept an error: %v / %v", m.DeliverLogsError, m.DeliverLogsRootCause)
	}
	diags = nil
	warnIfFlowLogFailing(&m, &diags)
	if len(diags) != 0 {
		t.Errorf("a delivering flow log warned: %v", diags)
	}
}
