package sizing

// PricesDate is when DefaultPrices were read from the AWS pricing pages.
const PricesDate = "December 2026"

// DefaultPrices are us-east-1 list prices. They change: check the pricing
// pages of CloudWatch (vended logs), Kinesis Data Streams (provisioned),
// Lambda (arm64), S3 Standard, Athena, DynamoDB (on demand) and SQS.
func DefaultPrices() Prices {
	return Prices{
		VendedLogsGB: map[string][]Tier{
			"cloudwatch-logs": {{10 * 1024, 0.50}, {30 * 1024, 0.25}, {50 * 1024, 0.10}, {0, 0.05}},
			"s3":              {{10 * 1024, 0.25}, {30 * 1024, 0.15}, {50 * 1024, 0.075}, {0, 0.05}},
		},
		KinesisShardHour:      0.015,
		KinesisPutUnitMillion: 0.014,
		LambdaGBSecond:        0.0000133334,
		LambdaRequestMillion:  0.20,
		S3PutThousand:         0.005,
		S3GetThousand:         0.0004,
		S3GBMonth:             0.023,
		AthenaTB:              5,
		DynamoReadMillion:     0.125,
		SQSRequestMillion:     0.40,
	}
}

// Organisation is the estate the sizing guide is written for: 1,000
// accounts, 10,000 network interfaces, a million records a second, the
// module's Kinesis mode with Parquet rows, each named query run once a day.
func Organisation() Estate {
	return Estate{
		Accounts:                  1000,
		Interfaces:                10000,
		RecordsPerSecond:          1e6,
		Mode:                      "kinesis",
		Format:                    "parquet",
		LambdaMemoryMB:            512,
		ShardUtilisation:          0.5,
		CPUUtilisation:            0.5,
		InvocationsPerShardSecond: 1,
		ObjectBytes:               128 << 20,
		RetentionDays:             90,
		QueriesPerDay:             1,
		FlowLogsPerAccount:        2,
	}
}
