package pipelinepolicy

import (
	"fmt"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// LogsService is the principal CloudWatch Logs assumes subscription and
// destination roles as.
const LogsService = "logs.amazonaws.com"

// EventsService is the principal EventBridge assumes target roles as and
// invokes Lambda functions as.
const EventsService = "events.amazonaws.com"

// Statement ids of the CloudWatch Logs role documents.
const (
	SidLogsAssumeRole = "CloudWatchLogsAssumeRole"
	SidPutRecords     = "PutSubscriptionRecords"
)

// LogsTarget is where CloudWatch Logs puts subscription records with a role.
type LogsTarget struct {
	ARN  ARN
	Kind string // "kinesis" or "firehose"
}

// ParseLogsTarget accepts a Kinesis data stream or Firehose delivery stream ARN.
func ParseLogsTarget(s string) (LogsTarget, error) {
	a, err := ParseARN(s)
	if err != nil {
		return LogsTarget{}, err
	}
	switch {
	case a.Service == "kinesis" && strings.HasPrefix(a.Resource, "stream/"):
		return LogsTarget{ARN: a, Kind: "kinesis"}, nil
	case a.Service == "firehose" && strings.HasPrefix(a.Resource, "deliverystream/"):
		return LogsTarget{ARN: a, Kind: "firehose"}, nil
	}
	return LogsTarget{}, fmt.Errorf("%s is neither a Kinesis data stream nor a Firehose delivery stream", s)
}

// Actions is what CloudWatch Logs calls on the target with the role
// (CloudWatch Logs User Guide, "Subscription filters": kinesis:PutRecord,
// firehose:PutRecord).
func (t LogsTarget) Actions() []string {
	if t.Kind == "firehose" {
		return []string{"firehose:PutRecord"}
	}
	return []string{"kinesis:PutRecord"}
}

// LogsRoleNeeds are the calls CloudWatch Logs makes with a subscription or
// destination role that delivers to the target.
func LogsRoleNeeds(target LogsTarget) []delivery.Need {
	var needs []delivery.Need
	for _, a := range target.Actions() {
		needs = append(needs, delivery.Need{Action: a, Resource: target.ARN.String()})
	}
	return needs
}

// LogsTrustContext is what CloudWatch Logs sends when it assumes a
// subscription role for a log group: the group's account and ARN.
func LogsTrustContext(logGroupARN string) map[string][]string {
	a, err := ParseARN(logGroupARN)
	if err != nil {
		return nil
	}
	return map[string][]string{
		"aws:SourceAccount": {a.Account},
		"aws:SourceArn":     {strings.TrimSuffix(logGroupARN, ":*") + ":*"},
	}
}

// LogsRoleTrustDocument renders a trust policy that lets CloudWatch Logs
// assume the role for log groups of the accounts in the region, as the
// CloudWatch Logs User Guide writes it (aws:SourceArn
// arn:aws:logs:REGION:ACCOUNT:*).
func LogsRoleTrustDocument(partition, region string, accounts []string) (string, error) {
	if !regionPattern.MatchString(region) {
		return "", fmt.Errorf("region %q is not a region name such as us-east-1", region)
	}
	if len(accounts) == 0 {
		return "", fmt.Errorf("at least one account is needed")
	}
	var sources []string
	for _, acct := range sortedUnique(accounts) {
		if !accountPattern.MatchString(acct) {
			return "", fmt.Errorf("account %q is not a 12-digit account ID", acct)
		}
		sources = append(sources, fmt.Sprintf("arn:%s:logs:%s:%s:*", partitionOr(partition), region, acct))
	}
	return render(document{Version: policyVersion, Statement: []statement{{
		Sid:       SidLogsAssumeRole,
		Effect:    "Allow",
		Principal: servicePrincipal{Service: LogsService},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]any{"StringLike": {"aws:SourceArn": oneOrMany(sources)}},
	}}})
}

// LogsRolePermissionsDocument renders the policy that lets CloudWatch Logs
// put records into the target and nothing else.
func LogsRolePermissionsDocument(target LogsTarget) (string, error) {
	return render(document{Version: policyVersion, Statement: []statement{{
		Sid: SidPutRecords, Effect: "Allow", Action: oneOrMany(target.Actions()), Resource: target.ARN.String(),
	}}})
}

// EventBusNeeds is what EventBridge calls with a target role to forward
// events to another account's event bus.
func EventBusNeeds(busARN string) []delivery.Need {
	return []delivery.Need{{Action: "events:PutEvents", Resource: busARN}}
}

// EventsTrustContext is what EventBridge sends when it assumes a target
// role for a rule: the rule's account and ARN.
func EventsTrustContext(ruleARN string) map[string][]string {
	a, err := ParseARN(ruleARN)
	if err != nil {
		return nil
	}
	return map[string][]string{"aws:SourceAccount": {a.Account}, "aws:SourceArn": {ruleARN}}
}
