// Package rolepolicy renders the trust policy and the permission policy of an
// IAM role made for VPC Flow Logs delivery to CloudWatch Logs, and reads them
// back. The documents are least privilege and guarded against the confused
// deputy problem, so a role built from them passes the delivery checker.
package rolepolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Service is the principal VPC Flow Logs assumes delivery roles as.
const Service = "vpc-flow-logs.amazonaws.com"

// PolicyName is the name of the inline permission policy on a delivery role.
const PolicyName = "vpcflow-delivery"

// Statement ids, stable so documents read back can be recognised.
const (
	SidAssumeRole        = "VPCFlowLogsAssumeRole"
	SidDeliver           = "DeliverToLogGroups"
	SidDescribeLogGroups = "DescribeLogGroups"
	SidCreateLogGroup    = "CreateLogGroups"
)

// DeliverActions are what VPC Flow Logs calls on a log group it delivers to:
// it lists the group's streams, creates one per network interface and puts
// events into it.
var DeliverActions = []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}

// Trust says which flow logs may assume the role.
type Trust struct {
	Partition string   // "aws" unless given
	Account   string   // aws:SourceAccount: the account that owns the flow logs
	Regions   []string // regions of the flow logs; "*" for any
}

// Permissions says where the role may deliver.
type Permissions struct {
	// LogGroupARNs are log group ARNs, each with or without the trailing ":*".
	LogGroupARNs []string
	// AllowCreateLogGroup lets VPC Flow Logs create a missing group (logs:CreateLogGroup).
	AllowCreateLogGroup bool
}

// logGroupARNPattern matches a log group ARN with an optional ":*"; a group
// name has no ':' or '*', so the suffix is unambiguous.
var logGroupARNPattern = regexp.MustCompile(`^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):log-group:([\.\-_/#A-Za-z0-9]{1,512})(:\*)?$`)

// LogGroupARNPattern is the pattern a log group ARN must match, for validators.
func LogGroupARNPattern() *regexp.Regexp { return logGroupARNPattern }

// LogGroup is a parsed log group ARN.
type LogGroup struct {
	Partition, Region, Account, Name string
}

// ParseLogGroupARN parses a log group ARN, with or without the trailing ":*".
func ParseLogGroupARN(s string) (LogGroup, error) {
	m := logGroupARNPattern.FindStringSubmatch(s)
	if m == nil {
		return LogGroup{}, fmt.Errorf("%q is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)", s)
	}
	return LogGroup{Partition: m[1], Region: m[2], Account: m[3], Name: m[4]}, nil
}

// ARN is the group's ARN without ":*", as CloudWatch Logs' logGroupArn and EC2's log destination.
func (g LogGroup) ARN() string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", g.Partition, g.Region, g.Account, g.Name)
}

// StreamsARN is the IAM resource pattern for the group and its streams:
// CloudWatch Logs authorizes stream actions against
// log-group:NAME:log-stream:STREAM, which "log-group:NAME:*" covers.
func (g LogGroup) StreamsARN() string { return g.ARN() + ":*" }

// AccountGroupsARN is the resource DescribeLogGroups is authorized against:
// it lists the account's groups, so CloudWatch Logs asks for
// "log-group:*" in the region rather than one group (CloudWatch Logs User
// Guide, "Logs sent to CloudWatch Logs": use a * wildcard for
// logs:DescribeLogGroups).
func (g LogGroup) AccountGroupsARN() string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", g.Partition, g.Region, g.Account)
}

// SourceARNs are the aws:SourceArn patterns of the trust policy: flow logs
// of the account in each region.
func (t Trust) SourceARNs() []string {
	out := make([]string, 0, len(t.Regions))
	for _, r := range t.Regions {
		out = append(out, fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", t.partition(), r, t.Account))
	}
	return out
}

func (t Trust) partition() string {
	if t.Partition == "" {
		return "aws"
	}
	return t.Partition
}

var (
	accountPattern = regexp.MustCompile(`^\d{12}$`)
	regionPattern  = regexp.MustCompile(`^([a-z]{2}(-[a-z]+)+-\d+|\*)$`)
)

// RegionPattern is the pattern a source region must match ("*" for any).
func RegionPattern() *regexp.Regexp { return regionPattern }

// NormalizeRegions sorts regions and drops duplicates; "*" stands for all of
// them. Two lists with the same normal form render the same trust policy.
func NormalizeRegions(regions []string) []string {
	out := sortedUnique(regions)
	if slices.Contains(out, "*") {
		return []string{"*"}
	}
	return out
}

// TrustDocument renders the trust policy: VPC Flow Logs may assume the role
// (sts:AssumeRole) only for flow logs of the account in the regions, which
// the service proves with aws:SourceAccount and aws:SourceArn.
func TrustDocument(t Trust) (string, error) {
	if !accountPattern.MatchString(t.Account) {
		return "", fmt.Errorf("source account %q is not a 12-digit account ID", t.Account)
	}
	if len(t.Regions) == 0 {
		return "", fmt.Errorf("at least one source region is needed")
	}
	for _, r := range t.Regions {
		if !regionPattern.MatchString(r) {
			return "", fmt.Errorf("source region %q is not a region name such as us-east-1, or *", r)
		}
	}
	t.Regions = NormalizeRegions(t.Regions)
	doc := document{
		Version: "2012-10-17",
		Statement: []statement{{
			Sid:       SidAssumeRole,
			Effect:    "Allow",
			Principal: &principal{Service: Service},
			Action:    "sts:AssumeRole",
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": t.Account},
				"ArnLike":      {"aws:SourceArn": oneOrMany(t.SourceARNs())},
			},
		}},
	}
	return render(doc)
}

