package compaction

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Dir is a Store on a local directory, each key a file ROOT/KEY: for
// compacting rows copied out of S3, and for measuring the compaction
// without S3.
type Dir string

var _ Store = Dir("")

func (d Dir) path(key string) string { return filepath.Join(string(d), filepath.FromSlash(key)) }

// List returns the files whose keys begin with prefix, in key order.
func (d Dir) List(_ context.Context, prefix string) ([]Object, error) {
	var out []Object
	root := string(d)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, Object{Key: key, Size: info.Size()})
		return nil
	})
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, err
}

// Get reads a file.
func (d Dir) Get(_ context.Context, key string) ([]byte, error) { return os.ReadFile(d.path(key)) }

// Put writes a file, creating its folders.
func (d Dir) Put(_ context.Context, key string, body []byte, _ string, _ map[string]string) error {
	p := d.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, body, 0o644)
}

// Delete removes files; missing ones are not an error.
func (d Dir) Delete(_ context.Context, keys []string) error {
	for _, k := range keys {
		if err := os.Remove(d.path(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
