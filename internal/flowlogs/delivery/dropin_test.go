package delivery

import (
	"strings"
	"testing"
)

// Findings of the configurations users bring from hashicorp/aws: a bucket
// whose policy has no delivery statement at all, and AWS's own cross-account
// Firehose example, where deliver_cross_account_role is the destination
// account's role.

func TestCheckBucketPolicyWithoutDeliveryStatement(t *testing.T) {
	tlsOnly := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",
"Resource":["arn:aws:s3:::flow-logs","arn:aws:s3:::flow-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	yes, no := true, false
	s3Input := func(policy *NamedPolicy, creatorMay *bool) func() []Finding {
		return func() []Finding {
			return Check(Input{
				DestinationType: DestinationS3, DestinationARN: "arn:aws:s3:::flow-logs",
				FlowLogAccount: acct, FlowLogRegion: region,
				BucketPolicy: policy, CreatorMayPutBucketPolicy: creatorMay,
			})
		}
	}
	policy := &NamedPolicy{Name: "bucket policy", Document: tlsOnly}
	runCases(t, []checkCase{
		{
			name: "no delivery statement, creator's permissions unknown", run: s3Input(policy, nil),
			want: []string{"warning:DESTINATION_BUCKET_POLICY_INCOMPLETE"},
			parts: map[string][]string{"DESTINATION_BUCKET_POLICY_INCOMPLETE": {
				"s3:PutObject the log files under arn:aws:s3:::flow-logs/AWSLogs/", "may s3:GetBucketPolicy and s3:PutBucketPolicy",
				"could not be determined: the identity creating the flow log is not known here", "fix:AWSLogDeliveryWrite"}},
		},
		{
			name: "no delivery statement, creator may put the policy", run: s3Input(policy, &yes),
			want: nil, // AWS adds the statements when the flow log is created
		},
		{
			name: "no delivery statement, creator may not put the policy", run: s3Input(policy, &no),
			want:  []string{"error:DESTINATION_BUCKET_POLICY_INCOMPLETE"},
			parts: map[string][]string{"DESTINATION_BUCKET_POLICY_INCOMPLETE": {"AWS cannot add them"}},
		},
		{
			name: "no bucket policy, creator may not put one", run: s3Input(nil, &no),
			want:  []string{"error:DESTINATION_BUCKET_POLICY_MISSING"},
			parts: map[string][]string{"DESTINATION_BUCKET_POLICY_MISSING": {"s3:PutObject", "fix:Attach"}},
		},
	})
	for _, f := range s3Input(policy, nil)() {
		if strings.Contains(f.Message, "CloudTrail") {
			t.Errorf("%s speaks of CloudTrail noise where s3:PutObject is missing: %s", f.Code, f.Message)
		}
	}
}

func TestCheckFirehoseCrossAccountRoleNamed(t *testing.T) {
	destRole := "arn:aws:iam::444455556666:role/flow-logs-destination"
	assumeNamed := strings.Replace(assumeDest, "AWSLogDeliveryFirehoseCrossAccountRole", "flow-logs-destination", 1)
	runCases(t, []checkCase{
		{
			name: "source role may assume deliver_cross_account_role",
			run: func() []Finding {
				return Check(firehoseInput(func(in *Input) {
					in.CrossAccountRoleARN = destRole
					in.PermissionPolicies[0].Document = doc(passRole, logDelivery, assumeNamed)
				}))
			},
			want: nil,
		},
		{
			name: "source role may assume another role than deliver_cross_account_role",
			run: func() []Finding {
				return Check(firehoseInput(func(in *Input) { in.CrossAccountRoleARN = destRole }))
			},
			want:  []string{"error:PERMISSION_RESOURCE_MISMATCH"},
			parts: map[string][]string{"PERMISSION_RESOURCE_MISMATCH": {destRole}},
		},
		{
			name: "no source role names iam_role_arn",
			run: func() []Finding {
				return Check(firehoseInput(func(in *Input) { in.RoleARN, in.CrossAccountRoleARN = "", destRole }))
			},
			want:  []string{"error:ROLE_MISSING"},
			parts: map[string][]string{"ROLE_MISSING": {"(iam_role_arn)", "fix:Set iam_role_arn", "fix:" + destRole}},
		},
	})
}
