package delivery

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

const (
	acct     = "111122223333"
	other    = "444455556666"
	region   = "us-east-1"
	roleARN  = "arn:aws:iam::111122223333:role/flow-logs"
	groupARN = "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows"
	keyARN   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// doc wraps statements into a 2012-10-17 policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// trustStmt is an Allow statement for principal JSON p with sts:AssumeRole and an optional condition block.
func trustStmt(sid, principal, condition string) string {
	s := `{"Sid":"` + sid + `","Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}`
}

func svc(name string) string { return `{"Service":"` + name + `"}` }

const guard = `{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`

var (
	goodTrust = doc(trustStmt("AllowFlowLogs", svc(ServiceVPCFlowLogs), guard))

	deliverStmt  = `{"Sid":"Deliver","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"}`
	describeStmt = `{"Sid":"Describe","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:*"}`
	goodPerms    = doc(deliverStmt, describeStmt)

	// The documents of AWS's flow logs guide, unchanged.
	awsGuideTrust = doc(`{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	awsGuidePerms = doc(`{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"*"}`)
)

// cwl returns a valid CloudWatch Logs input changed by each mutation.
func cwl(mutations ...func(*Input)) Input {
	in := Input{
		DestinationType:    DestinationCloudWatchLogs,
		DestinationARN:     groupARN,
		FlowLogAccount:     acct,
		FlowLogRegion:      region,
		RoleARN:            roleARN,
		TrustPolicy:        &NamedPolicy{Name: "trust_policy", Document: goodTrust},
		PermissionPolicies: []NamedPolicy{{Name: "inline policy deliver-logs", Document: goodPerms}},
	}
	for _, m := range mutations {
		m(&in)
	}
	return in
}

func withTrust(d string) func(*Input) {
	return func(in *Input) { in.TrustPolicy = &NamedPolicy{Name: "trust_policy", Document: d} }
}

func withPerms(docs ...string) func(*Input) {
	return func(in *Input) {
		in.PermissionPolicies = []NamedPolicy{}
		for i, d := range docs {
			name := "inline policy deliver-logs"
			if i > 0 {
				name = fmt.Sprintf("arn:aws:iam::111122223333:policy/extra-%d", i)
			}
			in.PermissionPolicies = append(in.PermissionPolicies, NamedPolicy{Name: name, Document: d})
		}
	}
}

func withBoundary(d string) func(*Input) {
	return func(in *Input) {
		in.PermissionsBoundary = &NamedPolicy{Name: "arn:aws:iam::111122223333:policy/boundary", Document: d}
	}
}

func withKey(policy string) func(*Input) {
	return func(in *Input) {
		in.KMSKeyARN = keyARN
		if policy != "" {
			in.KMSKeyPolicy = &NamedPolicy{Name: "key policy", Document: policy}
		}
	}
}

// findingCodes renders findings as sorted "severity:CODE" strings.
func findingCodes(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Severity + ":" + f.Code
	}
	sort.Strings(out)
	return out
}

// checkCase is one situation with the findings it must produce.
type checkCase struct {
	name  string
	run   func() []Finding
	want  []string            // exact "severity:CODE" list, any order
	parts map[string][]string // code -> substrings its message (or fix, prefixed "fix:") must contain
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			fs := tt.run()
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if got := findingCodes(fs); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("codes = %v\nwant    %v\n%s", got, want, render(fs))
			}
			for code, parts := range tt.parts {
				found := false
				for _, f := range fs {
					if f.Code != code {
						continue
					}
					found = true
					for _, p := range parts {
						text := f.Message
						if fix, ok := strings.CutPrefix(p, "fix:"); ok {
							text, p = f.Fix, fix
						}
						if !strings.Contains(text, p) {
							t.Errorf("%s lacks %q:\n%s", code, p, render([]Finding{f}))
						}
					}
				}
				if !found {
					t.Errorf("no %s finding", code)
				}
			}
			for _, f := range fs {
				if f.Message == "" || f.Fix == "" || f.Attribute == "" {
					t.Errorf("%s has an empty message, fix or attribute: %+v", f.Code, f)
				}
				if !documented[f.Code] {
					t.Errorf("%s is not listed in Codes()", f.Code)
				}
				if !attributes[f.Attribute] {
					t.Errorf("%s has unknown attribute %q", f.Code, f.Attribute)
				}
			}
		})
	}
}

var documented = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range Codes() {
		m[c.Code] = true
	}
	return m
}()

var attributes = map[string]bool{
	AttrTrustPolicy: true, AttrPermissionPolicies: true, AttrPermissionsBoundary: true, AttrBucketPolicy: true,
	AttrKMSKeyPolicy: true, AttrDestinationARN: true, AttrRoleARN: true, AttrDestinationType: true, AttrFlowLogAccount: true,
}

func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s [%s]\n  %s\n  Fix: %s\n", f.Severity, f.Code, f.Attribute, f.Message, f.Fix)
	}
	return b.String()
}
