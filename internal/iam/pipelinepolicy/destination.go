package pipelinepolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// SidAllowSubscriptions is the statement id of a destination access policy.
const SidAllowSubscriptions = "AllowSubscriptionFilters"

// DestinationAction is what a sender account calls on a CloudWatch Logs
// destination to subscribe a log group to it.
const DestinationAction = "logs:PutSubscriptionFilter"

var organizationPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// OrganizationPattern is the pattern of an AWS Organizations id, for validators.
func OrganizationPattern() *regexp.Regexp { return organizationPattern }

// DestinationAccess says who may subscribe log groups to a destination:
// the listed accounts, or every account of an organization.
type DestinationAccess struct {
	DestinationARN string
	Accounts       []string
	OrganizationID string
}

// DestinationPolicyDocument renders the destination's access policy:
// logs:PutSubscriptionFilter on this destination only, for the accounts, or
// for any principal of the organization (aws:PrincipalOrgID).
func DestinationPolicyDocument(d DestinationAccess) (string, error) {
	if _, err := ParseARN(d.DestinationARN); err != nil || !strings.Contains(d.DestinationARN, ":destination:") {
		return "", fmt.Errorf("%q is not a CloudWatch Logs destination ARN", d.DestinationARN)
	}
	s := statement{Sid: SidAllowSubscriptions, Effect: "Allow", Action: DestinationAction, Resource: d.DestinationARN}
	switch {
	case d.OrganizationID != "" && len(d.Accounts) > 0:
		return "", fmt.Errorf("give either accounts or an organization, not both")
	case d.OrganizationID != "":
		if !organizationPattern.MatchString(d.OrganizationID) {
			return "", fmt.Errorf("%q is not an organization id (o-…)", d.OrganizationID)
		}
		s.Principal = "*"
		s.Condition = map[string]map[string]any{"StringEquals": {"aws:PrincipalOrgID": d.OrganizationID}}
	case len(d.Accounts) > 0:
		for _, a := range d.Accounts {
			if !accountPattern.MatchString(a) {
				return "", fmt.Errorf("account %q is not a 12-digit account ID", a)
			}
		}
		s.Principal = awsPrincipal{AWS: oneOrMany(sortedUnique(d.Accounts))}
	default:
		return "", fmt.Errorf("at least one account, or an organization, is needed")
	}
	return render(document{Version: policyVersion, Statement: []statement{s}})
}

// ParseDestinationPolicy reads back a policy DestinationPolicyDocument
// rendered; ok is false for any other document.
func ParseDestinationPolicy(doc string) (d DestinationAccess, ok bool) {
	var parsed struct {
		Statement []struct {
			Sid       string
			Principal json.RawMessage
			Resource  string
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil || len(parsed.Statement) != 1 || parsed.Statement[0].Sid != SidAllowSubscriptions {
		return DestinationAccess{}, false
	}
	s := parsed.Statement[0]
	d.DestinationARN = s.Resource
	var star string
	if json.Unmarshal(s.Principal, &star) == nil && star == "*" {
		org := strings1(s.Condition["StringEquals"]["aws:PrincipalOrgID"])
		if len(org) != 1 {
			return DestinationAccess{}, false
		}
		d.OrganizationID = org[0]
	} else {
		var p struct{ AWS any }
		if json.Unmarshal(s.Principal, &p) != nil {
			return DestinationAccess{}, false
		}
		d.Accounts = strings1(p.AWS)
	}
	want, err := DestinationPolicyDocument(d)
	if err != nil || !Equivalent(want, doc) {
		return DestinationAccess{}, false
	}
	return d, true
}
