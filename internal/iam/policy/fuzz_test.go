package policy

import (
	"errors"
	"testing"
)

// FuzzParse checks that no document makes Parse, Evaluate or ExplainMiss panic,
// and that Parse either returns a policy or located ParseErrors.
func FuzzParse(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	reqs := []Request{
		{
			Principal: Principal{Type: PrincipalService, ID: "vpc-flow-logs.amazonaws.com"},
			Action:    "sts:AssumeRole",
			Context:   map[string][]string{"aws:SourceAccount": {"111122223333"}, "aws:username": {"*a?"}},
		},
		{
			Principal: Principal{Type: PrincipalAWS, ID: "arn:aws:sts::111122223333:assumed-role/flow/s", Account: "111122223333"},
			Action:    "logs:PutLogEvents",
			Resource:  "arn:aws:logs:us-east-1:111122223333:log-group:flows:log-stream:eni-0123456789abcdef0-all",
			Context:   map[string][]string{"aws:TagKeys": {"a", "b"}, "aws:SourceIp": {"10.0.0.1"}, "aws:CurrentTime": {"2026-01-01T00:00:00Z"}},
			Unknown:   []string{"aws:SourceArn"},
		},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		sameAsEncodingJSON(t, doc)
		for _, kind := range []Kind{KindIdentity, KindResource, KindTrust} {
			p, err := Parse(doc, Options{Name: "fuzz", Kind: kind})
			if err != nil {
				if p != nil {
					t.Fatal("Parse returned both a policy and an error")
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Message == "" {
					t.Fatalf("error %v is not a located ParseError", err)
				}
				continue
			}
			for _, req := range reqs {
				set := Set{Identity: []*Policy{p}, Boundary: p}
				if kind != KindIdentity {
					set = Set{Resource: p, ResourceRequired: kind == KindResource}
				}
				res := Evaluate(set, req)
				if res.Decision == ExplicitDeny && len(res.Denies) == 0 {
					t.Fatal("explicit deny without a deny statement")
				}
				for _, rep := range ExplainMiss(p, req) {
					if rep.Applies != (len(rep.Reasons) == 0) {
						t.Fatalf("report %v: Applies=%v with %d reasons", rep, rep.Applies, len(rep.Reasons))
					}
				}
			}
		}
	})
}
