package delivery

import "testing"

// BenchmarkCheckCloudWatchLogs measures one flow log's full check: trust
// policy, five delivery actions and a permissions boundary, parsed from JSON.
func BenchmarkCheckCloudWatchLogs(b *testing.B) {
	in := cwl(
		func(in *Input) { in.LogGroupMayNotExist = true },
		withPerms(doc(deliverStmt, describeStmt, `{"Sid":"Create","Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`)),
		withBoundary(doc(`{"Effect":"Allow","Action":["logs:*","s3:*","ec2:Describe*"],"Resource":"*"}`,
			`{"Effect":"Deny","Action":"iam:*","Resource":"*"}`)),
	)
	if fs := Check(in); len(fs) != 0 {
		b.Fatalf("benchmark input has findings:\n%s", render(fs))
	}
	b.ReportAllocs()
	for b.Loop() {
		Check(in)
	}
}

// BenchmarkCheckCloudWatchLogsFailing measures the same check when the role is
// broken and every near miss is explained.
func BenchmarkCheckCloudWatchLogsFailing(b *testing.B) {
	in := cwl(
		withTrust(doc(trustStmt("AllowFlowLogs", svc("vpc-flow-log.amazonaws.com"), guard))),
		withPerms(doc(`{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvent","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"}`)),
		withBoundary(doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)),
	)
	b.ReportAllocs()
	for b.Loop() {
		Check(in)
	}
}
