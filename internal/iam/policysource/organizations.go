package policysource

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// OrganizationsAPI is the part of AWS Organizations the reader uses.
type OrganizationsAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	ListPoliciesForTarget(context.Context, *organizations.ListPoliciesForTargetInput, ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

// OrgPolicy is a service or resource control policy.
type OrgPolicy struct {
	ID, Name, Document string
}

// OrgLevel is the root, an OU or the account, with the policies of one type attached to it directly.
type OrgLevel struct {
	Target   string
	Policies []OrgPolicy
}

// Organization is what a delivery check needs of an account's organisation.
type Organization struct {
	// InOrganization is false when the account belongs to no organisation; then nothing else is set.
	InOrganization    bool
	ManagementAccount string
	// Path holds the account's ancestors and the account, root first.
	Path []string
}

// Organization reads the organisation of the credentials' account and the
// path from its root down to account (organizations:DescribeOrganization and
// ListParents). An account in no organisation gives InOrganization false and
// no error.
func (r *Reader) Organization(ctx context.Context, account string) (*Organization, error) {
	return memo(r, "org:"+account, func() (*Organization, error) {
		if r.Organizations == nil {
			return nil, errors.New("no AWS Organizations client")
		}
		out, err := r.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			if hasCode(err, "AWSOrganizationsNotInUseException") {
				return &Organization{}, nil
			}
			return nil, fmt.Errorf("reading the organisation (organizations:DescribeOrganization): %w", err)
		}
		org := &Organization{InOrganization: true}
		if out.Organization != nil {
			org.ManagementAccount = aws.ToString(out.Organization.MasterAccountId)
		}
		path := []string{account}
		child := account
		for range 10 { // the root, at most five levels of OUs, the account: bounded even if a reply loops
			p, err := r.Organizations.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
			if err != nil {
				return nil, fmt.Errorf("reading the parents of %s (organizations:ListParents): %w", child, err)
			}
			if len(p.Parents) == 0 {
				break
			}
			parent := p.Parents[0]
			path = append([]string{aws.ToString(parent.Id)}, path...)
			if parent.Type == orgtypes.ParentTypeRoot {
				break
			}
			child = aws.ToString(parent.Id)
		}
		org.Path = path
		return org, nil
	})
}

// OrgPolicies reads the policies of one type ("SERVICE_CONTROL_POLICY" or
// "RESOURCE_CONTROL_POLICY") attached to each target of path, in order
// (organizations:ListPoliciesForTarget and DescribePolicy; each policy is
// described once per Reader).
func (r *Reader) OrgPolicies(ctx context.Context, path []string, policyType string) ([]OrgLevel, error) {
	levels := make([]OrgLevel, 0, len(path))
	for _, target := range path {
		l, err := memo(r, "orgpolicies:"+policyType+":"+target, func() (OrgLevel, error) {
			l := OrgLevel{Target: target}
			pager := organizations.NewListPoliciesForTargetPaginator(r.Organizations, &organizations.ListPoliciesForTargetInput{
				TargetId: aws.String(target), Filter: orgtypes.PolicyType(policyType),
			})
			for pager.HasMorePages() {
				page, err := pager.NextPage(ctx)
				if err != nil {
					return l, fmt.Errorf("listing the %s attached to %s (organizations:ListPoliciesForTarget): %w", policyType, target, err)
				}
				for _, s := range page.Policies {
					p, err := r.orgPolicy(ctx, aws.ToString(s.Id))
					if err != nil {
						return l, err
					}
					l.Policies = append(l.Policies, p)
				}
			}
			return l, nil
		})
		if err != nil {
			return nil, err
		}
		levels = append(levels, l)
	}
	return levels, nil
}

func (r *Reader) orgPolicy(ctx context.Context, id string) (OrgPolicy, error) {
	return memo(r, "orgpolicy:"+id, func() (OrgPolicy, error) {
		out, err := r.Organizations.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		if err != nil {
			return OrgPolicy{}, fmt.Errorf("reading policy %s (organizations:DescribePolicy): %w", id, err)
		}
		p := OrgPolicy{ID: id}
		if out.Policy != nil {
			p.Document = aws.ToString(out.Policy.Content)
			if out.Policy.PolicySummary != nil {
				p.Name = aws.ToString(out.Policy.PolicySummary.Name)
			}
		}
		return p, nil
	})
}

// IsAccessDenied reports whether err is AWS refusing the caller the call.
func IsAccessDenied(err error) bool {
	return hasCode(err, "AccessDeniedException") || hasCode(err, "AccessDenied")
}
