// Package conns builds the AWS client bundle shared by every resource, data
// source and function of the provider, once per provider configuration.
package conns

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Validation modes of the plan-time delivery checks.
const (
	ValidationError = "error"
	ValidationWarn  = "warn"
	ValidationOff   = "off"
)

// ValidationModes lists the accepted values of the provider's validation setting.
var ValidationModes = []string{ValidationError, ValidationWarn, ValidationOff}

// AssumeRole is the role the provider assumes before any call.
type AssumeRole struct {
	RoleARN     string
	ExternalID  string
	SessionName string
}

// Settings is the provider configuration after defaults are applied.
type Settings struct {
	Region      string
	Profile     string
	AssumeRole  *AssumeRole
	EndpointURL string // one endpoint for every service, e.g. a local AWS; AWS_ENDPOINT_URL works too
	MaxRetries  int
	Validation  string
}

// Client is the AWS client bundle. Service clients are built on first use, so
// a configuration that only evaluates inline documents needs no credentials.
type Client struct {
	Settings Settings
	Config   aws.Config

	once struct {
		ec2, iam, logs, s3, kms, sts          sync.Once
		config, ssm, cloudwatch, eventbridge  sync.Once
		lambda, kinesis, dynamodb, cloudtrail sync.Once
		sqs, glue, athena                     sync.Once
	}
	ec2  *ec2.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
	s3   *s3.Client
	kms  *kms.Client
	sts  *sts.Client

	config      *configservice.Client
	ssm         *ssm.Client
	cloudwatch  *cloudwatch.Client
	eventbridge *eventbridge.Client
	lambda      *lambda.Client
	kinesis     *kinesis.Client
	dynamodb    *dynamodb.Client
	cloudtrail  *cloudtrail.Client
	sqs         *sqs.Client
	glue        *glue.Client
	athena      *athena.Client

	// identity is the caller's, shared by the clients of other regions
	// (same credentials), so STS is asked once per provider.
	identity     *callerIdentity
	identityInit sync.Once

	// Calls counts AWS operations by "Service.Operation", so tests can assert plan cost.
	Calls *CallCounter
}

