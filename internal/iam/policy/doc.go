// Package policy parses and evaluates AWS IAM policy documents.
//
// It covers the policy grammar (identity-based, resource-based and role trust
// policies, service and resource control policies), the condition operators
// with their IfExists and set-operator forms, policy variables, and the
// evaluation chain AWS documents, with results that name the layer and the
// statement that decided them. ExplainMiss says why each statement did not
// apply, so callers can write diagnostics. The package has no AWS SDK
// dependency: it only reads JSON documents.
//
// # What Evaluate does, in order
//
// The order follows the policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
//
//  1. Explicit deny. Every Deny statement of every layer that applies — identity
//     policies, permissions boundary, resource-based policy, session policies,
//     SCPs, RCPs, VPC endpoint policy — decides at once. A Deny on a condition
//     key whose value is not known yet (Request.Unknown) is not assumed to apply.
//  2. SCPs (Set.SCPs), one OrgLevel per root, OU and account: at every level at
//     least one attached policy must allow, or the request is implicitly denied
//     at that level
//     (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html).
//     SCPs grant nothing.
//  3. RCPs (Set.RCPs) act through their Deny statements only: AWS attaches
//     RCPFullAWSAccess to every level and it cannot be detached
//     (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
//  4. VPC endpoint policy (Set.Endpoint): it must allow
//     (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
//  5. Resource-based and identity-based policies. A service or anonymous
//     principal needs the resource-based policy. Within one account the
//     resource-based policy grants alone when it names the user or the role
//     session itself; when it names the role, the grant is limited by the
//     permissions boundary and session policies; when it names the account it
//     delegates to the identity-based policies, which are limited by the
//     boundary and the session policies
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html,
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
//     A KMS key policy (Set.ResourceRequired) must allow or delegate.
//  6. Cross-account requests need both sides: the resource-based policy of the
//     resource's account and the identity-based policies (within boundary and
//     session policies) of the principal's account, even when the
//     resource-based policy names the principal itself
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
//
// # Organisation exemptions
//
// SCPs do not restrict service principals, service-linked roles (role path
// aws-service-role/, or a session of a role named AWSServiceRoleFor…) or
// principals of the management account (Set.Org.ManagementAccount)
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
// RCPs do not restrict service-linked roles, resources of the management
// account, AWS managed KMS keys (Set.Org.AWSManagedKey), or services outside
// their list; they do restrict AWS service principals, which is why data
// perimeter RCPs exempt aws:PrincipalIsAWSService.
//
// # Matching
//
// A comparison answers match, no match or cannot compare. A request value of
// the wrong type for its operator (a non-number for Numeric*, a non-date for
// Date*, a non-address for IpAddress, a non-ARN for Arn*, a non-Boolean for
// Bool) or a policy variable that does not resolve and has no default cannot
// be compared: the condition is false, for negated operators
// (StringNotEquals, NotIpAddress, ArnNotLike…) as for the others
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
// A negated operator on a key absent from the request still matches, as AWS
// documents. A policy variable of a multivalued key (aws:PrincipalOrgPaths,
// aws:TagKeys…) stands for each of its values, up to 64 combinations per
// policy value. A Deny with NotPrincipal applies to every IAM principal that
// has a permissions boundary, whatever NotPrincipal lists
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
// A Principal naming a role matches the role's sessions; only naming the
// session ARN (or the user) matches the requester directly.
//
// # JSON decoding
//
// Documents are read by a hand-written JSON decoder (json.go) that keeps
// object members in document order and takes strings without escapes
// straight from the input; its syntax errors carry encoding/json's messages
// and the byte offset of the offending character, which Parse turns into a
// line and column. It stays because it pays for itself end to end:
// BenchmarkParseEvaluate, which parses a delivery role's trust, permissions
// and boundary policies and a bucket policy and evaluates the delivery
// requests, takes 2.6 times the CPU time (22.8k against 8.8k checks/cpu-s,
// 45.2µs against 120.8µs a check) when the documents are read with
// encoding/json's Decoder.Token and InputOffset instead (decodeJSONToken in
// json_token_test.go). Measure again with
//
//	go test -run '^$' -bench ParseEvaluate -count 8 ./internal/iam/policy | tee policy.txt
//	benchstat -col /variant policy.txt
//
// and replace the decoder with the Token one if the ratio falls below 1.5.
//
// # Knowingly not modelled
//
//   - RCP support for services added after launch (only S3, STS, KMS, SQS and
//     Secrets Manager are restricted); an RCP on another service is ignored.
//   - SCPs and RCPs of accounts outside the organisation a Set describes:
//     callers pass the policies of the principal's and the resource's account.
//   - Permissions granted by grants (KMS), ACLs (S3), access points, and
//     Access Analyzer's notion of "public"; declarative policies; AWS-side
//     implicit allows such as the account root's.
//   - The NotPrincipal account-then-role-then-session order some services use:
//     NotPrincipal excludes exactly the principals it names.
//   - Condition keys the caller does not put in Request.Context (beyond those
//     derived from the principal: aws:PrincipalAccount, aws:PrincipalArn,
//     aws:PrincipalServiceName, aws:PrincipalIsAWSService).
package policy
