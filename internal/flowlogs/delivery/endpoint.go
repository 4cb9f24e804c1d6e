package delivery

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// A VPC interface endpoint for CloudWatch Logs or EventBridge can carry a
// policy, and every request through the endpoint must be allowed by it as
// well as by the caller's own policies. An endpoint policy that keeps data in
// the account's own log groups and buses is a good guard against
// exfiltration, and just as good at silently refusing the writes of a
// pipeline in the VPC: the enricher putting rows into a log group the
// policy does not list, or the watchdog putting events on the default bus
// or on a central account's bus, gets AccessDeniedException although its
// role allows the call.

// Endpoint services whose interface endpoints take a policy.
const (
	EndpointServiceLogs   = "logs"
	EndpointServiceEvents = "events"
)

// EndpointServices lists the services CheckEndpointPolicy knows the writes of.
var EndpointServices = []string{EndpointServiceLogs, EndpointServiceEvents}

// AttrEndpointPolicy is the attribute endpoint policy findings concern.
const AttrEndpointPolicy = "endpoint_policy"

// Codes of CheckEndpointPolicy, besides the POLICY_ codes of a document IAM would reject.
const (
	CodeEndpointBlocksWrite = "ENDPOINT_POLICY_BLOCKS_WRITE"
	CodeEndpointDeniesWrite = "ENDPOINT_POLICY_DENIES_WRITE"
)

// EndpointCodes documents the codes CheckEndpointPolicy can return.
func EndpointCodes() []CodeInfo {
	return []CodeInfo{
		{CodeEndpointBlocksWrite, SeverityWarning, "no statement of the endpoint policy allows a write the pipeline makes through the endpoint"},
		{CodeEndpointDeniesWrite, SeverityWarning, "a Deny statement of the endpoint policy matches a write the pipeline makes through the endpoint"},
	}
}

// EndpointWrites describes the writes a pipeline in the VPC makes through an
// interface endpoint, and the endpoint's policy.
type EndpointWrites struct {
	// Service is EndpointServiceLogs or EndpointServiceEvents.
	Service string
	// Policy is the endpoint policy.
	Policy NamedPolicy
	// RoleARN is the role whose sessions write (the enricher's execution
	// role); empty stands for a role of Account.
	RoleARN string
	// Account and Region are where the writer runs.
	Account, Region, Partition string
	// Resources are what it writes to: log group ARNs for logs (events go to
	// their streams), event bus ARNs for events. For events, empty means the
	// default bus of Account and Region.
	Resources []string
	// Writer names the writer in messages; "the enricher" when empty.
	Writer string
}

// endpointUnknownKeys are condition keys an endpoint policy may test that
// the check cannot know; conditions on them are assumed to hold in Allow
// statements and not in Deny statements.
var endpointUnknownKeys = []string{
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp",
	"aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport", "aws:UserAgent",
}

// endpointCall is one write and the resource it is authorized against.
type endpointCall struct {
	Action, Resource, FixResource, What string
}

