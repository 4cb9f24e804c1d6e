package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// deliverySpec is what a configuration says about a flow log's delivery.
// A nil document (or PermissionPolicies == nil) is read from AWS; a given
// one, even empty, is used as is.
type deliverySpec struct {
	DestinationType     string
	DestinationARN      string
	Account             string
	Region              string
	RoleARN             string
	CrossAccountRole    string // deliver_cross_account_role of a Firehose flow log, in the stream's account
	TrustPolicy         *string
	PermissionPolicies  []string
	PermissionsBoundary *string
	BucketPolicy        *string
	KMSKeyARN           *string
	KMSKeyPolicy        *string
	Hive                bool
	// Existing says the flow log exists already, so AWS adds no bucket
	// policy statements for it and its creator's permissions do not matter.
	Existing bool
	// SCPs and RCPs are the organisation policies, one list of documents per
	// level from the root down to the account; nil = read from AWS Organizations.
	SCPs, RCPs *[][]string
}

// deliveryInput completes a spec from AWS into the checker's input. Lookups
// that find nothing (a role or bucket that does not exist) become findings.
func (pd *providerData) deliveryInput(ctx context.Context, spec deliverySpec) (delivery.Input, []delivery.Finding, error) {
	in := delivery.Input{
		DestinationType:          spec.DestinationType,
		DestinationARN:           spec.DestinationARN,
		FlowLogAccount:           spec.Account,
		FlowLogRegion:            spec.Region,
		RoleARN:                  spec.RoleARN,
		CrossAccountRoleARN:      spec.CrossAccountRole,
		HiveCompatiblePartitions: spec.Hive,
	}
	var findings []delivery.Finding
	// readAWS records whether any document came from AWS: a check given
	// every document inline makes no AWS call, organisation policies included.
	readAWS := false

	if in.FlowLogAccount == "" {
		in.FlowLogAccount = arnAccount(spec.RoleARN)
	}
	if in.FlowLogAccount == "" && spec.DestinationType != delivery.DestinationS3 {
		in.FlowLogAccount = arnAccount(spec.DestinationARN)
	}
	if in.FlowLogAccount == "" {
		if pd == nil {
			return in, nil, fmt.Errorf("flow_log_account is needed to check an S3 destination when the provider is not configured")
		}
		readAWS = true
		account, err := pd.client.AccountID(ctx)
		if err != nil {
			return in, nil, err
		}
		in.FlowLogAccount = account
	}
	if in.FlowLogRegion == "" && pd != nil {
		in.FlowLogRegion = pd.client.Region()
	}
	if in.FlowLogRegion == "" {
		in.FlowLogRegion = arnRegion(spec.DestinationARN)
	}

	if in.RoleARN == "" && spec.DestinationType == delivery.DestinationCloudWatchLogs && (spec.TrustPolicy != nil || spec.PermissionPolicies != nil) {
		// Documents of a role that does not exist yet are checked as a role of the flow log's account.
		in.RoleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", conns.PartitionOf(in.FlowLogRegion), in.FlowLogAccount, draftRoleName)
	}
	if spec.TrustPolicy != nil {
		in.TrustPolicy = &delivery.NamedPolicy{Name: "trust_policy", Document: *spec.TrustPolicy}
	}
	if spec.PermissionPolicies != nil {
		in.PermissionPolicies = []delivery.NamedPolicy{}
		for i, doc := range spec.PermissionPolicies {
			in.PermissionPolicies = append(in.PermissionPolicies, delivery.NamedPolicy{Name: fmt.Sprintf("permission_policies[%d]", i), Document: doc})
		}
	}
	if spec.PermissionsBoundary != nil && *spec.PermissionsBoundary != "" {
		in.PermissionsBoundary = &delivery.NamedPolicy{Name: "permissions_boundary", Document: *spec.PermissionsBoundary}
	}
	needRole := spec.TrustPolicy == nil || spec.PermissionPolicies == nil || spec.PermissionsBoundary == nil
	if spec.RoleARN != "" && needRole {
		readAWS = true
		role, err := pd.docs.Role(ctx, spec.RoleARN)
		switch {
		case isNotFound(err):
			findings = append(findings, delivery.Finding{
				Code: "ROLE_NOT_FOUND", Severity: delivery.SeverityError, Attribute: "role_arn",
				Message: fmt.Sprintf("IAM role %s does not exist in account %s; VPC Flow Logs accepts the ARN and then fails every delivery with \"Access error\".", spec.RoleARN, arnAccount(spec.RoleARN)),
				Fix:     roleNotFoundFix(spec.DestinationType),
			})
		case err != nil:
			return in, nil, err
		default:
			if spec.TrustPolicy == nil {
				in.TrustPolicy = &delivery.NamedPolicy{Name: role.Trust.Name, Document: role.Trust.Document}
			}
			if spec.PermissionPolicies == nil {
				in.PermissionPolicies = []delivery.NamedPolicy{}
				for _, p := range role.Permissions {
					in.PermissionPolicies = append(in.PermissionPolicies, delivery.NamedPolicy{Name: p.Name, Document: p.Document})
				}
			}
			if spec.PermissionsBoundary == nil && role.Boundary != nil {
				in.PermissionsBoundary = &delivery.NamedPolicy{Name: role.Boundary.Name, Document: role.Boundary.Document}
			}
		}
	}

	if spec.KMSKeyARN != nil {
		in.KMSKeyARN = *spec.KMSKeyARN
	}
	lookUpDestination := spec.KMSKeyARN == nil && spec.KMSKeyPolicy == nil
	switch spec.DestinationType {
	case delivery.DestinationS3:
		if spec.BucketPolicy != nil {
			if *spec.BucketPolicy != "" {
				in.BucketPolicy = &delivery.NamedPolicy{Name: "bucket_policy", Document: *spec.BucketPolicy}
			}
		} else {
			lookUpDestination = true
		}
		if lookUpDestination {
			bucket := bucketName(spec.DestinationARN)
			readAWS = true
			b, err := pd.docs.Bucket(ctx, bucket)
			switch {
			case isNotFound(err):
				findings = append(findings, delivery.Finding{
					Code: "DESTINATION_NOT_FOUND", Severity: delivery.SeverityError, Attribute: "destination_arn",
					Message: fmt.Sprintf("S3 bucket %s does not exist; VPC Flow Logs cannot deliver to it.", bucket),
					Fix:     "Create the bucket before the flow log, or correct log_destination.",
				})
			case err != nil:
				return in, nil, err
			default:
				if spec.BucketPolicy == nil && b.Policy != nil {
					in.BucketPolicy = &delivery.NamedPolicy{Name: b.Policy.Name, Document: b.Policy.Document}
				}
				if spec.KMSKeyARN == nil {
					in.KMSKeyARN = b.KMSKeyARN
				}
				if delivery.NeedsCreator(in) {
					in.CreatorMayPutBucketPolicy, in.CreatorNote = pd.creatorMayPutBucketPolicy(ctx, in, spec.Existing)
				}
			}
		}
	case delivery.DestinationCloudWatchLogs:
		if lookUpDestination && pd != nil {
			readAWS = true
			lg, err := pd.docs.LogGroup(ctx, logGroupName(spec.DestinationARN))
			if err != nil {
				return in, nil, err
			}
			in.LogGroupMayNotExist = !lg.Exists
			in.KMSKeyARN = lg.KMSKeyARN
		}
	}

	if spec.KMSKeyPolicy != nil {
		if *spec.KMSKeyPolicy != "" {
			in.KMSKeyPolicy = &delivery.NamedPolicy{Name: "kms_key_policy", Document: *spec.KMSKeyPolicy}
			if in.KMSKeyARN == "" {
				in.KMSKeyARN = "kms_key_arn"
			}
		}
	} else if in.KMSKeyARN != "" {
		readAWS = true
		p, err := pd.docs.KeyPolicy(ctx, in.KMSKeyARN)
		switch {
		case isNotFound(err):
			findings = append(findings, delivery.Finding{
				Code: "DESTINATION_KMS_KEY_NOT_FOUND", Severity: delivery.SeverityError, Attribute: "kms_key_policy",
				Message: fmt.Sprintf("KMS key %s that encrypts the destination does not exist or cannot be read; every delivery will fail.", in.KMSKeyARN),
				Fix:     "Point the destination's encryption at an existing key whose policy allows the log delivery service.",
			})
		case err != nil:
			return in, nil, err
		default:
			in.KMSKeyPolicy = &delivery.NamedPolicy{Name: p.Name, Document: p.Document}
		}
	}
	in.Guardrails = pd.guardrails(ctx, spec, in, readAWS)
	return in, findings, nil
}

