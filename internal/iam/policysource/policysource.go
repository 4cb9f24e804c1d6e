// Package policysource reads from AWS the documents a delivery check needs:
// a role's trust policy, its inline and attached policies and boundary, a
// bucket policy and encryption, a log group's key, a key policy. Each is read
// at most once per Reader, so a plan with many flow logs sharing a role reads
// that role once.
package policysource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// IAMAPI is the part of IAM the reader uses.
type IAMAPI interface {
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListRolePolicies(context.Context, *iam.ListRolePoliciesInput, ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	ListAttachedRolePolicies(context.Context, *iam.ListAttachedRolePoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	GetPolicy(context.Context, *iam.GetPolicyInput, ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(context.Context, *iam.GetPolicyVersionInput, ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)

	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	GetUserPolicy(context.Context, *iam.GetUserPolicyInput, ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	ListGroupPolicies(context.Context, *iam.ListGroupPoliciesInput, ...func(*iam.Options)) (*iam.ListGroupPoliciesOutput, error)
	GetGroupPolicy(context.Context, *iam.GetGroupPolicyInput, ...func(*iam.Options)) (*iam.GetGroupPolicyOutput, error)
	ListAttachedGroupPolicies(context.Context, *iam.ListAttachedGroupPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedGroupPoliciesOutput, error)
}

// S3API is the part of S3 the reader uses.
type S3API interface {
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// KMSAPI is the part of KMS the reader uses.
type KMSAPI interface {
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// LogsAPI is the part of CloudWatch Logs the reader uses.
type LogsAPI interface {
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// Policy is a policy document and the name messages use for it.
type Policy struct {
	Name     string
	Document string
}

// Role is what a delivery check needs of an IAM role.
type Role struct {
	ARN         string
	Trust       Policy
	Permissions []Policy // inline policies, then attached managed policies
	Boundary    *Policy
}

// Bucket is what a delivery check needs of an S3 bucket.
type Bucket struct {
	Name      string
	Policy    *Policy // nil when the bucket has no policy
	KMSKeyARN string  // "" unless default encryption is SSE-KMS
}

// LogGroup is what a delivery check needs of a log group.
type LogGroup struct {
	Name      string
	Exists    bool
	KMSKeyARN string
}

// NotFoundError says a role, bucket, log group or key does not exist.
type NotFoundError struct {
	Kind, ID string
	Err      error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.ID) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says the thing read does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// Reader reads and remembers documents; safe for concurrent use.
type Reader struct {
	IAM  IAMAPI
	S3   S3API
	KMS  KMSAPI
	Logs LogsAPI
	// Organizations reads SCPs and RCPs; nil = not read.
	Organizations OrganizationsAPI

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	once  sync.Once
	value any
	err   error
}

// memo runs load once per key; concurrent callers of the same key wait for it.
func memo[T any](r *Reader, key string, load func() (T, error)) (T, error) {
	r.mu.Lock()
	if r.entries == nil {
		r.entries = map[string]*entry{}
	}
	e, ok := r.entries[key]
	if !ok {
		e = &entry{}
		r.entries[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() { e.value, e.err = load() })
	v, _ := e.value.(T)
	return v, e.err
}

// Forget drops everything remembered, e.g. after a role was changed.
func (r *Reader) Forget() {
	r.mu.Lock()
	r.entries = nil
	r.mu.Unlock()
}

// Role reads a role's trust policy, inline and attached policies and boundary.
func (r *Reader) Role(ctx context.Context, roleARN string) (*Role, error) {
	return memo(r, "role:"+roleARN, func() (*Role, error) { return r.readRole(ctx, roleARN) })
}

func (r *Reader) readRole(ctx context.Context, roleARN string) (*Role, error) {
	name, err := RoleName(roleARN)
	if err != nil {
		return nil, err
	}
	out, err := r.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		if hasCode(err, "NoSuchEntity") {
			return nil, &NotFoundError{Kind: "IAM role", ID: roleARN, Err: err}
		}
		return nil, fmt.Errorf("reading IAM role (%s): %w", roleARN, err)
	}
	trust, err := decodeDocument(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, fmt.Errorf("reading trust policy of IAM role (%s): %w", roleARN, err)
	}
	role := &Role{ARN: aws.ToString(out.Role.Arn), Trust: Policy{Name: "trust policy of " + roleARN, Document: trust}}

	var inlineNames []string
	pager := iam.NewListRolePoliciesPaginator(r.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing inline policies of IAM role (%s): %w", roleARN, err)
		}
		inlineNames = append(inlineNames, page.PolicyNames...)
	}
	inline, err := inlinePolicies(inlineNames, "IAM role ("+roleARN+")", func(policyName string) (*string, error) {
		p, err := r.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
		if err != nil {
			return nil, err
		}
		return p.PolicyDocument, nil
	})
	if err != nil {
		return nil, err
	}
	role.Permissions = append(role.Permissions, inline...)

	var attached []iamtypes.AttachedPolicy
	apager := iam.NewListAttachedRolePoliciesPaginator(r.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for apager.HasMorePages() {
		page, err := apager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing attached policies of IAM role (%s): %w", roleARN, err)
		}
		attached = append(attached, page.AttachedPolicies...)
	}
	for _, a := range attached {
		p, err := r.ManagedPolicy(ctx, aws.ToString(a.PolicyArn))
		if err != nil {
			return nil, err
		}
		role.Permissions = append(role.Permissions, p)
	}

	if b := out.Role.PermissionsBoundary; b != nil && aws.ToString(b.PermissionsBoundaryArn) != "" {
		p, err := r.ManagedPolicy(ctx, aws.ToString(b.PermissionsBoundaryArn))
		if err != nil {
			return nil, err
		}
		p.Name = "permissions boundary " + aws.ToString(b.PermissionsBoundaryArn)
		role.Boundary = &p
	}
	return role, nil
}

// ManagedPolicy reads the default version of a managed policy.
func (r *Reader) ManagedPolicy(ctx context.Context, policyARN string) (Policy, error) {
	return memo(r, "policy:"+policyARN, func() (Policy, error) {
		p, err := r.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
		if err != nil {
			if hasCode(err, "NoSuchEntity") {
				return Policy{}, &NotFoundError{Kind: "IAM policy", ID: policyARN, Err: err}
			}
			return Policy{}, fmt.Errorf("reading IAM policy (%s): %w", policyARN, err)
		}
		v, err := r.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			return Policy{}, fmt.Errorf("reading default version of IAM policy (%s): %w", policyARN, err)
		}
		doc, err := decodeDocument(aws.ToString(v.PolicyVersion.Document))
		if err != nil {
			return Policy{}, fmt.Errorf("reading IAM policy (%s): %w", policyARN, err)
		}
		return Policy{Name: "managed policy " + policyARN, Document: doc}, nil
	})
}

// Bucket reads a bucket's policy and default encryption key.
func (r *Reader) Bucket(ctx context.Context, bucket string) (*Bucket, error) {
	return memo(r, "bucket:"+bucket, func() (*Bucket, error) {
		b := &Bucket{Name: bucket}
		out, err := r.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		switch {
		case err == nil:
			b.Policy = &Policy{Name: "bucket policy of " + bucket, Document: aws.ToString(out.Policy)}
		case hasCode(err, "NoSuchBucketPolicy"):
		case hasCode(err, "NoSuchBucket"):
			return nil, &NotFoundError{Kind: "S3 bucket", ID: bucket, Err: err}
		default:
			return nil, fmt.Errorf("reading policy of S3 bucket (%s): %w", bucket, err)
		}
		enc, err := r.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		switch {
		case err == nil:
			if enc.ServerSideEncryptionConfiguration != nil {
				for _, rule := range enc.ServerSideEncryptionConfiguration.Rules {
					d := rule.ApplyServerSideEncryptionByDefault
					if d != nil && strings.HasPrefix(string(d.SSEAlgorithm), "aws:kms") && aws.ToString(d.KMSMasterKeyID) != "" {
						b.KMSKeyARN = aws.ToString(d.KMSMasterKeyID)
					}
				}
			}
		case hasCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
		default:
			return nil, fmt.Errorf("reading encryption of S3 bucket (%s): %w", bucket, err)
		}
		return b, nil
	})
}

// LogGroup reads whether a log group exists and which key encrypts it.
func (r *Reader) LogGroup(ctx context.Context, name string) (*LogGroup, error) {
	return memo(r, "loggroup:"+name, func() (*LogGroup, error) {
		lg := &LogGroup{Name: name}
		pager := cloudwatchlogs.NewDescribeLogGroupsPaginator(r.Logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("reading CloudWatch Logs log group (%s): %w", name, err)
			}
			for _, g := range page.LogGroups {
				if aws.ToString(g.LogGroupName) == name {
					lg.Exists = true
					lg.KMSKeyARN = aws.ToString(g.KmsKeyId)
					return lg, nil
				}
			}
		}
		return lg, nil
	})
}

// KeyPolicy reads the default policy of a KMS key.
func (r *Reader) KeyPolicy(ctx context.Context, keyARN string) (Policy, error) {
	return memo(r, "key:"+keyARN, func() (Policy, error) {
		out, err := r.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default")})
		if err != nil {
			if hasCode(err, "NotFoundException") {
				return Policy{}, &NotFoundError{Kind: "KMS key", ID: keyARN, Err: err}
			}
			return Policy{}, fmt.Errorf("reading policy of KMS key (%s): %w", keyARN, err)
		}
		return Policy{Name: "key policy of " + keyARN, Document: aws.ToString(out.Policy)}, nil
	})
}

// RoleName returns the name of a role from its ARN (the part after the last
// slash, since a role's path is not part of its name).
func RoleName(roleARN string) (string, error) {
	i := strings.Index(roleARN, ":role/")
	if !strings.HasPrefix(roleARN, "arn:") || i < 0 {
		return "", fmt.Errorf("%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", roleARN)
	}
	rest := roleARN[i+len(":role/"):]
	return rest[strings.LastIndex(rest, "/")+1:], nil
}

// inlinePolicies reads the inline policies of owner by name with get,
// named "inline policy NAME" in messages.
func inlinePolicies(names []string, owner string, get func(name string) (*string, error)) ([]Policy, error) {
	var out []Policy
	for _, n := range names {
		raw, err := get(n)
		var doc string
		if err == nil {
			doc, err = decodeDocument(aws.ToString(raw))
		}
		if err != nil {
			return nil, fmt.Errorf("reading inline policy %s of %s: %w", n, owner, err)
		}
		out = append(out, Policy{Name: "inline policy " + n, Document: doc})
	}
	return out, nil
}

// decodeDocument undoes the URL encoding IAM applies to policy documents.
func decodeDocument(doc string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc, nil
	}
	return url.QueryUnescape(doc)
}

func hasCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}
