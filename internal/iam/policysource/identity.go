package policysource

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// User is what a check needs of an IAM user: its identity-based policies
// (inline, attached, and those of its groups) and its boundary.
type User struct {
	ARN         string
	Permissions []Policy
	Boundary    *Policy
}

// User reads an IAM user's policies, its groups' policies and its boundary.
func (r *Reader) User(ctx context.Context, userARN string) (*User, error) {
	return memo(r, "user:"+userARN, func() (*User, error) { return r.readUser(ctx, userARN) })
}

func (r *Reader) readUser(ctx context.Context, userARN string) (*User, error) {
	i := strings.Index(userARN, ":user/")
	if !strings.HasPrefix(userARN, "arn:") || i < 0 {
		return nil, fmt.Errorf("%q is not an IAM user ARN (arn:aws:iam::ACCOUNT:user/NAME)", userARN)
	}
	rest := userARN[i+len(":user/"):]
	name := rest[strings.LastIndex(rest, "/")+1:]
	out, err := r.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		if hasCode(err, "NoSuchEntity") {
			return nil, &NotFoundError{Kind: "IAM user", ID: userARN, Err: err}
		}
		return nil, fmt.Errorf("reading IAM user (%s): %w", userARN, err)
	}
	u := &User{ARN: userARN}

	var inline []string
	pager := iam.NewListUserPoliciesPaginator(r.IAM, &iam.ListUserPoliciesInput{UserName: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing inline policies of IAM user (%s): %w", userARN, err)
		}
		inline = append(inline, page.PolicyNames...)
	}
	ps, err := inlinePolicies(inline, "IAM user ("+userARN+")", func(policyName string) (*string, error) {
		p, err := r.IAM.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(policyName)})
		if err != nil {
			return nil, err
		}
		return p.PolicyDocument, nil
	})
	if err != nil {
		return nil, err
	}
	u.Permissions = append(u.Permissions, ps...)
	var attached []string
	apager := iam.NewListAttachedUserPoliciesPaginator(r.IAM, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for apager.HasMorePages() {
		page, err := apager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing attached policies of IAM user (%s): %w", userARN, err)
		}
		for _, a := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(a.PolicyArn))
		}
	}

	gpager := iam.NewListGroupsForUserPaginator(r.IAM, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	for gpager.HasMorePages() {
		page, err := gpager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing groups of IAM user (%s): %w", userARN, err)
		}
		for _, g := range page.Groups {
			group := aws.ToString(g.GroupName)
			ps, arns, err := r.groupPolicies(ctx, group)
			if err != nil {
				return nil, err
			}
			u.Permissions = append(u.Permissions, ps...)
			attached = append(attached, arns...)
		}
	}
	for _, policyARN := range attached {
		p, err := r.ManagedPolicy(ctx, policyARN)
		if err != nil {
			return nil, err
		}
		u.Permissions = append(u.Permissions, p)
	}

	if b := out.User.PermissionsBoundary; b != nil && aws.ToString(b.PermissionsBoundaryArn) != "" {
		p, err := r.ManagedPolicy(ctx, aws.ToString(b.PermissionsBoundaryArn))
		if err != nil {
			return nil, err
		}
		p.Name = "permissions boundary " + aws.ToString(b.PermissionsBoundaryArn)
		u.Boundary = &p
	}
	return u, nil
}

// groupPolicies reads a group's inline policies and lists its attached ones.
func (r *Reader) groupPolicies(ctx context.Context, group string) ([]Policy, []string, error) {
	var names []string
	pager := iam.NewListGroupPoliciesPaginator(r.IAM, &iam.ListGroupPoliciesInput{GroupName: aws.String(group)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing inline policies of IAM group (%s): %w", group, err)
		}
		names = append(names, page.PolicyNames...)
	}
	out, err := inlinePolicies(names, "IAM group ("+group+")", func(policyName string) (*string, error) {
		p, err := r.IAM.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(group), PolicyName: aws.String(policyName)})
		if err != nil {
			return nil, err
		}
		return p.PolicyDocument, nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		out[i].Name += " of group " + group
	}
	var attached []string
	apager := iam.NewListAttachedGroupPoliciesPaginator(r.IAM, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})
	for apager.HasMorePages() {
		page, err := apager.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing attached policies of IAM group (%s): %w", group, err)
		}
		for _, a := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(a.PolicyArn))
		}
	}
	return out, attached, nil
}

// BucketOwnedBy reports whether account owns the bucket. S3 answers
// HeadBucket with ExpectedBucketOwner with 403 when another account owns
// it, which is also its answer when the caller may not s3:ListBucket, so a
// 403 is reported as an error, not as "no".
func (r *Reader) BucketOwnedBy(ctx context.Context, bucket, account string) (bool, error) {
	return memo(r, "owner:"+bucket+":"+account, func() (bool, error) {
		_, err := r.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
		if err != nil {
			if hasCode(err, "NotFound") || hasCode(err, "NoSuchBucket") {
				return false, &NotFoundError{Kind: "S3 bucket", ID: bucket, Err: err}
			}
			return false, fmt.Errorf("checking that account %s owns S3 bucket (%s) (s3:ListBucket): %w", account, bucket, err)
		}
		return true, nil
	})
}
