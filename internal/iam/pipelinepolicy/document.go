// Package pipelinepolicy renders the IAM documents of the enrichment
// pipeline, least privilege and guarded against the confused deputy problem:
// the enricher function's execution role, the read-only role a central
// account assumes in each source account, and the access policy of a
// cross-account CloudWatch Logs destination. It also says what each service
// role must be allowed to do (delivery.Need), so a role written elsewhere
// can be checked with delivery.CheckServiceRole before AWS is asked.
//
// The style follows package rolepolicy: stable statement ids, so documents
// read back from AWS are recognised, and no Terraform or AWS imports.
package pipelinepolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
)

const policyVersion = "2012-10-17"

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

type servicePrincipal struct {
	Service string `json:"Service"`
}

type awsPrincipal struct {
	AWS any `json:"AWS"`
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

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// Equivalent reports whether two JSON documents have the same content,
// whatever their formatting and key order.
func Equivalent(a, b string) bool { return rolepolicy.Equivalent(a, b) }

// StatementResources returns the Resource of the statement with the sid in
// a document this package rendered, or nil when there is none.
func StatementResources(doc, sid string) []string {
	var d struct {
		Statement []struct {
			Sid      string
			Resource any
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil
	}
	for _, s := range d.Statement {
		if s.Sid == sid {
			return strings1(s.Resource)
		}
	}
	return nil
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

var (
	accountPattern   = regexp.MustCompile(`^\d{12}$`)
	partitionPattern = regexp.MustCompile(`^aws[a-z-]*$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits an ARN into its parts.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !partitionPattern.MatchString(parts[1]) || parts[2] == "" || parts[5] == "" {
		return ARN{}, fmt.Errorf("%q is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

func partitionOr(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}
