package delivery

import (
	"strconv"
	"strings"
)

// arnParts is a split ARN.
type arnParts struct {
	Partition, Service, Region, Account, Resource string
}

// splitARN splits "arn:partition:service:region:account:resource".
func splitARN(s string) (arnParts, bool) {
	if !strings.HasPrefix(s, "arn:") {
		return arnParts{}, false
	}
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[1] == "" || f[2] == "" {
		return arnParts{}, false
	}
	return arnParts{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, true
}

// String reassembles the ARN.
func (a arnParts) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// partitionOf returns the partition of a region name.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// roleName returns the name of a role ARN (the last path segment).
func roleName(roleARN string) string {
	a, ok := splitARN(roleARN)
	if !ok {
		return ""
	}
	name := strings.TrimPrefix(a.Resource, "role/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// parseRoleARN checks a role ARN: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
func parseRoleARN(s string) (arnParts, string) {
	a, ok := splitARN(s)
	switch {
	case !ok:
		return a, "is not an ARN"
	case a.Service != "iam":
		return a, "is an ARN of service " + strconv.Quote(a.Service) + ", not an IAM role"
	case a.Region != "":
		return a, "has a region, but IAM ARNs have none (arn:aws:iam::ACCOUNT:role/NAME)"
	case !isAccountID(a.Account):
		return a, "has no 12-digit account ID"
	case !strings.HasPrefix(a.Resource, "role/") || roleName(s) == "":
		return a, "does not name a role (the resource must be role/NAME)"
	}
	return a, ""
}

// sessionARN is the assumed-role session ARN a service gets from a role.
func sessionARN(role arnParts, session string) string {
	return "arn:" + role.Partition + ":sts::" + role.Account + ":assumed-role/" + roleName(role.String()) + "/" + session
}

// logGroup is a parsed CloudWatch Logs log group ARN.
type logGroup struct {
	arnParts
	Name string
}

// ARN is the log group ARN without ":*", as KMS encryption contexts name it.
func (g logGroup) ARN() string {
	return "arn:" + g.Partition + ":logs:" + g.Region + ":" + g.Account + ":log-group:" + g.Name
}

// GroupResource is the ARN CloudWatch Logs authorizes log-group-level actions against.
func (g logGroup) GroupResource() string { return g.ARN() + ":*" }

// StreamResource is the ARN of one log stream of the group.
func (g logGroup) StreamResource(stream string) string { return g.ARN() + ":log-stream:" + stream }

// AccountGroups is the ARN DescribeLogGroups is authorized against.
func (g logGroup) AccountGroups() string {
	return "arn:" + g.Partition + ":logs:" + g.Region + ":" + g.Account + ":log-group:*"
}

func parseLogGroupARN(s string) (logGroup, string) {
	a, ok := splitARN(s)
	switch {
	case !ok:
		return logGroup{}, "is not an ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)"
	case a.Service != "logs":
		return logGroup{}, "is an ARN of service " + strconv.Quote(a.Service) + ", not a CloudWatch Logs log group"
	case !isAccountID(a.Account) || a.Region == "":
		return logGroup{}, "lacks a region or a 12-digit account ID"
	}
	name, ok := strings.CutPrefix(a.Resource, "log-group:")
	if !ok {
		return logGroup{}, "does not name a log group (the resource must be log-group:NAME)"
	}
	name = strings.TrimSuffix(name, ":*")
	if name == "" || strings.ContainsAny(name, ":*") {
		return logGroup{}, "has an invalid log group name " + strconv.Quote(name)
	}
	return logGroup{arnParts: a, Name: name}, ""
}

// bucketDest is a parsed S3 destination: bucket and optional prefix.
type bucketDest struct {
	Partition, Bucket, Prefix string
}

// ARN is the bucket ARN.
func (b bucketDest) ARN() string { return "arn:" + b.Partition + ":s3:::" + b.Bucket }

// logsRoot is the key prefix under which flow logs of account are written, ending in "/".
func (b bucketDest) logsRoot(account string, hive bool) string {
	p := ""
	if b.Prefix != "" {
		p = b.Prefix + "/"
	}
	if hive {
		return p + "AWSLogs/aws-account-id=" + account + "/"
	}
	return p + "AWSLogs/" + account + "/"
}

func parseBucketARN(s string) (bucketDest, string) {
	a, ok := splitARN(s)
	switch {
	case !ok:
		return bucketDest{}, "is not an ARN (arn:aws:s3:::BUCKET/PREFIX)"
	case a.Service != "s3":
		return bucketDest{}, "is an ARN of service " + strconv.Quote(a.Service) + ", not an S3 bucket"
	case a.Region != "" || a.Account != "":
		return bucketDest{}, "has a region or account, but bucket ARNs have neither (arn:aws:s3:::BUCKET)"
	}
	bucket, prefix, _ := strings.Cut(a.Resource, "/")
	prefix = strings.Trim(prefix, "/")
	switch {
	case bucket == "":
		return bucketDest{}, "has no bucket name"
	case prefix == "AWSLogs" || strings.HasPrefix(prefix, "AWSLogs/"):
		return bucketDest{}, "uses the prefix " + strconv.Quote(prefix) + ", but VPC Flow Logs does not accept a folder named AWSLogs (it adds AWSLogs/ itself)"
	}
	return bucketDest{Partition: a.Partition, Bucket: bucket, Prefix: prefix}, ""
}

// stream is a parsed Firehose delivery stream ARN.
type stream struct {
	arnParts
	Name string
}

func parseStreamARN(s string) (stream, string) {
	a, ok := splitARN(s)
	switch {
	case !ok:
		return stream{}, "is not an ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)"
	case a.Service != "firehose":
		return stream{}, "is an ARN of service " + strconv.Quote(a.Service) + ", not a Firehose delivery stream"
	case !isAccountID(a.Account) || a.Region == "":
		return stream{}, "lacks a region or a 12-digit account ID"
	}
	name, ok := strings.CutPrefix(a.Resource, "deliverystream/")
	if !ok || name == "" {
		return stream{}, "does not name a delivery stream (the resource must be deliverystream/NAME)"
	}
	return stream{arnParts: a, Name: name}, ""
}
