package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// Roles the provider creates for the pipeline (the enricher's execution
// role, a source account's read-only role) have one inline policy the
// provider renders, as vpcflow_delivery_role has. These helpers create, read
// and update such a role; deleteDeliveryRole deletes any role.

// serviceRole is a role with one inline policy, as the provider writes it.
type serviceRole struct {
	Name               string
	Path               string
	Description        string
	Trust              string
	PolicyName         string
	Policy             string
	Boundary           string // "" for none
	MaxSessionDuration int32  // 0 for IAM's default
	Tags               map[string]string
}

// createServiceRole creates the role, waits until IAM returns it and puts
// its inline policy; both waits retry only "not found", for a bounded time.
func createServiceRole(ctx context.Context, api deliveryRoleAPI, retry propagationRetry, r serviceRole) (*iamtypes.Role, error) {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(r.Name),
		Path:                     aws.String(r.Path),
		AssumeRolePolicyDocument: aws.String(r.Trust),
		Tags:                     iamTags(r.Tags),
	}
	if r.Description != "" {
		in.Description = aws.String(r.Description)
	}
	if r.Boundary != "" {
		in.PermissionsBoundary = aws.String(r.Boundary)
	}
	if r.MaxSessionDuration > 0 {
		in.MaxSessionDuration = aws.Int32(r.MaxSessionDuration)
	}
	out, err := api.CreateRole(ctx, in)
	if err != nil {
		return nil, err
	}
	err = retry.do(ctx, iamPropagationTimeout, func() error {
		_, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
		return err
	}, isIAMNoSuchEntity)
	if err != nil {
		return out.Role, fmt.Errorf("waiting for the role to be visible: %w", err)
	}
	err = retry.do(ctx, iamPropagationTimeout, func() error {
		_, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(r.PolicyName), PolicyDocument: aws.String(r.Policy)})
		return err
	}, isIAMNoSuchEntity)
	if err != nil {
		return out.Role, fmt.Errorf("putting inline policy %s: %w", r.PolicyName, err)
	}
	return out.Role, nil
}

// serviceRoleRead is a role as IAM returns it; Policy is "" when the
// inline policy is missing.
type serviceRoleRead struct {
	Role   iamtypes.Role
	Trust  string
	Policy string
	Tags   map[string]string
}

// findServiceRole reads the role, its inline policy and its tags; a role
// that does not exist is a *notFoundError.
func findServiceRole(ctx context.Context, api deliveryRoleAPI, name, policyName string) (*serviceRoleRead, error) {
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, asNotFound(err, "IAM role", name)
	}
	r := &serviceRoleRead{Role: *out.Role}
	if r.Trust, err = decodePolicyDocument(aws.ToString(out.Role.AssumeRolePolicyDocument)); err != nil {
		return nil, fmt.Errorf("reading the trust policy: %w", err)
	}
	p, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
	switch {
	case isAWSNotFound(err):
		// Deleted out of band: an empty policy plans the rendered one back.
	case err != nil:
		return nil, fmt.Errorf("reading inline policy %s: %w", policyName, err)
	default:
		if r.Policy, err = decodePolicyDocument(aws.ToString(p.PolicyDocument)); err != nil {
			return nil, fmt.Errorf("reading inline policy %s: %w", policyName, err)
		}
	}
	if r.Tags, err = listRoleTags(ctx, api, name); err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	return r, nil
}

func (r *serviceRoleRead) boundary() string {
	if b := r.Role.PermissionsBoundary; b != nil {
		return aws.ToString(b.PermissionsBoundaryArn)
	}
	return ""
}

