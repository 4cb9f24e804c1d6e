package delivery

import (
	"regexp"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

const s3Outcome = `flow log creation fails, or (if the policy changes later) the flow log shows DeliverLogsStatus=FAILED ("Access error") and no files arrive`

// s3 checks a flow log that publishes to an S3 bucket.
func (c *checker) s3() {
	in := c.in
	if in.RoleARN != "" {
		c.add(Finding{
			Code: "ROLE_IGNORED", Severity: SeverityWarning, Attribute: AttrRoleARN,
			Message: "role " + in.RoleARN + " is given, but VPC Flow Logs publishes to S3 as the log delivery service (" + ServiceLogDelivery + ") under the bucket policy, without an IAM role; the role is ignored.",
			Fix:     "Remove iam_role_arn (and deliver_cross_account_role) for S3 destinations.",
		})
	}
	b, why := parseBucketARN(in.DestinationARN)
	if why != "" {
		c.add(Finding{
			Code: "DESTINATION_ARN_INVALID", Severity: SeverityError, Attribute: AttrDestinationARN,
			Message: "destination " + quote(in.DestinationARN) + " " + why + "; CreateFlowLogs rejects it.",
			Fix:     `"arn:aws:s3:::BUCKET" or "arn:aws:s3:::BUCKET/PREFIX"`,
		})
		return
	}
	account, region := in.FlowLogAccount, in.FlowLogRegion
	var p *policy.Policy
	if in.BucketPolicy != nil {
		var fs []Finding
		p, fs = parseNamed(in.BucketPolicy, policy.KindResource, "bucket policy of "+b.Bucket, AttrBucketPolicy)
		c.add(fs...)
	}
	needs := s3Needs(b, account, region, in.HiveCompatiblePartitions)
	if account == "" && p != nil {
		// The object key holds the account; without it, take the one the
		// policy's AWSLogs/ folder names, so the key check is not guesswork.
		if named := loggedAccount(p); named != "" {
			needs[0].Resource = b.ARN() + "/" + b.logsRoot(named, in.HiveCompatiblePartitions) + objectKey(named, region, in.HiveCompatiblePartitions)
		}
	}
	fix := func(needs []Need) string {
		return bucketPolicyFix(b, account, region, in.HiveCompatiblePartitions, needs)
	}

	if in.BucketPolicy == nil {
		c.add(noDeliveryStatement("DESTINATION_BUCKET_POLICY_MISSING", "bucket "+b.Bucket+" has no bucket policy", b, needs, in,
			`Attach {"Version": "2012-10-17", "Statement": [`+fix(needs)+`]}`)...)
	} else if p != nil && !namesService(p, ServiceLogDelivery) {
		c.add(noDeliveryStatement("DESTINATION_BUCKET_POLICY_INCOMPLETE", "the bucket policy of "+b.Bucket+" has no statement for the log delivery service ("+ServiceLogDelivery+")",
			b, needs, in, "Add "+fix(needs)+" to the bucket policy")...)
	} else {
		label := "bucket policy of " + b.Bucket
		if p != nil {
			r := checkGrant(grantSpec{
				doc: p, label: label, attr: AttrBucketPolicy, prefix: "DESTINATION_BUCKET_", service: ServiceLogDelivery,
				caller: "the log delivery service", actsAs: "writes to the bucket as", consequence: s3Outcome,
				needs: needs, guards: guards{sourceAccount: account, sourceARN: logsSourceShape(b.Partition, region, account), sourceARNWhat: "an ARN of the form arn:aws:logs:REGION:ACCOUNT:*"},
				guardFix:        s3GuardFix(b.Partition, account, region),
				notGrantedCode:  "DESTINATION_BUCKET_POLICY_INCOMPLETE",
				missingSeverity: SeverityWarning,
				resourceHint:    bucketResourceHint(b, account, in.HiveCompatiblePartitions),
				fix: func(missing []Need) string {
					return fix(missing) + " to the bucket policy; AWS appends such statements itself only when the flow log's creator may s3:PutBucketPolicy (and the VPC documentation warns that it may replace the existing policy)"
				},
			})
			c.add(r.findings...)
		}
	}
	c.bucketKey(b, account, region)
}

// noDeliveryStatement reports a bucket whose policy does not let the log
// delivery service write at all. When the flow log is created, AWS adds the
// statements itself with the creator's credentials, if the creator owns the
// bucket and may s3:GetBucketPolicy and s3:PutBucketPolicy on it (VPC User
// Guide, "Permissions for flow logs to Amazon S3"); otherwise the log
// delivery service is denied. It is an error when the creator is known not
// to have those permissions, nothing when it is known to have them, and a
// warning when that is not known.
func noDeliveryStatement(code, what string, b bucketDest, needs []Need, in Input, fix string) []Finding {
	if in.CreatorMayPutBucketPolicy != nil && *in.CreatorMayPutBucketPolicy {
		return nil
	}
	msg := what + ", so nothing lets " + ServiceLogDelivery + " s3:PutObject the log files under " + needs[0].FixResource +
		" (nor s3:GetBucketAcl on " + b.ARN() + "). When the flow log is created, AWS adds these statements to the bucket policy with the credentials of the identity creating it, " +
		"if that identity owns the bucket and may s3:GetBucketPolicy and s3:PutBucketPolicy on it; otherwise " + s3Outcome + ". "
	note := in.CreatorNote
	if in.CreatorMayPutBucketPolicy == nil {
		if note == "" {
			note = "the identity creating the flow log is not known here"
		}
		return []Finding{{Code: code, Severity: SeverityWarning, Attribute: AttrBucketPolicy, Fix: fix,
			Message: msg + "Whether the identity creating the flow log has those permissions could not be determined: " + note + ". " +
				"Even when AWS adds the statements, a bucket policy managed by Terraform (aws_s3_bucket_policy) drops them at its next apply, and delivery stops then."}}
	}
	if note == "" {
		note = "the identity creating the flow log may not"
	}
	return []Finding{{Code: code, Severity: SeverityError, Attribute: AttrBucketPolicy, Fix: fix,
		Message: msg + "Here " + note + ", so AWS cannot add them."}}
}

// namesService reports whether any statement of p names the service as principal.
func namesService(p *policy.Policy, service string) bool {
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow {
			continue
		}
		for _, ps := range []*policy.PrincipalSet{st.Principal, st.NotPrincipal} {
			if ps == nil {
				continue
			}
			if ps.Wildcard {
				return true
			}
			for _, s := range ps.Service {
				if strings.EqualFold(s, service) {
					return true
				}
			}
		}
	}
	return false
}

