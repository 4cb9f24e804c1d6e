package coveragescan

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// EC2API is the part of EC2 the scan uses.
type EC2API interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, opts ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeFlowLogs(ctx context.Context, in *ec2.DescribeFlowLogsInput, opts ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
}

// LogsAPI is the part of CloudWatch Logs the scan uses.
type LogsAPI interface {
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// S3API is the part of S3 the scan uses.
type S3API interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, opts ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// Clients are the AWS clients of one account and region.
type Clients struct {
	EC2  EC2API
	Logs LogsAPI
	S3   S3API
}

// NewClients returns the clients of a configuration; S3 uses path-style
// addressing with a custom endpoint, such as a local AWS.
func NewClients(cfg aws.Config) Clients {
	local := cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
	c := ec2.NewFromConfig(cfg)
	return Clients{
		EC2:  ec2Calls{vpcs: c.DescribeVpcs, flowLogs: c.DescribeFlowLogs},
		Logs: logsCalls(cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups),
		S3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
	}
}

// ec2Calls holds the two EC2 operations the scan makes rather than the EC2
// client. A binary that uses reflection to call methods by name (protobuf
// does, through parquet in the enricher) keeps every exported method of
// every type stored in an interface; the EC2 client has over 800, which
// more than doubled the enricher's Lambda binary.
type ec2Calls struct {
	vpcs     func(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	flowLogs func(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error)
}

func (c ec2Calls) DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, opts ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return c.vpcs(ctx, in, opts...)
}

// logsCalls is DescribeLogGroups alone, for the same reason.
type logsCalls func(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)

func (f logsCalls) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	return f(ctx, in, opts...)
}

func (c ec2Calls) DescribeFlowLogs(ctx context.Context, in *ec2.DescribeFlowLogsInput, opts ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	return c.flowLogs(ctx, in, opts...)
}

// Page sizes: the largest each API accepts, so a region with a thousand
// VPCs and flow logs takes one call for each list.
const (
	ec2PageSize  = 1000
	logsPageSize = 50
)

// Read lists the account's VPCs and the region's flow logs, and looks up
// their destinations: the log groups with one prefix listing (CloudWatch
// Logs returns groups sorted by name, so the listing stops after the last
// group needed), the buckets with one ListBuckets and a HeadBucket for each
// bucket the account does not own. VPCs shared with the account by another
// are left out: their owner's flow logs cover them.
func Read(ctx context.Context, c Clients, account, region string) (*Inventory, error) {
	inv := &Inventory{Account: account, Region: region, Destinations: map[string]Destination{}}

	vpcs := ec2.NewDescribeVpcsPaginator(c.EC2, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(ec2PageSize)})
	for vpcs.HasMorePages() {
		page, err := vpcs.NextPage(ctx)
		inv.Calls++
		if err != nil {
			return nil, fmt.Errorf("listing VPCs of account %s in %s: %w", account, region, err)
		}
		for _, v := range page.Vpcs {
			if owner := aws.ToString(v.OwnerId); owner != "" && account != "" && owner != account {
				continue
			}
			inv.VPCs = append(inv.VPCs, VPC{ID: aws.ToString(v.VpcId), Name: nameTag(v.Tags), IsDefault: aws.ToBool(v.IsDefault)})
		}
	}

	fls := ec2.NewDescribeFlowLogsPaginator(c.EC2, &ec2.DescribeFlowLogsInput{MaxResults: aws.Int32(ec2PageSize)})
	for fls.HasMorePages() {
		page, err := fls.NextPage(ctx)
		inv.Calls++
		if err != nil {
			return nil, fmt.Errorf("listing flow logs of account %s in %s: %w", account, region, err)
		}
		for _, f := range page.FlowLogs {
			inv.FlowLogs = append(inv.FlowLogs, flowLogFrom(f, account, region))
		}
	}

	if err := readLogGroups(ctx, c.Logs, inv); err != nil {
		return nil, err
	}
	if err := readBuckets(ctx, c.S3, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

func flowLogFrom(f ec2types.FlowLog, account, region string) FlowLog {
	fl := FlowLog{
		ID:               aws.ToString(f.FlowLogId),
		ResourceID:       aws.ToString(f.ResourceId),
		TrafficType:      string(f.TrafficType),
		DestinationType:  string(f.LogDestinationType),
		DestinationARN:   strings.TrimSuffix(aws.ToString(f.LogDestination), ":*"),
		LogGroupName:     aws.ToString(f.LogGroupName),
		RoleARN:          aws.ToString(f.DeliverLogsPermissionArn),
		CrossAccountRole: aws.ToString(f.DeliverCrossAccountRole),
		Status:           aws.ToString(f.FlowLogStatus),
		DeliverStatus:    aws.ToString(f.DeliverLogsStatus),
		DeliverError:     aws.ToString(f.DeliverLogsErrorMessage),
	}
	if f.DestinationOptions != nil {
		fl.Hive = aws.ToBool(f.DestinationOptions.HiveCompatiblePartitions)
	}
	if fl.DestinationType == "" {
		fl.DestinationType = delivery.DestinationCloudWatchLogs
	}
	if fl.DestinationType == delivery.DestinationCloudWatchLogs {
		if fl.DestinationARN == "" && fl.LogGroupName != "" {
			fl.DestinationARN = fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition(region), region, account, fl.LogGroupName)
		}
		if fl.LogGroupName == "" {
			fl.LogGroupName = logGroupName(fl.DestinationARN)
		}
	}
	return fl
}

