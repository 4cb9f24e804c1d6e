package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

// Destination ARN shapes per destination type.
var flowLogDestinationPatterns = map[string]struct {
	pattern *regexp.Regexp
	shape   string
}{
	delivery.DestinationCloudWatchLogs: {regexp.MustCompile(`^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+(:\*)?$`), "a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)"},
	delivery.DestinationS3:             {regexp.MustCompile(`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`), "a bucket ARN with an optional prefix (arn:aws:s3:::BUCKET/PREFIX)"},
	delivery.DestinationFirehose:       {regexp.MustCompile(`^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/.+$`), "a Firehose delivery stream ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)"},
}

// ValidateConfig makes the checks that need no AWS call: arguments that go
// together, the destination ARN against its type, the aggregation interval
// and the log format, field by field.
func (r *flowLogResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m flowLogModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.LogGroupName.IsNull() {
		fix := "log_destination = aws_cloudwatch_log_group.NAME.arn (or vpcflow_log_group.NAME.arn)"
		if !m.LogGroupName.IsUnknown() {
			fix = fmt.Sprintf("log_destination = \"arn:aws:logs:REGION:ACCOUNT:log-group:%s\", or the arn attribute of the resource that makes the group", m.LogGroupName.ValueString())
		}
		resp.Diagnostics.AddAttributeError(path.Root("log_group_name"), "log_group_name is not supported: use log_destination",
			"A flow log names its CloudWatch Logs destination by ARN. The AWS provider deprecated log_group_name in v3 and removed it from aws_flow_log in v6, "+
				"so this provider, which follows v6, does not take it either (a state moved from v5 that had it is converted).\n\nFix: replace log_group_name with\n  "+fix)
	}
	if m.LogDestination.IsNull() && m.LogGroupName.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("log_destination"), "Missing log_destination",
			"A flow log needs log_destination, the ARN of its log group, bucket or delivery stream.")
	}
	target, _, hasTarget := m.target()
	if hasTarget {
		validateFlowLogTarget(&m, target, &resp.Diagnostics)
	}
	if !m.LogFormat.IsNull() && !m.LogFormat.IsUnknown() {
		if err := validateLogFormat(m.LogFormat.ValueString(), target, hasTarget); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("log_format"), "Invalid log_format", err.Error())
		}
	}
	if !m.LogDestinationType.IsUnknown() {
		validateFlowLogDestination(&m, &resp.Diagnostics)
	}
}

func validateFlowLogTarget(m *flowLogModel, target flowLogTarget, diags *diag.Diagnostics) {
	if target.transitGW {
		if !m.TrafficType.IsNull() {
			diags.AddAttributeError(path.Root("traffic_type"), "traffic_type is not supported for transit gateways",
				fmt.Sprintf("A %s flow log always logs all traffic; AWS rejects traffic_type for it. Remove traffic_type.", target.noun))
		}
		interval := m.MaxAggregationInterval
		if !interval.IsUnknown() && (interval.IsNull() || interval.ValueInt64() != flowLogTGWAggregationInterval) {
			got := "the default, 600"
			if !interval.IsNull() {
				got = fmt.Sprint(interval.ValueInt64())
			}
			diags.AddAttributeError(path.Root("max_aggregation_interval"), "Transit gateway flow logs require max_aggregation_interval = 60",
				fmt.Sprintf("AWS aggregates %s flow logs over 60 seconds and refuses any other interval; this configuration has %s. Set max_aggregation_interval = 60.",
					target.noun, got))
		}
		return
	}
	if m.TrafficType.IsNull() {
		diags.AddAttributeError(path.Root("traffic_type"), "Missing traffic_type",
			fmt.Sprintf("A %s flow log needs traffic_type, one of %s; AWS does not default it.", target.noun, quotedList(flowLogTrafficTypes)))
	}
}