// New loads the shared AWS configuration (environment, profile, assumed role)
// without calling AWS.
func New(ctx context.Context, s Settings) (*Client, error) {
	if s.Validation == "" {
		s.Validation = ValidationError
	}
	var opts []func(*config.LoadOptions) error
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.MaxRetries > 0 {
		maxAttempts := s.MaxRetries + 1
		opts = append(opts, config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxAttempts(retry.NewStandard(), maxAttempts)
		}))
	}
	if s.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(s.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if s.AssumeRole != nil && s.AssumeRole.RoleARN != "" {
		ar := *s.AssumeRole
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if ar.ExternalID != "" {
				o.ExternalID = aws.String(ar.ExternalID)
			}
			if ar.SessionName != "" {
				o.RoleSessionName = ar.SessionName
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	if s.Region == "" {
		s.Region = cfg.Region
	}
	calls := &CallCounter{}
	cfg.APIOptions = append(cfg.APIOptions, calls.install)
	return &Client{Settings: s, Config: cfg, Calls: calls, identity: &callerIdentity{}}, nil
}

// WithAssumedRole returns a client of another account: the same region,
// endpoint and retries, with the credentials of the role, assumed with this
// client's credentials. Its calls count in this client's counter.
func (c *Client) WithAssumedRole(ar AssumeRole) *Client {
	cfg := c.Config.Copy()
	provider := stscreds.NewAssumeRoleProvider(c.STS(), ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		if ar.ExternalID != "" {
			o.ExternalID = aws.String(ar.ExternalID)
		}
		if ar.SessionName != "" {
			o.RoleSessionName = ar.SessionName
		}
	})
	cfg.Credentials = aws.NewCredentialsCache(provider)
	s := c.Settings
	s.AssumeRole = &ar
	return &Client{Settings: s, Config: cfg, Calls: c.Calls, identity: &callerIdentity{}}
}

// Region is the region the provider works in.
func (c *Client) Region() string { return c.Settings.Region }

// LocalEndpoint reports whether calls go to a custom endpoint, such as a
// local AWS, which needs path-style S3 addressing.
func (c *Client) LocalEndpoint() bool {
	return c.Config.BaseEndpoint != nil && *c.Config.BaseEndpoint != ""
}

// EC2 returns the EC2 client.
func (c *Client) EC2() *ec2.Client {
	c.once.ec2.Do(func() { c.ec2 = ec2.NewFromConfig(c.Config) })
	return c.ec2
}

// IAM returns the IAM client.
func (c *Client) IAM() *iam.Client {
	c.once.iam.Do(func() { c.iam = iam.NewFromConfig(c.Config) })
	return c.iam
}

// Logs returns the CloudWatch Logs client.
func (c *Client) Logs() *cloudwatchlogs.Client {
	c.once.logs.Do(func() { c.logs = cloudwatchlogs.NewFromConfig(c.Config) })
	return c.logs
}

// S3 returns the S3 client; path-style addressing is used with a custom endpoint.
func (c *Client) S3() *s3.Client {
	c.once.s3.Do(func() {
		local := c.LocalEndpoint()
		c.s3 = s3.NewFromConfig(c.Config, func(o *s3.Options) { o.UsePathStyle = local })
	})
	return c.s3
}

// KMS returns the KMS client.
func (c *Client) KMS() *kms.Client {
	c.once.kms.Do(func() { c.kms = kms.NewFromConfig(c.Config) })
	return c.kms
}

// STS returns the STS client.
func (c *Client) STS() *sts.Client {
	c.once.sts.Do(func() { c.sts = sts.NewFromConfig(c.Config) })
	return c.sts
}

// ConfigService returns the AWS Config client.
func (c *Client) ConfigService() *configservice.Client {
	c.once.config.Do(func() { c.config = configservice.NewFromConfig(c.Config) })
	return c.config
}

// SSM returns the Systems Manager client.
func (c *Client) SSM() *ssm.Client {
	c.once.ssm.Do(func() { c.ssm = ssm.NewFromConfig(c.Config) })
	return c.ssm
}

// CloudWatch returns the CloudWatch (metrics) client.
func (c *Client) CloudWatch() *cloudwatch.Client {
	c.once.cloudwatch.Do(func() { c.cloudwatch = cloudwatch.NewFromConfig(c.Config) })
	return c.cloudwatch
}

// EventBridge returns the EventBridge client.
func (c *Client) EventBridge() *eventbridge.Client {
	c.once.eventbridge.Do(func() { c.eventbridge = eventbridge.NewFromConfig(c.Config) })
	return c.eventbridge
}

// Lambda returns the Lambda client.
func (c *Client) Lambda() *lambda.Client {
	c.once.lambda.Do(func() { c.lambda = lambda.NewFromConfig(c.Config) })
	return c.lambda
}

// Kinesis returns the Kinesis Data Streams client.
func (c *Client) Kinesis() *kinesis.Client {
	c.once.kinesis.Do(func() { c.kinesis = kinesis.NewFromConfig(c.Config) })
	return c.kinesis
}

// SQS returns the SQS client.
func (c *Client) SQS() *sqs.Client {
	c.once.sqs.Do(func() { c.sqs = sqs.NewFromConfig(c.Config) })
	return c.sqs
}

// DynamoDB returns the DynamoDB client.
func (c *Client) DynamoDB() *dynamodb.Client {
	c.once.dynamodb.Do(func() { c.dynamodb = dynamodb.NewFromConfig(c.Config) })
	return c.dynamodb
}

// CloudTrail returns the CloudTrail client.
func (c *Client) CloudTrail() *cloudtrail.Client {
	c.once.cloudtrail.Do(func() { c.cloudtrail = cloudtrail.NewFromConfig(c.Config) })
	return c.cloudtrail
}

// Glue returns the Glue (Data Catalog) client.
func (c *Client) Glue() *glue.Client {
	c.once.glue.Do(func() { c.glue = glue.NewFromConfig(c.Config) })
	return c.glue
}

// Athena returns the Athena client.
func (c *Client) Athena() *athena.Client {
	c.once.athena.Do(func() { c.athena = athena.NewFromConfig(c.Config) })
	return c.athena
}

// callerIdentity is the answer of sts:GetCallerIdentity, asked once.
type callerIdentity struct {
	once      sync.Once
	accountID string
	arn       string
	partition string
	err       error
}

// sharedIdentity returns the identity this client and its regional copies
// share; a Client built without New gets its own on first use.
func (c *Client) sharedIdentity() *callerIdentity {
	c.identityInit.Do(func() {
		if c.identity == nil {
			c.identity = &callerIdentity{}
		}
	})
	return c.identity
}

// callerIdentity returns the identity, read from STS on first use.
func (c *Client) callerIdentity(ctx context.Context) *callerIdentity {
	id := c.sharedIdentity()
	id.once.Do(func() {
		out, err := c.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			id.err = fmt.Errorf("reading the caller's account (sts:GetCallerIdentity): %w", err)
			return
		}
		id.accountID = aws.ToString(out.Account)
		id.arn = aws.ToString(out.Arn)
		parsed, err := arn.Parse(id.arn)
		if err != nil {
			id.err = fmt.Errorf("reading the caller's partition from its ARN %q (sts:GetCallerIdentity): %w", id.arn, err)
			return
		}
		id.partition = parsed.Partition
	})
	return id
}

// AccountID returns the caller's account, asked of STS once.
func (c *Client) AccountID(ctx context.Context) (string, error) {
	id := c.callerIdentity(ctx)
	return id.accountID, id.err
}

// CallerARN returns the caller's ARN (an IAM user, an assumed-role session,
// the account root), asked of STS once with AccountID.
func (c *Client) CallerARN(ctx context.Context) (string, error) {
	id := c.callerIdentity(ctx)
	return id.arn, id.err
}

// Partition returns the ARN partition of the caller ("aws", "aws-cn",
// "aws-us-gov", "aws-iso", ...), taken from the ARN sts:GetCallerIdentity
// returns, asked once with AccountID. Every partition has its own STS, so
// the caller's ARN names the partition of every resource the provider makes.
func (c *Client) Partition(ctx context.Context) (string, error) {
	id := c.callerIdentity(ctx)
	return id.partition, id.err
}

// PartitionOf returns the ARN partition of a region from its name, for an
// ARN in a region the caller's identity does not speak for (a document
// rendered for an account and region given in the configuration, without
// AWS calls). It knows the commercial, China and GovCloud partitions.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}
