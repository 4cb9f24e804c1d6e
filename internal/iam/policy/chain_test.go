package policy

import (
	"strings"
	"testing"
)

// Documentation pages the cases follow.
const (
	docEvalLogic    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
	docCrossAccount = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
	docNotPrincipal = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
	docBoundaries   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
	docSession      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
	docOperators    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
	docVariables    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
	docMultiValued  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
	docSCPs         = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
	docSCPInherit   = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html"
	docRCPs         = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
	docEndpoints    = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"
)

func scp(t *testing.T, name, doc string) *Policy {
	t.Helper()
	return idp(t, name, doc)
}

const fullAccess = `{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestEvaluateChain(t *testing.T) {
	const (
		bucketObj = "arn:aws:s3:::b/AWSLogs/111122223333/x"
		logStream = "arn:aws:logs:us-east-1:111122223333:log-group:/flow:log-stream:eni-1"
		keyARN    = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		mgmt      = "999988887777"
		slrRole   = "arn:aws:iam::111122223333:role/aws-service-role/logs.amazonaws.com/AWSServiceRoleForLogDelivery"
		slrSess   = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForLogDelivery/s"
	)
	asRole := Principal{Type: PrincipalAWS, ID: roleA, Account: acctA}
	asSession := Principal{Type: PrincipalAWS, ID: session, Account: acctA}
	asOther := Principal{Type: PrincipalAWS, ID: roleB, Account: acctB}
	logDelivery := Principal{Type: PrincipalService, ID: "delivery.logs.amazonaws.com"}
	allowAll := func(t *testing.T) []*Policy { return []*Policy{idp(t, "id", stmt("Allow", "*", "*"))} }
	denyPut := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyPut","Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`
	levels := func(t *testing.T, extra ...*Policy) []OrgLevel {
		return []OrgLevel{
			{Target: "r-ab12", Policies: []*Policy{scp(t, "p-full", fullAccess)}},
			{Target: "ou-ab12-11111111", Policies: append([]*Policy{scp(t, "p-full", fullAccess)}, extra...)},
			{Target: acctA, Policies: []*Policy{scp(t, "p-full", fullAccess)}},
		}
	}
	perimeter := func(exempt bool) string {
		cond := `"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abcdefghij"}`
		if exempt {
			cond += `,"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}`
		}
		return `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{` + cond + `}}]}`
	}
	bucketGrant := `{"Version":"2012-10-17","Statement":[{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`

	tests := []struct {
		name      string
		doc       string // the AWS page the expected outcome follows
		set       func(t *testing.T) Set
		req       Request
		want      Decision
		wantGap   Gap
		wantLayer Source
		wantLevel string
		explain   string // substring of Result.Explain
	}{
		// Class: NotPrincipal with a permissions boundary.
		{
			name: "NotPrincipal Deny excludes a role session without a boundary",
			doc:  docNotPrincipal,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["`+session+`","`+roleA+`","arn:aws:iam::111122223333:root"]},"Action":"s3:*","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceIdentity,
		},
		{
			name: "NotPrincipal Deny applies to a role session with a boundary, whatever it lists",
			doc:  docNotPrincipal + " ; " + docBoundaries,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Boundary: idp(t, "boundary", stmt("Allow", "*", "*")),
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyMe","Effect":"Deny","NotPrincipal":{"AWS":["`+session+`","`+roleA+`","arn:aws:iam::111122223333:root"]},"Action":"s3:*","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: ExplicitDeny, wantLayer: SourceResource, explain: `"OnlyMe"`,
		},
		{
			name: "NotPrincipal Deny with a boundary does not touch service principals",
			doc:  docNotPrincipal,
			set: func(t *testing.T) Set {
				return Set{Boundary: idp(t, "boundary", stmt("Allow", "*", "*")),
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"},{"Effect":"Deny","NotPrincipal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:*","Resource":"*"}]}`)}
			},
			req:  Request{Principal: logDelivery, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		// Class: cross-account grants need both sides.
		{
			name: "cross-account: a key policy naming the outside role is not enough alone",
			doc:  docCrossAccount,
			set: func(t *testing.T) Set {
				return Set{ResourceRequired: true, ResourceAccount: acctB,
					Resource: resp(t, "key policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+roleA+`"},"Action":"kms:Decrypt","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "kms:Decrypt", Resource: keyARN},
			want: ImplicitDeny, wantGap: GapIdentityPolicy, wantLayer: SourceIdentity,
		},
		{
			name: "cross-account: key policy naming the outside session, plus an identity allow",
			doc:  docCrossAccount,
			set: func(t *testing.T) Set {
				return Set{ResourceRequired: true, ResourceAccount: acctB, Identity: allowAll(t),
					Resource: resp(t, "key policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"kms:Decrypt","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "kms:Decrypt", Resource: keyARN},
			want: Allowed, wantLayer: SourceResource,
		},
		{
			name: "cross-account: a bucket policy naming the outside session directly still needs the identity side",
			doc:  docCrossAccount,
			set: func(t *testing.T) Set {
				return Set{ResourceAccount: acctB,
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapIdentityPolicy,
		},
		{
			name: "same account: a resource policy naming the session grants alone",
			doc:  docEvalLogic,
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		// Class: a role ARN in a resource policy matches its sessions within the boundary.
		{
			name: "role ARN in a key policy, request by the role with a boundary that does not allow",
			doc:  docBoundaries,
			set: func(t *testing.T) Set {
				return Set{ResourceRequired: true, Boundary: idp(t, "boundary", stmt("Allow", "s3:*", "*")),
					Resource: resp(t, "key policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+roleA+`"},"Action":"kms:Decrypt","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN},
			want: ImplicitDeny, wantGap: GapBoundary, wantLayer: SourceBoundary,
		},
		{
			name: "role ARN in a bucket policy, request by a session of the role with a boundary that does not allow",
			doc:  docBoundaries,
			set: func(t *testing.T) Set {
				return Set{Boundary: idp(t, "boundary", stmt("Allow", "logs:*", "*")),
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+roleA+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapBoundary, wantLayer: SourceBoundary,
		},
		{
			name: "session ARN in a bucket policy grants past the boundary",
			doc:  docBoundaries,
			set: func(t *testing.T) Set {
				return Set{Boundary: idp(t, "boundary", stmt("Allow", "logs:*", "*")),
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		// Layer: session policies.
		{
			name: "session policy limits identity-based grants",
			doc:  docSession,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Session: []*Policy{idp(t, "session policy", stmt("Allow", "s3:*", "*"))}}
			},
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: ImplicitDeny, wantGap: GapSession, wantLayer: SourceSession,
		},
		{
			name: "session policy that allows lets identity grants through",
			doc:  docSession,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Session: []*Policy{idp(t, "session policy", stmt("Allow", "logs:*", "*"))}}
			},
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: Allowed, wantLayer: SourceIdentity,
		},
		{
			name: "session policy does not limit a resource policy naming the session",
			doc:  docSession,
			set: func(t *testing.T) Set {
				return Set{Session: []*Policy{idp(t, "session policy", stmt("Allow", "logs:*", "*"))},
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		{
			name: "session policy Deny is an explicit deny",
			doc:  docEvalLogic,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Session: []*Policy{idp(t, "session policy", stmt("Deny", "logs:*", "*"))}}
			},
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: ExplicitDeny, wantLayer: SourceSession,
		},
		// Layer: SCPs with inheritance.
		{
			name: "SCP Deny at an OU denies the member account's role",
			doc:  docSCPInherit,
			set:  func(t *testing.T) Set { return Set{Identity: allowAll(t), SCPs: levels(t, scp(t, "p-deny", denyPut))} },
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: ExplicitDeny, wantLayer: SourceSCP, wantLevel: "ou-ab12-11111111", explain: `"DenyPut" (index 0) of p-deny (attached to ou-ab12-11111111)`,
		},
		{
			name: "SCP allow list at the OU without the action is an implicit deny there",
			doc:  docSCPInherit,
			set: func(t *testing.T) Set {
				l := levels(t)
				l[1].Policies = []*Policy{scp(t, "p-s3only", stmt("Allow", "s3:*", "*"))}
				return Set{Identity: allowAll(t), SCPs: l}
			},
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: ImplicitDeny, wantGap: GapSCP, wantLayer: SourceSCP, wantLevel: "ou-ab12-11111111",
		},
		{
			name: "SCPs that allow at every level leave the decision to the account",
			doc:  docSCPInherit,
			set:  func(t *testing.T) Set { return Set{Identity: allowAll(t), SCPs: levels(t)} },
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: Allowed, wantLayer: SourceIdentity,
		},
		{
			name: "SCPs grant nothing by themselves",
			doc:  docSCPs,
			set:  func(t *testing.T) Set { return Set{SCPs: levels(t)} },
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: ImplicitDeny, wantGap: GapNoAllow,
		},
		{
			name: "SCPs do not restrict service-linked roles",
			doc:  docSCPs + "#not-restricted-by-scp",
			set:  func(t *testing.T) Set { return Set{Identity: allowAll(t), SCPs: levels(t, scp(t, "p-deny", denyPut))} },
			req:  Request{Principal: Principal{Type: PrincipalAWS, ID: slrSess, Account: acctA}, Action: "logs:PutLogEvents", Resource: logStream},
			want: Allowed,
		},
		{
			name: "SCPs do not restrict the management account",
			doc:  docSCPs + "#not-restricted-by-scp",
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), SCPs: levels(t, scp(t, "p-deny", denyPut)), Org: Org{ManagementAccount: acctA}}
			},
			req:  Request{Principal: asSession, Action: "logs:PutLogEvents", Resource: logStream},
			want: Allowed,
		},
		{
			name: "SCPs do not restrict service principals",
			doc:  docSCPs + "#not-restricted-by-scp",
			set: func(t *testing.T) Set {
				return Set{SCPs: levels(t, scp(t, "p-deny", stmt("Deny", "s3:*", "*"))), Resource: resp(t, "bucket policy", bucketGrant)}
			},
			req:  Request{Principal: logDelivery, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		// Layer: RCPs.
		{
			name: "RCP perimeter without the service exemption denies log delivery",
			doc:  docRCPs,
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", bucketGrant), RCPs: []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", perimeter(false))}}}}
			},
			req:  Request{Principal: logDelivery, Action: "s3:PutObject", Resource: bucketObj},
			want: ExplicitDeny, wantLayer: SourceRCP, wantLevel: "r-ab12", explain: `"EnforceOrgIdentities"`,
		},
		{
			name: "RCP perimeter with aws:PrincipalIsAWSService exempts log delivery",
			doc:  docRCPs,
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", bucketGrant), RCPs: []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", perimeter(true))}}}}
			},
			req:  Request{Principal: logDelivery, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		{
			name: "RCPs do not restrict resources of the management account",
			doc:  docRCPs,
			set: func(t *testing.T) Set {
				return Set{Resource: resp(t, "bucket policy", bucketGrant), ResourceAccount: mgmt, Org: Org{ManagementAccount: mgmt},
					RCPs: []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", perimeter(false))}}}}
			},
			req:  Request{Principal: logDelivery, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceResource,
		},
		{
			name: "RCPs do not restrict service-linked roles",
			doc:  docRCPs,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), RCPs: []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", perimeter(false))}}}}
			},
			req:  Request{Principal: Principal{Type: PrincipalAWS, ID: slrRole, Account: acctA}, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed,
		},
		{
			name: "RCPs do not apply to AWS managed KMS keys",
			doc:  "https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html",
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), ResourceRequired: true, Org: Org{AWSManagedKey: true},
					Resource: resp(t, "key policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}`),
					RCPs:     []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", strings.ReplaceAll(perimeter(false), "s3:*", "kms:*"))}}}}
			},
			req:  Request{Principal: asSession, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k"},
			want: Allowed,
		},
		{
			name: "RCPs do not apply to services they do not support",
			doc:  docRCPs + "#rcp-supported-services",
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), RCPs: []OrgLevel{{Target: "r-ab12", Policies: []*Policy{resp(t, "p-rcp", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)}}}}
			},
			req:  Request{Principal: asSession, Action: "ec2:DescribeVpcs"},
			want: Allowed,
		},
		// Layer: VPC endpoint policies.
		{
			name: "VPC endpoint policy that does not allow the call is an implicit deny",
			doc:  docEndpoints,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Endpoint: resp(t, "endpoint policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:PutObject", Resource: bucketObj},
			want: ImplicitDeny, wantGap: GapEndpoint, wantLayer: SourceEndpoint,
		},
		{
			name: "VPC endpoint policy that allows leaves the decision to the other layers",
			doc:  docEndpoints,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), Endpoint: resp(t, "endpoint policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:PutObject", Resource: bucketObj},
			want: Allowed, wantLayer: SourceIdentity,
		},
		// Explicit deny first, whatever the layer.
		{
			name: "an identity Deny beats a resource policy naming the session",
			doc:  docEvalLogic,
			set: func(t *testing.T) Set {
				return Set{Identity: []*Policy{idp(t, "id", stmt("Deny", "s3:*", "*"))},
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+session+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asSession, Action: "s3:GetObject", Resource: bucketObj},
			want: ExplicitDeny, wantLayer: SourceIdentity,
		},
		{
			name: "cross-account: SCPs of the principal's account apply to its calls",
			doc:  docCrossAccount,
			set: func(t *testing.T) Set {
				return Set{Identity: allowAll(t), ResourceAccount: acctA, SCPs: levels(t, scp(t, "p-deny", stmt("Deny", "s3:*", "*"))),
					Resource: resp(t, "bucket policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+roleB+`"},"Action":"s3:GetObject","Resource":"*"}]}`)}
			},
			req:  Request{Principal: asOther, Action: "s3:GetObject", Resource: bucketObj},
			want: ExplicitDeny, wantLayer: SourceSCP, wantLevel: "ou-ab12-11111111",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.set(t), tt.req)
			if got.Decision != tt.want || got.Gap != tt.wantGap {
				t.Fatalf("Evaluate = %v (gap %v): %s; want %v (gap %v), per %s", got.Decision, got.Gap, got.Reason, tt.want, tt.wantGap, tt.doc)
			}
			if got.Layer != tt.wantLayer {
				t.Errorf("Layer = %v, want %v (%s)", got.Layer, tt.wantLayer, got.Explain())
			}
			if got.Level != tt.wantLevel {
				t.Errorf("Level = %q, want %q", got.Level, tt.wantLevel)
			}
			if !strings.Contains(got.Explain(), tt.explain) {
				t.Errorf("Explain() = %q, want it to contain %q", got.Explain(), tt.explain)
			}
		})
	}
}

func TestConditionCannotCompare(t *testing.T) {
	// A negated operator whose comparison cannot be made does not match: the
	// condition is false, so neither an Allow nor a Deny applies through it.
	tests := []struct {
		name    string
		doc     string
		block   string
		ctx     map[string][]string
		applies bool
	}{
		{"NumericNotEquals on a non-number", docOperators, `{"NumericNotEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"ten"}}, false},
		{"NumericNotEquals on a different number", docOperators, `{"NumericNotEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"11"}}, true},
		{"DateNotEquals on a non-date", docOperators, `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, map[string][]string{"aws:CurrentTime": {"yesterday"}}, false},
		{"NotIpAddress on a non-address", docOperators, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"aws:SourceIp": {"vpce-1a2b3c4d"}}, false},
		{"NotIpAddress on an outside address", docOperators, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, map[string][]string{"aws:SourceIp": {"192.0.2.1"}}, true},
		{"ArnNotLike on a non-ARN", docOperators, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:ec2:*:*:vpc-flow-log/*"}}`, map[string][]string{"aws:SourceArn": {"not-an-arn"}}, false},
		{"ArnNotEquals on another ARN", docOperators, `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:ec2:*:*:vpc-flow-log/*"}}`, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::b"}}, true},
		{"StringNotEquals with an unresolved variable", docVariables, `{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/team}"}}`, map[string][]string{"aws:username": {"alice"}}, false},
		{"StringNotLike with an unresolved variable", docVariables, `{"StringNotLike":{"s3:prefix":"home/${aws:userid}/*"}}`, map[string][]string{"s3:prefix": {"home/x/y"}}, false},
		{"StringNotEqualsIgnoreCase with an unresolved variable", docVariables, `{"StringNotEqualsIgnoreCase":{"aws:username":"${aws:PrincipalTag/team}"}}`, map[string][]string{"aws:username": {"alice"}}, false},
		{"StringNotEquals with a variable and its default", docVariables, `{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/team, 'none'}"}}`, map[string][]string{"aws:username": {"alice"}}, true},
		{"StringNotEquals with a resolved variable that differs", docVariables, `{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/team}"}}`, map[string][]string{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"ops"}}, true},
		{"negated operator, key absent, still matches", docOperators, `{"StringNotEquals":{"aws:username":"bob"}}`, map[string][]string{}, true},
		{"Bool on a non-Boolean", docOperators, `{"Bool":{"aws:SecureTransport":"false"}}`, map[string][]string{"aws:SecureTransport": {"no"}}, false},
		{"ForAllValues:StringNotLike with an unresolved variable", docVariables, `{"ForAllValues:StringNotLike":{"aws:TagKeys":"${aws:PrincipalTag/forbidden}"}}`, map[string][]string{"aws:TagKeys": {"a"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := idp(t, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":`+tt.block+`}]}`)
			got := p.Applies(&p.Statements[0], Request{Action: "s3:ListBucket", Context: tt.ctx})
			if got != tt.applies {
				t.Errorf("applies = %v, want %v (per %s)", got, tt.applies, tt.doc)
			}
		})
	}
}

func TestMultiValuedVariables(t *testing.T) {
	// A variable of a multivalued key stands for each of its values.
	paths := map[string][]string{"aws:PrincipalOrgPaths": {"o-a/r-ab12/ou-ab12-11111111/", "o-a/r-ab12/ou-ab12-22222222/"}}
	tests := []struct {
		name     string
		resource string
		block    string
		res      string
		ctx      map[string][]string
		applies  bool
	}{
		{"condition matches the second value", "*", `{"StringLike":{"s3:prefix":"${aws:PrincipalOrgPaths}*"}}`, "", merge(paths, "s3:prefix", "o-a/r-ab12/ou-ab12-22222222/x"), true},
		{"condition matches neither value", "*", `{"StringLike":{"s3:prefix":"${aws:PrincipalOrgPaths}*"}}`, "", merge(paths, "s3:prefix", "o-a/r-ab12/ou-ab12-33333333/x"), false},
		{"negated condition sees every value", "*", `{"StringNotLike":{"s3:prefix":"${aws:PrincipalOrgPaths}*"}}`, "", merge(paths, "s3:prefix", "o-a/r-ab12/ou-ab12-22222222/x"), false},
		{"resource matches the second value", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "", "arn:aws:s3:::b/ops/k", map[string][]string{"aws:PrincipalTag/team": {"dev", "ops"}}, true},
		{"resource value is literal, not a wildcard", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*", "", "arn:aws:s3:::b/x/k", map[string][]string{"aws:PrincipalTag/team": {"dev", "*"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"` + tt.resource + `"`
			if tt.block != "" {
				doc += `,"Condition":` + tt.block
			}
			p := idp(t, "p", doc+`}]}`)
			got := p.Applies(&p.Statements[0], Request{Action: "s3:GetObject", Resource: tt.res, Context: tt.ctx})
			if got != tt.applies {
				t.Errorf("applies = %v, want %v (per %s and %s)", got, tt.applies, docVariables, docMultiValued)
			}
		})
	}
}

func merge(m map[string][]string, k, v string) map[string][]string {
	out := map[string][]string{k: {v}}
	for key, vals := range m {
		out[key] = vals
	}
	return out
}

func TestExplainMissCannotCompare(t *testing.T) {
	p := idp(t, "p", `{"Version":"2012-10-17","Statement":[{"Sid":"Cap","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":"10"}}}]}`)
	reps := ExplainMiss(p, Request{Action: "s3:ListBucket", Context: map[string][]string{"s3:max-keys": {"ten"}}})
	if len(reps) != 1 || reps[0].Applies || len(reps[0].Reasons) != 1 {
		t.Fatalf("ExplainMiss = %+v, want one statement that does not apply", reps)
	}
	if msg := reps[0].Reasons[0].Message; !strings.Contains(msg, `"ten" cannot be compared by NumericNotEquals`) {
		t.Errorf("message %q does not say the value cannot be compared", msg)
	}
}
