package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
)

// flowLogsAPI is the part of EC2 the flow log resource uses.
type flowLogsAPI interface {
	CreateFlowLogs(context.Context, *ec2.CreateFlowLogsInput, ...func(*ec2.Options)) (*ec2.CreateFlowLogsOutput, error)
	DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
	DeleteFlowLogs(context.Context, *ec2.DeleteFlowLogsInput, ...func(*ec2.Options)) (*ec2.DeleteFlowLogsOutput, error)
	CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(context.Context, *ec2.DeleteTagsInput, ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

const errCodeFlowLogNotFound = "InvalidFlowLogId.NotFound"

func flowLogAWSError(err error) (code, message string, ok bool) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return "", "", false
	}
	return apiErr.ErrorCode(), apiErr.ErrorMessage(), true
}

// findFlowLogByID returns the flow log, or a *notFoundError.
func findFlowLogByID(ctx context.Context, conn flowLogsAPI, id string) (*ec2types.FlowLog, error) {
	out, err := conn.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{FlowLogIds: []string{id}})
	if err != nil {
		return nil, asNotFound(err, "flow log", id)
	}
	for i := range out.FlowLogs {
		if aws.ToString(out.FlowLogs[i].FlowLogId) == id {
			return &out.FlowLogs[i], nil
		}
	}
	return nil, &notFoundError{Kind: "flow log", ID: id}
}

// flowLogVisibleTimeout bounds the wait for DescribeFlowLogs to show a flow
// log just created; EC2 reads are eventually consistent.
const (
	flowLogVisibleTimeout  = time.Minute
	flowLogVisibleInterval = time.Second
)

func waitFlowLogVisible(ctx context.Context, conn flowLogsAPI, id string) (*ec2types.FlowLog, error) {
	var fl *ec2types.FlowLog
	var findErr error
	err := pollUntil(ctx, flowLogVisibleTimeout, flowLogVisibleInterval, func() (bool, error) {
		fl, findErr = findFlowLogByID(ctx, conn, id)
		return !isNotFound(findErr), nil
	})
	if err != nil && !errors.Is(err, errStillWaiting) {
		return nil, err
	}
	return fl, findErr
}

// deleteFlowLog deletes a flow log; a *notFoundError says it was gone.
func deleteFlowLog(ctx context.Context, conn flowLogsAPI, id string) error {
	out, err := conn.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{id}})
	if err != nil {
		// moto answers an unknown ID with an error; AWS with an Unsuccessful item.
		return asNotFound(err, "flow log", id)
	}
	for _, u := range out.Unsuccessful {
		if u.Error == nil {
			continue
		}
		if aws.ToString(u.Error.Code) == errCodeFlowLogNotFound {
			return &notFoundError{Kind: "flow log", ID: id}
		}
		return fmt.Errorf("%s: %s", aws.ToString(u.Error.Code), aws.ToString(u.Error.Message))
	}
	return nil
}

// updateFlowLogTags makes the flow log's tags from into to.
func updateFlowLogTags(ctx context.Context, conn flowLogsAPI, id string, from, to map[string]string) error {
	return tagger{
		untag: func(ctx context.Context, keys []string) error {
			removed := make([]ec2types.Tag, len(keys))
			for i, k := range keys {
				removed[i] = ec2types.Tag{Key: aws.String(k)}
			}
			_, err := conn.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: removed})
			return err
		},
		tag: func(ctx context.Context, tags map[string]string) error {
			return errOf(conn.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: flowLogEC2Tags(tags)}))
		},
	}.apply(ctx, from, to)
}

// flowLogCreateError is a refused CreateFlowLogs, with its explanation.
type flowLogCreateError struct {
	Cause health.Cause
}

func (e *flowLogCreateError) Error() string { return e.Cause.String() }

// mayBeIAMPropagation is the retry predicate of CreateFlowLogs: AWS refuses
// a role created moments ago ("Unable to assume given IAM role") exactly as
// it refuses a role that does not trust VPC Flow Logs.
func mayBeIAMPropagation(err error) bool {
	var cerr *flowLogCreateError
	return errors.As(err, &cerr) && cerr.Cause.MayBePropagation
}

// createFlowLog calls CreateFlowLogs for one resource and returns the flow
// log ID. An error that may be IAM propagation is retried for up to
// propagationTimeout; with propagationTimeout 0 (the delivery check already
// explained what is wrong) every error is returned at once.
func createFlowLog(ctx context.Context, conn flowLogsAPI, in *ec2.CreateFlowLogsInput, destinationType string, propagationTimeout time.Duration) (string, error) {
	var id string
	op := func() error {
		out, err := conn.CreateFlowLogs(ctx, in)
		var code, message string
		switch {
		case err != nil:
			var ok bool
			if code, message, ok = flowLogAWSError(err); !ok {
				return err
			}
		case len(out.Unsuccessful) > 0:
			// CreateFlowLogs reports most problems as items, not errors.
			if e := out.Unsuccessful[0].Error; e != nil {
				code, message = aws.ToString(e.Code), aws.ToString(e.Message)
			}
		case len(out.FlowLogIds) == 0:
			return errors.New("CreateFlowLogs returned neither a flow log ID nor an error")
		default:
			id = out.FlowLogIds[0]
			return nil
		}
		return &flowLogCreateError{Cause: health.CreateError(code, message, destinationType)}
	}
	if propagationTimeout <= 0 {
		return id, op()
	}
	return id, retryIAMPropagation(ctx, propagationTimeout, op, mayBeIAMPropagation)
}
