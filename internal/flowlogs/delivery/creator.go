package delivery

import (
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// Creator is the identity that creates a flow log (the caller of
// CreateFlowLogs) with its identity-based policies.
type Creator struct {
	// ARN is the caller as sts:GetCallerIdentity reports it: an IAM user
	// (arn:aws:iam::ACCOUNT:user/NAME) or a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION).
	ARN string
	// Policies are its identity-based policies: inline and attached, and for
	// a user those of its groups.
	Policies []NamedPolicy
	// Boundary is its permissions boundary; nil for none.
	Boundary *NamedPolicy
}

// creatorActions are the calls AWS makes with the creator's credentials to
// add the delivery statements to a bucket policy.
var creatorActions = []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy"}

// NeedsCreator reports whether the check of an S3 destination depends on
// the creator's permissions: the bucket has no policy, or one with no
// statement for the log delivery service, which AWS then adds itself.
func NeedsCreator(in Input) bool {
	if in.DestinationType != DestinationS3 {
		return false
	}
	if in.BucketPolicy == nil {
		return true
	}
	p, err := policy.Parse(in.BucketPolicy.Document, policy.Options{Kind: policy.KindResource})
	return err == nil && !namesService(p, ServiceLogDelivery)
}

// CreatorMayPutBucketPolicy decides whether the creator, in the bucket's own
// account, may s3:GetBucketPolicy and s3:PutBucketPolicy on the bucket of an
// S3 destination, under its identity policies, its boundary and the bucket
// policy (nil for none). Conditions the check cannot know (source IP, MFA,
// tags) are assumed to allow and not to deny, so "false" means no request
// of that identity can succeed. It returns nil when a document cannot be
// evaluated, and in every case a sentence saying why, for messages.
func CreatorMayPutBucketPolicy(c Creator, destinationARN string, bucketPolicy *NamedPolicy) (*bool, string) {
	b, why := parseBucketARN(destinationARN)
	if why != "" {
		return nil, "the destination " + quote(destinationARN) + " " + why
	}
	var docs []*policy.Policy
	parse := func(np *NamedPolicy, kind policy.Kind) (*policy.Policy, bool) {
		p, err := policy.Parse(np.Document, policy.Options{Name: np.Name, Kind: kind})
		if err != nil {
			return nil, false
		}
		docs = append(docs, p)
		return p, true
	}
	set := policy.Set{}
	for i := range c.Policies {
		p, ok := parse(&c.Policies[i], policy.KindIdentity)
		if !ok {
			return nil, c.Policies[i].Name + " of " + c.ARN + " cannot be evaluated"
		}
		set.Identity = append(set.Identity, p)
	}
	if c.Boundary != nil {
		p, ok := parse(c.Boundary, policy.KindIdentity)
		if !ok {
			return nil, c.Boundary.Name + " of " + c.ARN + " cannot be evaluated"
		}
		set.Boundary = p
	}
	if bucketPolicy != nil {
		p, ok := parse(bucketPolicy, policy.KindResource)
		if !ok {
			return nil, "the bucket policy of " + b.Bucket + " cannot be evaluated"
		}
		set.Resource = p
	}
	unknown := conditionKeys(docs)
	caller, _ := splitARN(c.ARN)
	principal := policy.Principal{Type: policy.PrincipalAWS, ID: c.ARN, Account: caller.Account}
	for _, action := range creatorActions {
		res := policy.Evaluate(set, policy.Request{Principal: principal, Action: action, Resource: b.ARN(), Unknown: unknown})
		if !res.Allowed() {
			no := false
			return &no, c.ARN + " may not " + action + " on " + b.ARN() + " (" + res.Explain() + ")"
		}
	}
	yes := true
	return &yes, c.ARN + " may s3:GetBucketPolicy and s3:PutBucketPolicy on " + b.ARN()
}

// conditionKeys lists every condition key the documents use.
func conditionKeys(docs []*policy.Policy) []string {
	seen := map[string]bool{}
	var keys []string
	for _, p := range docs {
		for i := range p.Statements {
			for _, c := range p.Statements[i].Conditions {
				k := strings.ToLower(c.Key)
				if !seen[k] {
					seen[k] = true
					keys = append(keys, c.Key)
				}
			}
		}
	}
	return keys
}
