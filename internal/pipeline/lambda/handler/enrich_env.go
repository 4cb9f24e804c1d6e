package handler

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

// S3API is what the enrichment function asks S3: objects to write, and the
// inventory files to read.
type S3API interface {
	s3sink.PutAPI
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// EnrichFromEnv builds the handler of a mode from the function's
// environment, with AWS clients from the default configuration and JSON
// log lines on standard output. The result is a handler function for
// lambda.Start.
func EnrichFromEnv(ctx context.Context, mode string, getenv func(string) string) (any, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	return enrichFromEnv(ctx, mode, getenv, s3Client(cfg), dynamodb.NewFromConfig(cfg), log)
}

// s3Client is an S3 client that does not log, for every object it reads,
// that the response carried no checksum to validate.
func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
}

// EnrichFromEnvWith is EnrichFromEnv with the AWS configuration and the
// logger given: the function's handler run outside Lambda, as the demo
// runs it against a local AWS that cannot run functions.
func EnrichFromEnvWith(ctx context.Context, mode string, getenv func(string) string, cfg aws.Config, log *slog.Logger) (any, error) {
	return enrichFromEnv(ctx, mode, getenv, s3Client(cfg), dynamodb.NewFromConfig(cfg), log)
}

func enrichFromEnv(ctx context.Context, mode string, getenv func(string) string, s3c S3API, db inventorystore.API, log *slog.Logger) (any, error) {
	cfg, opts, err := enrichConfigFromEnv(ctx, getenv, s3c, db)
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	switch mode {
	case contract.ModeCloudWatchLogs:
		h, err := NewLogsHandler(cfg)
		if err != nil {
			return nil, err
		}
		return h.HandleCloudWatchLogs, nil
	case contract.ModeKinesis:
		h, err := NewKinesisHandler(cfg, opts)
		if err != nil {
			return nil, err
		}
		return h.HandleKinesisWindow, nil
	case contract.ModeS3:
		var sopts S3Options
		if s := getenv(contract.EnvPartRecords); s != "" {
			if sopts.PartRecords, err = strconv.Atoi(s); err != nil || sopts.PartRecords <= 0 {
				return nil, fmt.Errorf("%s=%q: want a positive integer", contract.EnvPartRecords, s)
			}
		}
		h, err := NewS3Handler(cfg, s3c, sopts)
		if err != nil {
			return nil, err
		}
		return h.HandleSQS, nil
	}
	return nil, fmt.Errorf("%s=%q: want %q, %q or %q", contract.EnvMode, mode, contract.ModeCloudWatchLogs, contract.ModeKinesis, contract.ModeS3)
}