// PermissionsDocument renders the inline policy: stream actions on the named
// groups, DescribeLogGroups on each account and region they are in, and
// CreateLogGroup on the named groups when allowed.
func PermissionsDocument(p Permissions) (string, error) {
	if len(p.LogGroupARNs) == 0 {
		return "", fmt.Errorf("at least one log group ARN is needed")
	}
	var groups, describe []string
	for _, s := range p.LogGroupARNs {
		g, err := ParseLogGroupARN(s)
		if err != nil {
			return "", err
		}
		groups = append(groups, g.StreamsARN())
		describe = append(describe, g.AccountGroupsARN())
	}
	groups = sortedUnique(groups)
	describe = sortedUnique(describe)

	statements := []statement{
		{Sid: SidDeliver, Effect: "Allow", Action: DeliverActions, Resource: oneOrMany(groups)},
		{Sid: SidDescribeLogGroups, Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: oneOrMany(describe)},
	}
	if p.AllowCreateLogGroup {
		statements = append(statements, statement{Sid: SidCreateLogGroup, Effect: "Allow", Action: "logs:CreateLogGroup", Resource: oneOrMany(groups)})
	}
	return render(document{Version: "2012-10-17", Statement: statements})
}

// ParseTrust reads back a trust policy TrustDocument rendered; ok is false
// for any other document.
func ParseTrust(doc string) (t Trust, ok bool) {
	var d struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal struct{ Service any }
			Action    any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Statement) != 1 {
		return Trust{}, false
	}
	s := d.Statement[0]
	if s.Sid != SidAssumeRole || s.Effect != "Allow" || !equalStrings(strings1(s.Principal.Service), []string{Service}) ||
		!equalStrings(strings1(s.Action), []string{"sts:AssumeRole"}) || len(s.Condition) != 2 {
		return Trust{}, false
	}
	accounts := strings1(s.Condition["StringEquals"]["aws:SourceAccount"])
	sources := strings1(s.Condition["ArnLike"]["aws:SourceArn"])
	if len(accounts) != 1 || len(sources) == 0 {
		return Trust{}, false
	}
	t.Account = accounts[0]
	sourcePattern := regexp.MustCompile(`^arn:(aws[a-z-]*):ec2:([a-z0-9-]+|\*):` + regexp.QuoteMeta(t.Account) + `:vpc-flow-log/\*$`)
	for _, src := range sources {
		m := sourcePattern.FindStringSubmatch(src)
		if m == nil || (t.Partition != "" && m[1] != t.Partition) {
			return Trust{}, false
		}
		t.Partition = m[1]
		t.Regions = append(t.Regions, m[2])
	}
	want, err := TrustDocument(t)
	if err != nil || !Equivalent(want, doc) {
		return Trust{}, false
	}
	return t, true
}

// ParsePermissions reads back a policy PermissionsDocument rendered; ok is
// false for any other document. The ARNs come back without ":*".
func ParsePermissions(doc string) (p Permissions, ok bool) {
	var d struct {
		Statement []struct {
			Sid      string
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Statement) < 2 || len(d.Statement) > 3 {
		return Permissions{}, false
	}
	var deliver, create []string
	for _, s := range d.Statement {
		if s.Effect != "Allow" {
			return Permissions{}, false
		}
		switch s.Sid {
		case SidDeliver:
			if !equalStrings(sortedUnique(strings1(s.Action)), DeliverActions) {
				return Permissions{}, false
			}
			deliver = strings1(s.Resource)
		case SidDescribeLogGroups:
			if !equalStrings(strings1(s.Action), []string{"logs:DescribeLogGroups"}) {
				return Permissions{}, false
			}
		case SidCreateLogGroup:
			if !equalStrings(strings1(s.Action), []string{"logs:CreateLogGroup"}) {
				return Permissions{}, false
			}
			create = strings1(s.Resource)
			p.AllowCreateLogGroup = true
		default:
			return Permissions{}, false
		}
	}
	if len(deliver) == 0 || (p.AllowCreateLogGroup && !equalStrings(sortedUnique(create), sortedUnique(deliver))) {
		return Permissions{}, false
	}
	for _, r := range deliver {
		g, err := ParseLogGroupARN(r)
		if err != nil || !strings.HasSuffix(r, ":*") {
			return Permissions{}, false
		}
		p.LogGroupARNs = append(p.LogGroupARNs, g.ARN())
	}
	// The rest of the document must be what these inputs render.
	want, err := PermissionsDocument(p)
	if err != nil || !Equivalent(want, doc) {
		return Permissions{}, false
	}
	return p, true
}

// SameLogGroups reports whether two lists name the same log groups, whatever
// their order and ":*" suffixes.
func SameLogGroups(a, b []string) bool {
	norm := func(in []string) []string {
		out := make([]string, 0, len(in))
		for _, s := range in {
			out = append(out, strings.TrimSuffix(s, ":*"))
		}
		return sortedUnique(out)
	}
	return equalStrings(norm(a), norm(b))
}

// Equivalent reports whether two JSON documents have the same content,
// whatever their formatting and key order (IAM returns a document as it was
// stored, and other tools format it differently).
func Equivalent(a, b string) bool {
	ca, errA := canonical(a)
	cb, errB := canonical(b)
	return errA == nil && errB == nil && ca == cb
}

func canonical(doc string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v) // maps marshal with sorted keys
	return string(out), err
}

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal *principal                `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

type principal struct {
	Service string `json:"Service"`
}

func render(d document) (string, error) {
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// oneOrMany writes a single value as a string, as people write policies.
func oneOrMany(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// strings1 reads a policy element that is a string or a list of strings.
func strings1(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
