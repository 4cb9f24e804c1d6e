package policy

import (
	"errors"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// Realistic documents of a flow log's delivery: the role's trust policy,
// its permissions and boundary, and the bucket policy of an S3 destination.
const (
	benchTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowFlowLogs",
      "Effect": "Allow",
      "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}
      }
    }
  ]
}`
	benchPermissions = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deliver",
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"
    },
    {
      "Sid": "Describe",
      "Effect": "Allow",
      "Action": ["logs:DescribeLogGroups"],
      "Resource": "*"
    },
    {
      "Sid": "Create",
      "Effect": "Allow",
      "Action": "logs:CreateLogGroup",
      "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:*"
    }
  ]
}`
	benchBoundary = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["logs:*", "s3:*", "ec2:Describe*"], "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
  ]
}`
	benchBucket = `{
  "Version": "2012-10-17",
  "Id": "AWSLogDeliveryWrite20150319",
  "Statement": [
    {
      "Sid": "AWSLogDeliveryWrite",
      "Effect": "Allow",
      "Principal": {"Service": "delivery.logs.amazonaws.com"},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::flow-logs-111122223333/AWSLogs/111122223333/*",
      "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333", "s3:x-amz-acl": "bucket-owner-full-control"},
        "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:111122223333:*"}
      }
    },
    {
      "Sid": "AWSLogDeliveryAclCheck",
      "Effect": "Allow",
      "Principal": {"Service": "delivery.logs.amazonaws.com"},
      "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::flow-logs-111122223333",
      "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:111122223333:*"}
      }
    },
    {
      "Sid": "DenyInsecureTransport",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::flow-logs-111122223333", "arn:aws:s3:::flow-logs-111122223333/*"],
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    }
  ]
}`
)

// BenchmarkParseEvaluate measures what a plan-time check of a flow log's
// delivery does with policies: parse the role's trust, permissions and
// boundary policies and a bucket policy, then evaluate the delivery
// requests against them.
func BenchmarkParseEvaluate(b *testing.B) {
	const group = "arn:aws:logs:us-east-1:111122223333:log-group:/vpc/flows:log-stream:eni-0123456789abcdef0-all"
	flowLogs := Principal{Type: PrincipalService, ID: "vpc-flow-logs.amazonaws.com"}
	delivery := Principal{Type: PrincipalService, ID: "delivery.logs.amazonaws.com"}
	role := Principal{Type: PrincipalAWS, ID: "arn:aws:sts::111122223333:assumed-role/flow/s", Account: "111122223333"}
	ctx := map[string][]string{"aws:SourceAccount": {"111122223333"}, "aws:SourceArn": {"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-0123"}}
	s3ctx := map[string][]string{
		"aws:SourceAccount": {"111122223333"}, "aws:SourceArn": {"arn:aws:logs:us-east-1:111122223333:*"},
		"s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SecureTransport": {"true"},
	}
	for _, v := range []struct {
		name   string
		decode func(string) (any, *jsonError)
	}{
		{"handwritten", decodeJSON},
		{"encjson-token", decodeJSONToken},
	} {
		b.Run("variant="+v.name, func(b *testing.B) {
			parse := func(b *testing.B, doc string, kind Kind) *Policy {
				p, err := parseWith(v.decode, doc, Options{Name: "bench", Kind: kind})
				if err != nil {
					b.Fatal(err)
				}
				return p
			}
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				trust := parse(b, benchTrust, KindTrust)
				perms := parse(b, benchPermissions, KindIdentity)
				boundary := parse(b, benchBoundary, KindIdentity)
				bucket := parse(b, benchBucket, KindResource)
				ok := Evaluate(Set{Resource: trust}, Request{Principal: flowLogs, Action: "sts:AssumeRole", Context: ctx}).Allowed()
				for _, a := range []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"} {
					ok = ok && Evaluate(Set{Identity: []*Policy{perms}, Boundary: boundary}, Request{Principal: role, Action: a, Resource: group}).Allowed()
				}
				ok = ok && Evaluate(Set{Resource: bucket}, Request{Principal: delivery, Action: "s3:PutObject", Resource: "arn:aws:s3:::flow-logs-111122223333/AWSLogs/111122223333/vpcflowlogs/x.log.gz", Context: s3ctx}).Allowed()
				ok = ok && Evaluate(Set{Resource: bucket}, Request{Principal: delivery, Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::flow-logs-111122223333", Context: s3ctx}).Allowed()
				if !ok {
					b.Fatal("a delivery request is not allowed")
				}
			}
			if d := cputime.Process() - cpu; d > 0 {
				b.ReportMetric(float64(b.N)/d.Seconds(), "checks/cpu-s")
			}
		})
	}
}

// parseWith is Parse with another JSON decoder.
func parseWith(decode func(string) (any, *jsonError), doc string, opts Options) (*Policy, error) {
	root, jerr := decode(doc)
	if jerr != nil {
		return nil, errors.New(jerr.msg)
	}
	p := &Policy{Name: opts.Name, Kind: opts.Kind}
	ps := parser{kind: opts.Kind}
	ps.policy(root, p)
	if len(ps.errs) > 0 {
		return nil, ps.errs
	}
	return p, nil
}
