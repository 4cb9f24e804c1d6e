package policy

import (
	"strings"
	"testing"
)

const (
	acctA   = "111122223333"
	acctB   = "444455556666"
	roleA   = "arn:aws:iam::111122223333:role/flow"
	session = "arn:aws:sts::111122223333:assumed-role/flow/session-1"
	roleB   = "arn:aws:iam::444455556666:role/other"
)

func idp(t *testing.T, name, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc, Options{Name: name, Kind: KindIdentity})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func resp(t *testing.T, name, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc, Options{Name: name, Kind: KindResource})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func stmt(effect, action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func TestEvaluate(t *testing.T) {
	const bucketObj = "arn:aws:s3:::b/k"
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	asRole := Principal{Type: PrincipalAWS, ID: roleA, Account: acctA}
	asSession := Principal{Type: PrincipalAWS, ID: session, Account: acctA}
	asOther := Principal{Type: PrincipalAWS, ID: roleB, Account: acctB}
	flowLogs := Principal{Type: PrincipalService, ID: "vpc-flow-logs.amazonaws.com"}

	tests := []struct {
		name      string
		set       func(t *testing.T) Set
		req       Request
		want      Decision
		wantGap   Gap
		wantMatch string // substring of the first deciding match, if any
	}{
		{
			name: "no policies is an implicit deny",
			set:  func(t *testing.T) Set { return Set{} },
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
		{
			name: "identity allow",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p1", stmt("Allow", "s3:GetObject", "*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantMatch: "statement index 0 of p1",
		},
		{
			name: "actions match case-insensitively",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p1", stmt("Allow", "S3:getobject", "*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "resources match case-sensitively",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p1", stmt("Allow", "s3:GetObject", "arn:aws:s3:::B/*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
		{
			name: "explicit deny beats allow in another policy",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "allow", stmt("Allow", "s3:*", "*")), idp(t, "deny", stmt("Deny", "s3:GetObject", bucketObj))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ExplicitDeny, wantMatch: "of deny",
		},
		{
			name: "identity policies are unioned",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "a", stmt("Allow", "s3:PutObject", "*")), idp(t, "b", stmt("Allow", "s3:GetObject", "*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantMatch: "of b",
		},
		{
			name: "NotAction allows everything else",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`)}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "NotAction excludes",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", `{"Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}`)}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
		{
			name: "Deny with NotResource protects other resources",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{
					idp(t, "allow", stmt("Allow", "s3:*", "*")),
					idp(t, "guard", `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}}`),
				}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"},
			want: ExplicitDeny, wantMatch: "of guard",
		},
		{
			name: "boundary intersects: identity allows, boundary does not",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "logs:*", "*"))}, Boundary: idp(t, "boundary", stmt("Allow", "s3:*", "*"))}
			},
			req:  Request{Principal: asRole, Action: "logs:PutLogEvents", Resource: "*"},
			want: ImplicitDeny, wantGap: GapBoundary,
		},
		{
			name: "boundary does not grant on its own",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:*", "*"))}, Boundary: idp(t, "boundary", stmt("Allow", "logs:*", "*"))}
			},
			req:  Request{Principal: asRole, Action: "logs:PutLogEvents", Resource: "*"},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
		{
			name: "both identity and boundary allow",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "logs:*", "*"))}, Boundary: idp(t, "boundary", stmt("Allow", "logs:Put*", "*"))}
			},
			req:  Request{Principal: asRole, Action: "logs:PutLogEvents", Resource: "*"},
			want: Allowed,
		},
		{
			name: "deny in boundary is explicit",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "*", "*"))}, Boundary: idp(t, "boundary", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoLogs","Effect":"Deny","Action":"logs:*","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asRole, Action: "logs:PutLogEvents", Resource: "*"},
			want: ExplicitDeny, wantMatch: `"NoLogs"`,
		},
		{
			name: "same account resource policy naming the role is enough",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"`+roleA+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`)}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantMatch: "of bucket policy",
		},
		{
			name: "same account resource policy naming the account delegates to identity policies",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`)}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapIdentityPolicy,
		},
		{
			name: "role session matched through the role ARN is limited by the boundary",
			set: func(t *testing.T) Set {
				return Set{
					Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"`+roleA+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`),
					Boundary: idp(t, "boundary", stmt("Allow", "logs:*", "*")),
				}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapBoundary,
		},
		{
			name: "resource policy for a role with a path matches its session",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/team/flow"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "cross-account needs the resource policy",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:*", "*"))}, ResourceAccount: acctA}
			},
			req:  Request{Principal: asOther, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapResourcePolicy,
		},
		{
			name: "cross-account needs the identity policy",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`), ResourceAccount: acctA}
			},
			req:  Request{Principal: asOther, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapIdentityPolicy,
		},
		{
			name: "cross-account with both sides",
			set: func(t *testing.T) Set {
				return Set{
					Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*"))},
					Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`), ResourceAccount: acctA,
				}
			},
			req:  Request{Principal: asOther, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "trust policy allows the service",
			set: func(t *testing.T) Set {
				return Set{Resource: MustParse(`{"Statement":{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}}`, Options{Name: "trust", Kind: KindTrust})}
			},
			req:  Request{Principal: flowLogs, Action: "sts:AssumeRole", Resource: roleA},
			want: Allowed, wantMatch: "of trust",
		},
		{
			name: "trust policy for another service",
			set: func(t *testing.T) Set {
				return Set{Resource: MustParse(`{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, Options{Name: "trust", Kind: KindTrust})}
			},
			req:  Request{Principal: flowLogs, Action: "sts:AssumeRole", Resource: roleA},
			want: ImplicitDeny, wantGap: GapResourcePolicy,
		},
		{
			name: "Principal star matches a service",
			set: func(t *testing.T) Set {
				return Set{Resource: MustParse(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, Options{Name: "trust", Kind: KindTrust})}
			},
			req:  Request{Principal: flowLogs, Action: "sts:AssumeRole"},
			want: Allowed,
		},
		{
			name: "AWS star is everyone",
			set: func(t *testing.T) Set {
				return Set{Resource: MustParse(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`, Options{Name: "trust", Kind: KindTrust})}
			},
			req:  Request{Principal: flowLogs, Action: "sts:AssumeRole"},
			want: Allowed,
		},
		{
			name: "NotPrincipal deny spares the named principal",
			set: func(t *testing.T) Set {
				return Set{
					Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:*", "*"))},
					Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["`+roleA+`"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}`),
				}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "NotPrincipal deny hits everyone else",
			set: func(t *testing.T) Set {
				return Set{
					Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:*", "*"))},
					Resource: resp(t, "bucket policy", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["`+roleB+`"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}`),
				}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj},
			want: ExplicitDeny,
		},
		{
			name: "KMS: identity policy alone is not enough",
			set: func(t *testing.T) Set {
				return Set{
					Identity: []*Policy{idp(t, "p", stmt("Allow", "kms:*", "*"))},
					Resource: resp(t, "key policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"`+roleB+`"},"Action":"kms:*","Resource":"*"}}`), ResourceRequired: true,
				}
			},
			req:  Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN},
			want: ImplicitDeny, wantGap: GapResourcePolicy,
		},
		{
			name: "KMS: key policy delegating to the account enables identity policies",
			set: func(t *testing.T) Set {
				return Set{
					Identity: []*Policy{idp(t, "p", stmt("Allow", "kms:Decrypt", "*"))},
					Resource: resp(t, "key policy", `{"Statement":{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}`), ResourceRequired: true,
				}
			},
			req:  Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN},
			want: Allowed,
		},
		{
			name: "KMS: delegation without an identity allow",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "key policy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}`), ResourceRequired: true}
			},
			req:  Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN},
			want: ImplicitDeny, wantGap: GapIdentityPolicy,
		},
		{
			name: "KMS: key policy for the service with encryption context",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "key policy", `{"Statement":{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":["kms:Encrypt*","kms:Decrypt*","kms:GenerateDataKey*"],"Resource":"*","Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:us-east-1:111122223333:log-group:flows"}}}}`), ResourceRequired: true}
			},
			req: Request{Principal: Principal{Type: PrincipalService, ID: "logs.us-east-1.amazonaws.com"}, Action: "kms:GenerateDataKey", Resource: keyARN,
				Context: map[string][]string{"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:us-east-1:111122223333:log-group:flows"}}},
			want: Allowed,
		},
		{
			name: "explicit deny in a resource policy",
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Statement":[
					{"Sid":"Write","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
					{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)}
			},
			req: Request{Principal: Principal{Type: PrincipalService, ID: "delivery.logs.amazonaws.com"}, Action: "s3:PutObject", Resource: bucketObj,
				Context: map[string][]string{"aws:SecureTransport": {"false"}}},
			want: ExplicitDeny, wantMatch: `"TLSOnly"`,
		},
		{
			name: "policy variable in Resource",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/home/${aws:username}/*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/home/alice/x", Context: map[string][]string{"aws:username": {"alice"}}},
			want: Allowed,
		},
		{
			name: "policy variable with absent key does not match",
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "p", stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/home/${aws:username}/*"))}}
			},
			req:  Request{Principal: asRole, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/home/alice/x"},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Evaluate(tt.set(t), tt.req)
			if res.Decision != tt.want || res.Gap != tt.wantGap {
				t.Fatalf("decision = %v gap %v (%s), want %v gap %v", res.Decision, res.Gap, res.Reason, tt.want, tt.wantGap)
			}
			if tt.wantMatch != "" {
				var got string
				switch {
				case len(res.Denies) > 0:
					got = res.Denies[0].String()
				case len(res.Allows) > 0:
					got = res.Allows[0].String()
				}
				if !strings.Contains(got, tt.wantMatch) {
					t.Errorf("deciding statement %q, want it to contain %q", got, tt.wantMatch)
				}
			}
		})
	}
}

func TestExplainMiss(t *testing.T) {
	trust := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Typo","Effect":"Allow","Principal":{"Service":"vpc-flow-log.amazonaws.com"},"Action":"sts:AssumeRole"},
		{"Sid":"WrongAction","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:TagSession"},
		{"Sid":"Guarded","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole",
		 "Condition":{"StringEquals":{"aws:SourceAccount":"444455556666","aws:SourceArn":"arn:aws:ec2:*"}}},
		{"Sid":"Fine","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole",
		 "Condition":{"Null":{"aws:SourceVpc":"false"}}}]}`, Options{Name: "trust policy", Kind: KindTrust})
	req := Request{
		Principal: Principal{Type: PrincipalService, ID: "vpc-flow-logs.amazonaws.com"},
		Action:    "sts:AssumeRole",
		Context:   map[string][]string{"aws:SourceAccount": {acctA}, "aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0123456789abcdef0"}},
	}
	reps := ExplainMiss(trust, req)
	tests := []struct {
		sid       string
		kinds     []ReasonKind
		wantParts []string
	}{
		{"Typo", []ReasonKind{ReasonPrincipal}, []string{`Principal does not include the service "vpc-flow-logs.amazonaws.com"`, `Service "vpc-flow-log.amazonaws.com"`}},
		{"WrongAction", []ReasonKind{ReasonAction}, []string{`Action does not include "sts:AssumeRole"`}},
		{"Guarded", []ReasonKind{ReasonCondition, ReasonCondition}, []string{`expects "444455556666", but the request has "111122223333"`, "compares literally"}},
		{"Fine", []ReasonKind{ReasonCondition}, []string{`requires the key to be present`}},
	}
	for i, tt := range tests {
		t.Run(tt.sid, func(t *testing.T) {
			rep := reps[i]
			if rep.Statement.Sid != tt.sid || rep.Applies {
				t.Fatalf("report %d = %+v", i, rep)
			}
			if len(rep.Reasons) != len(tt.kinds) {
				t.Fatalf("reasons = %+v, want kinds %v", rep.Reasons, tt.kinds)
			}
			var all []string
			for j, r := range rep.Reasons {
				if r.Kind != tt.kinds[j] {
					t.Errorf("reason %d kind %v, want %v", j, r.Kind, tt.kinds[j])
				}
				all = append(all, r.Message)
			}
			joined := strings.Join(all, " | ")
			for _, part := range tt.wantParts {
				if !strings.Contains(joined, part) {
					t.Errorf("reasons %q lack %q", joined, part)
				}
			}
			if !rep.Only(tt.kinds...) {
				t.Errorf("Only(%v) = false", tt.kinds)
			}
		})
	}
	t.Run("condition reason carries the key", func(t *testing.T) {
		r := reps[2].Reasons[0]
		if r.Condition == nil || r.Condition.Key != "aws:SourceAccount" || !r.Present || r.Values[0] != acctA {
			t.Errorf("reason = %+v", r)
		}
		if !reps[2].Reasons[1].LiteralWildcard {
			t.Error("StringEquals with * should be flagged as a literal wildcard")
		}
	})
	t.Run("applying statement has no reasons", func(t *testing.T) {
		req := req
		req.Context = map[string][]string{"aws:SourceVpc": {"vpc-1"}}
		rep := ExplainMiss(trust, req)[3]
		if !rep.Applies || len(rep.Reasons) != 0 {
			t.Errorf("report = %+v", rep)
		}
	})
}
