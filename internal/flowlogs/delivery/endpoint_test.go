package delivery

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	enricherRole = "arn:aws:iam::111122223333:role/vpcflow-enricher"
	ownGroup     = "arn:aws:logs:us-east-1:111122223333:log-group:/vpcflow/rows"
	centralBus   = "arn:aws:events:us-east-1:444455556666:event-bus/central"
	defaultBus   = "arn:aws:events:us-east-1:111122223333:event-bus/default"
)

func renderEndpoint(t *testing.T, service string, extra ...string) string {
	t.Helper()
	doc, err := RenderEndpointPolicy(EndpointPolicySpec{Service: service, Region: region, Account: acct, AdditionalResources: extra})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestCheckEndpointPolicy(t *testing.T) {
	t.Parallel()
	ownLogs := renderEndpoint(t, EndpointServiceLogs)
	ownEvents := renderEndpoint(t, EndpointServiceEvents)
	cases := []struct {
		name      string
		service   string
		doc       string
		role      string
		resources []string
		want      string // codes, comma-separated
		wantIn    []string
	}{
		{name: "own log group through the rendered policy", service: EndpointServiceLogs, doc: ownLogs, role: enricherRole, resources: []string{ownGroup}},
		{
			name: "a policy for the flow log groups only blocks the enricher's group", service: EndpointServiceLogs, role: enricherRole,
			doc: `{"Version":"2012-10-17","Statement":[{"Sid":"FlowLogGroups","Effect":"Allow","Principal":"*","Action":"logs:*",
			 "Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/aws/vpc/*"}]}`,
			resources: []string{ownGroup}, want: CodeEndpointBlocksWrite + "," + CodeEndpointBlocksWrite,
			wantIn: []string{"logs:CreateLogStream", "logs:PutLogEvents", `statement "FlowLogGroups"`, "AccessDeniedException", `"` + ownGroup + `:*"`},
		},
		{name: "default bus through the rendered policy", service: EndpointServiceEvents, doc: ownEvents},
		{
			name: "a central account's bus is blocked by the rendered policy", service: EndpointServiceEvents, doc: ownEvents, role: enricherRole,
			resources: []string{centralBus}, want: CodeEndpointBlocksWrite,
			wantIn: []string{"events:PutEvents", `statement "OwnAccountEventBuses"`, `"` + centralBus + `"`},
		},
		{
			name: "the rendered policy with the central bus added", service: EndpointServiceEvents,
			doc: renderEndpoint(t, EndpointServiceEvents, centralBus), role: enricherRole, resources: []string{centralBus},
		},
		{
			name: "a policy for one custom bus blocks the default bus", service: EndpointServiceEvents, role: enricherRole,
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"AppBus","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"arn:aws:events:us-east-1:111122223333:event-bus/app"}]}`,
			want: CodeEndpointBlocksWrite, wantIn: []string{"events:PutEvents", defaultBus, `statement "AppBus"`, "Flow Log Delivery Failed"},
		},
		{
			name: "AWS's default full-access endpoint policy", service: EndpointServiceEvents,
			doc: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
		},
		{
			name: "an explicit deny", service: EndpointServiceLogs, role: enricherRole, resources: []string{ownGroup},
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
			 {"Sid":"NoWrites","Effect":"Deny","Principal":"*","Action":"logs:PutLogEvents","Resource":"*"}]}`,
			want: CodeEndpointDeniesWrite, wantIn: []string{`statement "NoWrites"`},
		},
		{
			name: "a principal list without the enricher's role", service: EndpointServiceEvents, role: enricherRole,
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"events:*","Resource":"*"}]}`,
			want: CodeEndpointBlocksWrite, wantIn: []string{`statement "Admins"`},
		},
		{
			name: "the enricher's role named as principal", service: EndpointServiceEvents, role: enricherRole,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + enricherRole + `"},"Action":"events:PutEvents","Resource":"*"}]}`,
		},
		{
			name: "an organization condition cannot be known and is assumed to hold", service: EndpointServiceEvents,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`,
		},
		{
			name: "a principal account condition of another account", service: EndpointServiceEvents, role: enricherRole,
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}]}`,
			want: CodeEndpointBlocksWrite, wantIn: []string{"aws:PrincipalAccount"},
		},
		{name: "not JSON", service: EndpointServiceLogs, doc: `{"Statement":[`, resources: []string{ownGroup}, want: "POLICY_INVALID_JSON"},
		{name: "not a log group", service: EndpointServiceLogs, doc: ownLogs, resources: []string{defaultBus}, want: "POLICY_MALFORMED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := CheckEndpointPolicy(EndpointWrites{
				Service: tc.service, Policy: NamedPolicy{Name: "endpoint policy", Document: tc.doc},
				RoleARN: tc.role, Account: acct, Region: region, Resources: tc.resources,
			})
			var got []string
			for _, f := range fs {
				got = append(got, f.Code)
				if f.Code == CodeEndpointBlocksWrite || f.Code == CodeEndpointDeniesWrite {
					if f.Severity != SeverityWarning || f.Attribute != AttrEndpointPolicy {
						t.Errorf("finding %s: severity %s, attribute %s; want warning on %s", f.Code, f.Severity, f.Attribute, AttrEndpointPolicy)
					}
				}
			}
			if strings.Join(got, ",") != tc.want {
				t.Fatalf("codes = %v, want %q:\n%s", got, tc.want, render(fs))
			}
			text := render(fs)
			for _, w := range tc.wantIn {
				if !strings.Contains(text, w) {
					t.Errorf("findings lack %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestRenderEndpointPolicy(t *testing.T) {
	t.Parallel()
	doc := renderEndpoint(t, EndpointServiceEvents, centralBus, centralBus)
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"OwnAccountEventBuses","Effect":"Allow","Principal":"*","Action":"events:*","Resource":["arn:aws:events:us-east-1:111122223333:event-bus/*"]},` +
		`{"Sid":"AdditionalResources","Effect":"Allow","Principal":"*","Action":"events:*","Resource":["` + centralBus + `"]}]}`
	if doc != want {
		t.Errorf("rendered:\n%s\nwant:\n%s", doc, want)
	}
	var v any
	if err := json.Unmarshal([]byte(renderEndpoint(t, EndpointServiceLogs)), &v); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []EndpointPolicySpec{
		{Service: "sqs", Region: region, Account: acct},
		{Service: EndpointServiceLogs, Region: region, Account: "1234"},
		{Service: EndpointServiceLogs, Account: acct},
		{Service: EndpointServiceLogs, Region: region, Account: acct, AdditionalResources: []string{centralBus}},
	} {
		if _, err := RenderEndpointPolicy(bad); err == nil {
			t.Errorf("RenderEndpointPolicy(%+v) succeeded, want an error", bad)
		}
	}
}
