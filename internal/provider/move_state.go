package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Moving from hashicorp/aws without recreating: Terraform (>= 1.8) hands a
// `moved { from = aws_flow_log.x  to = vpcflow_flow_log.x }` block's source
// state to MoveResourceState as raw JSON, with the schema version the AWS
// provider wrote it in. The state is read as JSON rather than through a
// source schema, so every version of the AWS provider's schema is taken:
// aws_flow_log version 0 (v5 and before, with log_group_name) and version 1
// (v6, with region), aws_cloudwatch_log_group version 0 (with region in v6).
// Attributes AWS reports (delivery health) are filled by the read that
// follows the move.

// awsProviderSuffix matches the source provider address of hashicorp/aws on
// any registry host (registry.terraform.io, registry.opentofu.org, a mirror).
const awsProviderSuffix = "/hashicorp/aws"

// awsState is a resource state written by the AWS provider (SDKv2: unset
// strings are "", unset blocks are empty lists).
type awsState map[string]any

func decodeAWSState(req resource.MoveStateRequest, typeName string) (awsState, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	if req.SourceTypeName != typeName || !strings.HasSuffix(req.SourceProviderAddress, awsProviderSuffix) {
		return nil, false, nil
	}
	if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		diags.AddError("Unable to move resource state",
			fmt.Sprintf("The %s state from %s has no JSON body; move it with an import block instead (see the migration guide).", typeName, req.SourceProviderAddress))
		return nil, false, diags
	}
	var s awsState
	if err := json.Unmarshal(req.SourceRawState.JSON, &s); err != nil {
		diags.AddError("Unable to move resource state", fmt.Sprintf("Reading the %s state (schema version %d): %s", typeName, req.SourceSchemaVersion, err))
		return nil, false, diags
	}
	return s, true, diags
}

// str is a string attribute; "" and absent are null.
func (s awsState) str(name string) types.String {
	if v, ok := s[name].(string); ok && v != "" {
		return types.StringValue(v)
	}
	return types.StringNull()
}

// strKeepEmpty is a string attribute whose "" is kept, for the attributes
// where "" and null are the same to the plan.
func (s awsState) strKeepEmpty(name string) types.String {
	if v, ok := s[name].(string); ok {
		return types.StringValue(v)
	}
	return types.StringNull()
}

func (s awsState) int64Or(name string, def int64) types.Int64 {
	if v, ok := s[name].(float64); ok {
		return types.Int64Value(int64(v))
	}
	return types.Int64Value(def)
}

func (s awsState) boolOr(name string, def bool) types.Bool {
	if v, ok := s[name].(bool); ok {
		return types.BoolValue(v)
	}
	return types.BoolValue(def)
}

// tags is a map of strings; absent or null is null, {} stays {}.
func (s awsState) tags(name string) (types.Map, diag.Diagnostics) {
	raw, ok := s[name].(map[string]any)
	if !ok {
		return types.MapNull(types.StringType), nil
	}
	out := make(map[string]attr.Value, len(raw))
	for k, v := range raw {
		str, _ := v.(string)
		out[k] = types.StringValue(str)
	}
	return types.MapValue(types.StringType, out)
}

// moveFrom is the state mover of a hashicorp/aws resource type whose state
// convert turns into this provider's model.
func moveFrom[M any](source string, convert func(awsState) (M, diag.Diagnostics)) resource.StateMover {
	return resource.StateMover{StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		s, ok, diags := decodeAWSState(req, source)
		resp.Diagnostics.Append(diags...)
		if !ok {
			return
		}
		m, diags := convert(s)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	}}
}

// nullIfEmptyMap turns an empty tags_all into null, as the provider plans it.
func nullIfEmptyMap(m types.Map) types.Map {
	if !m.IsNull() && len(m.Elements()) == 0 {
		return types.MapNull(types.StringType)
	}
	return m
}

// MoveState moves an aws_flow_log of hashicorp/aws into vpcflow_flow_log.
func (r *flowLogResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{moveFrom("aws_flow_log", flowLogModelFromAWS)}
}

