package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/policysource"
)

// creatorMayPutBucketPolicy decides whether the identity running Terraform,
// which creates the flow log, may s3:GetBucketPolicy and s3:PutBucketPolicy
// on the destination bucket, as AWS needs to add the delivery statements to
// the bucket policy when the flow log is created. The decision is made only
// for an IAM user or a role session of the bucket's own account whose
// policies can be read; otherwise it is nil, and the note says why.
func (pd *providerData) creatorMayPutBucketPolicy(ctx context.Context, in delivery.Input, existing bool) (*bool, string) {
	if existing {
		return nil, "the flow log exists already, and AWS adds the statements only when a flow log is created"
	}
	caller, err := pd.client.CallerARN(ctx)
	if err != nil {
		return nil, err.Error()
	}
	a, err := arn.Parse(caller)
	if err != nil {
		return nil, fmt.Sprintf("sts:GetCallerIdentity reported %q, which is not an ARN", caller)
	}
	bucket := bucketName(in.DestinationARN)
	if in.FlowLogAccount != "" && in.FlowLogAccount != a.AccountID {
		return nil, fmt.Sprintf("Terraform runs as %s, of account %s, and the flow log is in account %s", caller, a.AccountID, in.FlowLogAccount)
	}
	var who string
	switch {
	case a.Resource == "root":
		return nil, fmt.Sprintf("Terraform runs with the root user of account %s, whose permissions no policy lists (only service control policies limit it)", a.AccountID)
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		who = "user"
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		who = "role"
	default:
		return nil, fmt.Sprintf("Terraform runs as %s, which is neither an IAM user nor an IAM role session, so its policies cannot be read", caller)
	}
	if _, err := pd.docs.BucketOwnedBy(ctx, bucket, a.AccountID); err != nil {
		return nil, fmt.Sprintf("bucket %s may belong to another account than %s, the account of %s: %v", bucket, a.AccountID, caller, err)
	}
	creator := delivery.Creator{ARN: caller}
	var permissions []policysource.Policy
	var boundary *policysource.Policy
	if who == "user" {
		u, err := pd.docs.User(ctx, caller)
		if err != nil {
			return nil, fmt.Sprintf("the policies of %s could not be read (iam:GetUser, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, iam:ListGroupsForUser, iam:GetPolicyVersion): %v", caller, err)
		}
		permissions, boundary = u.Permissions, u.Boundary
	} else {
		roleName := strings.SplitN(strings.TrimPrefix(a.Resource, "assumed-role/"), "/", 2)[0]
		roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, a.AccountID, roleName)
		r, err := pd.docs.Role(ctx, roleARN)
		if err != nil {
			return nil, fmt.Sprintf("the policies of role %s, which Terraform runs as, could not be read (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicyVersion): %v", roleARN, err)
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
