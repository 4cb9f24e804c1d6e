package delivery

import (
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// crossAccountRoleName is the role name AWS's cross-account Firehose guide
// uses in the destination account; a role named in the source role's policy
// takes precedence.
const crossAccountRoleName = "AWSLogDeliveryFirehoseCrossAccountRole"

// firehose checks a flow log that publishes to a Firehose delivery stream.
func (c *checker) firehose() {
	in := c.in
	st, why := parseStreamARN(in.DestinationARN)
	if why != "" {
		c.add(Finding{
			Code: "DESTINATION_ARN_INVALID", Severity: SeverityError, Attribute: AttrDestinationARN,
			Message: "destination " + quote(in.DestinationARN) + " " + why + "; CreateFlowLogs rejects it.",
			Fix:     `"arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME"`,
		})
		return
	}
	if in.FlowLogRegion != "" && st.Region != in.FlowLogRegion {
		c.add(Finding{
			Code: "DESTINATION_REGION_MISMATCH", Severity: SeverityError, Attribute: AttrDestinationARN,
			Message: "delivery stream " + st.String() + " is in " + st.Region + ", but the flow log is in " + in.FlowLogRegion + "; flow logs deliver only to a delivery stream of their own region.",
			Fix:     "Use a delivery stream in " + in.FlowLogRegion + ".",
		})
	}
	if in.FlowLogAccount == "" || st.Account == in.FlowLogAccount {
		if in.RoleARN != "" && in.FlowLogAccount != "" {
			c.add(Finding{
				Code: "ROLE_IGNORED", Severity: SeverityWarning, Attribute: AttrRoleARN,
				Message: "role " + in.RoleARN + " is given, but delivery stream " + st.String() + " is in the flow log's own account " + in.FlowLogAccount +
					"; same-account delivery to Firehose uses the service-linked role AWSServiceRoleForLogDelivery, and the role is ignored.",
				Fix: "Remove iam_role_arn and deliver_cross_account_role; they are only for delivery streams in another account.",
			})
		}
		return
	}

	dest := st.Account
	outcome := "the flow log cannot deliver to delivery stream " + st.Name + " in account " + dest + " and shows DeliverLogsStatus=FAILED"
	if in.RoleARN == "" {
		c.add(Finding{
			Code: "ROLE_MISSING", Severity: SeverityError, Attribute: AttrRoleARN,
			Message: "delivery stream " + st.String() + " is in account " + dest + ", not in the flow log's account " + in.FlowLogAccount +
				"; cross-account delivery needs a role in " + in.FlowLogAccount + " (iam_role_arn) that the log delivery service assumes, and CreateFlowLogs fails without it.",
			Fix: "Set iam_role_arn to a role in account " + in.FlowLogAccount + " that trusts " + quote(ServiceLogDelivery) +
				" and may assume " + destinationRole(in.CrossAccountRoleARN, "aws", dest) + " (deliver_cross_account_role).",
		})
		return
	}
	role, ok := c.role(false)
	if !ok {
		return
	}
	rc := roleCheck{ServiceRole: ServiceRole{
		RoleARN: in.RoleARN, Service: ServiceLogDelivery, Caller: "the log delivery service (" + ServiceLogDelivery + ")",
		Trust: in.TrustPolicy, Permissions: in.PermissionPolicies, Boundary: in.PermissionsBoundary,
		TrustContext: map[string][]string{"aws:SourceAccount": {in.FlowLogAccount}},
		TrustUnknown: []string{"aws:SourceArn"},
		Target:       "AWS", Outcome: outcome,
	}}
	rc.guards = guards{sourceAccount: in.FlowLogAccount, sourceARN: arnShape{Partition: role.Partition}}
	acct := condEntry{"StringEquals", "aws:SourceAccount"}
	rc.guardFix = jsonCondition([]condEntry{acct}, map[condEntry][]string{acct: {in.FlowLogAccount}})
	rc.needsHook = func(rc *roleCheck, perms []*policy.Policy) []Need {
		return firehoseNeeds(in.RoleARN, in.CrossAccountRoleARN, role.Partition, dest, perms)
	}
	c.add(rc.run()...)
}

// firehoseNeeds are the permissions AWS's cross-account guide gives the source
// role: passing itself to the log delivery service, managing the log delivery,
// and assuming the destination account's role.
func firehoseNeeds(roleARN, crossAccountRole, partition, dest string, perms []*policy.Policy) []Need {
	destRole := destinationRole(crossAccountRole, partition, dest)
	if named := namedDestinationRole(perms, dest); crossAccountRole == "" && named != "" {
		destRole = named
	}
	pass := map[string][]string{"iam:PassedToService": {ServiceLogDelivery}}
	return []Need{
		{Action: "iam:PassRole", Resource: roleARN, Context: pass, Unknown: []string{"iam:AssociatedResourceARN"}},
		{Action: "logs:CreateLogDelivery", Resource: "*"},
		{Action: "logs:GetLogDelivery", Resource: "*", Optional: true, Why: "AWS's cross-account guide grants it so the log delivery can be read and removed again"},
		{Action: "logs:DeleteLogDelivery", Resource: "*", Optional: true, Why: "AWS's cross-account guide grants it so the log delivery can be read and removed again"},
		{Action: "logs:ListLogDeliveries", Resource: "*", Optional: true, Why: "AWS's cross-account guide grants it so the log delivery can be read and removed again"},
		{Action: "sts:AssumeRole", Resource: destRole},
	}
}

// namedDestinationRole finds a role ARN in the destination account that an
// Allow statement for sts:AssumeRole names.
func namedDestinationRole(perms []*policy.Policy, dest string) string {
	for _, p := range perms {
		for i := range p.Statements {
			s := &p.Statements[i]
			if s.Effect != policy.Allow || !coversAction(s, "sts:AssumeRole") {
				continue
			}
			for _, r := range s.Resource {
				a, ok := splitARN(r)
				if ok && a.Service == "iam" && a.Account == dest && len(a.Resource) > len("role/") && a.Resource[:5] == "role/" && !containsWildcard(r) {
					return r
				}
			}
		}
	}
	return ""
}

func containsWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// destinationRole is the role of the stream's account the source role
// assumes: deliver_cross_account_role, or the name AWS's guide uses.
func destinationRole(crossAccountRole, partition, dest string) string {
	if crossAccountRole != "" {
		return crossAccountRole
	}
	return "arn:" + partition + ":iam::" + dest + ":role/" + crossAccountRoleName
}