// flowLogModelFromAWS converts an aws_flow_log state.
func flowLogModelFromAWS(s awsState) (flowLogModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := flowLogModel{
		ID:                         s.str("id"),
		ARN:                        s.str("arn"),
		VPCID:                      s.str("vpc_id"),
		SubnetID:                   s.str("subnet_id"),
		ENIID:                      s.str("eni_id"),
		TransitGatewayID:           s.str("transit_gateway_id"),
		TransitGatewayAttachmentID: s.str("transit_gateway_attachment_id"),
		TrafficType:                s.str("traffic_type"),
		LogDestinationType:         s.str("log_destination_type"),
		LogDestination:             s.str("log_destination"),
		IAMRoleARN:                 s.strKeepEmpty("iam_role_arn"),
		DeliverCrossAccountRole:    s.strKeepEmpty("deliver_cross_account_role"),
		DestinationOptions:         types.ObjectNull(flowLogDestinationOptionsAttrTypes),
		MaxAggregationInterval:     s.int64Or("max_aggregation_interval", flowLogDefaultAggregationInterval),
		LogFormat:                  s.str("log_format"),
		Region:                     s.str("region"),
		LogGroupName:               types.StringNull(),
		DeliverLogsStatus:          types.StringNull(),
		DeliverLogsError:           types.StringNull(),
		DeliverLogsRootCause:       types.StringNull(),
	}
	if m.ID.IsNull() {
		diags.AddError("Unable to move resource state", "The aws_flow_log state has no id.")
		return m, diags
	}
	if m.LogDestinationType.IsNull() {
		m.LogDestinationType = types.StringValue("cloud-watch-logs")
	}
	if m.LogDestination.IsNull() {
		// Version 0 states of flow logs made with log_group_name may lack
		// log_destination; the group is in the flow log's account and region.
		if name := s.str("log_group_name"); !name.IsNull() {
			if a, err := arn.Parse(m.ARN.ValueString()); err == nil {
				m.LogDestination = types.StringValue(fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", a.Partition, a.Region, a.AccountID, name.ValueString()))
			}
		}
	}
	if m.LogDestination.IsNull() {
		diags.AddError("Unable to move resource state",
			fmt.Sprintf("The aws_flow_log state of %s has neither log_destination nor log_group_name.", m.ID.ValueString()))
		return m, diags
	}
	if m.IAMRoleARN.IsNull() {
		m.IAMRoleARN = types.StringValue("")
	}
	if list, ok := s["destination_options"].([]any); ok && len(list) > 0 {
		if o, ok := list[0].(map[string]any); ok {
			opts := awsState(o)
			format := opts.str("file_format")
			if format.IsNull() {
				format = types.StringValue("plain-text")
			}
			v, d := types.ObjectValue(flowLogDestinationOptionsAttrTypes, map[string]attr.Value{
				"file_format":                format,
				"hive_compatible_partitions": opts.boolOr("hive_compatible_partitions", false),
				"per_hour_partition":         opts.boolOr("per_hour_partition", false),
			})
			diags.Append(d...)
			m.DestinationOptions = v
		}
	}
	var d diag.Diagnostics
	m.Tags, d = s.tags("tags")
	diags.Append(d...)
	tagsAll, d := s.tags("tags_all")
	diags.Append(d...)
	m.TagsAll = nullIfEmptyMap(tagsAll)
	return m, diags
}

// MoveState moves an aws_cloudwatch_log_group of hashicorp/aws into vpcflow_log_group.
func (r *logGroupResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{moveFrom("aws_cloudwatch_log_group", logGroupModelFromAWS)}
}

// logGroupModelFromAWS converts an aws_cloudwatch_log_group state.
func logGroupModelFromAWS(s awsState) (logGroupModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := logGroupModel{
		ID:              s.str("id"),
		Name:            s.str("name"),
		NamePrefix:      s.str("name_prefix"),
		RetentionInDays: s.int64Or("retention_in_days", 0),
		KMSKeyID:        s.str("kms_key_id"),
		LogGroupClass:   s.str("log_group_class"),
		SkipDestroy:     s.boolOr("skip_destroy", false),
		ARN:             s.str("arn"),
		Region:          s.str("region"),
	}
	if m.Name.IsNull() {
		m.Name = m.ID
	}
	if m.Name.IsNull() {
		diags.AddError("Unable to move resource state", "The aws_cloudwatch_log_group state has neither id nor name.")
		return m, diags
	}
	if m.ID.IsNull() {
		m.ID = m.Name
	}
	m.NeverExpire = types.BoolValue(m.RetentionInDays.ValueInt64() == 0)
	if m.LogGroupClass.IsNull() {
		m.LogGroupClass = types.StringValue("STANDARD")
	}
	// AWS provider v4 and before wrote the ARN with a trailing ":*".
	m.ARN = types.StringValue(strings.TrimSuffix(m.ARN.ValueString(), ":*"))
	var d diag.Diagnostics
	m.Tags, d = s.tags("tags")
	diags.Append(d...)
	tagsAll, d := s.tags("tags_all")
	diags.Append(d...)
	m.TagsAll = nullIfEmptyMap(tagsAll)
	return m, diags
}