// CheckEndpointPolicy evaluates the endpoint policy for every write and
// returns a warning for each the policy would refuse, naming the statement
// that came closest and the statement to add.
func CheckEndpointPolicy(w EndpointWrites) []Finding {
	label := w.Policy.Name
	if label == "" {
		label = "endpoint policy"
	}
	p, out := parseNamed(&w.Policy, policy.KindResource, label, AttrEndpointPolicy)
	if p == nil {
		return sortFindings(dedupe(out))
	}
	calls, fs := w.calls()
	out = append(out, fs...)
	principal := w.principal()
	for _, c := range calls {
		req := policy.Request{
			Principal: principal,
			Action:    c.Action,
			Resource:  c.Resource,
			Context: map[string][]string{
				"aws:RequestedRegion": {w.Region},
				"aws:ResourceAccount": {resourceAccount(c.Resource)},
			},
			Unknown: endpointUnknownKeys,
		}
		// The caller's own policies are not in question here: they are
		// taken to allow everything, so only the endpoint policy decides.
		r := policy.Evaluate(policy.Set{Identity: []*policy.Policy{allowEverything}, Resource: p, ResourceRequired: true}, req)
		switch r.Decision {
		case policy.Allowed:
			continue
		case policy.ExplicitDeny:
			out = append(out, Finding{
				Code: CodeEndpointDeniesWrite, Severity: SeverityWarning, Attribute: AttrEndpointPolicy,
				Message: r.Denies[0].String() + " denies " + c.Action + " on " + c.Resource + " for " + w.writer() + "'s role; " +
					w.consequence(c),
				Fix: "Narrow the Deny statement so it leaves out " + quote(c.Resource) + " (for example with a NotResource), or send " +
					w.writer() + "'s writes another way.",
			})
		default:
			out = append(out, Finding{
				Code: CodeEndpointBlocksWrite, Severity: SeverityWarning, Attribute: AttrEndpointPolicy,
				Message: "no statement of " + label + " allows " + c.Action + " on " + c.Resource + " for " + w.writer() + "'s role" +
					endpointNearMiss(p, req) + "; " + w.consequence(c),
				Fix: "Add " + quote(c.FixResource) + " to the statement's Resource (`additional_resource_arns` of vpcflow_endpoint_policy), or add the statement " +
					`{"Effect":"Allow","Principal":"*","Action":` + quote(c.Action) + `,"Resource":` + quote(c.FixResource) + `}.`,
			})
		}
	}
	return sortFindings(dedupe(out))
}

// allowEverything stands in for the writer's own policies.
var allowEverything = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	policy.Options{Name: "the writer's policies", Kind: policy.KindIdentity})

func (w EndpointWrites) writer() string {
	if w.Writer != "" {
		return w.Writer
	}
	return "the enricher"
}

func (w EndpointWrites) consequence(c endpointCall) string {
	return "requests through the endpoint are refused with AccessDeniedException although the role allows them, so " + c.What + "."
}

func (w EndpointWrites) partition() string {
	if w.Partition != "" {
		return w.Partition
	}
	return "aws"
}

// principal is a session of the writer's role, as the endpoint sees it.
func (w EndpointWrites) principal() policy.Principal {
	if role, msg := parseRoleARN(w.RoleARN); msg == "" {
		return policy.Principal{Type: policy.PrincipalAWS, ID: sessionARN(role, "vpcflow"), Account: role.Account}
	}
	role := arnParts{Partition: w.partition(), Service: "iam", Account: w.Account, Resource: "role/writer"}
	return policy.Principal{Type: policy.PrincipalAWS, ID: sessionARN(role, "vpcflow"), Account: w.Account}
}

// calls lists the writes, with a POLICY_ finding for a resource that is not
// of the service.
func (w EndpointWrites) calls() ([]endpointCall, []Finding) {
	var calls []endpointCall
	var out []Finding
	switch w.Service {
	case EndpointServiceLogs:
		for _, r := range w.Resources {
			g, msg := parseLogGroupARN(r)
			if msg != "" {
				out = append(out, resourceFinding(r, msg))
				continue
			}
			what := w.writer() + "'s records for log group " + g.Name + " are lost"
			calls = append(calls,
				endpointCall{Action: "logs:CreateLogStream", Resource: g.GroupResource(), FixResource: g.GroupResource(), What: what},
				endpointCall{Action: "logs:PutLogEvents", Resource: g.StreamResource(exampleStream), FixResource: g.GroupResource(), What: what},
			)
		}
	case EndpointServiceEvents:
		buses := w.Resources
		if len(buses) == 0 {
			buses = []string{"arn:" + w.partition() + ":events:" + w.Region + ":" + w.Account + ":event-bus/default"}
		}
		for _, b := range buses {
			a, ok := splitARN(b)
			if !ok || a.Service != "events" || !strings.HasPrefix(a.Resource, "event-bus/") {
				out = append(out, resourceFinding(b, "is not an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)"))
				continue
			}
			calls = append(calls, endpointCall{Action: "events:PutEvents", Resource: b, FixResource: b,
				What: w.writer() + "'s events on bus " + strings.TrimPrefix(a.Resource, "event-bus/") + " (such as \"Flow Log Delivery Failed\") are never sent"})
		}
	default:
		out = append(out, Finding{
			Code: "POLICY_MALFORMED", Severity: SeverityError, Attribute: AttrEndpointPolicy,
			Message: "endpoint service " + quote(w.Service) + " is not one whose writes are known",
			Fix:     "Use " + quoteList(EndpointServices) + ".",
		})
	}
	return calls, out
}

