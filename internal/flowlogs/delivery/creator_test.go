package delivery

import (
	"strings"
	"testing"
)

func TestCreatorMayPutBucketPolicy(t *testing.T) {
	const (
		dest    = "arn:aws:s3:::flow-logs/flows"
		session = "arn:aws:sts::111122223333:assumed-role/terraform/ci-run"
		user    = "arn:aws:iam::111122223333:user/deployer"
	)
	identity := func(stmts ...string) NamedPolicy {
		return NamedPolicy{Name: "inline policy p", Document: `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`}
	}
	bucket := func(stmts ...string) *NamedPolicy {
		return &NamedPolicy{Name: "bucket policy of flow-logs", Document: `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`}
	}
	s3All := `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`
	putGet := `{"Effect":"Allow","Action":["s3:GetBucketPolicy","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::flow-logs"}`
	tests := []struct {
		name     string
		creator  Creator
		bucket   *NamedPolicy
		want     string // "allow", "deny", "unknown"
		whyParts []string
	}{
		{name: "role session with s3:*", creator: Creator{ARN: session, Policies: []NamedPolicy{identity(s3All)}}, want: "allow"},
		{name: "user with the two actions on the bucket", creator: Creator{ARN: user, Policies: []NamedPolicy{identity(putGet)}}, want: "allow"},
		{name: "actions on another bucket", creator: Creator{ARN: user, Policies: []NamedPolicy{identity(strings.ReplaceAll(putGet, "flow-logs", "other"))}},
			want: "deny", whyParts: []string{user + " may not s3:GetBucketPolicy on arn:aws:s3:::flow-logs"}},
		{name: "read-only identity", creator: Creator{ARN: session, Policies: []NamedPolicy{identity(`{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}`)}},
			want: "deny", whyParts: []string{"may not s3:PutBucketPolicy", "implicit deny"}},
		{name: "no policies at all", creator: Creator{ARN: session, Policies: []NamedPolicy{}}, want: "deny"},
		{name: "boundary leaves out PutBucketPolicy", creator: Creator{ARN: session, Policies: []NamedPolicy{identity(s3All)},
			Boundary: &NamedPolicy{Name: "permissions boundary b", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":"*"}]}`}},
			want: "deny", whyParts: []string{"s3:PutBucketPolicy", "permissions boundary"}},
		{name: "explicit deny in the identity policy", creator: Creator{ARN: session, Policies: []NamedPolicy{identity(s3All,
			`{"Sid":"NoPolicyEdits","Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"*"}`)}},
			want: "deny", whyParts: []string{"explicit deny", `"NoPolicyEdits"`}},
		{name: "bucket policy denies policy changes to everyone", creator: Creator{ARN: session, Policies: []NamedPolicy{identity(s3All)}},
			bucket: bucket(`{"Sid":"Locked","Effect":"Deny","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::flow-logs"}`),
			want:   "deny", whyParts: []string{`"Locked"`}},
		{name: "bucket policy grants the role", creator: Creator{ARN: session, Policies: []NamedPolicy{}},
			bucket: bucket(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/terraform"},"Action":["s3:GetBucketPolicy","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::flow-logs"}`),
			want:   "allow"},
		{name: "allow that needs MFA is assumed to hold", creator: Creator{ARN: user, Policies: []NamedPolicy{identity(
			`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}}, want: "allow"},
		{name: "deny outside an IP range is assumed not to apply", creator: Creator{ARN: user, Policies: []NamedPolicy{identity(s3All,
			`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`)}}, want: "allow"},
		{name: "unparsable identity policy", creator: Creator{ARN: user, Policies: []NamedPolicy{{Name: "inline policy broken", Document: `{`}}},
			want: "unknown", whyParts: []string{"inline policy broken of " + user + " cannot be evaluated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			may, why := CreatorMayPutBucketPolicy(tc.creator, dest, tc.bucket)
			got := "unknown"
			if may != nil {
				got = map[bool]string{true: "allow", false: "deny"}[*may]
			}
			if got != tc.want {
				t.Fatalf("decision = %s, want %s (%s)", got, tc.want, why)
			}
			for _, part := range tc.whyParts {
				if !strings.Contains(why, part) {
					t.Errorf("reason lacks %q: %s", part, why)
				}
			}
		})
	}
}

// TestCheckUsesCreatorDecision runs the decision into Check, as the provider does.
func TestCheckUsesCreatorDecision(t *testing.T) {
	readOnly := Creator{ARN: "arn:aws:sts::111122223333:assumed-role/reader/s", Policies: []NamedPolicy{{Name: "inline policy ro",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`}}}
	in := Input{DestinationType: DestinationS3, DestinationARN: "arn:aws:s3:::flow-logs", FlowLogAccount: acct, FlowLogRegion: region}
	if !NeedsCreator(in) {
		t.Fatal("a bucket without a policy needs the creator's permissions")
	}
	in.CreatorMayPutBucketPolicy, in.CreatorNote = CreatorMayPutBucketPolicy(readOnly, in.DestinationARN, in.BucketPolicy)
	fs := Check(in)
	if len(fs) != 1 || fs[0].Code != "DESTINATION_BUCKET_POLICY_MISSING" || fs[0].Severity != SeverityError {
		t.Fatalf("findings = %+v, want one DESTINATION_BUCKET_POLICY_MISSING error", fs)
	}
	for _, part := range []string{"arn:aws:sts::111122223333:assumed-role/reader/s may not s3:PutBucketPolicy on arn:aws:s3:::flow-logs", "AWS cannot add them", "s3:PutObject"} {
		if !strings.Contains(fs[0].Message, part) {
			t.Errorf("message lacks %q: %s", part, fs[0].Message)
		}
	}
	withStatement := in
	withStatement.BucketPolicy = &NamedPolicy{Name: "bucket policy", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::flow-logs/*"}]}`}
	if NeedsCreator(withStatement) {
		t.Error("a bucket policy with a delivery statement does not depend on the creator")
	}
	if NeedsCreator(Input{DestinationType: DestinationCloudWatchLogs}) {
		t.Error("a log group destination does not depend on the creator")
	}
}
