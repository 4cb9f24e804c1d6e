package coveragescan

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

const (
	testAccount = "111122223333"
	testRegion  = "us-east-1"
)

// fakeAWS is an account and region in memory. It pages like AWS (each API's
// own page size limits) and counts calls by operation.
type fakeAWS struct {
	vpcs      []ec2types.Vpc
	flowLogs  []ec2types.FlowLog
	logGroups []logstypes.LogGroup
	buckets   []string
	// foreign are buckets of other accounts: HeadBucket answers 403.
	foreign map[string]bool

	mu    sync.Mutex
	calls map[string]int
}

func (f *fakeAWS) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeAWS) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fakeAWS) clients() Clients { return Clients{EC2: f, Logs: f, S3: f} }

// page returns the slice bounds of one page and the next token.
func page(n int, token *string, size int32, def, limit int) (int, int, *string) {
	start := 0
	if token != nil {
		start, _ = strconv.Atoi(*token)
	}
	sz := def
	if size > 0 {
		sz = min(int(size), limit)
	}
	end := min(start+sz, n)
	if end < n {
		return start, end, aws.String(strconv.Itoa(end))
	}
	return start, end, nil
}

func (f *fakeAWS) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	f.count("EC2.DescribeVpcs")
	s, e, next := page(len(f.vpcs), in.NextToken, aws.ToInt32(in.MaxResults), 1000, 1000)
	return &ec2.DescribeVpcsOutput{Vpcs: f.vpcs[s:e], NextToken: next}, nil
}

func (f *fakeAWS) DescribeFlowLogs(_ context.Context, in *ec2.DescribeFlowLogsInput, _ ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	f.count("EC2.DescribeFlowLogs")
	s, e, next := page(len(f.flowLogs), in.NextToken, aws.ToInt32(in.MaxResults), 1000, 1000)
	return &ec2.DescribeFlowLogsOutput{FlowLogs: f.flowLogs[s:e], NextToken: next}, nil
}

func (f *fakeAWS) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f.count("CloudWatchLogs.DescribeLogGroups")
	var groups []logstypes.LogGroup
	for _, g := range f.logGroups {
		if strings.HasPrefix(aws.ToString(g.LogGroupName), aws.ToString(in.LogGroupNamePrefix)) {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool {
		return aws.ToString(groups[i].LogGroupName) < aws.ToString(groups[j].LogGroupName)
	})
	s, e, next := page(len(groups), in.NextToken, aws.ToInt32(in.Limit), 50, 50)
	return &cloudwatchlogs.DescribeLogGroupsOutput{LogGroups: groups[s:e], NextToken: next}, nil
}

func (f *fakeAWS) ListBuckets(_ context.Context, _ *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	f.count("S3.ListBuckets")
	out := &s3.ListBucketsOutput{}
	for _, b := range f.buckets {
		out.Buckets = append(out.Buckets, s3types.Bucket{Name: aws.String(b)})
	}
	return out, nil
}

func (f *fakeAWS) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	f.count("S3.HeadBucket")
	if f.foreign[aws.ToString(in.Bucket)] {
		return nil, &smithy.GenericAPIError{Code: "Forbidden", Message: "Forbidden"}
	}
	for _, b := range f.buckets {
		if b == aws.ToString(in.Bucket) {
			return &s3.HeadBucketOutput{}, nil
		}
	}
	return nil, &smithy.GenericAPIError{Code: "NotFound", Message: "Not Found"}
}

func (f *fakeAWS) addVPC(id string) {
	f.vpcs = append(f.vpcs, ec2types.Vpc{VpcId: aws.String(id), OwnerId: aws.String(testAccount), IsDefault: aws.Bool(false)})
}

func (f *fakeAWS) addLogGroup(name string) {
	f.logGroups = append(f.logGroups, logstypes.LogGroup{LogGroupName: aws.String(name)})
}

// addCWL adds a flow log of resource to the log group, through role.
func (f *fakeAWS) addCWL(id, resource, traffic, group, role string) {
	f.flowLogs = append(f.flowLogs, ec2types.FlowLog{
		FlowLogId: aws.String(id), ResourceId: aws.String(resource), TrafficType: ec2types.TrafficType(traffic),
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(group),
		LogDestination:           aws.String(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", testRegion, testAccount, group)),
		DeliverLogsPermissionArn: aws.String(role), FlowLogStatus: aws.String("ACTIVE"), DeliverLogsStatus: aws.String("SUCCESS"),
	})
}

func (f *fakeAWS) addS3(id, resource, bucket string) {
	f.flowLogs = append(f.flowLogs, ec2types.FlowLog{
		FlowLogId: aws.String(id), ResourceId: aws.String(resource), TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::" + bucket + "/flows"),
		FlowLogStatus: aws.String("ACTIVE"), DeliverLogsStatus: aws.String("SUCCESS"),
	})
}

func (f *fakeAWS) fail(id, message string) {
	for i := range f.flowLogs {
		if aws.ToString(f.flowLogs[i].FlowLogId) == id {
			f.flowLogs[i].DeliverLogsStatus = aws.String("FAILED")
			f.flowLogs[i].DeliverLogsErrorMessage = aws.String(message)
		}
	}
}

// ec2Shared is a VPC another account owns and shares with this one.
func ec2Shared(id, owner string) ec2types.Vpc {
	return ec2types.Vpc{VpcId: aws.String(id), OwnerId: aws.String(owner), IsDefault: aws.Bool(false)}
}