func resourceFinding(r, msg string) Finding {
	return Finding{
		Code: "POLICY_MALFORMED", Severity: SeverityError, Attribute: AttrEndpointPolicy,
		Message: "write target " + quote(r) + " " + msg,
		Fix:     "Give the ARN of the log group or event bus written to.",
	}
}

// endpointNearMiss names the Allow statement that failed on the fewest counts, and why.
func endpointNearMiss(p *policy.Policy, req policy.Request) string {
	var best *policy.StatementReport
	reports := policy.ExplainMiss(p, req)
	for i := range reports {
		r := &reports[i]
		if r.Statement.Effect != policy.Allow || r.Applies {
			continue
		}
		if best == nil || len(r.Reasons) < len(best.Reasons) {
			best = r
		}
	}
	if best == nil {
		return " (it has no Allow statement)"
	}
	msgs := make([]string, len(best.Reasons))
	for i, r := range best.Reasons {
		msgs[i] = r.Message
	}
	return " (closest: " + best.Statement.Label() + ": " + strings.Join(msgs, "; ") + ")"
}

func resourceAccount(arn string) string {
	a, _ := splitARN(arn)
	return a.Account
}

// EndpointPolicySpec says what an endpoint policy lets through.
type EndpointPolicySpec struct {
	Service   string // EndpointServiceLogs or EndpointServiceEvents
	Partition string // "aws" when empty
	Region    string
	Account   string
	// AdditionalResources are ARNs allowed besides the account's own log
	// groups or event buses, such as a central account's log group.
	AdditionalResources []string
}

// Statement ids of the rendered endpoint policy.
const (
	SidOwnLogGroups         = "OwnAccountLogGroups"
	SidOwnEventBuses        = "OwnAccountEventBuses"
	SidAdditionalResources  = "AdditionalResources"
	endpointPolicyVersion   = "2012-10-17"
	endpointPolicyPrincipal = "*"
)

// RenderEndpointPolicy writes an interface endpoint policy that lets any
// principal call the service only on the account's own log groups (and
// their streams) or event buses in the region, and on the additional
// resources: requests with credentials of another account to that
// account's resources are refused at the endpoint.
func RenderEndpointPolicy(s EndpointPolicySpec) (string, error) {
	if !isAccountID(s.Account) {
		return "", fmt.Errorf("account %q is not a 12-digit account ID", s.Account)
	}
	if s.Region == "" {
		return "", fmt.Errorf("a region is needed")
	}
	part := s.Partition
	if part == "" {
		part = "aws"
	}
	type statement struct {
		Sid       string   `json:"Sid"`
		Effect    string   `json:"Effect"`
		Principal string   `json:"Principal"`
		Action    string   `json:"Action"`
		Resource  []string `json:"Resource"`
	}
	var own statement
	switch s.Service {
	case EndpointServiceLogs:
		own = statement{Sid: SidOwnLogGroups, Action: "logs:*",
			Resource: []string{fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", part, s.Region, s.Account)}}
	case EndpointServiceEvents:
		own = statement{Sid: SidOwnEventBuses, Action: "events:*",
			Resource: []string{fmt.Sprintf("arn:%s:events:%s:%s:event-bus/*", part, s.Region, s.Account)}}
	default:
		return "", fmt.Errorf("service %q is not one of %s", s.Service, quoteList(EndpointServices))
	}
	own.Effect, own.Principal = "Allow", endpointPolicyPrincipal
	statements := []statement{own}
	if extra := slices.Compact(slices.Sorted(slices.Values(s.AdditionalResources))); len(extra) > 0 {
		for _, r := range extra {
			if a, ok := splitARN(r); !ok || a.Service != s.Service {
				return "", fmt.Errorf("additional resource %q is not an ARN of service %s", r, s.Service)
			}
		}
		statements = append(statements, statement{Sid: SidAdditionalResources, Effect: "Allow", Principal: endpointPolicyPrincipal,
			Action: own.Action, Resource: extra})
	}
	b, err := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{endpointPolicyVersion, statements})
	return string(b), err
}