// s3Needs are the calls the log delivery service makes on the bucket.
func s3Needs(b bucketDest, account, region string, hive bool) []Need {
	var unknown []string
	ctx := map[string][]string{"aws:SecureTransport": {"true"}}
	if account != "" {
		ctx["aws:SourceAccount"] = []string{account}
	} else {
		unknown = append(unknown, "aws:SourceAccount")
	}
	// AWS documents only the form of the aws:SourceArn the log delivery
	// service sends (arn:aws:logs:REGION:ACCOUNT:*), so its conditions are
	// checked against that shape rather than evaluated on a made-up value.
	unknown = append(unknown, "aws:SourceArn")
	put := map[string][]string{"s3:x-amz-acl": {"bucket-owner-full-control"}}
	for k, v := range ctx {
		put[k] = v
	}
	acct := account
	if acct == "" {
		acct = "123456789012"
	}
	root := b.logsRoot(acct, hive)
	return []Need{
		{Action: "s3:PutObject", Resource: b.ARN() + "/" + root + objectKey(acct, region, hive), FixResource: b.ARN() + "/" + b.logsRoot(accountOr(account), hive) + "*", Context: put, Unknown: unknown},
		{Action: "s3:GetBucketAcl", Resource: b.ARN(), Context: ctx, Unknown: unknown},
		{Action: "s3:ListBucket", Resource: b.ARN(), Context: ctx, Unknown: unknown, Optional: true,
			Why: "delivery works, but AWS recommends it: without it CloudTrail records AccessDenied errors for the log delivery service"},
	}
}

func accountOr(account string) string {
	if account == "" {
		return "ACCOUNT_ID"
	}
	return account
}

