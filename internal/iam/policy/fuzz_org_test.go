package policy

import (
	"errors"
	"testing"
)

// FuzzOrgPolicies parses a document as a service control policy (identity
// grammar) and as a resource control policy (resource grammar), and evaluates
// it in every layer of the chain: no document may panic, an explicit deny
// names its statement, a decision names its layer, and an organisation policy
// never grants by itself.
func FuzzOrgPolicies(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyPut","Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}/*","Condition":{"StringNotLike":{"aws:PrincipalOrgPaths":"${aws:PrincipalOrgPaths}x*"},"NumericNotEquals":{"s3:max-keys":"${aws:userid}"}}}]}`)
	reqs := []Request{
		{
			Principal: Principal{Type: PrincipalService, ID: "delivery.logs.amazonaws.com"},
			Action:    "s3:PutObject",
			Resource:  "arn:aws:s3:::b/AWSLogs/111122223333/x",
			Context:   map[string][]string{"aws:SourceAccount": {"111122223333"}, "s3:x-amz-acl": {"bucket-owner-full-control"}},
			Unknown:   []string{"aws:SourceArn"},
		},
		{
			Principal: Principal{Type: PrincipalAWS, ID: "arn:aws:sts::111122223333:assumed-role/flow/s", Account: "111122223333"},
			Action:    "logs:PutLogEvents",
			Resource:  "arn:aws:logs:us-east-1:111122223333:log-group:flows:log-stream:eni-1",
			Context: map[string][]string{
				"aws:PrincipalOrgPaths": {"o-a/r-ab12/ou-ab12-1/", "o-a/r-ab12/ou-ab12-2/", "*"},
				"aws:PrincipalTag/team": {"a", "b?", "c\\"}, "s3:max-keys": {"x"},
			},
		},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		scp, errS := Parse(doc, Options{Name: "scp", Kind: KindIdentity})
		rcp, errR := Parse(doc, Options{Name: "rcp", Kind: KindResource})
		for _, err := range []error{errS, errR} {
			var pe *ParseError
			if err != nil && (!errors.As(err, &pe) || pe.Message == "") {
				t.Fatalf("error %v is not a located ParseError", err)
			}
		}
		var levels, rlevels []OrgLevel
		if scp != nil {
			levels = []OrgLevel{{Target: "r-ab12", Policies: []*Policy{scp}}, {Target: "111122223333", Policies: []*Policy{scp}}}
		}
		if rcp != nil {
			rlevels = []OrgLevel{{Target: "r-ab12", Policies: []*Policy{rcp}}}
		}
		for _, req := range reqs {
			for _, set := range []Set{
				{SCPs: levels, RCPs: rlevels},
				{SCPs: levels, RCPs: rlevels, Identity: []*Policy{scp}, Session: []*Policy{scp}, Endpoint: rcp, Resource: rcp, ResourceAccount: "444455556666"},
			} {
				res := Evaluate(set, req)
				if res.Decision == ExplicitDeny && len(res.Denies) == 0 {
					t.Fatal("explicit deny without a deny statement")
				}
				if res.Decision == Allowed && (res.Layer == SourceSCP || res.Layer == SourceRCP) {
					t.Fatalf("allowed by an organisation policy alone: %s", res.Explain())
				}
				_ = res.Explain()
			}
		}
	})
}
