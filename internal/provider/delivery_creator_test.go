package provider

import (
	"strings"
	"testing"
)

// TestCreatorOf: which identity's policies decide whether AWS can add the
// delivery statements, for the callers sts:GetCallerIdentity reports.
func TestCreatorOf(t *testing.T) {
	tests := []struct {
		name, caller, flowLogAccount string
		want                         creatorIdentity
		why                          string
	}{
		{name: "IAM user", caller: "arn:aws:iam::111122223333:user/ci/deployer", flowLogAccount: "111122223333",
			want: creatorIdentity{account: "111122223333", userARN: "arn:aws:iam::111122223333:user/ci/deployer"}},
		{name: "role session", caller: "arn:aws:sts::111122223333:assumed-role/terraform/run-42",
			want: creatorIdentity{account: "111122223333", roleARN: "arn:aws:iam::111122223333:role/terraform"}},
		{name: "role session in GovCloud", caller: "arn:aws-us-gov:sts::111122223333:assumed-role/terraform/s",
			want: creatorIdentity{account: "111122223333", roleARN: "arn:aws-us-gov:iam::111122223333:role/terraform"}},
		{name: "root user", caller: "arn:aws:iam::111122223333:root", why: "root user of account 111122223333"},
		{name: "federated user", caller: "arn:aws:sts::111122223333:federated-user/alice", why: "neither an IAM user nor an IAM role session"},
		{name: "moto's default caller", caller: "arn:aws:sts::123456789012:user/moto", why: "neither an IAM user nor an IAM role session"},
		{name: "flow log of another account", caller: "arn:aws:iam::111122223333:user/deployer", flowLogAccount: "444455556666",
			why: "of account 111122223333, and the flow log is in account 444455556666"},
		{name: "not an ARN", caller: "deployer", why: "not an ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := creatorOf(tc.caller, tc.flowLogAccount)
			if tc.why != "" {
				if !strings.Contains(why, tc.why) || got != (creatorIdentity{}) {
					t.Fatalf("creatorOf = %+v, %q; want no identity and a reason with %q", got, why, tc.why)
				}
				return
			}
			if why != "" || got != tc.want {
				t.Fatalf("creatorOf = %+v, %q; want %+v", got, why, tc.want)
			}
		})
	}
}
