package delivery

import (
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

const (
	fullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyPutSCP    = `{"Version":"2012-10-17","Statement":[{"Sid":"NoLogWrites","Effect":"Deny","Action":["logs:PutLogEvents"],"Resource":"*"}]}`
	mgmtAccount   = "999988887777"
)

// scpLevels is root, one OU and the account, each with FullAWSAccess, plus extra at the OU.
func scpLevels(extra ...OrgPolicy) []OrgLevel {
	full := OrgPolicy{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Document: fullAWSAccess}
	return []OrgLevel{
		{Target: "r-ab12", Policies: []OrgPolicy{full}},
		{Target: "ou-ab12-11111111", Policies: append([]OrgPolicy{full}, extra...)},
		{Target: acct, Policies: []OrgPolicy{full}},
	}
}

func perimeterRCP(exempt bool) OrgPolicy {
	cond := `"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}`
	if exempt {
		cond += `,"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}`
	}
	return OrgPolicy{ID: "p-perimeter1", Name: "data-perimeter", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":["s3:*","sts:AssumeRole"],"Resource":"*","Condition":{` + cond + `}}]}`}
}

func TestGuardrails(t *testing.T) {
	tests := []struct {
		name  string
		in    Input
		codes []string // every finding code, in order
		want  []string // substrings of the rendered findings
	}{
		{
			name: "SCP at an OU denies PutLogEvents to the delivery role",
			in: cwl(func(in *Input) {
				in.Guardrails = &Guardrails{SCPs: scpLevels(OrgPolicy{ID: "p-denylogs1", Name: "no-log-writes", Document: denyPutSCP})}
			}),
			codes: []string{"GUARDRAIL_SCP_DENIES"},
			want:  []string{`statement "NoLogWrites" (index 0) of service control policy p-denylogs1 (no-log-writes) (attached to ou-ab12-11111111) denies logs:PutLogEvents`, `"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/flow-logs"}`},
		},
		{
			name: "SCP allow list at the OU without logs actions",
			in: cwl(func(in *Input) {
				l := scpLevels()
				l[1].Policies = []OrgPolicy{{ID: "p-s3only", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}]}`}}
				in.Guardrails = &Guardrails{SCPs: l}
			}),
			codes: []string{"GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED"},
			want:  []string{"no service control policy attached to ou-ab12-11111111 allows logs:PutLogEvents"},
		},
		{
			name:  "SCPs that allow everything pass",
			in:    cwl(func(in *Input) { in.Guardrails = &Guardrails{SCPs: scpLevels()} }),
			codes: nil,
		},
		{
			name: "SCPs do not restrict the management account",
			in: cwl(func(in *Input) {
				in.Guardrails = &Guardrails{ManagementAccount: acct, SCPs: scpLevels(OrgPolicy{ID: "p-denylogs1", Document: denyPutSCP})}
			}),
			codes: nil,
		},
		{
			name: "SCPs do not restrict a service-linked delivery role",
			in: cwl(func(in *Input) {
				in.RoleARN = "arn:aws:iam::111122223333:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery"
				in.Guardrails = &Guardrails{SCPs: scpLevels(OrgPolicy{ID: "p-denylogs1", Document: denyPutSCP})}
			}),
			codes: nil,
		},
		{
			name: "SCPs do not restrict the log delivery service writing to S3",
			in: s3Input(func(in *Input) {
				in.Guardrails = &Guardrails{SCPs: scpLevels(OrgPolicy{ID: "p-nos3", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`})}
			}),
			codes: nil,
		},
		{
			name: "RCP data perimeter without the service exemption blocks S3 delivery",
			in: s3Input(func(in *Input) {
				in.Guardrails = &Guardrails{RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(false)}}}}
			}),
			codes: []string{"GUARDRAIL_RCP_DENIES", "GUARDRAIL_RCP_DENIES"},
			want:  []string{`statement "EnforceOrgIdentities" (index 0) of resource control policy p-perimeter1 (data-perimeter) (attached to r-ab12) denies s3:PutObject`, `"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}`},
		},
		{
			name: "RCP data perimeter with the service exemption passes",
			in: s3Input(func(in *Input) {
				in.Guardrails = &Guardrails{RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(true)}}}}
			}),
			codes: nil,
		},
		{
			name: "RCP data perimeter on sts:AssumeRole blocks VPC Flow Logs from assuming the role",
			in: cwl(func(in *Input) {
				in.Guardrails = &Guardrails{RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(false)}}}}
			}),
			codes: []string{"GUARDRAIL_RCP_DENIES"},
			want:  []string{"denies sts:AssumeRole on arn:aws:iam::111122223333:role/flow-logs to the VPC Flow Logs service"},
		},
		{
			name: "RCPs do not restrict resources of the management account",
			in: s3Input(func(in *Input) {
				in.Guardrails = &Guardrails{ManagementAccount: acct, RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(false)}}}}
			}),
			codes: nil,
		},
		{
			name: "unread SCPs and RCPs are a warning each, not a silent pass",
			in: cwl(func(in *Input) {
				in.Guardrails = &Guardrails{SCPsUnread: "AccessDeniedException", RCPsUnread: "AccessDeniedException"}
			}),
			codes: []string{"GUARDRAIL_NOT_READ", "GUARDRAIL_NOT_READ"},
			want:  []string{"could not be read (AccessDeniedException)", "organizations:ListPoliciesForTarget"},
		},
		{
			name: "a malformed inline SCP is a policy finding on its attribute",
			in: cwl(func(in *Input) {
				in.Guardrails = &Guardrails{SCPs: []OrgLevel{{Target: acct, Policies: []OrgPolicy{{Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"logs","Resource":"*"}]}`}}}}}
			}),
			codes: []string{"GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED", "GUARDRAIL_SCP_NOT_ALLOWED", "POLICY_INVALID_ACTION"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Check(tt.in)
			var got []string
			for _, f := range fs {
				if strings.HasPrefix(f.Code, "GUARDRAIL_") || f.Attribute == AttrServiceControlPolicies || tt.codes != nil && f.Severity == SeverityError {
					got = append(got, f.Code)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.codes, ",") {
				t.Fatalf("codes = %v, want %v\n%s", got, tt.codes, render(fs))
			}
			text := render(fs)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("findings do not contain %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestGuardrailCodesListed(t *testing.T) {
	listed := map[string]bool{}
	for _, c := range Codes() {
		listed[c.Code] = true
	}
	for _, c := range guardrailCodes {
		if !listed[c.Code] {
			t.Errorf("Codes() lacks %s", c.Code)
		}
	}
}

// BenchmarkCheckGuardrails measures one flow log's full check (trust policy,
// permissions, boundary) with three levels of SCPs and a level of RCPs, the
// organisation documents cached as they are across the flow logs of a plan.
func BenchmarkCheckGuardrails(b *testing.B) {
	in := cwl(func(in *Input) {
		in.Guardrails = &Guardrails{SCPs: scpLevels(OrgPolicy{ID: "p-region", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`}),
			RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(true)}}}}
	})
	if fs := Check(in); len(fs) != 0 {
		b.Fatalf("benchmark input has findings:\n%s", render(fs))
	}
	b.ReportAllocs()
	for b.Loop() {
		Check(in)
	}
}

