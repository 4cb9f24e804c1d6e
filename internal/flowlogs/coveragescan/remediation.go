package coveragescan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// AWS Config's managed rule VPC_FLOW_LOGS_ENABLED finds the VPCs the scan
// calls uncovered, on a schedule, and Config can remediate each
// NON_COMPLIANT VPC automatically with a Systems Manager Automation
// document (the only remediation Config runs itself). The documents below
// make that remediation create a correct flow log: the Automation document,
// and the trust and permission policies of the role Automation assumes to
// run it; the delivery role of a CloudWatch Logs destination is
// rolepolicy's.

// Remediation services and names.
const (
	// ConfigRuleIdentifier is the managed rule's source identifier.
	ConfigRuleIdentifier = "VPC_FLOW_LOGS_ENABLED"
	// ConfigRuleTrafficParameter is the rule's input parameter for the traffic type.
	ConfigRuleTrafficParameter = "trafficType"
	// SSMService is the principal Automation assumes its role as.
	SSMService = "ssm.amazonaws.com"
	// AutomationPolicyName is the inline policy of the Automation role.
	AutomationPolicyName = "vpcflow-remediation"
	// RemediationTagKey tags each flow log the remediation creates with the rule's name.
	RemediationTagKey = "vpcflow:remediation"
	// Parameters of the Automation document that Config fills in.
	ParamAssumeRole = "AutomationAssumeRole"
	ParamVpcID      = "VpcId"
	ParamTraffic    = "TrafficType"
)

// Statement ids of the Automation role's policies.
const (
	SidSSMAssumeRole    = "SSMAutomationAssumeRole"
	SidCreateFlowLogs   = "CreateFlowLogs"
	SidTagFlowLogs      = "TagNewFlowLogs"
	SidDescribeFlowLogs = "DescribeFlowLogs"
	SidPassDeliveryRole = "PassDeliveryRole"
	SidLogDelivery      = "LogDelivery"
)

// Remediation describes the flow log the remediation creates.
type Remediation struct {
	Partition, Account, Region string
	// RuleName is the Config rule, recorded on each flow log created.
	RuleName    string
	TrafficType string // ALL, ACCEPT or REJECT
	// DestinationType is cloud-watch-logs or s3.
	DestinationType string
	// Destination is a log group ARN (same account and region) or a bucket ARN with an optional prefix.
	Destination string
	// DeliveryRoleARN is the role VPC Flow Logs assumes for a CloudWatch Logs destination.
	DeliveryRoleARN string
	// AutomationRoleARN is the role Automation assumes to run the document.
	AutomationRoleARN string
}

var vpcIDPattern = `^vpc-[0-9a-f]{8,17}$`

func (r Remediation) partition() string {
	if r.Partition == "" {
		return "aws"
	}
	return r.Partition
}

func (r Remediation) validate() error {
	switch {
	case !regexp.MustCompile(`^\d{12}$`).MatchString(r.Account):
		return fmt.Errorf("account %q is not a 12-digit account ID", r.Account)
	case r.Region == "":
		return fmt.Errorf("a region is needed")
	case !slices.Contains(TrafficTypes, r.TrafficType):
		return fmt.Errorf("traffic type %q is not one of %s", r.TrafficType, strings.Join(TrafficTypes, ", "))
	case r.AutomationRoleARN == "":
		return fmt.Errorf("the Automation role ARN is needed")
	}
	switch r.DestinationType {
	case delivery.DestinationCloudWatchLogs:
		if r.DeliveryRoleARN == "" {
			return fmt.Errorf("a CloudWatch Logs destination needs a delivery role")
		}
	case delivery.DestinationS3:
		if r.DeliveryRoleARN != "" {
			return fmt.Errorf("an S3 destination uses no delivery role")
		}
	default:
		return fmt.Errorf("destination type %q is not %s or %s", r.DestinationType, delivery.DestinationCloudWatchLogs, delivery.DestinationS3)
	}
	return nil
}