// readLogGroups marks the log groups of the account's flow logs as present
// or missing. Groups in another account or region are left unknown.
func readLogGroups(ctx context.Context, logs LogsAPI, inv *Inventory) error {
	wanted := map[string][]string{} // group name -> destinations naming it
	for _, fl := range inv.FlowLogs {
		if fl.DestinationType != delivery.DestinationCloudWatchLogs || fl.LogGroupName == "" {
			continue
		}
		if a, err := arn.Parse(fl.DestinationARN); err != nil || a.Region != inv.Region || (inv.Account != "" && a.AccountID != inv.Account) {
			continue
		}
		wanted[fl.LogGroupName] = append(wanted[fl.LogGroupName], fl.DestinationARN)
	}
	if len(wanted) == 0 {
		return nil
	}
	names := make([]string, 0, len(wanted))
	for n := range wanted {
		names = append(names, n)
	}
	sort.Strings(names)
	last := names[len(names)-1]

	found := map[string]string{} // name -> KMS key
	in := &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(logsPageSize)}
	if p := commonPrefix(names); p != "" {
		in.LogGroupNamePrefix = aws.String(p)
	}
	pager := cloudwatchlogs.NewDescribeLogGroupsPaginator(logs, in)
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		inv.Calls++
		if err != nil {
			return fmt.Errorf("listing CloudWatch Logs log groups of account %s in %s: %w", inv.Account, inv.Region, err)
		}
		past := false
		for _, g := range page.LogGroups {
			name := aws.ToString(g.LogGroupName)
			if _, ok := wanted[name]; ok {
				found[name] = aws.ToString(g.KmsKeyId)
			}
			past = past || name > last
		}
		// CloudWatch Logs lists groups in ASCII order of name (DescribeLogGroups API reference).
		if past || len(found) == len(wanted) {
			break
		}
	}
	for name, dests := range wanted {
		d := Destination{Presence: PresenceMissing}
		if key, ok := found[name]; ok {
			d = Destination{Presence: PresenceExists, KMSKeyARN: key}
		}
		for _, dest := range dests {
			inv.Destinations[dest] = d
		}
	}
	return nil
}

// readBuckets marks the buckets of the account's flow logs as present or
// missing. A bucket the account does not own is asked about with
// HeadBucket: 403 means another account owns it (present, not readable), 404
// that it is gone.
func readBuckets(ctx context.Context, s3c S3API, inv *Inventory) error {
	wanted := map[string][]string{}
	for _, fl := range inv.FlowLogs {
		if fl.DestinationType != delivery.DestinationS3 {
			continue
		}
		if b := bucketName(fl.DestinationARN); b != "" {
			wanted[b] = append(wanted[b], fl.DestinationARN)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	owned := map[string]bool{}
	pager := s3.NewListBucketsPaginator(s3c, &s3.ListBucketsInput{})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		inv.Calls++
		if err != nil {
			return fmt.Errorf("listing S3 buckets of account %s: %w", inv.Account, err)
		}
		for _, b := range page.Buckets {
			owned[aws.ToString(b.Name)] = true
		}
	}
	names := make([]string, 0, len(wanted))
	for n := range wanted {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		d := Destination{Presence: PresenceExists}
		if !owned[name] {
			_, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
			inv.Calls++
			switch {
			case err == nil:
			case hasCode(err, "NotFound", "NoSuchBucket"):
				d.Presence = PresenceMissing
			case hasCode(err, "Forbidden", "AccessDenied", "403"):
			default:
				d.Presence = PresenceUnknown
			}
		}
		for _, dest := range wanted[name] {
			inv.Destinations[dest] = d
		}
	}
	return nil
}

// commonPrefix is the longest prefix of every name.
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func nameTag(tags []ec2types.Tag) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == "Name" {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// logGroupName returns the group of a log group ARN.
func logGroupName(destination string) string {
	a, err := arn.Parse(destination)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(a.Resource, "log-group:"), ":*")
}

// bucketName returns the bucket of an S3 destination ARN (arn:aws:s3:::bucket/prefix).
func bucketName(destination string) string {
	a, err := arn.Parse(destination)
	if err != nil || a.Service != "s3" {
		return ""
	}
	name, _, _ := strings.Cut(a.Resource, "/")
	return name
}

func hasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.ErrorCode() == c {
			return true
		}
	}
	return false
}