// BenchmarkGuardrailFloor is the floor the check is compared with: the same
// calls evaluated against already parsed policies, with no parsing and no
// findings to write.
func BenchmarkGuardrailFloor(b *testing.B) {
	in := cwl()
	parse := func(d string, k policy.Kind) *policy.Policy { return policy.MustParse(d, policy.Options{Kind: k}) }
	perms := []*policy.Policy{parse(goodPerms, policy.KindIdentity)}
	trust := parse(goodTrust, policy.KindTrust)
	scps, _ := parseLevels(scpLevels(OrgPolicy{ID: "p-region", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`}), policy.KindIdentity, "scp", AttrServiceControlPolicies)
	rcps, _ := parseLevels([]OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{perimeterRCP(true)}}}, policy.KindResource, "rcp", AttrResourceControlPolicies)
	c := &checker{in: in}
	in.Guardrails = &Guardrails{}
	calls := c.guardrailCalls()
	b.ReportAllocs()
	for b.Loop() {
		for _, call := range calls {
			req := policy.Request{Principal: call.principal, Action: call.need.Action, Resource: call.need.Resource, Context: call.need.Context, Unknown: call.need.Unknown}
			if call.principal.Type == policy.PrincipalAWS {
				policy.Evaluate(policy.Set{Identity: perms, SCPs: scps, RCPs: rcps}, req)
			} else {
				policy.Evaluate(policy.Set{Resource: trust, RCPs: rcps}, req)
			}
		}
	}
}
