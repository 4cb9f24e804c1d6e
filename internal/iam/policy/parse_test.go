package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name  string
		kind  Kind
		doc   string
		check func(t *testing.T, p *Policy)
	}{
		{
			name: "statement object with string action and resource",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}}`,
			check: func(t *testing.T, p *Policy) {
				if len(p.Statements) != 1 || p.Statements[0].Index != 0 {
					t.Fatalf("statements = %+v", p.Statements)
				}
				s := p.Statements[0]
				if !reflect.DeepEqual(s.Action, []string{"logs:PutLogEvents"}) || !reflect.DeepEqual(s.Resource, []string{"*"}) {
					t.Errorf("action %v resource %v", s.Action, s.Resource)
				}
			},
		},
		{
			name: "statement list with NotAction and NotResource",
			doc: `{"Version":"2012-10-17","Id":"p1","Statement":[
				{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`,
			check: func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if p.ID != "p1" || s.Sid != "A" || s.Effect != Deny || len(s.NotAction) != 2 || len(s.NotResource) != 2 || s.Action != nil || s.Resource != nil {
					t.Errorf("got %+v", s)
				}
			},
		},
		{
			name: "principal wildcard and typed map",
			kind: KindResource,
			doc: `{"Statement":[
				{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
				{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root",444455556666],"Service":"delivery.logs.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:PutObject"}]}`,
			check: func(t *testing.T, p *Policy) {
				if !p.Statements[0].Principal.Wildcard {
					t.Error("want wildcard principal")
				}
				ps := p.Statements[1].Principal
				want := &PrincipalSet{
					AWS:           []string{"arn:aws:iam::111122223333:root", "444455556666"},
					Service:       []string{"delivery.logs.amazonaws.com"},
					Federated:     []string{"cognito-identity.amazonaws.com"},
					CanonicalUser: []string{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
				}
				if !reflect.DeepEqual(ps, want) {
					t.Errorf("principal = %+v", ps)
				}
				if p.Statements[1].Resource != nil {
					t.Error("resource policy statement without Resource should have nil Resource")
				}
			},
		},
		{
			name: "condition values keep numbers and Booleans as text",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
				"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:SourceAccount":["111122223333",444455556666]}}}]}`,
			check: func(t *testing.T, p *Policy) {
				cs := p.Statements[0].Conditions
				if len(cs) != 3 {
					t.Fatalf("conditions = %+v", cs)
				}
				// Sorted by operator.
				if cs[0].Base != "Bool" || cs[0].Values[0] != "true" || cs[1].Values[0] != "10" || !reflect.DeepEqual(cs[2].Values, []string{"111122223333", "444455556666"}) {
					t.Errorf("conditions = %+v", cs)
				}
			},
		},
		{
			name: "qualified IfExists operator",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"env*"}}}]}`,
			check: func(t *testing.T, p *Policy) {
				c := p.Statements[0].Conditions[0]
				if c.Qualifier != ForAllValues || c.Base != "StringLike" || !c.IfExists || c.Operator != "ForAllValues:StringLikeIfExists" {
					t.Errorf("condition = %+v", c)
				}
			},
		},
		{
			name: "2008 version and empty Sids",
			doc:  `{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}]}`,
			check: func(t *testing.T, p *Policy) {
				if p.Version != Version2008 || p.SubstitutesVariables() {
					t.Errorf("version %q", p.Version)
				}
			},
		},
		{
			name: "trust policy without Resource",
			kind: KindTrust,
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			check: func(t *testing.T, p *Policy) {
				if p.Statements[0].Principal.Service[0] != "vpc-flow-logs.amazonaws.com" {
					t.Errorf("principal = %+v", p.Statements[0].Principal)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, Options{Name: "test", Kind: tt.kind})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, p)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		doc      string
		wantKind ErrorKind
		wantPath string
		wantMsg  string
	}{
		{"invalid JSON", KindIdentity, `{"Statement": [`, ErrSyntax, "", "invalid JSON"},
		{"invalid JSON position", KindIdentity, "{\n  \"Statement\": [}\n", ErrSyntax, "", "line 2"},
		{"empty document", KindIdentity, "  ", ErrSyntax, "", "empty"},
		{"trailing data", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} {}`, ErrSyntax, "", "after the policy document"},
		{"not an object", KindIdentity, `[1]`, ErrStructure, "", "must be a JSON object"},
		{"missing Statement", KindIdentity, `{"Version":"2012-10-17"}`, ErrStructure, "", `missing element "Statement"`},
		{"empty Statement list", KindIdentity, `{"Statement":[]}`, ErrStructure, "Statement", "at least one"},
		{"unknown top-level element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Comment":"x"}`, ErrStructure, "Comment", "unknown element"},
		{"wrong case top-level element", KindIdentity, `{"statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ErrStructure, "statement", `write "Statement"`},
		{"unsupported version", KindIdentity, `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ErrVersion, "Version", "unsupported"},
		{"version date of today", KindIdentity, `{"Version":"2024-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ErrVersion, "Version", `use "2012-10-17"`},
		{"lowercase effect", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"allow","Action":"*","Resource":"*"}]}`, ErrEffect, "Statement[1].Effect", `write "Allow"`},
		{"bad effect", KindIdentity, `{"Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`, ErrEffect, "Statement[0].Effect", "not a valid Effect"},
		{"missing effect", KindIdentity, `{"Statement":[{"Action":"*","Resource":"*"}]}`, ErrEffect, "Statement[0]", "missing Effect"},
		{"both Action and NotAction", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}`, ErrStructure, "Statement[0]", "both Action and NotAction"},
		{"neither Action nor NotAction", KindIdentity, `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, ErrStructure, "Statement[0]", "missing Action"},
		{"both Resource and NotResource", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}`, ErrStructure, "Statement[0]", "both Resource and NotResource"},
		{"identity policy without Resource", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, ErrStructure, "Statement[0]", "missing Resource"},
		{"identity policy with Principal", KindIdentity, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, ErrStructure, "Statement[0].Principal", "not allowed in an identity-based policy"},
		{"trust policy with Resource", KindTrust, `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`, ErrStructure, "Statement[0].Resource", "not allowed in a trust policy"},
		{"trust policy without Principal", KindTrust, `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, ErrStructure, "Statement[0]", "missing Principal"},
		{"both Principal and NotPrincipal", KindResource, `{"Statement":[{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"111122223333"},"Action":"*"}]}`, ErrStructure, "Statement[0]", "both Principal and NotPrincipal"},
		{"unknown statement element", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condtion":{}}]}`, ErrStructure, "Statement[0].Condtion", "unknown element"},
		{"unknown condition operator", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:SourceAccount":"1"}}}]}`, ErrConditionOperator, "Statement[0].Condition.StringEqual", `did you mean "StringEquals"`},
		{"unknown set qualifier", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}}]}`, ErrConditionOperator, "Statement[0].Condition.ForSomeValues:StringEquals", "unknown condition operator"},
		{"duplicate Sid", KindIdentity, `{"Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"S","Effect":"Deny","Action":"*","Resource":"*"}]}`, ErrDuplicateSid, "Statement[1].Sid", "duplicate Sid"},
		{"action without colon", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents","logs.CreateLogStream"],"Resource":"*"}]}`, ErrAction, "Statement[0].Action[1]", `invalid action "logs.CreateLogStream"`},
		{"action with space", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"logs:Put LogEvents","Resource":"*"}]}`, ErrAction, "Statement[0].Action", "not allowed in an action name"},
		{"empty action list", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, ErrAction, "Statement[0].Action", "empty list"},
		{"resource not an ARN", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"my-bucket"}]}`, ErrResource, "Statement[0].Resource", `must be "*" or an ARN`},
		{"principal string other than star", KindResource, `{"Statement":[{"Effect":"Allow","Principal":"vpc-flow-logs.amazonaws.com","Action":"*"}]}`, ErrPrincipal, "Statement[0].Principal", "not a valid principal"},
		{"unknown principal type", KindTrust, `{"Statement":[{"Effect":"Allow","Principal":{"service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ErrPrincipal, "Statement[0].Principal.service", `write "Service"`},
		{"bad AWS principal", KindTrust, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sts:AssumeRole"}]}`, ErrPrincipal, "Statement[0].Principal.AWS", "invalid AWS principal"},
		{"bad numeric value", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]}`, ErrConditionValue, "Statement[0].Condition.NumericLessThan.s3:max-keys", "not a number"},
		{"bad date value", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]}`, ErrConditionValue, "Statement[0].Condition.DateLessThan.aws:CurrentTime", "not a date"},
		{"bad CIDR", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, ErrConditionValue, "Statement[0].Condition.IpAddress.aws:SourceIp", "not an IP address"},
		{"bad Bool", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}`, ErrConditionValue, "Statement[0].Condition.Bool.aws:SecureTransport", `"true" or "false"`},
		{"condition value object", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":{"a":1}}}}]}`, ErrConditionValue, "Statement[0].Condition.StringEquals.aws:SourceAccount", "must be a string, number, Boolean"},
		{"condition not an object", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}]}`, ErrStructure, "Statement[0].Condition", "must be an object"},
		{"statement object path", KindIdentity, `{"Statement":{"Effect":"Alow","Action":"*","Resource":"*"}}`, ErrEffect, "Statement.Effect", "not a valid Effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, Options{Kind: tt.kind})
			if err == nil {
				t.Fatal("Parse succeeded, want error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			for _, e := range AsParseErrors(err) {
				if e.Kind == tt.wantKind && e.Path == tt.wantPath && strings.Contains(e.Message, tt.wantMsg) {
					return
				}
			}
			t.Errorf("error %q has no %v problem at %q containing %q", err, tt.wantKind, tt.wantPath, tt.wantMsg)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"allow","Action":"logs.PutLogEvents","Resource":"*"},
		{"Effect":"Allow","Action":"*","Resource":"bucket"}]}`
	_, err := Parse(doc, Options{})
	es := AsParseErrors(err)
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	want := []string{"Statement[0].Effect", "Statement[0].Action", "Statement[1].Resource"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %v, want %v", paths, want)
	}
}