// draftRoleName names the role whose documents are given inline without a role ARN.
const draftRoleName = "inline-documents"

func arnAccount(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.AccountID
}

func arnRegion(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Region
}

// bucketName returns the bucket of an S3 destination ARN (arn:aws:s3:::bucket/prefix).
func bucketName(destination string) string {
	a, err := arn.Parse(destination)
	if err != nil {
		return destination
	}
	name, _, _ := strings.Cut(a.Resource, "/")
	return name
}

// logGroupName returns the group of a log group ARN, with or without a trailing ":*".
func logGroupName(destination string) string {
	a, err := arn.Parse(destination)
	if err != nil {
		return destination
	}
	name := strings.TrimPrefix(a.Resource, "log-group:")
	return strings.TrimSuffix(name, ":*")
}

// roleNotFoundFix names the resource that makes the role a destination needs.
func roleNotFoundFix(destinationType string) string {
	if destinationType == delivery.DestinationFirehose {
		return "Create the role in the flow log's account first, trusting delivery.logs.amazonaws.com and allowed to pass itself (iam:PassRole), " +
			"logs:CreateLogDelivery and sts:AssumeRole on deliver_cross_account_role (AWS's cross-account Firehose guide), or correct iam_role_arn."
	}
	return "Create the role first (for example with vpcflow_delivery_role) or correct the ARN."
}
