package policy

import (
	"strconv"
	"strings"
)

// Principal is who makes a request.
type Principal struct {
	Type    string // PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser; "" for anonymous
	ID      string // ARN for AWS principals (role, user, assumed-role session, account root), service name, provider...
	Account string // the principal's account; "" for service and anonymous principals
}

// Request is what an evaluation decides about.
type Request struct {
	Principal Principal
	Action    string // "service:Action"; matched case-insensitively
	Resource  string // ARN; matched case-sensitively. "" means the resource a resource-based policy is attached to.
	// Context holds the request's condition keys. Key names are case-insensitive.
	Context map[string][]string
	// Unknown lists condition keys whose values are not known yet (for example
	// before a resource exists). Conditions on them are assumed to hold in Allow
	// statements and not to hold in Deny statements, so evaluation answers "could
	// this work"; such matches are marked Assumed.
	Unknown []string

	boundary bool // the principal has a permissions boundary; set by Evaluate
}

// lookup returns the context values of key, matching names case-insensitively.
// A few global keys derived from the principal are answered when absent.
func (r *Request) lookup(key string) ([]string, bool) {
	if v, ok := r.Context[key]; ok {
		return v, true
	}
	for k, v := range r.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	switch {
	case strings.EqualFold(key, "aws:PrincipalAccount") && r.Principal.Account != "":
		return []string{r.Principal.Account}, true
	case strings.EqualFold(key, "aws:PrincipalArn") && r.Principal.Type == PrincipalAWS && r.Principal.ID != "":
		return []string{principalARN(r.Principal.ID)}, true
	case strings.EqualFold(key, "aws:PrincipalServiceName") && r.Principal.Type == PrincipalService:
		return []string{r.Principal.ID}, true
	case strings.EqualFold(key, "aws:PrincipalIsAWSService") && r.Principal.Type != "":
		// Present in every signed request: "true" only for AWS service principals
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).
		return []string{strconv.FormatBool(r.Principal.Type == PrincipalService)}, true
	}
	return nil, false
}

func (r *Request) isUnknown(key string) bool {
	for _, k := range r.Unknown {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// principalARN turns an assumed-role session ARN into the role ARN that aws:PrincipalArn reports.
func principalARN(id string) string {
	if role, ok := sessionRoleName(id); ok {
		part, acct := arnPartition(id), arnAccount(id)
		return "arn:" + part + ":iam::" + acct + ":role/" + role
	}
	return id
}

// sessionRoleName returns the role name of "arn:aws:sts::A:assumed-role/NAME/SESSION".
func sessionRoleName(id string) (string, bool) {
	if !strings.HasPrefix(id, "arn:") {
		return "", false
	}
	res := arnField(id, 5)
	rest, ok := strings.CutPrefix(res, "assumed-role/")
	if !ok || arnField(id, 2) != "sts" {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, name != ""
}

// arnField returns the i-th colon-separated field of an ARN (the sixth field keeps its colons).
func arnField(arn string, i int) string {
	for range i {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			return ""
		}
		arn = arn[j+1:]
	}
	if i < 5 {
		if j := strings.IndexByte(arn, ':'); j >= 0 {
			return arn[:j]
		}
	}
	return arn
}

func arnPartition(arn string) string { return arnField(arn, 1) }
func arnAccount(arn string) string   { return arnField(arn, 4) }
