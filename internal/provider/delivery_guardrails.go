package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
)

// Organisation policy types, as AWS Organizations names them.
const (
	policyTypeSCP = "SERVICE_CONTROL_POLICY"
	policyTypeRCP = "RESOURCE_CONTROL_POLICY"
)

// guardrails gathers the SCPs of the flow log account and the RCPs of the
// destination's account: given inline, or read from AWS Organizations when the
// check reads from AWS at all (readAWS; a check given every other document
// inline makes no AWS call). What cannot be read is said in the result (the
// check then warns), never an error: most member accounts may not read their
// organisation's policies.
func (pd *providerData) guardrails(ctx context.Context, spec deliverySpec, in delivery.Input, readAWS bool) *delivery.Guardrails {
	g := &delivery.Guardrails{DestinationAccount: destinationAccount(in)}
	if spec.SCPs != nil {
		g.SCPs = inlineLevels(*spec.SCPs, "service_control_policies")
	}
	if spec.RCPs != nil {
		g.RCPs = inlineLevels(*spec.RCPs, "resource_control_policies")
	}
	if spec.SCPs != nil && spec.RCPs != nil {
		return g
	}
	if !readAWS || pd == nil || pd.docs == nil || pd.docs.Organizations == nil {
		return g
	}
	if spec.SCPs == nil {
		g.SCPs, g.SCPsUnread = pd.readOrgPolicies(ctx, in.FlowLogAccount, policyTypeSCP, g)
	}
	if spec.RCPs == nil {
		account := g.DestinationAccount
		if account == "" {
			account = in.FlowLogAccount
		}
		g.RCPs, g.RCPsUnread = pd.readOrgPolicies(ctx, account, policyTypeRCP, g)
	}
	return g
}

// readOrgPolicies reads the policies of one type on the path from the root to
// account; unread says why they could not be read.
func (pd *providerData) readOrgPolicies(ctx context.Context, account, policyType string, g *delivery.Guardrails) (levels []delivery.OrgLevel, unread string) {
	if account == "" {
		return nil, ""
	}
	org, err := pd.docs.Organization(ctx, account)
	if err != nil {
		return nil, readFailure(err)
	}
	if !org.InOrganization {
		return nil, ""
	}
	g.ManagementAccount = org.ManagementAccount
	read, err := pd.docs.OrgPolicies(ctx, org.Path, policyType)
	if err != nil {
		return nil, readFailure(err)
	}
	for _, l := range read {
		dl := delivery.OrgLevel{Target: l.Target}
		for _, p := range l.Policies {
			dl.Policies = append(dl.Policies, delivery.OrgPolicy{ID: p.ID, Name: p.Name, Document: p.Document})
		}
		levels = append(levels, dl)
	}
	return levels, ""
}

// readFailure is the short reason a read failed: the operation with the API's
// error code and message when AWS answered, else the error.
func readFailure(err error) string {
	op := ""
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		op = "organizations:" + opErr.OperationName + " "
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if policysource.IsAccessDenied(err) {
			return op + "access denied: " + apiErr.ErrorMessage()
		}
		return fmt.Sprintf("%sfailed with %s: %s", op, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	return err.Error()
}

// inlineLevels turns the inline lists (root first) into levels named by position.
func inlineLevels(levels [][]string, attr string) []delivery.OrgLevel {
	out := make([]delivery.OrgLevel, 0, len(levels))
	for i, docs := range levels {
		l := delivery.OrgLevel{Target: fmt.Sprintf("%s[%d]", attr, i)}
		for j, d := range docs {
			l.Policies = append(l.Policies, delivery.OrgPolicy{ID: fmt.Sprintf("%s[%d][%d]", attr, i, j), Document: d})
		}
		out = append(out, l)
	}
	return out
}

// destinationAccount is the account that owns the destination, "" when its
// ARN does not say (an S3 bucket): then the flow log account is assumed.
func destinationAccount(in delivery.Input) string {
	if in.DestinationType == delivery.DestinationS3 {
		return ""
	}
	return arnAccount(in.DestinationARN)
}
