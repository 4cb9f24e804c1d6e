package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// download copies the objects under a prefix into dir, keeping their keys
// below the prefix (dt=.../hour=.../NAME), and returns how many.
func download(ctx context.Context, c *clients, bucket, prefix, dir string) (int, error) {
	n := 0
	pages := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			rel := strings.TrimPrefix(key, prefix)
			// Underscore folders (staging, manifests, rejected records) are
			// not rows: Athena skips them too.
			if rel == "" || strings.HasPrefix(rel, "_") || strings.Contains(rel, "..") {
				continue
			}
			if err := getObject(ctx, c, bucket, key, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				return n, err
			}
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("no rows under s3://%s/%s", bucket, prefix)
	}
	return n, nil
}

func getObject(ctx context.Context, c *clients, bucket, key, path string) error {
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }() // read only
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		_ = f.Close()
		return fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	return f.Close()
}