// Document renders the Automation document: create the flow log for the
// VPC Config names, tagged with the rule, then assert that the VPC has an
// active flow log. CreateFlowLogs reports most refusals as "Unsuccessful"
// items rather than as an error, which would leave the execution green;
// the assertion turns them into a failed execution, which Config shows
// and retries.
func (r Remediation) Document() (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	create := map[string]any{
		"Service":            "ec2",
		"Api":                "CreateFlowLogs",
		"ResourceIds":        []string{"{{ " + ParamVpcID + " }}"},
		"ResourceType":       "VPC",
		"TrafficType":        "{{ " + ParamTraffic + " }}",
		"LogDestinationType": r.DestinationType,
		"LogDestination":     strings.TrimSuffix(r.Destination, ":*"),
		"TagSpecifications": []any{map[string]any{
			"ResourceType": "vpc-flow-log",
			"Tags":         []any{map[string]string{"Key": RemediationTagKey, "Value": r.RuleName}},
		}},
	}
	if r.DeliveryRoleARN != "" {
		create["DeliverLogsPermissionArn"] = r.DeliveryRoleARN
	}
	doc := map[string]any{
		"schemaVersion": "0.3",
		"description": "Creates a VPC flow log for a VPC that AWS Config rule " + r.RuleName + " (" + ConfigRuleIdentifier + ") finds without one, " +
			"delivering " + r.TrafficTypeOrAll() + " traffic to " + strings.TrimSuffix(r.Destination, ":*") + ". Written by the vpcflow Terraform provider.",
		"assumeRole": "{{ " + ParamAssumeRole + " }}",
		"parameters": map[string]any{
			ParamAssumeRole: map[string]any{"type": "String", "description": "Role Automation assumes to create the flow log.", "default": r.AutomationRoleARN},
			ParamVpcID:      map[string]any{"type": "String", "description": "VPC to log: the rule's RESOURCE_ID.", "allowedPattern": vpcIDPattern},
			ParamTraffic:    map[string]any{"type": "String", "description": "Traffic the flow log records.", "default": r.TrafficType, "allowedValues": TrafficTypes},
		},
		"mainSteps": []any{
			map[string]any{"name": "CreateFlowLog", "action": "aws:executeAwsApi", "onFailure": "Abort", "inputs": create,
				"outputs": []any{map[string]string{"Name": "FlowLogIds", "Selector": "$.FlowLogIds", "Type": "StringList"}}},
			map[string]any{"name": "VerifyFlowLog", "action": "aws:assertAwsResourceProperty", "isEnd": true, "inputs": map[string]any{
				"Service": "ec2", "Api": "DescribeFlowLogs",
				"Filter":           []any{map[string]any{"Name": "resource-id", "Values": []string{"{{ " + ParamVpcID + " }}"}}},
				"PropertySelector": "$.FlowLogs[0].FlowLogStatus", "DesiredValues": []string{"ACTIVE"},
			}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

// TrafficTypeOrAll is the traffic type, ALL when unset.
func (r Remediation) TrafficTypeOrAll() string {
	if r.TrafficType == "" {
		return TrafficAll
	}
	return r.TrafficType
}

// RemediationFromDocument reads back what Document rendered: ok is false
// for a document the provider did not write.
func RemediationFromDocument(doc string) (r Remediation, ok bool) {
	var d struct {
		Parameters map[string]struct {
			Default any `json:"default"`
		} `json:"parameters"`
		MainSteps []struct {
			Name   string         `json:"name"`
			Inputs map[string]any `json:"inputs"`
		} `json:"mainSteps"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.MainSteps) == 0 || d.MainSteps[0].Name != "CreateFlowLog" {
		return r, false
	}
	str := func(v any) string { s, _ := v.(string); return s }
	in := d.MainSteps[0].Inputs
	r.DestinationType, r.Destination, r.DeliveryRoleARN = str(in["LogDestinationType"]), str(in["LogDestination"]), str(in["DeliverLogsPermissionArn"])
	r.AutomationRoleARN = str(d.Parameters[ParamAssumeRole].Default)
	r.TrafficType = str(d.Parameters[ParamTraffic].Default)
	return r, r.DestinationType != "" && r.Destination != ""
}

// AutomationTrustDocument lets Automation assume the role only for
// executions of the account (the confused deputy guard the Systems Manager
// User Guide gives for Automation service roles).
func (r Remediation) AutomationTrustDocument() (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	return renderPolicy([]statement{{
		Sid: SidSSMAssumeRole, Effect: "Allow", Principal: map[string]string{"Service": SSMService}, Action: "sts:AssumeRole",
		Condition: map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": r.Account},
			"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/*", r.partition(), r.Region, r.Account)},
		},
	}})
}

// AutomationPermissionsDocument allows what the document does and no more:
// create VPC flow logs of the account and region and tag them as they are
// created, list flow logs to verify, and pass the delivery role to VPC
// Flow Logs only (or, for S3, set up the log delivery).
func (r Remediation) AutomationPermissionsDocument() (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	ec2ARN := func(kind string) string {
		return fmt.Sprintf("arn:%s:ec2:%s:%s:%s/*", r.partition(), r.Region, r.Account, kind)
	}
	stmts := []statement{
		{Sid: SidCreateFlowLogs, Effect: "Allow", Action: "ec2:CreateFlowLogs", Resource: []string{ec2ARN("vpc"), ec2ARN("vpc-flow-log")}},
		{Sid: SidTagFlowLogs, Effect: "Allow", Action: "ec2:CreateTags", Resource: ec2ARN("vpc-flow-log"),
			Condition: map[string]map[string]any{"StringEquals": {"ec2:CreateAction": "CreateFlowLogs"}}},
		{Sid: SidDescribeFlowLogs, Effect: "Allow", Action: "ec2:DescribeFlowLogs", Resource: "*"},
	}
	if r.DestinationType == delivery.DestinationCloudWatchLogs {
		stmts = append(stmts, statement{Sid: SidPassDeliveryRole, Effect: "Allow", Action: "iam:PassRole", Resource: r.DeliveryRoleARN,
			Condition: map[string]map[string]any{"StringEquals": {"iam:PassedToService": delivery.ServiceVPCFlowLogs}}})
	} else {
		// Flow logs to S3 are set up as a CloudWatch Logs log delivery, authorized on "*".
		stmts = append(stmts, statement{Sid: SidLogDelivery, Effect: "Allow", Action: []string{"logs:CreateLogDelivery", "logs:DeleteLogDelivery"}, Resource: "*"})
	}
	return renderPolicy(stmts)
}

// AutomationTrustContext is what Automation sends when it assumes the role
// for an execution Config started.
func (r Remediation) AutomationTrustContext() map[string][]string {
	return map[string][]string{
		"aws:SourceAccount": {r.Account},
		"aws:SourceArn":     {fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/0b1e2c3d-4f56-7a89-b0c1-d2e3f4a5b6c7", r.partition(), r.Region, r.Account)},
	}
}

// AutomationNeeds are the calls the document makes with the role, for
// delivery.CheckServiceRole.
func (r Remediation) AutomationNeeds() []delivery.Need {
	vpc := fmt.Sprintf("arn:%s:ec2:%s:%s:vpc/vpc-0a1b2c3d4e5f60718", r.partition(), r.Region, r.Account)
	flowLog := fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/fl-0a1b2c3d4e5f60718", r.partition(), r.Region, r.Account)
	needs := []delivery.Need{
		{Action: "ec2:CreateFlowLogs", Resource: vpc, FixResource: fmt.Sprintf("arn:%s:ec2:%s:%s:vpc/*", r.partition(), r.Region, r.Account)},
		{Action: "ec2:CreateFlowLogs", Resource: flowLog, FixResource: fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", r.partition(), r.Region, r.Account)},
		{Action: "ec2:CreateTags", Resource: flowLog, Context: map[string][]string{"ec2:CreateAction": {"CreateFlowLogs"}},
			FixResource: fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", r.partition(), r.Region, r.Account)},
		{Action: "ec2:DescribeFlowLogs", Resource: "*"},
	}
	if r.DestinationType == delivery.DestinationCloudWatchLogs {
		needs = append(needs, delivery.Need{Action: "iam:PassRole", Resource: r.DeliveryRoleARN,
			Context: map[string][]string{"iam:PassedToService": {delivery.ServiceVPCFlowLogs}}})
	} else {
		needs = append(needs, delivery.Need{Action: "logs:CreateLogDelivery", Resource: "*"})
	}
	return needs
}

// AutomationRole is the Automation role as the delivery checker sees it,
// with the documents given.
func (r Remediation) AutomationRole(trust, permissions string) delivery.ServiceRole {
	return delivery.ServiceRole{
		RoleARN:      r.AutomationRoleARN,
		Service:      SSMService,
		Caller:       "Systems Manager Automation",
		Trust:        &delivery.NamedPolicy{Name: "trust policy of the Automation role", Document: trust},
		TrustContext: r.AutomationTrustContext(),
		Permissions:  []delivery.NamedPolicy{{Name: "inline policy " + AutomationPolicyName, Document: permissions}},
		Needs:        r.AutomationNeeds(),
		Target:       "EC2",
		Outcome:      "the remediation fails for every non-compliant VPC, and the VPCs stay without flow logs",
	}
}

// statement is one statement of a rendered policy.
type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string]string         `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

func renderPolicy(stmts []statement) (string, error) {
	b, err := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", stmts})
	return string(b), err
}