func validateFlowLogDestination(m *flowLogModel, diags *diag.Diagnostics) {
	kind := m.destinationType()
	role, crossRole, options := m.IAMRoleARN, m.DeliverCrossAccountRole, m.DestinationOptions
	switch kind {
	case delivery.DestinationCloudWatchLogs:
		if !role.IsUnknown() && stringOrEmpty(role) == "" {
			diags.AddAttributeError(path.Root("iam_role_arn"), "Missing iam_role_arn",
				"A flow log to CloudWatch Logs publishes with a role: set iam_role_arn to a role that vpc-flow-logs.amazonaws.com may assume "+
					"and that allows logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups and logs:DescribeLogStreams on the log group.")
		}
	case delivery.DestinationS3:
		if stringOrEmpty(role) != "" {
			diags.AddAttributeError(path.Root("iam_role_arn"), "iam_role_arn is not used with an S3 destination",
				"S3 delivery is authorised by the bucket policy, not by a role, and AWS refuses the role "+
					"(\"DeliverLogsPermissionArn is not applicable for s3 delivery\"). Remove iam_role_arn.")
		}
	case delivery.DestinationFirehose:
		if stringOrEmpty(crossRole) != "" && !role.IsUnknown() && stringOrEmpty(role) == "" {
			diags.AddAttributeError(path.Root("iam_role_arn"), "Missing iam_role_arn",
				"A flow log to a Firehose stream in another account needs both roles: iam_role_arn in this account, "+
					"which may pass deliver_cross_account_role, and deliver_cross_account_role in the stream's account.")
		}
	}
	if kind != delivery.DestinationFirehose && stringOrEmpty(crossRole) != "" {
		diags.AddAttributeError(path.Root("deliver_cross_account_role"), "deliver_cross_account_role is for Firehose destinations",
			fmt.Sprintf("deliver_cross_account_role only applies to log_destination_type = %q; this flow log delivers to %s. Remove it.", delivery.DestinationFirehose, kind))
	}
	if kind != delivery.DestinationS3 && !options.IsNull() {
		diags.AddAttributeError(path.Root("destination_options"), "destination_options is for S3 destinations",
			fmt.Sprintf("File format and partitioning only apply to log_destination_type = %q; this flow log delivers to %s. Remove the block.", delivery.DestinationS3, kind))
	}

	destination := m.LogDestination
	if destination.IsNull() || destination.IsUnknown() {
		return
	}
	want, ok := flowLogDestinationPatterns[kind]
	if !ok || want.pattern.MatchString(destination.ValueString()) {
		return
	}
	detail := fmt.Sprintf("log_destination_type %q needs %s; got %q.", kind, want.shape, destination.ValueString())
	for other, p := range flowLogDestinationPatterns {
		if other != kind && p.pattern.MatchString(destination.ValueString()) {
			detail += fmt.Sprintf(" That is %s: set log_destination_type = %q, or point log_destination at the right resource.", p.shape, other)
		}
	}
	diags.AddAttributeError(path.Root("log_destination"), "log_destination does not match log_destination_type", detail)
}

// validateLogFormat checks a log_format field by field. With a target, it
// also checks that every field is available to that kind of flow log.
func validateLogFormat(format string, target flowLogTarget, hasTarget bool) error {
	f, err := flowrecord.ParseFormat(format)
	var fe *flowrecord.FormatError
	if errors.As(err, &fe) {
		return errors.New(logFormatErrorText(fe))
	}
	if err != nil {
		return err
	}
	if !strings.HasPrefix(strings.TrimSpace(format), "${") {
		return fmt.Errorf("log_format writes each field as ${name}, e.g. %s; bare field names are the header line of files delivered to S3", f.String())
	}
	if !hasTarget {
		return nil
	}
	for i, id := range f.Fields() {
		info := id.Info()
		switch {
		case target.transitGW && !info.TGW():
			return fmt.Errorf("field ${%s} at position %d is not available to %s flow logs; it exists only in VPC, subnet and network interface flow logs", info.Name, i+1, target.noun)
		case !target.transitGW && !info.VPC():
			return fmt.Errorf("field ${%s} at position %d exists only in transit gateway flow logs; a %s flow log cannot record it", info.Name, i+1, target.noun)
		}
	}
	return nil
}

func logFormatErrorText(e *flowrecord.FormatError) string {
	if e.Position == 0 {
		return "log_format: " + e.Reason
	}
	if strings.HasPrefix(e.Reason, "unknown field") {
		text := fmt.Sprintf("unknown field %s at position %d", e.Token, e.Position)
		if e.Suggestion != "" {
			suggestion := e.Suggestion
			if strings.HasPrefix(e.Token, "${") {
				suggestion = "${" + suggestion + "}"
			}
			text += fmt.Sprintf("; did you mean %s?", suggestion)
		}
		return text
	}
	return fmt.Sprintf("field %s at position %d: %s", e.Token, e.Position, e.Reason)
}

// sameLogFormat reports whether AWS's log format is the one in state or
// configuration, written with other spacing.
func sameLogFormat(prior types.String, got string) bool {
	if prior.IsNull() || prior.IsUnknown() {
		return false
	}
	if prior.ValueString() == got {
		return true
	}
	a, errA := flowrecord.ParseFormat(prior.ValueString())
	b, errB := flowrecord.ParseFormat(got)
	return errA == nil && errB == nil && a.Equal(b)
}