func enrichConfigFromEnv(ctx context.Context, getenv func(string) string, s3c S3API, db inventorystore.API) (EnrichConfig, KinesisOptions, error) {
	var cfg EnrichConfig
	var kopts KinesisOptions
	bucket := getenv(contract.EnvOutputBucket)
	if bucket == "" {
		return cfg, kopts, fmt.Errorf("%s is required", contract.EnvOutputBucket)
	}
	prefix := getenv(contract.EnvOutputPrefix)
	if prefix == "" {
		prefix = contract.DefaultOutputPrefix
	}
	format, err := s3sink.ParseFormat(getenv(contract.EnvOutputFormat))
	if err != nil {
		return cfg, kopts, fmt.Errorf("%s: %w", contract.EnvOutputFormat, err)
	}
	if cfg.Sink, err = s3sink.New(s3c, bucket, prefix, format); err != nil {
		return cfg, kopts, err
	}
	if s := getenv(contract.EnvOutputStaging); s != "" {
		staged, err := strconv.ParseBool(s)
		if err != nil {
			return cfg, kopts, fmt.Errorf("%s=%q: %w", contract.EnvOutputStaging, s, err)
		}
		if staged {
			cfg.Sink = cfg.Sink.Staged()
		}
	}

	open := func(uri string) (io.ReadCloser, error) { return openURI(ctx, s3c, uri) }
	if table := getenv(contract.EnvInventoryTable); table != "" {
		base := inventory.New()
		if err := loadFile(open, getenv(contract.EnvIPRanges), "ip ranges", base.LoadIPRanges); err != nil {
			return cfg, kopts, err
		}
		cache := inventorystore.NewCache(inventorystore.New(db, table, inventorystore.Options{}), inventorystore.CacheOptions{})
		cfg.Inventory = StoreInventory{Cache: cache, Base: base}
	} else {
		if getenv(contract.EnvENIs) == "" {
			return cfg, kopts, fmt.Errorf("%s or %s is required", contract.EnvInventoryTable, contract.EnvENIs)
		}
		inv, err := LoadInventory(open, getenv(contract.EnvENIs), getenv(contract.EnvTags), getenv(contract.EnvIPRanges))
		if err != nil {
			return cfg, kopts, err
		}
		cfg.Inventory = StaticInventory{Inv: inv}
	}

	if s := getenv(contract.EnvLogFormat); s != "" {
		if cfg.Options.Format, err = flowrecord.ParseFormat(s); err != nil {
			return cfg, kopts, fmt.Errorf("%s: %w", contract.EnvLogFormat, err)
		}
	}
	if s := getenv(contract.EnvLogFormats); s != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return cfg, kopts, fmt.Errorf("%s: want a JSON object of log group names to log formats: %w", contract.EnvLogFormats, err)
		}
		cfg.Formats = make(map[string]flowrecord.Format, len(m))
		for group, f := range m {
			if cfg.Formats[group], err = flowrecord.ParseFormat(f); err != nil {
				return cfg, kopts, fmt.Errorf("%s: log group %s: %w", contract.EnvLogFormats, group, err)
			}
		}
	}
	if s := getenv(contract.EnvWindow); s != "" {
		if cfg.Options.Window, err = time.ParseDuration(s); err != nil {
			return cfg, kopts, fmt.Errorf("%s: %w", contract.EnvWindow, err)
		}
	}
	ints := []struct {
		env string
		dst *int
	}{{contract.EnvMaxKeys, &cfg.Options.MaxKeys}, {contract.EnvMaxStateBytes, &kopts.MaxStateBytes}}
	for _, i := range ints {
		if s := getenv(i.env); s != "" {
			if *i.dst, err = strconv.Atoi(s); err != nil || *i.dst <= 0 {
				return cfg, kopts, fmt.Errorf("%s=%q: want a positive integer", i.env, s)
			}
		}
	}
	if s := getenv(contract.EnvInternetAddrs); s != "" {
		if cfg.Options.InternetAddrs, err = strconv.ParseBool(s); err != nil {
			return cfg, kopts, fmt.Errorf("%s=%q: %w", contract.EnvInternetAddrs, s, err)
		}
	}
	if _, err := enrich.New(inventory.New(), discard{}, cfg.Options); err != nil {
		return cfg, kopts, err
	}
	return cfg, kopts, nil
}

// openURI opens a file path or an s3://bucket/key URI.
func openURI(ctx context.Context, s3c S3API, uri string) (io.ReadCloser, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return os.Open(uri)
	}
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return nil, fmt.Errorf("%q: want s3://BUCKET/KEY", uri)
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", uri, err)
	}
	return out.Body, nil
}

func loadFile(open func(string) (io.ReadCloser, error), uri, what string, load func(io.Reader) error) error {
	if uri == "" {
		return nil
	}
	f, err := open(uri)
	if err != nil {
		return fmt.Errorf("loading %s: %w", what, err)
	}
	err = load(bufio.NewReaderSize(f, 256<<10))
	_ = f.Close() // read-only: nothing to lose
	if err != nil {
		return fmt.Errorf("loading %s from %s: %w", what, uri, err)
	}
	return nil
}

// LoadInventory loads an inventory from the output of
// describe-network-interfaces (required), get-resources and ip-ranges.json,
// each named by a path or URI that open opens. Without history, the
// interfaces' snapshot holds for every record time.
func LoadInventory(open func(string) (io.ReadCloser, error), enis, tags, ipRanges string) (*inventory.Inventory, error) {
	if enis == "" {
		return nil, errors.New("loading the inventory: no network interfaces")
	}
	inv := inventory.New()
	loads := []struct {
		uri, what string
		load      func(io.Reader) error
	}{
		{enis, "network interfaces", func(r io.Reader) error { return inv.LoadNetworkInterfaces(r, time.Time{}) }},
		{tags, "tags", inv.LoadTags},
		{ipRanges, "ip ranges", inv.LoadIPRanges},
	}
	for _, l := range loads {
		if err := loadFile(open, l.uri, l.what, l.load); err != nil {
			return nil, err
		}
	}
	return inv, nil
}
