package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// A CloudWatch Logs subscription filter and an EventBridge rule invoke a
// Lambda function only if the function's resource-based policy lets the
// service do so for that log group or rule. The subscription and the
// inventory rules add that statement themselves, with a statement id derived
// from what they are, so they can find it again after an import.

// lambdaPermissionAPI is the part of Lambda that manages a function's policy.
type lambdaPermissionAPI interface {
	AddPermission(context.Context, *lambda.AddPermissionInput, ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error)
	RemovePermission(context.Context, *lambda.RemovePermissionInput, ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error)
	GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
}

// lambdaPermission is one statement of a function's policy: the service
// may call lambda:InvokeFunction for the source ARN in the account.
type lambdaPermission struct {
	Function      string // function name or ARN
	StatementID   string
	Principal     string
	SourceARN     string
	SourceAccount string
}

// lambdaStatementID is a statement id for what the key names, within
// Lambda's limit of 100 characters of [a-zA-Z0-9-_].
func lambdaStatementID(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(sum[:8])
}

// ensureLambdaPermission adds the statement unless the function's policy
// has it already.
func ensureLambdaPermission(ctx context.Context, api lambdaPermissionAPI, p lambdaPermission) error {
	has, err := hasLambdaPermission(ctx, api, p)
	if err == nil && !has {
		err = addLambdaPermission(ctx, api, p)
	}
	return err
}

// addLambdaPermission adds the statement; a statement with the same id
// (left over, or changed out of band) is replaced.
func addLambdaPermission(ctx context.Context, api lambdaPermissionAPI, p lambdaPermission) error {
	in := &lambda.AddPermissionInput{
		FunctionName:  aws.String(p.Function),
		StatementId:   aws.String(p.StatementID),
		Action:        aws.String("lambda:InvokeFunction"),
		Principal:     aws.String(p.Principal),
		SourceArn:     aws.String(p.SourceARN),
		SourceAccount: aws.String(p.SourceAccount),
	}
	_, err := api.AddPermission(ctx, in)
	if hasErrorCode(err, "ResourceConflictException") {
		if err := removeLambdaPermission(ctx, api, p.Function, p.StatementID); err != nil {
			return err
		}
		_, err = api.AddPermission(ctx, in)
	}
	if err != nil {
		return fmt.Errorf("adding permission %s to Lambda function (%s): %w", p.StatementID, p.Function, err)
	}
	return nil
}

// removeLambdaPermission removes the statement; a function or statement
// already gone is not an error.
func removeLambdaPermission(ctx context.Context, api lambdaPermissionAPI, function, statementID string) error {
	_, err := api.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(function), StatementId: aws.String(statementID)})
	if err != nil && !isAWSNotFound(err) {
		return fmt.Errorf("removing permission %s from Lambda function (%s): %w", statementID, function, err)
	}
	return nil
}

// hasLambdaPermission reports whether the function's policy holds the
// statement as p describes it. A function without a policy, or that does
// not exist, has none.
func hasLambdaPermission(ctx context.Context, api lambdaPermissionAPI, p lambdaPermission) (bool, error) {
	out, err := api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(p.Function)})
	if isAWSNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the policy of Lambda function (%s): %w", p.Function, err)
	}
	return lambdaPolicyHolds(aws.ToString(out.Policy), p)
}

// lambdaPolicyHolds finds the statement by id in a function policy and
// compares its principal, action and conditions with p.
func lambdaPolicyHolds(doc string, p lambdaPermission) (bool, error) {
	var policy struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal json.RawMessage
			Action    any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		return false, fmt.Errorf("decoding the policy of Lambda function (%s): %w", p.Function, err)
	}
	for _, s := range policy.Statement {
		if s.Sid != p.StatementID {
			continue
		}
		var principal struct{ Service string }
		_ = json.Unmarshal(s.Principal, &principal)
		ok := s.Effect == "Allow" && principal.Service == p.Principal &&
			strings.Join(strings1Any(s.Action), ",") == "lambda:InvokeFunction" &&
			conditionValue(s.Condition, "ArnLike", "aws:SourceArn") == p.SourceARN &&
			conditionValue(s.Condition, "StringEquals", "aws:SourceAccount") == p.SourceAccount
		return ok, nil
	}
	return false, nil
}

// conditionValue returns the single value of an operator and key, matching
// the key case-insensitively (Lambda writes "AWS:SourceArn").
func conditionValue(cond map[string]map[string]any, operator, key string) string {
	for k, v := range cond[operator] {
		if strings.EqualFold(k, key) {
			if vals := strings1Any(v); len(vals) == 1 {
				return vals[0]
			}
		}
	}
	return ""
}

func strings1Any(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// isErrorMessage reports whether err is an AWS API error with the code
// whose message contains the fragment (case-insensitive).
func isErrorMessage(err error, code, fragment string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code &&
		strings.Contains(strings.ToLower(apiErr.ErrorMessage()), strings.ToLower(fragment))
}