// objectKey is a representative key below the AWSLogs/ACCOUNT/ root for one log file.
func objectKey(account, region string, hive bool) string {
	if region == "" {
		region = "us-east-1"
	}
	file := account + "_vpcflowlogs_" + region + "_" + exampleFlowLogID + "_20260102T0305Z_0123abcd.log.gz"
	if hive {
		return "aws-service=vpcflowlogs/aws-region=" + region + "/year=2026/month=01/day=02/" + file
	}
	return "vpcflowlogs/" + region + "/2026/01/02/" + file
}

// logsSourceShape is what the log delivery service's aws:SourceArn looks like.
func logsSourceShape(partition, region, account string) arnShape {
	return arnShape{Partition: partition, Service: "logs", Region: region, Account: account,
		Example: "arn:" + partition + ":logs:" + orPlaceholderRegion(region) + ":" + accountOr(account) + ":*"}
}

func s3GuardFix(partition, account, region string) string {
	acct := condEntry{"StringEquals", "aws:SourceAccount"}
	src := condEntry{"ArnLike", "aws:SourceArn"}
	return jsonCondition([]condEntry{acct, src}, map[condEntry][]string{
		acct: {accountOr(account)},
		src:  {"arn:" + partition + ":logs:" + orPlaceholderRegion(region) + ":" + accountOr(account) + ":*"},
	})
}

func orPlaceholderRegion(region string) string {
	if region == "" {
		return "REGION"
	}
	return region
}

// bucketPolicyFix renders the statements AWS documents for the given needs.
func bucketPolicyFix(b bucketDest, account, region string, hive bool, needs []Need) string {
	guard := s3GuardFix(b.Partition, account, region)
	var parts []string
	var acl []string
	for _, n := range needs {
		switch n.Action {
		case "s3:PutObject":
			acct := condEntry{"StringEquals", "aws:SourceAccount"}
			xacl := condEntry{"StringEquals", "s3:x-amz-acl"}
			src := condEntry{"ArnLike", "aws:SourceArn"}
			cond := jsonCondition([]condEntry{acct, xacl, src}, map[condEntry][]string{
				acct: {accountOr(account)}, xacl: {"bucket-owner-full-control"},
				src: {"arn:" + b.Partition + ":logs:" + orPlaceholderRegion(region) + ":" + accountOr(account) + ":*"},
			})
			parts = append(parts, stmtJSON{sid: "AWSLogDeliveryWrite", principal: ServiceLogDelivery, actions: []string{"s3:PutObject"},
				resources: []string{b.ARN() + "/" + b.logsRoot(accountOr(account), hive) + "*"}, condition: cond}.String())
		default:
			acl = append(acl, n.Action)
		}
	}
	if len(acl) > 0 {
		parts = append(parts, stmtJSON{sid: "AWSLogDeliveryAclCheck", principal: ServiceLogDelivery, actions: acl, resources: []string{b.ARN()}, condition: guard}.String())
	}
	return strings.Join(parts, ", ")
}

var awsLogsAccount = regexp.MustCompile(`/AWSLogs/(?:aws-account-id=)?(\d{12})/`)

