// Package policy parses and evaluates AWS IAM policy documents.
//
// It covers the policy grammar (identity-based, resource-based and role trust
// policies), the condition operators with their IfExists and set-operator
// forms, policy variables, and the evaluation logic that combines identity
// policies, a permissions boundary and a resource-based policy into one
// decision. Results name the statements that decided them, and ExplainMiss
// says why each statement did not apply, so callers can write diagnostics.
//
// The package has no AWS SDK dependency: it only reads JSON documents.
package policy
