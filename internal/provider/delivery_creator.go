package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
)

// creatorMayPutBucketPolicy decides whether the identity running Terraform,
// which creates the flow log, may s3:GetBucketPolicy and s3:PutBucketPolicy
// on the destination bucket, as AWS needs to add the delivery statements to
// the bucket policy when the flow log is created. The decision is made only
// for an IAM user or a role session of the bucket's own account whose
// policies can be read; otherwise it is nil, and the note says why. Session
// policies and service control policies are not read, so an allow may still
// be denied by them: only "may not" is certain, and only it fails the plan.
func (pd *providerData) creatorMayPutBucketPolicy(ctx context.Context, in delivery.Input, existing bool) (*bool, string) {
	if existing {
		return nil, "the flow log exists already, and AWS adds the statements only when a flow log is created"
	}
	caller, err := pd.client.CallerARN(ctx)
	if err != nil {
		return nil, err.Error()
	}
	who, why := creatorOf(caller, in.FlowLogAccount)
	if why != "" {
		return nil, why
	}
	bucket := bucketName(in.DestinationARN)
	if _, err := pd.docs.BucketOwnedBy(ctx, bucket, who.account); err != nil {
		return nil, fmt.Sprintf("bucket %s may belong to another account than %s, the account of %s: %v", bucket, who.account, caller, err)
	}
	creator := delivery.Creator{ARN: caller}
	var permissions []policysource.Policy
	var boundary *policysource.Policy
	if who.userARN != "" {
		u, err := pd.docs.User(ctx, who.userARN)
		if err != nil {
			return nil, fmt.Sprintf("the policies of %s could not be read (iam:GetUser, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, iam:ListGroupsForUser, iam:GetPolicyVersion): %v", caller, err)
		}
		permissions, boundary = u.Permissions, u.Boundary
	} else {
		r, err := pd.docs.Role(ctx, who.roleARN)
		if err != nil {
			return nil, fmt.Sprintf("the policies of role %s, which Terraform runs as, could not be read (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicyVersion): %v", who.roleARN, err)
		}
		permissions, boundary = r.Permissions, r.Boundary
	}
	creator.Policies = []delivery.NamedPolicy{}
	for _, p := range permissions {
		creator.Policies = append(creator.Policies, delivery.NamedPolicy{Name: p.Name, Document: p.Document})
	}
	if boundary != nil {
		creator.Boundary = &delivery.NamedPolicy{Name: boundary.Name, Document: boundary.Document}
	}
	return delivery.CreatorMayPutBucketPolicy(creator, in.DestinationARN, in.BucketPolicy)
}

// creatorIdentity is the IAM identity behind a caller ARN: a user, or the role of
// a role session.
type creatorIdentity struct {
	account          string
	userARN, roleARN string // one of them is set
}

// creatorOf finds the IAM user or role whose policies govern the caller, or
// says why there is none to read: root credentials, a federated user,
// another account than the flow log's.
func creatorOf(caller, flowLogAccount string) (c creatorIdentity, why string) {
	a, err := arn.Parse(caller)
	if err != nil {
		return creatorIdentity{}, fmt.Sprintf("sts:GetCallerIdentity reported %q, which is not an ARN", caller)
	}
	if flowLogAccount != "" && flowLogAccount != a.AccountID {
		return creatorIdentity{}, fmt.Sprintf("Terraform runs as %s, of account %s, and the flow log is in account %s", caller, a.AccountID, flowLogAccount)
	}
	c.account = a.AccountID
	switch {
	case a.Resource == "root":
		return creatorIdentity{}, fmt.Sprintf("Terraform runs with the root user of account %s, whose permissions no policy lists (only service control policies limit it)", a.AccountID)
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		c.userARN = caller
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		// arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION; the role's path is
		// not in the session ARN, and GetRole needs only the name.
		name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		c.roleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, a.AccountID, name)
	default:
		return creatorIdentity{}, fmt.Sprintf("Terraform runs as %s, which is neither an IAM user nor an IAM role session, so its policies cannot be read", caller)
	}
	return c, ""
}
