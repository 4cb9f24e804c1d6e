package rolepolicy

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestTrustDocument_golden(t *testing.T) {
	t.Parallel()
	cases := map[string]Trust{
		"trust_one_region":   {Account: "123456789012", Regions: []string{"us-east-1"}},
		"trust_many_regions": {Account: "123456789012", Regions: []string{"eu-west-1", "us-east-1", "eu-west-1"}},
		"trust_any_region":   {Account: "123456789012", Regions: []string{"us-east-1", "*"}},
		"trust_china":        {Partition: "aws-cn", Account: "123456789012", Regions: []string{"cn-north-1"}},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := TrustDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, doc)
		})
	}
}

func TestPermissionsDocument_golden(t *testing.T) {
	t.Parallel()
	cases := map[string]Permissions{
		"permissions_one_group": {LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow"}},
		"permissions_many_groups_with_create": {
			LogGroupARNs: []string{
				"arn:aws:logs:us-east-1:123456789012:log-group:/vpc/b:*",
				"arn:aws:logs:us-east-1:123456789012:log-group:/vpc/a",
				"arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/a",
				"arn:aws:logs:us-east-1:123456789012:log-group:/vpc/a:*", // same group as the second
			},
			AllowCreateLogGroup: true,
		},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := PermissionsDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, doc)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func TestPermissionsDocument_leastPrivilege(t *testing.T) {
	t.Parallel()
	doc, err := PermissionsDocument(Permissions{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:fl"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, forbidden := range []string{`"*"`, "logs:*", "logs:CreateLogGroup", "log-group:fl\"", "log-stream"} {
		if strings.Contains(doc, forbidden) {
			t.Errorf("document contains %s:\n%s", forbidden, doc)
		}
	}
	with, err := PermissionsDocument(Permissions{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:fl"}, AllowCreateLogGroup: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(with, "logs:CreateLogGroup") {
		t.Errorf("AllowCreateLogGroup did not grant logs:CreateLogGroup:\n%s", with)
	}
}

func TestDocuments_invalidInput(t *testing.T) {
	t.Parallel()
	trust := []struct {
		name string
		in   Trust
		want string
	}{
		{"short account", Trust{Account: "1234", Regions: []string{"us-east-1"}}, "12-digit"},
		{"no region", Trust{Account: "123456789012"}, "at least one source region"},
		{"bad region", Trust{Account: "123456789012", Regions: []string{"us-east-*"}}, "not a region name"},
	}
	for _, tc := range trust {
		if _, err := TrustDocument(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("TrustDocument(%s): error %v, want %q", tc.name, err, tc.want)
		}
	}
	permissions := []struct {
		name string
		in   Permissions
		want string
	}{
		{"none", Permissions{}, "at least one log group"},
		{"bucket", Permissions{LogGroupARNs: []string{"arn:aws:s3:::bucket"}}, "not a log group ARN"},
		{"wildcard name", Permissions{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/vpc/*"}}, "not a log group ARN"},
		{"stream", Permissions{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"}}, "not a log group ARN"},
	}
	for _, tc := range permissions {
		if _, err := PermissionsDocument(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PermissionsDocument(%s): error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestParse_roundTrip(t *testing.T) {
	t.Parallel()
	trusts := []Trust{
		{Partition: "aws", Account: "123456789012", Regions: []string{"us-east-1"}},
		{Partition: "aws", Account: "123456789012", Regions: []string{"eu-west-1", "us-east-1"}},
		{Partition: "aws", Account: "123456789012", Regions: []string{"*"}},
		{Partition: "aws-us-gov", Account: "123456789012", Regions: []string{"us-gov-west-1"}},
	}
	for _, in := range trusts {
		doc, err := TrustDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseTrust(doc)
		if !ok || !reflect.DeepEqual(got, in) {
			t.Errorf("ParseTrust(TrustDocument(%+v)) = %+v, %v", in, got, ok)
		}
	}
	perms := []Permissions{
		{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:a"}},
		{LogGroupARNs: []string{"arn:aws:logs:us-east-1:123456789012:log-group:a", "arn:aws:logs:us-west-2:123456789012:log-group:b"}, AllowCreateLogGroup: true},
	}
	for _, in := range perms {
		doc, err := PermissionsDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParsePermissions(doc)
		if !ok || !reflect.DeepEqual(got, in) {
			t.Errorf("ParsePermissions(PermissionsDocument(%+v)) = %+v, %v", in, got, ok)
		}
	}
}

func TestParse_foreignDocuments(t *testing.T) {
	t.Parallel()
	foreignTrust := []string{
		`not json`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"VPCFlowLogsAssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}}]}`,
		// Source ARN of another account than aws:SourceAccount.
		`{"Version":"2012-10-17","Statement":[{"Sid":"VPCFlowLogsAssumeRole","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:999999999999:vpc-flow-log/*"}}}]}`,
		// An extra statement.
		`{"Version":"2012-10-17","Statement":[{"Sid":"VPCFlowLogsAssumeRole","Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
	}
	for _, doc := range foreignTrust {
		if got, ok := ParseTrust(doc); ok {
			t.Errorf("ParseTrust accepted a foreign document %s as %+v", doc, got)
		}
	}
	foreignPermissions := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"DeliverToLogGroups","Effect":"Allow","Action":["logs:CreateLogStream","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":"*"},{"Sid":"DescribeLogGroups","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"*"}]}`,
		// DescribeLogGroups widened to every region.
		`{"Version":"2012-10-17","Statement":[{"Sid":"DeliverToLogGroups","Effect":"Allow","Action":["logs:CreateLogStream","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:a:*"},{"Sid":"DescribeLogGroups","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:*:123456789012:log-group:*"}]}`,
	}
	for _, doc := range foreignPermissions {
		if got, ok := ParsePermissions(doc); ok {
			t.Errorf("ParsePermissions accepted a foreign document %s as %+v", doc, got)
		}
	}
}

func TestNormalizeRegions(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want []string }{
		{[]string{"us-east-1"}, []string{"us-east-1"}},
		{[]string{"us-west-2", "eu-west-1", "us-west-2"}, []string{"eu-west-1", "us-west-2"}},
		{[]string{"us-east-1", "*"}, []string{"*"}},
	}
	for _, tc := range cases {
		if got := NormalizeRegions(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("NormalizeRegions(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestEquivalentAndSameLogGroups(t *testing.T) {
	t.Parallel()
	if !Equivalent(`{"b":1,"a":[1,2]}`, "{\n  \"a\": [1, 2],\n  \"b\": 1\n}") {
		t.Error("reformatted document not equivalent")
	}
	if Equivalent(`{"a":[1,2]}`, `{"a":[2,1]}`) || Equivalent(`{}`, `not json`) {
		t.Error("different documents equivalent")
	}
	a := []string{"arn:aws:logs:us-east-1:123456789012:log-group:x:*", "arn:aws:logs:us-east-1:123456789012:log-group:y"}
	b := []string{"arn:aws:logs:us-east-1:123456789012:log-group:y:*", "arn:aws:logs:us-east-1:123456789012:log-group:x"}
	if !SameLogGroups(a, b) || SameLogGroups(a, b[:1]) {
		t.Error("SameLogGroups")
	}
}
