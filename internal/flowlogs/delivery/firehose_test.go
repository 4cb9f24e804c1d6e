package delivery

import (
	"strings"
	"testing"
)

const (
	sourceRole  = "arn:aws:iam::111122223333:role/mySourceRole"
	crossStream = "arn:aws:firehose:us-east-1:444455556666:deliverystream/flows"
)

var (
	passRole    = `{"Sid":"PassSelf","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/mySourceRole","Condition":{"StringEquals":{"iam:PassedToService":"delivery.logs.amazonaws.com"},"StringLike":{"iam:AssociatedResourceARN":["arn:aws:ec2:us-east-1:111122223333:vpc/vpc-00112233344556677"]}}}`
	logDelivery = `{"Sid":"LogDelivery","Effect":"Allow","Action":["logs:CreateLogDelivery","logs:DeleteLogDelivery","logs:ListLogDeliveries","logs:GetLogDelivery"],"Resource":"*"}`
	assumeDest  = `{"Sid":"AssumeDestination","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::444455556666:role/AWSLogDeliveryFirehoseCrossAccountRole"}`
	sourceTrust = doc(trustStmt("LogDelivery", svc(ServiceLogDelivery), `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`))
)

func firehoseInput(mutations ...func(*Input)) Input {
	in := Input{
		DestinationType:    DestinationFirehose,
		DestinationARN:     crossStream,
		FlowLogAccount:     acct,
		FlowLogRegion:      region,
		RoleARN:            sourceRole,
		TrustPolicy:        &NamedPolicy{Name: "trust_policy", Document: sourceTrust},
		PermissionPolicies: []NamedPolicy{{Name: "inline policy cross-account", Document: doc(passRole, logDelivery, assumeDest)}},
	}
	for _, m := range mutations {
		m(&in)
	}
	return in
}

func TestCheckFirehose(t *testing.T) {
	check := func(m ...func(*Input)) func() []Finding {
		return func() []Finding { return Check(firehoseInput(m...)) }
	}
	sameAccount := func(in *Input) {
		in.DestinationARN = "arn:aws:firehose:us-east-1:111122223333:deliverystream/flows"
		in.RoleARN, in.TrustPolicy, in.PermissionPolicies = "", nil, nil
	}
	runCases(t, []checkCase{
		{name: "same account needs no role", run: check(sameAccount), want: nil},
		{
			name: "same account with a role", run: check(sameAccount, func(in *Input) { in.RoleARN = sourceRole }),
			want: []string{"warning:ROLE_IGNORED"}, parts: map[string][]string{"ROLE_IGNORED": {"AWSServiceRoleForLogDelivery"}},
		},
		{name: "cross-account with the documented roles", run: check(), want: nil},
		{
			name: "cross-account without a role", run: check(func(in *Input) { in.RoleARN = "" }),
			want: []string{"error:ROLE_MISSING"},
			parts: map[string][]string{"ROLE_MISSING": {"is in account 444455556666, not in the flow log's account 111122223333",
				"fix:arn:aws:iam::444455556666:role/AWSLogDeliveryFirehoseCrossAccountRole"}},
		},
		{name: "cross-account role in the destination account", run: check(func(in *Input) { in.RoleARN = "arn:aws:iam::444455556666:role/mySourceRole" }),
			want: []string{"error:ROLE_ACCOUNT_MISMATCH"}},
		{name: "stream in another region", run: check(func(in *Input) { in.DestinationARN = strings.Replace(crossStream, "us-east-1", "eu-west-1", 1) }),
			want: []string{"error:DESTINATION_REGION_MISMATCH"}},
		{
			name:  "source role trusts the flow logs principal",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), "")))),
			want:  []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {`assumes the role as "delivery.logs.amazonaws.com"`, "S3 and Firehose delivery use delivery.logs.amazonaws.com"}},
		},
		{
			name:  "source role trust without a guard",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceLogDelivery), "")))),
			want:  []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD"},
			parts: map[string][]string{"TRUST_NO_CONFUSED_DEPUTY_GUARD": {`fix:{"StringEquals": {"aws:SourceAccount": "111122223333"}}`}},
		},
		{
			name: "source role trust guarded with a flow log ARN",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceLogDelivery), `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`)))),
			want: nil,
		},
		{
			name:  "source role cannot pass itself",
			run:   check(func(in *Input) { in.PermissionPolicies[0].Document = doc(logDelivery, assumeDest) }),
			want:  []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"allows iam:PassRole on \"arn:aws:iam::111122223333:role/mySourceRole\""}},
		},
		{
			name: "PassRole to the wrong service",
			run: check(func(in *Input) {
				in.PermissionPolicies[0].Document = doc(strings.Replace(passRole, ServiceLogDelivery, "firehose.amazonaws.com", 1), logDelivery, assumeDest)
			}),
			want:  []string{"error:PERMISSION_CONDITION_NOT_MET"},
			parts: map[string][]string{"PERMISSION_CONDITION_NOT_MET": {`"iam:PassedToService" expects "firehose.amazonaws.com", but the request has "delivery.logs.amazonaws.com"`}},
		},
		{
			name:  "no sts:AssumeRole on the destination role",
			run:   check(func(in *Input) { in.PermissionPolicies[0].Document = doc(passRole, logDelivery) }),
			want:  []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {`allows sts:AssumeRole on "arn:aws:iam::444455556666:role/AWSLogDeliveryFirehoseCrossAccountRole"`}},
		},
		{
			name: "destination role with its own name",
			run: check(func(in *Input) {
				in.PermissionPolicies[0].Document = doc(passRole, logDelivery, strings.Replace(assumeDest, "AWSLogDeliveryFirehoseCrossAccountRole", "flow-logs-destination", 1))
			}),
			want: nil,
		},
		{
			name: "only CreateLogDelivery",
			run: check(func(in *Input) {
				in.PermissionPolicies[0].Document = doc(passRole, `{"Effect":"Allow","Action":"logs:CreateLogDelivery","Resource":"*"}`, assumeDest)
			}),
			want:  []string{"warning:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"logs:GetLogDelivery, logs:DeleteLogDelivery and logs:ListLogDeliveries"}},
		},
	})
}