// loggedAccount returns the account named under AWSLogs/ in an Allow statement's resources.
func loggedAccount(p *policy.Policy) string {
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow {
			continue
		}
		for _, r := range s.Resource {
			if m := awsLogsAccount.FindStringSubmatch(r); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// bucketResourceHint recognises a PutObject statement for the right bucket
// that names another prefix, key layout or account.
func bucketResourceHint(b bucketDest, account string, hive bool) func(s *policy.Statement, n Need) (string, string, string, bool) {
	return func(s *policy.Statement, n Need) (string, string, string, bool) {
		sameBucket := false
		for _, r := range s.Resource {
			a, ok := splitARN(r)
			if !ok || a.Service != "s3" {
				continue
			}
			bucket, key, _ := strings.Cut(a.Resource, "/")
			if !policy.WildcardMatch(bucket, b.Bucket) {
				continue
			}
			sameBucket = true
			if n.Action != "s3:PutObject" {
				continue
			}
			i := strings.Index(key, "AWSLogs/")
			if i < 0 {
				continue
			}
			gotPrefix := strings.TrimSuffix(key[:i], "/")
			rest := key[i+len("AWSLogs/"):]
			want := b.ARN() + "/" + b.logsRoot(accountOr(account), hive) + "*"
			if !policy.WildcardMatch(gotPrefix, b.Prefix) {
				return "DESTINATION_BUCKET_PREFIX_MISMATCH",
					"allows s3:PutObject on " + quote(r) + ", which is under prefix " + prefixName(gotPrefix) + ", but the flow log writes under prefix " + prefixName(b.Prefix) +
						" (" + quote(n.Resource) + ")",
					`"Resource": ` + quote(want), true
			}
			hiveKey := strings.HasPrefix(rest, "aws-account-id=")
			if hive != hiveKey && !strings.HasPrefix(rest, "*") {
				layout, other := "the default layout AWSLogs/ACCOUNT/", "Hive-compatible partitions (AWSLogs/aws-account-id=ACCOUNT/)"
				if hiveKey {
					layout, other = other, layout
				}
				return "DESTINATION_BUCKET_PREFIX_MISMATCH",
					"allows s3:PutObject on " + quote(r) + " for " + layout + ", but the flow log writes with " + other + " (" + quote(n.Resource) + ")",
					`"Resource": ` + quote(want), true
			}
			if account != "" {
				acct, _, _ := strings.Cut(strings.TrimPrefix(rest, "aws-account-id="), "/")
				if acct != "" && !policy.WildcardMatch(acct, account) {
					return "DESTINATION_BUCKET_RESOURCE_MISMATCH",
						"allows s3:PutObject on " + quote(r) + " for account " + acct + ", but the flow log is in account " + account + " and writes " + quote(n.Resource),
						`"Resource": ` + quote(want), true
				}
			}
		}
		if !sameBucket {
			return "", "", "", true // a statement about another bucket is no near miss
		}
		return "", "", "", false
	}
}

func prefixName(p string) string {
	if p == "" {
		return "(none)"
	}
	return quote(p + "/")
}

// bucketKey checks that the key of an SSE-KMS bucket lets the log delivery service use it.
func (c *checker) bucketKey(b bucketDest, account, region string) {
	in := c.in
	if in.KMSKeyARN == "" || c.awsManagedKey() {
		return
	}
	if in.KMSKeyPolicy == nil {
		c.add(keyPolicyUnknown(in.KMSKeyARN))
		return
	}
	label := keyLabel(in.KMSKeyARN)
	p, fs := parseNamed(in.KMSKeyPolicy, policy.KindResource, label, AttrKMSKeyPolicy)
	c.add(fs...)
	if p == nil {
		return
	}
	ctx := map[string][]string{"kms:EncryptionContext:aws:s3:arn": {b.ARN()}}
	var unknown []string
	if account != "" {
		ctx["aws:SourceAccount"] = []string{account}
	} else {
		unknown = append(unknown, "aws:SourceAccount")
	}
	unknown = append(unknown, "aws:SourceArn", "kms:ViaService", "kms:CallerAccount")
	var needs []Need
	for _, a := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		needs = append(needs, Need{Action: a, Resource: keyResource(in.KMSKeyARN), Context: ctx, Unknown: unknown})
	}
	guard := s3GuardFix(b.Partition, account, region)
	r := checkGrant(grantSpec{
		doc: p, label: label, attr: AttrKMSKeyPolicy, prefix: "DESTINATION_KMS_", service: ServiceLogDelivery,
		caller: "the log delivery service", actsAs: "uses the key as",
		consequence: "the log delivery service cannot encrypt the log files for bucket " + b.Bucket + ", so no files arrive and the flow log shows DeliverLogsStatus=FAILED",
		needs:       needs, resourceRequired: true, resourceAccount: keyAccount(in.KMSKeyARN),
		guards:         guards{sourceAccount: account, sourceARN: logsSourceShape(b.Partition, region, account), sourceARNWhat: "an ARN of the form arn:aws:logs:REGION:ACCOUNT:*"},
		guardFix:       guard,
		notGrantedCode: "DESTINATION_KMS_NOT_GRANTED",
		fix: func([]Need) string {
			return stmtJSON{sid: "AllowLogDeliveryUseOfTheKey", principal: ServiceLogDelivery,
				actions: []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, resources: []string{"*"}, condition: guard}.String() + " to the key policy"
		},
	})
	c.add(r.findings...)
}
