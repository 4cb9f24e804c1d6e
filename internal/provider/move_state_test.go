package provider

import (
	"context"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// States as hashicorp/aws writes them (terraform show -json of v5.x, schema
// version 0, and v6.x, schema version 1 with region).
const (
	awsFlowLogV5State = `{"arn":"arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/fl-0abc","deliver_cross_account_role":"","destination_options":[],
"eni_id":"","iam_role_arn":"arn:aws:iam::123456789012:role/flow-logs","id":"fl-0abc","log_destination":"",
"log_destination_type":"cloud-watch-logs","log_format":"${version} ${srcaddr}","log_group_name":"/aws/vpc/flow-logs",
"max_aggregation_interval":600,"subnet_id":"","tags":{},"tags_all":{},"traffic_type":"ALL","transit_gateway_attachment_id":"",
"transit_gateway_id":"","vpc_id":"vpc-0abc"}`
	awsFlowLogV6State = `{"arn":"arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/fl-0def","deliver_cross_account_role":"",
"destination_options":[{"file_format":"parquet","hive_compatible_partitions":true,"per_hour_partition":false}],
"eni_id":"","iam_role_arn":"","id":"fl-0def","log_destination":"arn:aws:s3:::flow-logs","log_destination_type":"s3",
"log_format":"${version}","max_aggregation_interval":60,"regional_nat_gateway_id":"","region":"eu-west-1","subnet_id":"",
"tags":{"Name":"vpc"},"tags_all":{"Name":"vpc","Owner":"net"},"traffic_type":"REJECT","transit_gateway_attachment_id":"","transit_gateway_id":"","vpc_id":"vpc-0def"}`
	awsLogGroupState = `{"arn":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs","deletion_protection_enabled":false,
"id":"/aws/vpc/flow-logs","kms_key_id":"","log_group_class":"STANDARD","name":"/aws/vpc/flow-logs","name_prefix":"",
"region":"us-east-1","retention_in_days":0,"skip_destroy":false,"tags":null,"tags_all":{}}`
)

func moveState(t *testing.T, r fwresource.ResourceWithMoveState, typeName string, version int64, raw string) (tfsdk.State, *fwresource.MoveStateResponse) {
	t.Helper()
	ctx := context.Background()
	var sr fwresource.SchemaResponse
	r.(fwresource.Resource).Schema(ctx, fwresource.SchemaRequest{}, &sr)
	target := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	resp := &fwresource.MoveStateResponse{TargetState: target}
	req := fwresource.MoveStateRequest{
		SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
		SourceTypeName:        typeName,
		SourceSchemaVersion:   version,
		SourceRawState:        &tfprotov6.RawState{JSON: []byte(raw)},
	}
	for _, m := range r.MoveState(ctx) {
		m.StateMover(ctx, req, resp)
	}
	if resp.Diagnostics.HasError() {
		t.Fatalf("moving %s: %v", typeName, resp.Diagnostics)
	}
	return resp.TargetState, resp
}

func TestMoveState_awsFlowLogV5(t *testing.T) {
	state, _ := moveState(t, &flowLogResource{}, "aws_flow_log", 0, awsFlowLogV5State)
	var m flowLogModel
	if d := state.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if got, want := m.LogDestination.ValueString(), "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs"; got != want {
		t.Errorf("log_destination = %q, want %q (from log_group_name)", got, want)
	}
	if m.ID.ValueString() != "fl-0abc" || m.VPCID.ValueString() != "vpc-0abc" || !m.SubnetID.IsNull() || m.TrafficType.ValueString() != "ALL" {
		t.Errorf("target or id wrong: %+v", m)
	}
	if m.IAMRoleARN.ValueString() != "arn:aws:iam::123456789012:role/flow-logs" || !m.DestinationOptions.IsNull() || !m.TagsAll.IsNull() {
		t.Errorf("iam_role_arn %v, destination_options %v, tags_all %v", m.IAMRoleARN, m.DestinationOptions, m.TagsAll)
	}
}

func TestMoveState_awsFlowLogV6(t *testing.T) {
	state, _ := moveState(t, &flowLogResource{}, "aws_flow_log", 1, awsFlowLogV6State)
	var m flowLogModel
	if d := state.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.Region.ValueString() != "eu-west-1" || m.IAMRoleARN.ValueString() != "" || m.IAMRoleARN.IsNull() || m.MaxAggregationInterval.ValueInt64() != 60 {
		t.Errorf("region %v, iam_role_arn %v, interval %v", m.Region, m.IAMRoleARN, m.MaxAggregationInterval)
	}
	opts := m.DestinationOptions.Attributes()
	if opts["file_format"].String() != `"parquet"` || opts["hive_compatible_partitions"].String() != "true" {
		t.Errorf("destination_options = %v", opts)
	}
	if len(m.TagsAll.Elements()) != 2 || len(m.Tags.Elements()) != 1 {
		t.Errorf("tags %v, tags_all %v", m.Tags, m.TagsAll)
	}
}

func TestMoveState_awsCloudWatchLogGroup(t *testing.T) {
	state, _ := moveState(t, &logGroupResource{}, "aws_cloudwatch_log_group", 0, awsLogGroupState)
	var m logGroupModel
	if d := state.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.Name.ValueString() != "/aws/vpc/flow-logs" || m.RetentionInDays.ValueInt64() != 0 || !m.NeverExpire.ValueBool() || !m.KMSKeyID.IsNull() || !m.NamePrefix.IsNull() {
		t.Errorf("moved log group = %+v", m)
	}
}

func TestMoveState_otherSourcesAreLeftAlone(t *testing.T) {
	ctx := context.Background()
	var sr fwresource.SchemaResponse
	(&flowLogResource{}).Schema(ctx, fwresource.SchemaRequest{}, &sr)
	target := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	resp := &fwresource.MoveStateResponse{TargetState: target}
	req := fwresource.MoveStateRequest{SourceProviderAddress: "registry.terraform.io/hashicorp/google", SourceTypeName: "aws_flow_log",
		SourceRawState: &tfprotov6.RawState{JSON: []byte(awsFlowLogV6State)}}
	(&flowLogResource{}).MoveState(ctx)[0].StateMover(ctx, req, resp)
	if !resp.TargetState.Raw.IsNull() || resp.Diagnostics.HasError() {
		t.Errorf("a state of another provider was moved: %v", resp.Diagnostics)
	}
}
