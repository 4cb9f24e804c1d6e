package policy

import (
	"fmt"
	"testing"
)

// condPolicy builds an identity policy allowing everything under one condition block.
func condPolicy(t *testing.T, version, block string) *Policy {
	t.Helper()
	doc := fmt.Sprintf(`{"Version":%q,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":%s}]}`, version, block)
	p, err := Parse(doc, Options{Name: "cond"})
	if err != nil {
		t.Fatalf("Parse(%s): %v", block, err)
	}
	return p
}

type ctx = map[string][]string

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name  string
		block string
		ctx   ctx
		want  bool
	}{
		// String operators.
		{"StringEquals match", `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"StringEquals mismatch", `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, ctx{"aws:SourceAccount": {"444455556666"}}, false},
		{"StringEquals star is literal", `{"StringEquals":{"aws:SourceArn":"arn:aws:ec2:*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}}, false},
		{"StringEquals star matches a literal star", `{"StringEquals":{"aws:SourceArn":"arn:aws:ec2:*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:*"}}, true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:username":"john"}}`, ctx{"aws:username": {"John"}}, false},
		{"condition key names are case-insensitive", `{"StringEquals":{"AWS:SOURCEACCOUNT":"111122223333"}}`, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"values under one key are ORed", `{"StringEquals":{"aws:SourceAccount":["1","111122223333"]}}`, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"keys are ANDed", `{"StringEquals":{"aws:SourceAccount":"111122223333","aws:username":"a"}}`, ctx{"aws:SourceAccount": {"111122223333"}, "aws:username": {"b"}}, false},
		{"operators are ANDed", `{"StringEquals":{"aws:SourceAccount":"111122223333"},"StringLike":{"aws:username":"a*"}}`, ctx{"aws:SourceAccount": {"111122223333"}, "aws:username": {"bob"}}, false},
		{"missing key is false", `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, ctx{}, false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:SourceAccount":"111122223333"}}`, ctx{}, true},
		{"StringNotEquals other value", `{"StringNotEquals":{"aws:SourceAccount":"111122223333"}}`, ctx{"aws:SourceAccount": {"2"}}, true},
		{"StringNotEquals same value", `{"StringNotEquals":{"aws:SourceAccount":["1","2"]}}`, ctx{"aws:SourceAccount": {"2"}}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"JOHN"}}`, ctx{"aws:username": {"john"}}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:username":"JOHN"}}`, ctx{"aws:username": {"john"}}, false},
		{"StringLike wildcard", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"home/alice/x"}}, true},
		{"StringLike single char", `{"StringLike":{"s3:prefix":"h?me"}}`, ctx{"s3:prefix": {"home"}}, true},
		{"StringLike case-sensitive", `{"StringLike":{"s3:prefix":"Home/*"}}`, ctx{"s3:prefix": {"home/a"}}, false},
		{"StringNotLike match", `{"StringNotLike":{"s3:prefix":"tmp/*"}}`, ctx{"s3:prefix": {"tmp/a"}}, false},
		{"StringNotLike missing key", `{"StringNotLike":{"s3:prefix":"tmp/*"}}`, ctx{}, true},

		// ARN operators.
		{"ArnLike per component", `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0123456789abcdef0"}}, true},
		{"ArnLike wrong region", `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-west-2:111122223333:vpc-flow-log/*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0123456789abcdef0"}}, false},
		{"ArnEquals also takes wildcards", `{"ArnEquals":{"aws:SourceArn":"arn:aws:ec2:*:111122223333:*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}}, true},
		{"ArnLike value not an ARN", `{"ArnLike":{"aws:SourceArn":"*"}}`, ctx{"aws:SourceArn": {"not-an-arn"}}, false},
		{"ArnNotLike different service", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:logs:*"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}}, true},
		{"ArnNotEquals same", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}}`, ctx{"aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}}, false},

		// Numeric operators.
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":10}}`, ctx{"s3:max-keys": {"10.0"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"9"}}, true},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"11"}}, true},
		{"Numeric request value not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"x"}}, false},

		// Date operators.
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2025-12-31T23:59:59Z"}}, true},
		{"DateGreaterThan epoch", `{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`, ctx{"aws:EpochTime": {"1700000001"}}, true},
		{"DateEquals mixed forms", `{"DateEquals":{"aws:CurrentTime":"2023-11-14T22:13:20Z"}}`, ctx{"aws:CurrentTime": {"1700000000"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2023-11-14"}}`, ctx{"aws:CurrentTime": {"2023-11-14T00:00:00Z"}}, false},
		{"DateLessThanEquals offset", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-01-01T02:00:00+02:00"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-01-01"}}`, ctx{"aws:CurrentTime": {"2025-06-01"}}, false},

		// Bool, Binary, IP.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON Boolean", `{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool missing key", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{}, false},
		{"BinaryEquals", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWU="}}`, ctx{"key": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals mismatch", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWU="}}`, ctx{"key": {"b3RoZXI="}}, false},
		{"IpAddress v4 CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress v4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.114.7"}}, false},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, ctx{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true},
		{"IpAddress v4-mapped v6 request", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"::ffff:203.0.113.9"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}`, ctx{"aws:SourceIp": {"10.1.2.3"}}, false},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{}, true},

		// Null.
		{"Null true and key absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{}, true},
		{"Null true and key present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{"aws:TokenIssueTime": {"x"}}, false},
		{"Null false and key present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx{"aws:TokenIssueTime": {"x"}}, true},
		{"Null false and key absent", `{"Null":{"aws:TokenIssueTime":false}}`, ctx{}, false},
		{"Null empty list counts as absent", `{"Null":{"aws:TagKeys":"true"}}`, ctx{"aws:TagKeys": {}}, true},

		// IfExists.
		{"IfExists missing key", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx{}, true},
		{"IfExists present and matching", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx{"ec2:InstanceType": {"t3.micro"}}, true},
		{"IfExists present and not matching", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx{"ec2:InstanceType": {"m5.large"}}, false},
		{"ArnLikeIfExists", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:ec2:*"}}`, ctx{}, true},
		{"NumericLessThanIfExists present", `{"NumericLessThanIfExists":{"s3:max-keys":"5"}}`, ctx{"s3:max-keys": {"6"}}, false},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, ctx{}, true},

		// Set operators.
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx{"aws:TagKeys": {"env"}}, true},
		{"ForAllValues not subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx{"aws:TagKeys": {"env", "cost"}}, false},
		{"ForAllValues missing key is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, ctx{}, true},
		{"ForAllValues empty list is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, ctx{"aws:TagKeys": {}}, true},
		{"ForAnyValue intersects", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctx{"aws:TagKeys": {"cost", "team"}}, true},
		{"ForAnyValue disjoint", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, ctx{"aws:TagKeys": {"cost"}}, false},
		{"ForAnyValue missing key is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, ctx{}, false},
		{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":["env*"]}}`, ctx{"aws:TagKeys": {"x", "environment"}}, true},
		{"ForAllValues StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAllValues StringNotEquals one hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "secret"}}, false},
		{"ForAnyValue StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "secret"}}, true},
		{"unqualified negated over many values", `{"StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "secret"}}, false},
		{"unqualified positive over many values", `{"StringEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "secret"}}, true},

		// Derived principal keys.
		{"aws:PrincipalAccount from the principal", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, ctx{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := condPolicy(t, Version2012, tt.block)
			req := Request{
				Principal: Principal{Type: PrincipalAWS, ID: "arn:aws:iam::111122223333:role/r", Account: "111122223333"},
				Action:    "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tt.ctx,
			}
			got := Evaluate(Set{Identity: []*Policy{p}}, req).Allowed()
			if got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionVariables(t *testing.T) {
	tests := []struct {
		name    string
		version string
		block   string
		ctx     ctx
		want    bool
	}{
		{"variable in StringEquals", Version2012, `{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`, ctx{"aws:SourceAccount": {"111122223333"}}, true},
		{"variable with absent key never matches", Version2012, `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx{"s3:prefix": {"home//x"}}, false},
		{"substituted value is literal", Version2012, `{"StringLike":{"s3:prefix":"${aws:username}"}}`, ctx{"aws:username": {"*"}, "s3:prefix": {"anything"}}, false},
		{"escape star is literal", Version2012, `{"StringLike":{"s3:prefix":"a${*}"}}`, ctx{"s3:prefix": {"a*"}}, true},
		{"escape star does not glob", Version2012, `{"StringLike":{"s3:prefix":"a${*}"}}`, ctx{"s3:prefix": {"ab"}}, false},
		{"2008 version does not substitute", Version2008, `{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`, ctx{"aws:SourceAccount": {"111122223333"}}, false},
		{"2008 version compares the text", Version2008, `{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`, ctx{"aws:SourceAccount": {"${aws:PrincipalAccount}"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := condPolicy(t, tt.version, tt.block)
			req := Request{
				Principal: Principal{Type: PrincipalAWS, ID: "arn:aws:iam::111122223333:role/r", Account: "111122223333"},
				Action:    "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: tt.ctx,
			}
			if got := Evaluate(Set{Identity: []*Policy{p}}, req).Allowed(); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionUnknownKeys(t *testing.T) {
	allow := condPolicy(t, Version2012, `{"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}}`)
	deny := MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"1"}}}]}`, Options{Name: "deny"})
	req := Request{
		Principal: Principal{Type: PrincipalAWS, ID: "arn:aws:iam::111122223333:role/r", Account: "111122223333"},
		Action:    "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Unknown: []string{"aws:sourcearn", "aws:SourceAccount"},
	}
	res := Evaluate(Set{Identity: []*Policy{allow}}, req)
	if !res.Allowed() || !res.Assumed() {
		t.Errorf("allow on unknown key: %+v", res)
	}
	res = Evaluate(Set{Identity: []*Policy{allow, deny}}, req)
	if res.Decision != Allowed {
		t.Errorf("deny on unknown key must not be assumed: %+v", res)
	}
}
