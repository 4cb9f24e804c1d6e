package delivery

import "testing"

func TestCheckTrustPolicy(t *testing.T) {
	trust := func(opts TrustOptions, statements ...string) func() []Finding {
		return func() []Finding { return CheckTrustPolicy(doc(statements...), opts) }
	}
	unknown := TrustOptions{}
	known := TrustOptions{Account: acct, Region: region}
	fl := svc(ServiceVPCFlowLogs)
	runCases(t, []checkCase{
		{
			name: "guarded for every region, nothing known",
			run:  trust(unknown, trustStmt("A", fl, `{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:*:111122223333:vpc-flow-log/*"}}`)),
			want: nil,
		},
		{name: "guarded, account and region known", run: trust(known, trustStmt("A", fl, guard)), want: nil},
		{
			name:  "unguarded, nothing known",
			run:   trust(unknown, trustStmt("A", fl, "")),
			want:  []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD"},
			parts: map[string][]string{"TRUST_NO_CONFUSED_DEPUTY_GUARD": {`fix:"aws:SourceArn": "arn:aws:ec2:REGION:ACCOUNT_ID:vpc-flow-log/*"`}},
		},
		{
			name:  "source ARN of another service, nothing known",
			run:   trust(unknown, trustStmt("A", fl, `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:*"}}`)),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {"can never match", `has service "logs", but the ARN sent has "ec2"`}},
		},
		{
			name:  "source ARN of another resource type, nothing known",
			run:   trust(unknown, trustStmt("A", fl, `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:*:*:vpc/*"}}`)),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`but the resource sent starts with "vpc-flow-log/"`}},
		},
		{
			name:  "StringEquals source ARN with a star, nothing known",
			run:   trust(unknown, trustStmt("A", fl, `{"StringEquals":{"aws:SourceArn":"arn:aws:ec2:*:111122223333:vpc-flow-log/*"}}`)),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {"contains a wildcard, but the operator compares literally", `fix:"ArnLike"`}},
		},
		{
			name:  "StringEquals source account star, nothing known",
			run:   trust(unknown, trustStmt("A", fl, `{"StringEquals":{"aws:SourceAccount":"*"}}`)),
			want:  []string{"error:TRUST_SOURCE_ACCOUNT_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ACCOUNT_MISMATCH": {"is not a 12-digit account ID", "compares literally"}},
		},
		{
			name: "StringLike source account star, nothing known",
			run:  trust(unknown, trustStmt("A", fl, `{"StringLike":{"aws:SourceAccount":"*"}}`)),
			want: nil,
		},
		{
			name: "pinned flow log, nothing known",
			run:  trust(unknown, trustStmt("A", fl, `{"ArnEquals":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0a1b2c3d4e5f67890"}}`)),
			want: []string{"warning:TRUST_SOURCE_ARN_PINNED"},
		},
		{
			name:  "source account of another account",
			run:   trust(known, trustStmt("A", fl, `{"StringEquals":{"aws:SourceAccount":"444455556666"}}`)),
			want:  []string{"error:TRUST_SOURCE_ACCOUNT_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ACCOUNT_MISMATCH": {`expects "444455556666", but the request has "111122223333"`}},
		},
		{
			name:  "source ARN of another region",
			run:   trust(TrustOptions{Account: acct, Region: "eu-west-1"}, trustStmt("A", fl, guard)),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has region "us-east-1", but the ARN sent has "eu-west-1"`}},
		},
		{
			name:  "GovCloud partition from the region",
			run:   trust(TrustOptions{Account: acct, Region: "us-gov-west-1"}, trustStmt("A", fl, `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-gov-west-1:111122223333:vpc-flow-log/*"}}`)),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has partition "aws", but the ARN sent has "aws-us-gov"`}},
		},
		{name: "principal typo", run: trust(unknown, trustStmt("A", svc("vpc-flow-log.amazonaws.com"), "")), want: []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"}},
		{
			name:  "not JSON",
			run:   func() []Finding { return CheckTrustPolicy(`{"Statement": [`, unknown) },
			want:  []string{"error:POLICY_INVALID_JSON"},
			parts: map[string][]string{"POLICY_INVALID_JSON": {"trust policy is not valid JSON"}},
		},
		{
			name: "other service, guarded",
			run:  trust(TrustOptions{Service: "logs.amazonaws.com", Account: acct}, trustStmt("A", svc("logs.amazonaws.com"), `{"StringLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:111122223333:*"}}`)),
			want: nil,
		},
		{
			name: "other service, denied",
			run: trust(TrustOptions{Service: "logs.amazonaws.com", Account: acct}, trustStmt("A", svc("logs.amazonaws.com"), `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`),
				`{"Sid":"NoLogs","Effect":"Deny","Principal":{"Service":"logs.amazonaws.com"},"Action":"sts:*"}`),
			want: []string{"error:TRUST_EXPLICIT_DENY"},
		},
	})
}

func TestCheckServiceRole(t *testing.T) {
	const stream = "arn:aws:firehose:us-east-1:111122223333:deliverystream/central"
	subscription := func(perms string, boundary *NamedPolicy, trustDoc string) func() []Finding {
		return func() []Finding {
			return CheckServiceRole(ServiceRole{
				RoleARN: "arn:aws:iam::111122223333:role/cwl-to-firehose",
				Service: "logs.amazonaws.com", Caller: "CloudWatch Logs",
				Trust: &NamedPolicy{Name: "trust", Document: trustDoc},
				TrustContext: map[string][]string{
					"aws:SourceAccount": {acct},
					"aws:SourceArn":     {"arn:aws:logs:us-east-1:111122223333:log-group:/app:*"},
				},
				Permissions: []NamedPolicy{{Name: "inline policy put-records", Document: perms}},
				Boundary:    boundary,
				Needs: []Need{
					{Action: "firehose:PutRecord", Resource: stream},
					{Action: "firehose:PutRecordBatch", Resource: stream},
				},
				Target: "Firehose", Outcome: "subscription filter deliveries are dropped",
			})
		}
	}
	goodTrust := doc(trustStmt("CWL", svc("logs.amazonaws.com"), `{"StringLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:111122223333:*"}}`))
	put := doc(`{"Effect":"Allow","Action":["firehose:PutRecord","firehose:PutRecordBatch"],"Resource":"` + stream + `"}`)
	lambda := func(trustPrincipal string) func() []Finding {
		return func() []Finding {
			return CheckServiceRole(ServiceRole{
				RoleARN: "arn:aws:iam::111122223333:role/fn", Service: "lambda.amazonaws.com",
				Trust:       &NamedPolicy{Document: doc(trustStmt("Lambda", svc(trustPrincipal), ""))},
				Permissions: []NamedPolicy{{Name: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", Document: doc(`{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}`)}},
				Needs:       []Need{{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn:log-stream:2026/01/02/[$LATEST]abc"}},
			})
		}
	}
	runCases(t, []checkCase{
		{name: "subscription destination role", run: subscription(put, nil, goodTrust), want: nil},
		{
			name:  "subscription role without PutRecordBatch",
			run:   subscription(doc(`{"Effect":"Allow","Action":"firehose:PutRecord","Resource":"`+stream+`"}`), nil, goodTrust),
			want:  []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"allows firehose:PutRecordBatch on", "subscription filter deliveries are dropped", "CloudWatch Logs assumes the role but Firehose rejects"}},
		},
		{
			name:  "subscription role guarded for another account",
			run:   subscription(put, nil, doc(trustStmt("CWL", svc("logs.amazonaws.com"), `{"StringEquals":{"aws:SourceAccount":"444455556666"}}`))),
			want:  []string{"error:TRUST_SOURCE_ACCOUNT_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ACCOUNT_MISMATCH": {`fix:"StringEquals": {"aws:SourceAccount": "111122223333"}`}},
		},
		{
			name: "subscription role boundary without firehose",
			run:  subscription(put, &NamedPolicy{Name: "boundary", Document: doc(`{"Effect":"Allow","Action":"logs:*","Resource":"*"}`)}, goodTrust),
			want: []string{"error:PERMISSION_BOUNDARY_BLOCKS"},
		},
		{name: "Lambda execution role", run: lambda("lambda.amazonaws.com"), want: []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD"}},
		{
			name:  "Lambda principal misspelt",
			run:   lambda("lamda.amazonaws.com"),
			want:  []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {`"lamda.amazonaws.com" is a misspelling`}},
		},
	})
}

func TestNearMiss(t *testing.T) {
	tests := []struct {
		got, want string
		near      bool
	}{
		{"vpc-flow-log.amazonaws.com", ServiceVPCFlowLogs, true},
		{"VPC-Flow-Logs.amazonaws.com", ServiceVPCFlowLogs, true},
		{"vpc_flow_logs.amazonaws.com", ServiceVPCFlowLogs, true},
		{"ec2.amazonaws.com", ServiceVPCFlowLogs, true},
		{"lambda.amazonaws.com", ServiceVPCFlowLogs, false},
		{"logs.us-west-2.amazonaws.com", "logs.us-east-1.amazonaws.com", true},
		{"logs.amazonaws.com", "logs.us-east-1.amazonaws.com", true},
		{"s3.amazonaws.com", "logs.us-east-1.amazonaws.com", false},
		{ServiceVPCFlowLogs, ServiceVPCFlowLogs, false},
	}
	for _, tt := range tests {
		t.Run(tt.got, func(t *testing.T) {
			if _, got := nearMiss(tt.got, tt.want); got != tt.near {
				t.Errorf("nearMiss(%q, %q) = %v", tt.got, tt.want, got)
			}
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		name string
		fs   []Finding
		want bool
	}{
		{"none", nil, true},
		{"warnings only", []Finding{{Severity: SeverityWarning}}, true},
		{"an error", []Finding{{Severity: SeverityWarning}, {Severity: SeverityError}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Valid(tt.fs); got != tt.want {
				t.Errorf("Valid = %v", got)
			}
		})
	}
}

func TestCheckOrderIsDeterministic(t *testing.T) {
	in := cwl(withTrust(doc(trustStmt("A", `"*"`, ""), trustStmt("B", svc("vpc-flow-log.amazonaws.com"), ""))),
		withPerms(doc(`{"Effect":"Allow","Action":"logs:PutLogEvent","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"}`)),
		withBoundary(doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)))
	first := render(Check(in))
	for range 20 {
		if got := render(Check(in)); got != first {
			t.Fatalf("order changed:\n%s\nvs\n%s", first, got)
		}
	}
	fs := Check(in)
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Severity == SeverityWarning && fs[i].Severity == SeverityError {
			t.Fatalf("warning before error:\n%s", first)
		}
	}
}
