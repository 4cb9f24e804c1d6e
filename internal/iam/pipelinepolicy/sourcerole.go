package pipelinepolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// SourceRolePolicyName is the name of the inline policy on a source account role.
const SourceRolePolicyName = "vpcflow-inventory-read"

// Statement ids of the source account role's documents.
const (
	SidCentralAssumeRole    = "CentralAccountAssumeRole"
	SidReadNetworkInventory = "ReadNetworkInventory"
)

var (
	principalARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:(root|role/.+)$`)
	externalIDPattern   = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// PrincipalARNPattern is the pattern of a principal a source account role
// may trust: a role, or an account's root.
func PrincipalARNPattern() *regexp.Regexp { return principalARNPattern }

// ExternalIDPattern is the characters STS accepts in an external ID.
func ExternalIDPattern() *regexp.Regexp { return externalIDPattern }

// External ID lengths STS accepts (AssumeRole, ExternalId).
const (
	ExternalIDMinLength = 2
	ExternalIDMaxLength = 1224
)

// SourceRole says who in the central account may assume the read-only
// role of a source account, and with which external ID.
type SourceRole struct {
	TrustedPrincipalARNs []string
	ExternalID           string
}

// SourceRoleTrustDocument renders the trust policy: the principals may
// call sts:AssumeRole only with the external ID (sts:ExternalId), which
// keeps a third party the central account works for from being pointed at
// this account (the confused deputy problem across accounts).
func SourceRoleTrustDocument(r SourceRole) (string, error) {
	if len(r.TrustedPrincipalARNs) == 0 {
		return "", fmt.Errorf("at least one trusted principal is needed")
	}
	for _, p := range r.TrustedPrincipalARNs {
		if !principalARNPattern.MatchString(p) {
			return "", fmt.Errorf("%q is neither a role ARN nor an account root ARN (arn:aws:iam::ACCOUNT:root)", p)
		}
	}
	if n := len(r.ExternalID); n < ExternalIDMinLength || n > ExternalIDMaxLength || !externalIDPattern.MatchString(r.ExternalID) {
		return "", fmt.Errorf("the external ID must be 2 to 1224 letters, digits and +=,.@:/-")
	}
	return render(document{Version: policyVersion, Statement: []statement{{
		Sid:       SidCentralAssumeRole,
		Effect:    "Allow",
		Principal: awsPrincipal{AWS: oneOrMany(sortedUnique(r.TrustedPrincipalARNs))},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]any{"StringEquals": {"sts:ExternalId": r.ExternalID}},
	}}})
}

// SourceRolePermissionsDocument renders the inline policy: the read-only
// calls of the inventory sync and handler, which do not support
// resource-level permissions.
func SourceRolePermissionsDocument() (string, error) {
	return render(document{Version: policyVersion, Statement: []statement{{
		Sid: SidReadNetworkInventory, Effect: "Allow", Action: append(slices.Clone(DescribeNetworkActions), ReplayActions...), Resource: "*",
	}}})
}

// SourceRoleNeeds are the calls the central inventory function makes with the role.
func SourceRoleNeeds() []delivery.Need {
	needs := make([]delivery.Need, 0, len(DescribeNetworkActions))
	for _, a := range DescribeNetworkActions {
		needs = append(needs, delivery.Need{Action: a, Resource: "*"})
	}
	return needs
}

// ParseSourceRoleTrust reads back a trust policy SourceRoleTrustDocument
// rendered; ok is false for any other document.
func ParseSourceRoleTrust(doc string) (r SourceRole, ok bool) {
	var d struct {
		Statement []struct {
			Sid       string
			Principal struct{ AWS any }
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Statement) != 1 || d.Statement[0].Sid != SidCentralAssumeRole {
		return SourceRole{}, false
	}
	s := d.Statement[0]
	ids := strings1(s.Condition["StringEquals"]["sts:ExternalId"])
	if len(ids) != 1 {
		return SourceRole{}, false
	}
	r = SourceRole{TrustedPrincipalARNs: strings1(s.Principal.AWS), ExternalID: ids[0]}
	want, err := SourceRoleTrustDocument(r)
	if err != nil || !Equivalent(want, doc) {
		return SourceRole{}, false
	}
	r.TrustedPrincipalARNs = sortedUnique(r.TrustedPrincipalARNs)
	return r, true
}
