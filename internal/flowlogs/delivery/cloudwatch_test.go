package delivery

import "testing"

func TestCheckCloudWatchLogsTrust(t *testing.T) {
	check := func(m ...func(*Input)) func() []Finding { return func() []Finding { return Check(cwl(m...)) } }
	runCases(t, []checkCase{
		{name: "guarded trust and scoped permissions", run: check(), want: nil},
		{
			name: "AWS guide documents deliver but lack confused-deputy guards",
			run:  check(withTrust(awsGuideTrust), withPerms(awsGuidePerms)),
			want: []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD"},
			parts: map[string][]string{"TRUST_NO_CONFUSED_DEPUTY_GUARD": {"statement index 0", "confused deputy",
				`fix:"aws:SourceArn": "arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"`}},
		},
		{
			name: "near-miss principal vpc-flow-log",
			run:  check(withTrust(doc(trustStmt("AllowFlowLogs", svc("vpc-flow-log.amazonaws.com"), guard)))),
			want: []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {
				`trust policy of role arn:aws:iam::111122223333:role/flow-logs: statement "AllowFlowLogs" (index 0) allows principal service "vpc-flow-log.amazonaws.com", but VPC Flow Logs assumes the role as "vpc-flow-logs.amazonaws.com"`,
				`DeliverLogsStatus=FAILED ("Access error") without any alert`,
				`fix:"Principal": {"Service": "vpc-flow-logs.amazonaws.com"}`}},
		},
		{
			name:  "near-miss principal vpcflowlogs",
			run:   check(withTrust(doc(trustStmt("A", svc("vpcflowlogs.amazonaws.com"), guard)))),
			want:  []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {`"vpcflowlogs.amazonaws.com" is a misspelling`}},
		},
		{
			name: "near-miss principal flowlogs",
			run:  check(withTrust(doc(trustStmt("A", svc("flowlogs.amazonaws.com"), guard)))),
			want: []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
		},
		{
			name:  "EC2 principal instead of flow logs",
			run:   check(withTrust(doc(trustStmt("A", svc("ec2.amazonaws.com"), guard)))),
			want:  []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {"the EC2 principal"}},
		},
		{
			name:  "CloudWatch Logs principal instead of flow logs",
			run:   check(withTrust(doc(trustStmt("A", svc("logs.amazonaws.com"), guard)))),
			want:  []string{"error:TRUST_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WRONG_SERVICE_PRINCIPAL": {"the CloudWatch Logs principal"}},
		},
		{
			name: "unrelated service is not trusted",
			run:  check(withTrust(doc(trustStmt("Lambda", svc("lambda.amazonaws.com"), "")))),
			want: []string{"error:TRUST_SERVICE_NOT_TRUSTED"},
			parts: map[string][]string{"TRUST_SERVICE_NOT_TRUSTED": {`has no statement that allows principal service "vpc-flow-logs.amazonaws.com" sts:AssumeRole`,
				`Service "lambda.amazonaws.com"`, `fix:"Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"`}},
		},
		{
			name:  "wrong trust action",
			run:   check(withTrust(doc(`{"Sid":"Web","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + guard + `}`))),
			want:  []string{"error:TRUST_ACTION_MISSING"},
			parts: map[string][]string{"TRUST_ACTION_MISSING": {`allows only "sts:AssumeRoleWithWebIdentity"`, `fix:"Action": "sts:AssumeRole"`}},
		},
		{
			name: "source account mismatch",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"StringEquals":{"aws:SourceAccount":"444455556666"}}`)))),
			want: []string{"error:TRUST_SOURCE_ACCOUNT_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ACCOUNT_MISMATCH": {`expects "444455556666", but the request has "111122223333"`,
				"sends the account that owns the flow log, 111122223333", `fix:"StringEquals": {"aws:SourceAccount": "111122223333"}`}},
		},
		{
			name: "source ARN in another region",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*"}}`)))),
			want: []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has region "eu-west-1", but the ARN sent has "us-east-1"`,
				`e.g. "arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0123456789abcdef0"`}},
		},
		{
			name: "source ARN of the wrong service",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:111122223333:*"}}`)))),
			want: []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has service "logs", but the ARN sent has "ec2"`,
				`fix:"ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}`}},
		},
		{
			name:  "source ARN in another account",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:444455556666:vpc-flow-log/*"}}`)))),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has account "444455556666", but the ARN sent has "111122223333"`}},
		},
		{
			name:  "StringEquals with a star is literal",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"StringEquals":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`)))),
			want:  []string{"error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {"StringEquals compares literally", "is not a wildcard"}},
		},
		{
			name: "explicit deny in the trust policy",
			run: check(withTrust(doc(trustStmt("Allow", svc(ServiceVPCFlowLogs), guard),
				`{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`))),
			want: []string{"error:TRUST_EXPLICIT_DENY"},
			parts: map[string][]string{"TRUST_EXPLICIT_DENY": {`statement "DenyOutsideOrg" (index 1) denies sts:AssumeRole`, "StringNotEquals aws:PrincipalOrgID",
				"explicit deny overrides every allow"}},
		},
		{
			name:  "Principal star",
			run:   check(withTrust(doc(trustStmt("Anyone", `"*"`, guard)))),
			want:  []string{"warning:TRUST_WILDCARD_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WILDCARD_PRINCIPAL": {`("Principal": "*")`, "limited only by"}},
		},
		{
			name:  "AWS star principal",
			run:   check(withTrust(doc(trustStmt("Anyone", `{"AWS":"*"}`, "")))),
			want:  []string{"warning:TRUST_WILDCARD_PRINCIPAL"},
			parts: map[string][]string{"TRUST_WILDCARD_PRINCIPAL": {`("Principal": {"AWS": "*"})`}},
		},
		{
			name: "source ARN pinned to one flow log",
			run: check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs),
				`{"StringEquals":{"aws:SourceAccount":"111122223333","aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0a1b2c3d4e5f67890"}}`)))),
			want:  []string{"warning:TRUST_SOURCE_ARN_PINNED"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_PINNED": {"fl-0a1b2c3d4e5f67890", "new or replaced flow log"}},
		},
		{
			name:  "pinned flow log in the wrong region",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"ArnEquals":{"aws:SourceArn":"arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/fl-0a1b2c3d4e5f67890"}}`)))),
			want:  []string{"warning:TRUST_SOURCE_ARN_PINNED", "error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"TRUST_SOURCE_ARN_MISMATCH": {`has region "eu-west-1"`}},
		},
		{
			name: "Null false on a key the service sends is no guard",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"Null":{"aws:SourceArn":"false"}}`)))),
			want: []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD"},
		},
		{
			name:  "Null false on a key the service does not send",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"Null":{"aws:SourceVpc":"false"}}`)))),
			want:  []string{"error:TRUST_CONDITION_NOT_MET"},
			parts: map[string][]string{"TRUST_CONDITION_NOT_MET": {`condition Null "aws:SourceVpc" requires the key to be present`}},
		},
		{
			name: "IfExists guard that holds",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}`)))),
			want: nil,
		},
		{
			name: "IfExists guard for another account",
			run:  check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"StringEqualsIfExists":{"aws:SourceAccount":"444455556666"}}`)))),
			want: []string{"error:TRUST_SOURCE_ACCOUNT_MISMATCH"},
		},
		{
			name: "statement as an object",
			run:  check(withTrust(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":["vpc-flow-logs.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":` + guard + `}}`)),
			want: nil,
		},
		{
			name: "dead guarded statement next to an unguarded one",
			run: check(withTrust(doc(trustStmt("Open", svc(ServiceVPCFlowLogs), ""),
				trustStmt("Guarded", svc(ServiceVPCFlowLogs), `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-west-2:111122223333:vpc-flow-log/*"}}`)))),
			want: []string{"warning:TRUST_NO_CONFUSED_DEPUTY_GUARD", "warning:TRUST_GUARD_NEVER_MATCHES"},
			parts: map[string][]string{"TRUST_GUARD_NEVER_MATCHES": {`statement "Guarded" (index 1) never applies`, `region "us-west-2"`},
				"TRUST_NO_CONFUSED_DEPUTY_GUARD": {`statement "Open" (index 0)`}},
		},
		{
			name:  "trust policy is not JSON",
			run:   check(withTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",}]}`)),
			want:  []string{"error:POLICY_INVALID_JSON"},
			parts: map[string][]string{"POLICY_INVALID_JSON": {"trust policy of role arn:aws:iam::111122223333:role/flow-logs is not valid JSON: at line 1, column"}},
		},
		{
			name:  "trust policy with a Resource",
			run:   check(withTrust(doc(`{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`))),
			want:  []string{"error:POLICY_MALFORMED"},
			parts: map[string][]string{"POLICY_MALFORMED": {"at Statement[0].Resource: Resource is not allowed in a trust policy"}},
		},
		{
			name:  "unknown condition operator",
			run:   check(withTrust(doc(trustStmt("A", svc(ServiceVPCFlowLogs), `{"StringEqual":{"aws:SourceAccount":"111122223333"}}`)))),
			want:  []string{"error:POLICY_UNKNOWN_CONDITION_OPERATOR"},
			parts: map[string][]string{"POLICY_UNKNOWN_CONDITION_OPERATOR": {"Statement[0].Condition.StringEqual", `did you mean "StringEquals"`}},
		},
		{
			name: "trust not known",
			run:  check(func(in *Input) { in.TrustPolicy = nil }),
			want: nil,
		},
	})
}

func TestCheckCloudWatchLogsPermissions(t *testing.T) {
	check := func(m ...func(*Input)) func() []Finding { return func() []Finding { return Check(cwl(m...)) } }
	bareDeliver := `{"Sid":"Deliver","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"}`
	runCases(t, []checkCase{
		{
			name: "log group ARN without :*",
			run:  check(withPerms(doc(bareDeliver, describeStmt))),
			want: []string{"error:PERMISSION_LOG_GROUP_MISSING_WILDCARD"},
			parts: map[string][]string{"PERMISSION_LOG_GROUP_MISSING_WILDCARD": {
				`statement "Deliver" (index 0) of inline policy deliver-logs of role arn:aws:iam::111122223333:role/flow-logs allows logs:CreateLogStream, logs:PutLogEvents and logs:DescribeLogStreams`,
				`names the log group without ":*"`, `(add ":*")`,
				`fix:"Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"`}},
		},
		{
			name: "misspelt action",
			run:  check(withPerms(doc(`{"Sid":"Deliver","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvent","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`, describeStmt))),
			want: []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"allows logs:PutLogEvents on", `lists "logs:PutLogEvent", which is not "logs:PutLogEvents"`,
				`fix:"Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"`}},
		},
		{
			name: "actions in odd case",
			run:  check(withPerms(doc(`{"Effect":"Allow","Action":["LOGS:createlogstream","Logs:PutLogEvents","logs:describelogstreams","logs:DESCRIBELOGGROUPS"],"Resource":"*"}`))),
			want: nil,
		},
		{
			name: "permissions split across policies",
			run:  check(withPerms(doc(`{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`), doc(`{"Effect":"Allow","Action":["logs:PutLogEvents","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:*:*:log-group:/vpc/*"}`), doc(describeStmt))),
			want: nil,
		},
		{
			name:  "split policies still missing an action",
			run:   check(withPerms(doc(`{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}`), doc(`{"Effect":"Allow","Action":["logs:PutLogEvents","logs:DescribeLogGroups"],"Resource":"*"}`))),
			want:  []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"(inline policy deliver-logs, arn:aws:iam::111122223333:policy/extra-1) allows logs:DescribeLogStreams on"}},
		},
		{
			name: "NotAction grants everything else",
			run:  check(withPerms(doc(`{"Effect":"Allow","NotAction":["iam:*","sts:*"],"Resource":"*"}`))),
			want: nil,
		},
		{
			name:  "NotResource excludes the log group",
			run:   check(withPerms(doc(`{"Sid":"AllButFlows","Effect":"Allow","Action":"logs:*","NotResource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`))),
			want:  []string{"error:PERMISSION_RESOURCE_MISMATCH"},
			parts: map[string][]string{"PERMISSION_RESOURCE_MISMATCH": {`statement "AllButFlows" (index 0)`, `on every resource except "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"`}},
		},
		{
			name:  "explicit deny in a permission policy",
			run:   check(withPerms(goodPerms, doc(`{"Sid":"NoWrites","Effect":"Deny","Action":"logs:Put*","Resource":"*"}`))),
			want:  []string{"error:PERMISSION_EXPLICIT_DENY"},
			parts: map[string][]string{"PERMISSION_EXPLICIT_DENY": {`statement "NoWrites" (index 0) of arn:aws:iam::111122223333:policy/extra-1 of role arn:aws:iam::111122223333:role/flow-logs denies logs:PutLogEvents`}},
		},
		{
			name: "permissions boundary excludes logs",
			run:  check(withBoundary(doc(`{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"*"}`))),
			want: []string{"error:PERMISSION_BOUNDARY_BLOCKS"},
			parts: map[string][]string{"PERMISSION_BOUNDARY_BLOCKS": {"permissions boundary arn:aws:iam::111122223333:policy/boundary of role arn:aws:iam::111122223333:role/flow-logs does not allow",
				"logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams and logs:DescribeLogGroups", "which the permission policies allow"}},
		},
		{
			name: "permissions boundary names the log group without :*",
			run: check(withBoundary(doc(`{"Sid":"Logs","Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"}`,
				`{"Effect":"Allow","Action":"logs:Describe*","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:*"}`))),
			want: []string{"error:PERMISSION_BOUNDARY_BLOCKS"},
			parts: map[string][]string{"PERMISSION_BOUNDARY_BLOCKS": {`allows the action only on "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows" (statement "Logs" (index 0)), which names the log group without ":*"`,
				"logs:CreateLogStream and logs:PutLogEvents"}},
		},
		{
			name:  "explicit deny in the permissions boundary",
			run:   check(withBoundary(doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"NoLogs","Effect":"Deny","Action":"logs:*","Resource":"*"}`))),
			want:  []string{"error:PERMISSION_EXPLICIT_DENY"},
			parts: map[string][]string{"PERMISSION_EXPLICIT_DENY": {`statement "NoLogs" (index 1) of arn:aws:iam::111122223333:policy/boundary`}},
		},
		{
			name: "permissions boundary allowing logs",
			run:  check(withBoundary(doc(`{"Effect":"Allow","Action":"logs:*","Resource":"*"}`))),
			want: nil,
		},
		{
			name:  "log group may not exist without CreateLogGroup",
			run:   check(func(in *Input) { in.LogGroupMayNotExist = true }),
			want:  []string{"error:PERMISSION_ACTION_MISSING"},
			parts: map[string][]string{"PERMISSION_ACTION_MISSING": {"allows logs:CreateLogGroup on \"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*\""}},
		},
		{
			name: "log group may not exist with CreateLogGroup",
			run:  check(func(in *Input) { in.LogGroupMayNotExist = true }, withPerms(awsGuidePerms)),
			want: nil,
		},
		{
			name: "role with no permission policies",
			run:  check(withPerms()),
			want: []string{"error:PERMISSION_NO_POLICIES"},
		},
		{
			name: "permission policies not known",
			run:  check(func(in *Input) { in.PermissionPolicies = nil }),
			want: nil,
		},
		{
			name:  "condition the role session never meets",
			run:   check(withPerms(doc(`{"Sid":"VpcOnly","Effect":"Allow","Action":"logs:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-0123"}}}`))),
			want:  []string{"error:PERMISSION_CONDITION_NOT_MET"},
			parts: map[string][]string{"PERMISSION_CONDITION_NOT_MET": {`statement "VpcOnly" (index 0)`, `condition StringEquals "aws:SourceVpc" expects "vpc-0123", but the request does not have the key`}},
		},
		{
			name:  "DescribeLogGroups only on the group is a warning",
			run:   check(withPerms(doc(deliverStmt, `{"Sid":"Describe","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`))),
			want:  []string{"warning:PERMISSION_RESOURCE_MISMATCH"},
			parts: map[string][]string{"PERMISSION_RESOURCE_MISMATCH": {`"arn:aws:logs:us-east-1:111122223333:log-group:*"`}},
		},
		{
			name: "lowercase Effect",
			run:  check(withPerms(doc(`{"Effect":"allow","Action":"logs:*","Resource":"*"}`))),
			// Permission checks wait until the document is valid.
			want:  []string{"error:POLICY_MALFORMED"},
			parts: map[string][]string{"POLICY_MALFORMED": {"inline policy deliver-logs of role arn:aws:iam::111122223333:role/flow-logs at Statement[0].Effect", `write "Allow"`}},
		},
		{
			name:  "action without service prefix",
			run:   check(withPerms(goodPerms, doc(`{"Effect":"Allow","Action":"logs.PutLogEvents","Resource":"*"}`))),
			want:  []string{"error:POLICY_INVALID_ACTION"},
			parts: map[string][]string{"POLICY_INVALID_ACTION": {"Statement[0].Action", `invalid action "logs.PutLogEvents"`}},
		},
		{
			name:  "literal wildcard in a Deny guardrail",
			run:   check(withPerms(goodPerms, doc(`{"Sid":"RegionLock","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-*"}}}`))),
			want:  []string{"warning:POLICY_LITERAL_WILDCARD"},
			parts: map[string][]string{"POLICY_LITERAL_WILDCARD": {`statement "RegionLock" (index 0)`, "the Deny never applies", `fix:{"StringLike": {"aws:RequestedRegion": "eu-*"}}`}},
		},
	})
}

func TestCheckCloudWatchLogsSetup(t *testing.T) {
	check := func(m ...func(*Input)) func() []Finding { return func() []Finding { return Check(cwl(m...)) } }
	goodKey := doc(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Resource":"*","Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"}}}`)
	runCases(t, []checkCase{
		{name: "no role", run: check(func(in *Input) { in.RoleARN = "" }), want: []string{"error:ROLE_MISSING"}},
		{
			name: "role ARN of a user", run: check(func(in *Input) { in.RoleARN = "arn:aws:iam::111122223333:user/flow" }),
			want: []string{"error:ROLE_ARN_INVALID"}, parts: map[string][]string{"ROLE_ARN_INVALID": {"does not name a role"}},
		},
		{
			name: "role in another account", run: check(func(in *Input) { in.RoleARN = "arn:aws:iam::444455556666:role/flow-logs" }),
			want: []string{"error:ROLE_ACCOUNT_MISMATCH"}, parts: map[string][]string{"ROLE_ACCOUNT_MISMATCH": {"must belong to the flow log's account", `fix:"arn:aws:iam::111122223333:role/flow-logs"`}},
		},
		{
			name: "log group in another region", run: check(func(in *Input) { in.FlowLogRegion = "eu-west-1" }),
			// The trust guard names us-east-1 too, so the role fails as well.
			want:  []string{"error:DESTINATION_REGION_MISMATCH", "error:TRUST_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"DESTINATION_REGION_MISMATCH": {"is in us-east-1, but the flow log is in eu-west-1"}},
		},
		{name: "log group in another account", run: check(func(in *Input) { in.DestinationARN = "arn:aws:logs:us-east-1:444455556666:log-group:/vpc/flows" }),
			want: []string{"error:DESTINATION_ACCOUNT_MISMATCH", "error:PERMISSION_RESOURCE_MISMATCH", "warning:PERMISSION_RESOURCE_MISMATCH"}},
		{name: "bucket ARN for a log group destination", run: check(func(in *Input) { in.DestinationARN = "arn:aws:s3:::flows" }), want: []string{"error:DESTINATION_ARN_INVALID"}},
		{name: "log group ARN with :* is accepted", run: check(func(in *Input) { in.DestinationARN = groupARN + ":*" }), want: nil},
		{name: "unknown destination type", run: check(func(in *Input) { in.DestinationType = "cloudwatch" }), want: []string{"error:DESTINATION_TYPE_INVALID"}},
		{name: "encrypted log group with a correct key policy", run: check(withKey(goodKey)), want: nil},
		{
			name: "key policy that only enables IAM policies",
			run:  check(withKey(doc(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`))),
			want: []string{"error:DESTINATION_KMS_NOT_GRANTED"},
			parts: map[string][]string{"DESTINATION_KMS_NOT_GRANTED": {`key policy of ` + keyARN + ` has no statement that allows principal service "logs.us-east-1.amazonaws.com"`,
				`fix:"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"`}},
		},
		{
			name: "key policy with the log group ARN and :* in the encryption context",
			run:  check(withKey(doc(`{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":"kms:*","Resource":"*","Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}}}`))),
			want: []string{"error:DESTINATION_KMS_CONDITION_NOT_MET"},
			parts: map[string][]string{"DESTINATION_KMS_CONDITION_NOT_MET": {`expects "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*", but the request has "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"`,
				"would allow kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:ReEncryptFrom and kms:ReEncryptTo on " + keyARN, `fix:"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"`}},
		},
		{
			name:  "key policy for the global logs principal",
			run:   check(withKey(doc(`{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"kms:*","Resource":"*"}`))),
			want:  []string{"error:DESTINATION_KMS_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"DESTINATION_KMS_WRONG_SERVICE_PRINCIPAL": {"regional one for region us-east-1"}},
		},
		{name: "key policy not known", run: check(withKey("")), want: []string{"warning:DESTINATION_KMS_KEY_POLICY_UNKNOWN"}},
		{
			name: "key policy given without the key ARN",
			run:  check(withKey(goodKey), func(in *Input) { in.KMSKeyARN = "kms_key_arn" }),
			want: nil,
		},
		{
			name:  "key policy naming another key",
			run:   check(withKey(doc(`{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/other"}`))),
			want:  []string{"error:DESTINATION_KMS_RESOURCE_MISMATCH"},
			parts: map[string][]string{"DESTINATION_KMS_RESOURCE_MISMATCH": {`only on "arn:aws:kms:us-east-1:111122223333:key/other"`}},
		},
		{
			name: "AWS managed key", run: check(func(in *Input) { in.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:alias/aws/logs" }),
			want: []string{"error:DESTINATION_KMS_AWS_MANAGED_KEY"},
		},
	})
}
