package delivery

import (
	"strings"
	"testing"
)

const bucketDestARN = "arn:aws:s3:::flow-logs-bucket/flows"

const s3Guard = `{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:111122223333:*"}}`

func writeStmt(resource, condition string) string {
	return `{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"` + resource + `","Condition":` + condition + `}`
}

const writeCondition = `{"StringEquals":{"aws:SourceAccount":"111122223333","s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:us-east-1:111122223333:*"}}`

var (
	goodWrite    = writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*", writeCondition)
	goodACLCheck = `{"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:ListBucket"],"Resource":"arn:aws:s3:::flow-logs-bucket","Condition":` + s3Guard + `}`
	tlsOnly      = `{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::flow-logs-bucket","arn:aws:s3:::flow-logs-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
)

func s3Input(mutations ...func(*Input)) Input {
	in := Input{
		DestinationType: DestinationS3,
		DestinationARN:  bucketDestARN,
		FlowLogAccount:  acct,
		FlowLogRegion:   region,
		BucketPolicy:    &NamedPolicy{Name: "bucket_policy", Document: doc(goodWrite, goodACLCheck, tlsOnly)},
	}
	for _, m := range mutations {
		m(&in)
	}
	return in
}

func withBucketPolicy(statements ...string) func(*Input) {
	return func(in *Input) { in.BucketPolicy = &NamedPolicy{Name: "bucket_policy", Document: doc(statements...)} }
}

func TestCheckS3(t *testing.T) {
	check := func(m ...func(*Input)) func() []Finding { return func() []Finding { return Check(s3Input(m...)) } }
	deliveryKey := doc(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"AllowLogDelivery","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*","Condition":`+s3Guard+`}`)
	runCases(t, []checkCase{
		{name: "documented bucket policy with TLS-only deny", run: check(), want: nil},
		{
			name: "bucket without a policy",
			run:  check(func(in *Input) { in.BucketPolicy = nil }),
			want: []string{"warning:DESTINATION_BUCKET_POLICY_MISSING"},
			parts: map[string][]string{"DESTINATION_BUCKET_POLICY_MISSING": {"may s3:GetBucketPolicy and s3:PutBucketPolicy",
				`fix:"Resource": "arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*"`, `fix:"s3:x-amz-acl": "bucket-owner-full-control"`}},
		},
		{
			name: "bucket policy without delivery statements",
			run:  check(withBucketPolicy(tlsOnly)),
			want: []string{"warning:DESTINATION_BUCKET_POLICY_INCOMPLETE"},
			parts: map[string][]string{"DESTINATION_BUCKET_POLICY_INCOMPLETE": {`bucket policy of flow-logs-bucket has no statement for the log delivery service (delivery.logs.amazonaws.com), so nothing lets delivery.logs.amazonaws.com s3:PutObject the log files under arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/* (nor s3:GetBucketAcl on arn:aws:s3:::flow-logs-bucket)`,
				"fix:AWSLogDeliveryWrite", "fix:AWSLogDeliveryAclCheck"}},
		},
		{
			name: "delivery statement for another prefix",
			run:  check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/logs/AWSLogs/111122223333/*", writeCondition), goodACLCheck)),
			want: []string{"error:DESTINATION_BUCKET_PREFIX_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_PREFIX_MISMATCH": {`statement "AWSLogDeliveryWrite" (index 0) allows s3:PutObject on "arn:aws:s3:::flow-logs-bucket/logs/AWSLogs/111122223333/*", which is under prefix "logs/", but the flow log writes under prefix "flows/"`,
				`fix:"Resource": "arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*"`}},
		},
		{
			name:  "prefix given but the policy has none",
			run:   check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/AWSLogs/111122223333/*", writeCondition), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_PREFIX_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_PREFIX_MISMATCH": {`under prefix (none), but the flow log writes under prefix "flows/"`}},
		},
		{
			name:  "Hive partitions with a default-layout statement",
			run:   check(func(in *Input) { in.HiveCompatiblePartitions = true }),
			want:  []string{"error:DESTINATION_BUCKET_PREFIX_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_PREFIX_MISMATCH": {"Hive-compatible partitions", `fix:"arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/aws-account-id=111122223333/*"`}},
		},
		{
			name: "Hive partitions with a Hive statement",
			run: check(func(in *Input) { in.HiveCompatiblePartitions = true },
				withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/aws-account-id=111122223333/*", writeCondition), goodACLCheck)),
			want: nil,
		},
		{
			name:  "delivery statement for another account's folder",
			run:   check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/444455556666/*", writeCondition), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_RESOURCE_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_RESOURCE_MISMATCH": {"for account 444455556666, but the flow log is in account 111122223333"}},
		},
		{
			name: "source account mismatch",
			run: check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*",
				`{"StringEquals":{"aws:SourceAccount":"444455556666","s3:x-amz-acl":"bucket-owner-full-control"}}`), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_SOURCE_ACCOUNT_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_SOURCE_ACCOUNT_MISMATCH": {`expects "444455556666", but the request has "111122223333"`}},
		},
		{
			name: "source ARN of the flow log instead of the log delivery",
			run: check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*",
				`{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_SOURCE_ARN_MISMATCH": {`has service "ec2", but the ARN sent has "logs"`, `fix:"arn:aws:logs:us-east-1:111122223333:*"`}},
		},
		{
			name: "source ARN in another region",
			run: check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*",
				`{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:eu-west-1:111122223333:*"}}`), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_SOURCE_ARN_MISMATCH"},
			parts: map[string][]string{"DESTINATION_BUCKET_SOURCE_ARN_MISMATCH": {`has region "eu-west-1", but the ARN sent has "us-east-1"`}},
		},
		{
			name: "ACL condition for another canned ACL",
			run: check(withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/flows/AWSLogs/111122223333/*",
				`{"StringEquals":{"s3:x-amz-acl":"private"}}`), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_CONDITION_NOT_MET"},
			parts: map[string][]string{"DESTINATION_BUCKET_CONDITION_NOT_MET": {`"s3:x-amz-acl" expects "private", but the request has "bucket-owner-full-control"`}},
		},
		{
			name: "deny that hits the log delivery service",
			run: check(withBucketPolicy(goodWrite, goodACLCheck,
				`{"Sid":"OnlyOurAccount","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::flow-logs-bucket/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}`)),
			want:  []string{"error:DESTINATION_BUCKET_EXPLICIT_DENY"},
			parts: map[string][]string{"DESTINATION_BUCKET_EXPLICIT_DENY": {`statement "OnlyOurAccount" (index 2) denies s3:PutObject`, "StringNotEquals aws:PrincipalAccount", "fix:aws:PrincipalServiceName"}},
		},
		{
			name:  "wrong service principal",
			run:   check(withBucketPolicy(strings.Replace(goodWrite, "delivery.logs.amazonaws.com", "logs.amazonaws.com", 1), goodACLCheck)),
			want:  []string{"error:DESTINATION_BUCKET_WRONG_SERVICE_PRINCIPAL"},
			parts: map[string][]string{"DESTINATION_BUCKET_WRONG_SERVICE_PRINCIPAL": {`allows principal service "logs.amazonaws.com", but the log delivery service writes to the bucket as "delivery.logs.amazonaws.com"`}},
		},
		{
			name: "ListBucket missing is a warning",
			run: check(withBucketPolicy(goodWrite,
				`{"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::flow-logs-bucket"}`)),
			want:  []string{"warning:DESTINATION_BUCKET_ACTION_MISSING"},
			parts: map[string][]string{"DESTINATION_BUCKET_ACTION_MISSING": {`allows only "s3:GetBucketAcl"`, "s3:ListBucket on arn:aws:s3:::flow-logs-bucket"}},
		},
		{
			name:  "role given for S3",
			run:   check(func(in *Input) { in.RoleARN = roleARN }),
			want:  []string{"warning:ROLE_IGNORED"},
			parts: map[string][]string{"ROLE_IGNORED": {"without an IAM role"}},
		},
		{name: "AWSLogs as the prefix", run: check(func(in *Input) { in.DestinationARN = "arn:aws:s3:::flow-logs-bucket/AWSLogs" }), want: []string{"error:DESTINATION_ARN_INVALID"}},
		{name: "malformed bucket policy", run: check(withBucketPolicy(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::flow-logs-bucket/*"}`)),
			want: []string{"error:POLICY_MALFORMED"}, parts: map[string][]string{"POLICY_MALFORMED": {"bucket policy of flow-logs-bucket at Statement[0]: missing Principal"}}},
		{name: "flow log account not given", run: check(func(in *Input) { in.FlowLogAccount = "" }), want: nil},
		{
			name: "flow log account not given, wrong prefix",
			run:  check(func(in *Input) { in.FlowLogAccount = "" }, withBucketPolicy(writeStmt("arn:aws:s3:::flow-logs-bucket/logs/AWSLogs/111122223333/*", writeCondition), goodACLCheck)),
			want: []string{"error:DESTINATION_BUCKET_PREFIX_MISMATCH"},
		},
		{name: "SSE-KMS key that allows the log delivery service", run: check(withKey(deliveryKey)), want: nil},
		{
			name: "SSE-KMS key without a statement for the log delivery service",
			run:  check(withKey(doc(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`))),
			want: []string{"error:DESTINATION_KMS_NOT_GRANTED"},
			parts: map[string][]string{"DESTINATION_KMS_NOT_GRANTED": {`"delivery.logs.amazonaws.com" kms:GenerateDataKey and kms:Decrypt on ` + keyARN,
				`its Allow statements name AWS "arn:aws:iam::111122223333:root"`, `fix:"kms:GenerateDataKey*"`}},
		},
		{
			name: "SSE-KMS key guarded for another account",
			run:  check(withKey(doc(`{"Sid":"AllowLogDelivery","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"444455556666"}}}`))),
			want: []string{"error:DESTINATION_KMS_SOURCE_ACCOUNT_MISMATCH", "error:DESTINATION_KMS_ACTION_MISSING"},
			parts: map[string][]string{"DESTINATION_KMS_SOURCE_ACCOUNT_MISMATCH": {`would allow kms:GenerateDataKey on ` + keyARN + ` to principal service "delivery.logs.amazonaws.com", except that its condition StringEquals "aws:SourceAccount" expects "444455556666"`},
				"DESTINATION_KMS_ACTION_MISSING": {`allows only "kms:GenerateDataKey*"`, "needs kms:Decrypt"}},
		},
	})
}
