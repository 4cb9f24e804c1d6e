package delivery

import (
	"strings"
	"testing"
)

// FuzzGuardrails runs the full check with a fuzzed document as an SCP at an
// OU and as an RCP at the root: it must not panic, and a document the policy
// grammar rejects must surface as a POLICY_ finding on its attribute.
func FuzzGuardrails(f *testing.F) {
	f.Add(denyPutSCP, perimeterRCP(false).Document)
	f.Add(fullAWSAccess, perimeterRCP(true).Document)
	f.Add(`{"Statement":[{"Effect":"Deny","Action":"logs","Resource":"*"}]}`, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"NotAction":"s3:Get*"}}`)
	f.Fuzz(func(t *testing.T, scpDoc, rcpDoc string) {
		for _, in := range []Input{cwl(), s3Input()} {
			in.Guardrails = &Guardrails{
				SCPs: scpLevels(OrgPolicy{ID: "p-fuzz", Document: scpDoc}),
				RCPs: []OrgLevel{{Target: "r-ab12", Policies: []OrgPolicy{{ID: "p-fuzzr", Document: rcpDoc}}}},
			}
			for _, f := range Check(in) {
				if f.Message == "" || f.Fix == "" {
					t.Fatalf("finding without message or fix: %+v", f)
				}
				if strings.HasPrefix(f.Code, "POLICY_") && f.Attribute != AttrServiceControlPolicies && f.Attribute != AttrResourceControlPolicies {
					t.Fatalf("policy finding on %s from a guardrail document: %+v", f.Attribute, f)
				}
			}
		}
	})
}
