package rolepolicy

import (
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

const testAccount = "123456789012"

// checkRole runs the delivery checker for a flow log of the log group's
// account and region delivering through a role made of the documents.
func checkRole(t *testing.T, trust Trust, perms Permissions, boundary, logGroupARN string, mayNotExist bool) []delivery.Finding {
	t.Helper()
	trustDoc, err := TrustDocument(trust)
	if err != nil {
		t.Fatal(err)
	}
	permsDoc, err := PermissionsDocument(perms)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseLogGroupARN(logGroupARN)
	if err != nil {
		t.Fatal(err)
	}
	in := delivery.Input{
		DestinationType:     delivery.DestinationCloudWatchLogs,
		DestinationARN:      logGroupARN,
		FlowLogAccount:      trust.Account,
		FlowLogRegion:       g.Region,
		RoleARN:             "arn:" + trust.partition() + ":iam::" + trust.Account + ":role/flow-logs",
		TrustPolicy:         &delivery.NamedPolicy{Name: "trust policy", Document: trustDoc},
		PermissionPolicies:  []delivery.NamedPolicy{{Name: "inline policy " + PolicyName, Document: permsDoc}},
		LogGroupMayNotExist: mayNotExist,
	}
	if boundary != "" {
		in.PermissionsBoundary = &delivery.NamedPolicy{Name: "arn:" + trust.partition() + ":iam::" + trust.Account + ":policy/boundary", Document: boundary}
	}
	return delivery.Check(in)
}

// TestDocumentsPassTheChecker: every role the package renders passes the
// delivery checker with no finding at all, not even a warning, for every
// log group it names.
func TestDocumentsPassTheChecker(t *testing.T) {
	t.Parallel()
	east := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/aws/vpc/flow-logs"
	eastStar := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/aws/vpc/other:*"
	west := "arn:aws:logs:eu-west-1:" + testAccount + ":log-group:flow_logs.prod#1"
	cases := []struct {
		name     string
		trust    Trust
		perms    Permissions
		boundary string
	}{
		{
			name:  "one group",
			trust: Trust{Account: testAccount, Regions: []string{"us-east-1"}},
			perms: Permissions{LogGroupARNs: []string{east}},
		},
		{
			name:  "group given with :*",
			trust: Trust{Account: testAccount, Regions: []string{"us-east-1"}},
			perms: Permissions{LogGroupARNs: []string{eastStar}},
		},
		{
			name:  "groups in two regions",
			trust: Trust{Account: testAccount, Regions: []string{"us-east-1", "eu-west-1"}},
			perms: Permissions{LogGroupARNs: []string{east, eastStar, west}},
		},
		{
			name:  "any region",
			trust: Trust{Account: testAccount, Regions: []string{"*"}},
			perms: Permissions{LogGroupARNs: []string{east, west}},
		},
		{
			name:  "group may not exist",
			trust: Trust{Account: testAccount, Regions: []string{"us-east-1", "eu-west-1"}},
			perms: Permissions{LogGroupARNs: []string{east, west}, AllowCreateLogGroup: true},
		},
		{
			name:     "boundary allowing logs",
			trust:    Trust{Account: testAccount, Regions: []string{"us-east-1"}},
			perms:    Permissions{LogGroupARNs: []string{east}, AllowCreateLogGroup: true},
			boundary: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`,
		},
		{
			name:  "boundary allowing exactly the delivery calls",
			trust: Trust{Account: testAccount, Regions: []string{"us-east-1"}},
			perms: Permissions{LogGroupARNs: []string{east}},
			boundary: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:*:*:log-group:/aws/vpc/*"},
				{"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"*"},
				{"Effect":"Deny","Action":"logs:DeleteLogGroup","Resource":"*"}]}`,
		},
		{
			name:  "China partition",
			trust: Trust{Partition: "aws-cn", Account: testAccount, Regions: []string{"cn-north-1"}},
			perms: Permissions{LogGroupARNs: []string{"arn:aws-cn:logs:cn-north-1:" + testAccount + ":log-group:flow"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, group := range tc.perms.LogGroupARNs {
				findings := checkRole(t, tc.trust, tc.perms, tc.boundary, group, tc.perms.AllowCreateLogGroup)
				if !delivery.Valid(findings) || len(findings) != 0 {
					for _, f := range findings {
						t.Errorf("%s: %s %s: %s\nfix: %s", group, f.Severity, f.Code, f.Message, f.Fix)
					}
				}
			}
		})
	}
}

// TestCheckerCatchesBrokenRoles makes sure the test above can fail: the same
// checker rejects roles that differ from the rendered ones in the ways that
// break delivery.
func TestCheckerCatchesBrokenRoles(t *testing.T) {
	t.Parallel()
	group := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/aws/vpc/flow-logs"
	trust := Trust{Account: testAccount, Regions: []string{"us-east-1"}}
	perms := Permissions{LogGroupARNs: []string{group}}
	cases := []struct {
		name     string
		trust    Trust
		perms    Permissions
		boundary string
		group    string
		// mayNotExist checks as if the group could be missing, so VPC Flow
		// Logs would call logs:CreateLogGroup.
		mayNotExist bool
		want        string // code prefix of an error finding
	}{
		{
			name: "boundary without logs", trust: trust, perms: perms, group: group,
			boundary: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			want:     "PERMISSION_",
		},
		{
			name: "boundary denying PutLogEvents", trust: trust, perms: perms, group: group,
			boundary: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`,
			want:     "PERMISSION_",
		},
		{
			name: "flow log in a region the trust leaves out", trust: Trust{Account: testAccount, Regions: []string{"eu-west-1"}},
			perms: perms, group: group, want: "TRUST_",
		},
		{
			name: "flow log of another account", trust: Trust{Account: "210987654321", Regions: []string{"us-east-1"}},
			perms: perms, group: group, want: "DESTINATION_ACCOUNT_MISMATCH",
		},
		{
			name: "group may not exist but creation not allowed", trust: trust, group: group,
			perms: perms, mayNotExist: true, want: "PERMISSION_",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			findings := checkRole(t, tc.trust, tc.perms, tc.boundary, tc.group, tc.mayNotExist)
			if delivery.Valid(findings) {
				t.Fatalf("checker accepted a broken role: %+v", findings)
			}
			found := false
			for _, f := range findings {
				if f.Severity == delivery.SeverityError && strings.HasPrefix(f.Code, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error finding %s*; got %+v", tc.want, findings)
			}
		})
	}
}