// updateServiceRole makes the role what want says, changing only what
// differs from have.
func updateServiceRole(ctx context.Context, api deliveryRoleAPI, have, want serviceRole) error {
	name := want.Name
	if have.Description != want.Description || have.MaxSessionDuration != want.MaxSessionDuration {
		in := &iam.UpdateRoleInput{RoleName: aws.String(name), Description: aws.String(want.Description)}
		if want.MaxSessionDuration > 0 {
			in.MaxSessionDuration = aws.Int32(want.MaxSessionDuration)
		}
		if _, err := api.UpdateRole(ctx, in); err != nil {
			return fmt.Errorf("updating: %w", err)
		}
	}
	if have.Trust != want.Trust {
		if _, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(want.Trust)}); err != nil {
			return fmt.Errorf("updating the trust policy: %w", err)
		}
	}
	if have.Policy != want.Policy {
		if _, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(want.PolicyName), PolicyDocument: aws.String(want.Policy)}); err != nil {
			return fmt.Errorf("putting inline policy %s: %w", want.PolicyName, err)
		}
	}
	if have.Boundary != want.Boundary {
		var err error
		if want.Boundary == "" {
			_, err = api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)})
		} else {
			_, err = api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: aws.String(want.Boundary)})
		}
		if err != nil {
			return fmt.Errorf("updating the permissions boundary: %w", err)
		}
	}
	return roleTagger(api, name).apply(ctx, have.Tags, want.Tags)
}

// roleTaggingAPI is the part of IAM that tags a role.
type roleTaggingAPI interface {
	TagRole(context.Context, *iam.TagRoleInput, ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(context.Context, *iam.UntagRoleInput, ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
}

// roleTagger tags the IAM role of this name.
func roleTagger(api roleTaggingAPI, name string) tagger {
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			return errOf(api.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: keys}))
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: iamTags(tags)}))
		},
	}
}

// reportRoleFindings turns checker findings into diagnostics on the
// attribute the role came from: errors fail the plan unless the provider's
// validation is "warn"; warnings stay warnings. It reports whether an
// error was added.
func reportRoleFindings(diags *diag.Diagnostics, mode string, p path.Path, summary string, findings []delivery.Finding) (blocking bool) {
	for _, f := range findings {
		if f.Severity != delivery.SeverityError || mode == conns.ValidationWarn {
			diags.AddAttributeWarning(p, summary+": "+f.Code, findingText(f))
			continue
		}
		diags.AddAttributeError(p, summary+": "+f.Code, findingText(f))
		blocking = true
	}
	return blocking
}

// permissionsBoundary reads the managed policy a role resource's
// permissions_boundary names, for the plan's checks of that role (role
// says which: "role", "execution role"). A policy that does not exist is
// an error, since IAM refuses to set it; one that cannot be read is a
// warning, and the role goes unchecked. ok is false in both cases.
func (pd *providerData) permissionsBoundary(ctx context.Context, arn, role string, diags *diag.Diagnostics) (boundary *delivery.NamedPolicy, ok bool) {
	boundaryPath := path.Root("permissions_boundary")
	p, err := pd.docs.ManagedPolicy(ctx, arn)
	if isNotFound(err) {
		diags.AddAttributeError(boundaryPath, "Permissions boundary not found",
			fmt.Sprintf("Managed policy %s does not exist, so IAM cannot set it as the %s's permissions boundary. Create the policy first or correct permissions_boundary.", arn, role))
		return nil, false
	}
	if err != nil {
		diags.AddAttributeWarning(boundaryPath, "Permissions boundary not checked", err.Error())
		return nil, false
	}
	return &delivery.NamedPolicy{Name: arn, Document: p.Document}, true
}

// checkExistingRole reads a role someone else manages and checks that the
// service can assume it (unless role.Service is empty: permissions only)
// and do what it needs. A role that does not exist
// yet is not a finding: found is false, and the caller checks again when
// it has to.
func checkExistingRole(ctx context.Context, docs *policysource.Reader, role delivery.ServiceRole) (findings []delivery.Finding, found bool, err error) {
	r, err := docs.Role(ctx, role.RoleARN)
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if role.Service != "" {
		role.Trust = &delivery.NamedPolicy{Name: r.Trust.Name, Document: r.Trust.Document}
	}
	role.Permissions = []delivery.NamedPolicy{}
	for _, p := range r.Permissions {
		role.Permissions = append(role.Permissions, delivery.NamedPolicy{Name: p.Name, Document: p.Document})
	}
	if r.Boundary != nil {
		role.Boundary = &delivery.NamedPolicy{Name: r.Boundary.Name, Document: r.Boundary.Document}
	}
	findings = delivery.CheckServiceRole(role)
	sortFindings(findings)
	return findings, true, nil
}
