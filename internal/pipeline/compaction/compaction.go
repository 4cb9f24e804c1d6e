// Package compaction merges the small objects that the enrichment
// handlers write, one per input payload and hour partition, into a few
// large objects per partition once the partition is closed, so that Athena
// reads objects of up to about 128 MB instead of up to 86,400 objects a day
// per partition and busy shard.
//
// The enrichment handlers write their rows to a staging folder that Athena
// does not read (an underscore folder, contract.StagingDir):
//
//	PREFIX/_staging/dt=YYYY-MM-DD/hour=HH/PART.{json.gz,parquet}
//
// and a scheduled run (Compactor.Run) merges each closed partition:
//
//	PREFIX/dt=YYYY-MM-DD/hour=HH/c-GROUP-NNNN.{parquet,json.gz}  the rows, read by Athena
//	PREFIX/_compacted/dt=YYYY-MM-DD/hour=HH/c-GROUP.json         the manifest of the group
//
// GROUP is a hash of the names of the parts merged, so the same parts
// always give the same keys; NNNN numbers the objects of a group, cut once
// an object reaches Options.MaxObjectBytes. The manifest lists the parts a
// group holds and is written after its objects and before the parts are
// deleted. See Compactor.Run for why every record is counted once through
// it, whatever fails or is delivered again.
//
// The package reads and writes through Store, a small interface that
// s3sink.Objects implements on S3; it imports no AWS SDK.
package compaction

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

// Folders under the prefix. Athena, like Hive, skips folders whose names
// begin with an underscore.
const (
	StagingDir  = "_staging"
	ManifestDir = "_compacted"
)

// Formats of the objects, named as s3sink names them.
const (
	NDJSON  = "ndjson"
	Parquet = "parquet"
)

const (
	ndjsonExt  = ".json.gz"
	parquetExt = ".parquet"
)

// DefaultMaxObjectBytes is the size at which a compacted object is cut:
// Athena's guidance is objects of about 128 MB.
const DefaultMaxObjectBytes = 128 << 20

// DefaultGrace is how long after the end of its hour a partition is
// closed by default: CloudWatch Logs delivers flow log records up to about
// 10 minutes after their capture window, a Kinesis tumbling window holds
// them up to 15 minutes more, and Lambda retries add minutes to that.
const DefaultGrace = time.Hour

// Object is a stored object.
type Object struct {
	Key  string
	Size int64
}

// Store is the part of S3 the compaction uses, on one bucket.
type Store interface {
	// List returns every object whose key begins with prefix.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Get returns an object's body.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put writes an object, replacing one of the same key.
	Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error
	// Delete deletes objects; keys that do not exist are not an error.
	Delete(ctx context.Context, keys []string) error
}

// Options configure a Compactor.
type Options struct {
	// Prefix is the prefix of the rows, empty or ending with a slash.
	Prefix string
	// Format is that of the compacted objects: Parquet (the default) or
	// NDJSON. Parts of either format are read.
	Format string
	// Grace is how long after the end of its hour a partition is closed;
	// DefaultGrace when zero. Parts that arrive later are compacted by a
	// later run into an object of their own.
	Grace time.Duration
	// MaxObjectBytes is the size at which an object is cut and the next
	// begun; DefaultMaxObjectBytes when zero. An object ends at the first
	// row group or compressed block that takes it past this size, so it
	// may exceed it by one Parquet row group (parquetrows.RowGroupRows rows, a
	// megabyte or two) or 64 KiB of NDJSON.
	MaxObjectBytes int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Reserve is the time a run keeps before its context's deadline: no
	// partition is begun with less left. Default: one minute.
	Reserve time.Duration
}

// Compactor merges closed partitions of staged parts.
type Compactor struct {
	store Store
	opts  Options
}

// New returns a Compactor.
func New(store Store, opts Options) (*Compactor, error) {
	if store == nil {
		return nil, errors.New("compaction: no store")
	}
	switch opts.Format {
	case "":
		opts.Format = Parquet
	case Parquet, NDJSON:
	default:
		return nil, fmt.Errorf("compaction: unknown format %q: want %q or %q", opts.Format, Parquet, NDJSON)
	}
	if opts.Prefix != "" && !strings.HasSuffix(opts.Prefix, "/") {
		opts.Prefix += "/"
	}
	if opts.Grace < 0 || opts.MaxObjectBytes < 0 {
		return nil, errors.New("compaction: negative grace or object size")
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.MaxObjectBytes == 0 {
		opts.MaxObjectBytes = DefaultMaxObjectBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Reserve == 0 {
		opts.Reserve = time.Minute
	}
	return &Compactor{store: store, opts: opts}, nil
}

// Stats count what a run did.
type Stats struct {
	// Partitions were compacted: closed, with parts not compacted before.
	Partitions int `json:"partitions"`
	// Open partitions have parts but are not closed yet.
	Open int `json:"open"`
	// Deferred partitions were closed but left for the next run, for lack
	// of time before the deadline.
	Deferred int `json:"deferred"`
	// Parts were merged into objects; Redelivered parts were deleted
	// because a manifest already held them (a payload stored again after
	// its compaction, or a run that stopped before deleting them).
	Parts       int `json:"parts"`
	Redelivered int `json:"redelivered"`
	// Orphans are compacted objects without a manifest, left by a run that
	// stopped while writing them, deleted before their parts are merged
	// again.
	Orphans int `json:"orphans"`
	// Objects were written, with Rows rows folding Records flow log
	// records; BytesIn were read from parts, BytesOut written.
	Objects  int   `json:"objects"`
	Rows     int64 `json:"rows"`
	Records  int64 `json:"records"`
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
}

func (s *Stats) add(o Stats) {
	s.Partitions += o.Partitions
	s.Parts += o.Parts
	s.Redelivered += o.Redelivered
	s.Orphans += o.Orphans
	s.Objects += o.Objects
	s.Rows += o.Rows
	s.Records += o.Records
	s.BytesIn += o.BytesIn
	s.BytesOut += o.BytesOut
}

// Manifest lists what one compacted group holds.
type Manifest struct {
	Partition string `json:"partition"`
	Group     string `json:"group"`
	// Parts are the names of the parts merged, without their extensions,
	// sorted.
	Parts   []string         `json:"parts"`
	Objects []ManifestObject `json:"objects"`
}

// ManifestObject is one object of a group.
type ManifestObject struct {
	Key     string `json:"key"`
	Rows    int64  `json:"rows"`
	Records int64  `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// Run compacts every closed partition of the staging folder.
//
// Every record is counted once through it, because:
//
//   - A partition is closed when its hour ended Grace ago; only closed
//     partitions are merged, so most of a partition's parts are merged in
//     one run, into one group. Parts that arrive later make a group of
//     their own in a later run: a partition has at most one group per run
//     that found new parts in it, each group ceil(its bytes /
//     MaxObjectBytes) objects.
//   - A group's name is a hash of the names of its parts, and its objects'
//     rows come from its parts in name order, so merging the same parts
//     again writes the same keys with the same bytes.
//   - Its objects are written first, then its manifest, then its parts
//     are deleted. A run that stops before the manifest leaves objects
//     without one: the next run deletes them (orphans) before it merges
//     the parts, which are all still staged, again. A run that stops after
//     the manifest leaves parts that the manifest holds: the next run
//     deletes them without merging them.
//   - A part's name is a function of its input alone (s3sink.LogsName,
//     s3sink.KinesisName), so a payload that Lambda delivers again after
//     its part was compacted stores a part of the same name, which the
//     manifest holds: it is deleted, not merged a second time. Manifests
//     are therefore kept; they are a few kilobytes per group.
//
// Runs must not overlap (the function's reserved concurrency is 1): a run
// would take the objects another is writing for orphans.
func (c *Compactor) Run(ctx context.Context) (Stats, error) {
	var st Stats
	staging := c.opts.Prefix + StagingDir + "/"
	objs, err := c.store.List(ctx, staging)
	if err != nil {
		return st, fmt.Errorf("listing the staged parts: %w", err)
	}
	byPartition := map[string][]Object{}
	for _, o := range objs {
		partition, name, ok := splitPartKey(strings.TrimPrefix(o.Key, staging))
		if !ok || partName(name) == "" {
			continue // not a part: left alone
		}
		byPartition[partition] = append(byPartition[partition], o)
	}
	partitions := make([]string, 0, len(byPartition))
	for p := range byPartition {
		partitions = append(partitions, p)
	}
	slices.Sort(partitions)
	now := c.opts.Now()
	for _, p := range partitions {
		start, err := partitionStart(p)
		if err != nil {
			continue // not a partition of ours: left alone
		}
		if now.Before(start.Add(time.Hour + c.opts.Grace)) {
			st.Open++
			continue
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < c.opts.Reserve {
			st.Deferred++
			continue
		}
		ps, err := c.CompactPartition(ctx, p, byPartition[p])
		st.add(ps)
		if err != nil {
			return st, fmt.Errorf("compacting %s: %w", p, err)
		}
	}
	return st, nil
}

// CompactPartition merges the staged parts of one partition (as listed
// under PREFIX/_staging/PARTITION/), whether or not it is closed: see Run.
func (c *Compactor) CompactPartition(ctx context.Context, partition string, parts []Object) (Stats, error) {
	var st Stats
	manifests, err := c.manifests(ctx, partition)
	if err != nil {
		return st, err
	}
	done := map[string]bool{}
	groups := map[string]bool{}
	for _, m := range manifests {
		groups[m.Group] = true
		for _, p := range m.Parts {
			done[p] = true
		}
	}

	// Objects of a group without a manifest were left by a run that
	// stopped while writing them: their parts are still staged.
	rowsDir := c.opts.Prefix + partition + "/"
	objs, err := c.store.List(ctx, rowsDir)
	if err != nil {
		return st, fmt.Errorf("listing the compacted objects: %w", err)
	}
	var orphans []string
	for _, o := range objs {
		if g, ok := groupOf(strings.TrimPrefix(o.Key, rowsDir)); ok && !groups[g] {
			orphans = append(orphans, o.Key)
		}
	}
	if len(orphans) > 0 {
		if err := c.store.Delete(ctx, orphans); err != nil {
			return st, fmt.Errorf("deleting objects of an unfinished compaction: %w", err)
		}
		st.Orphans = len(orphans)
	}

	var again, fresh []Object
	for _, o := range parts {
		if done[partName(o.Key)] {
			again = append(again, o)
		} else {
			fresh = append(fresh, o)
		}
	}
	if len(again) > 0 {
		if err := c.store.Delete(ctx, keys(again)); err != nil {
			return st, fmt.Errorf("deleting parts already compacted: %w", err)
		}
		st.Redelivered = len(again)
	}
	if len(fresh) == 0 {
		return st, nil
	}
	// Parts in name order; two staged copies of one part (in both
	// formats, after the output format changed) are one part.
	slices.SortFunc(fresh, func(a, b Object) int {
		if c := strings.Compare(partName(a.Key), partName(b.Key)); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	names := make([]string, 0, len(fresh))
	var merge []Object
	for _, o := range fresh {
		n := partName(o.Key)
		if len(names) > 0 && names[len(names)-1] == n {
			continue
		}
		names = append(names, n)
		merge = append(merge, o)
	}
	m := Manifest{Partition: partition, Group: groupName(names), Parts: names}

	w := c.newObjectWriter(rowsDir, m.Group)
	for _, o := range merge {
		body, err := c.store.Get(ctx, o.Key)
		if err != nil {
			return st, fmt.Errorf("reading %s: %w", o.Key, err)
		}
		st.BytesIn += int64(len(body))
		err = readRows(o.Key, body, func(r *connrows.Row) error {
			if err := w.write(r); err != nil {
				return err
			}
			if int64(w.buf.Len()) >= c.opts.MaxObjectBytes {
				return w.cut(ctx, c.store)
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("merging %s: %w", o.Key, err)
		}
	}
	if err := w.cut(ctx, c.store); err != nil {
		return st, err
	}
	m.Objects = w.objects
	for _, o := range w.objects {
		st.Objects++
		st.Rows += o.Rows
		st.Records += o.Records
		st.BytesOut += o.Bytes
	}

	doc, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return st, err
	}
	if err := c.store.Put(ctx, c.ManifestKey(partition, m.Group), doc, "application/json", nil); err != nil {
		return st, fmt.Errorf("writing the manifest: %w", err)
	}
	if err := c.store.Delete(ctx, keys(fresh)); err != nil {
		return st, fmt.Errorf("deleting the parts compacted: %w", err)
	}
	st.Partitions = 1
	st.Parts = len(merge)
	return st, nil
}

// ManifestKey returns the key of the manifest of a group.
func (c *Compactor) ManifestKey(partition, group string) string {
	return c.opts.Prefix + ManifestDir + "/" + partition + "/" + group + ".json"
}

func (c *Compactor) manifests(ctx context.Context, partition string) ([]Manifest, error) {
	dir := c.opts.Prefix + ManifestDir + "/" + partition + "/"
	objs, err := c.store.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("listing the manifests: %w", err)
	}
	var out []Manifest
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		body, err := c.store.Get(ctx, o.Key)
		if err != nil {
			return nil, fmt.Errorf("reading the manifest %s: %w", o.Key, err)
		}
		var m Manifest
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("reading the manifest %s: %w", o.Key, err)
		}
		if m.Group == "" {
			return nil, fmt.Errorf("the manifest %s names no group", o.Key)
		}
		out = append(out, m)
	}
	return out, nil
}

// objectWriter writes the objects of one group, cutting them at a size.
type objectWriter struct {
	dir, group, format string
	buf                bytes.Buffer
	w                  connrows.Writer
	rows, records      int64
	objects            []ManifestObject
}

func (c *Compactor) newObjectWriter(dir, group string) *objectWriter {
	return &objectWriter{dir: dir, group: group, format: c.opts.Format}
}

func (w *objectWriter) write(r *connrows.Row) error {
	if w.w == nil {
		w.buf.Reset()
		if w.format == Parquet {
			w.w = parquetrows.NewWriter(&w.buf)
		} else {
			nd, err := connrows.NewNDJSON(&w.buf, connrows.NDJSONOptions{Gzip: true})
			if err != nil {
				return err
			}
			w.w = nd
		}
	}
	w.rows++
	w.records += r.Records
	return w.w.Write(r)
}

// cut ends the current object, if it has rows, and stores it.
func (w *objectWriter) cut(ctx context.Context, store Store) error {
	if w.w == nil {
		return nil
	}
	if err := w.w.Close(); err != nil {
		return err
	}
	ext, ctype := parquetExt, "application/vnd.apache.parquet"
	if w.format == NDJSON {
		ext, ctype = ndjsonExt, "application/gzip"
	}
	key := w.dir + w.group + "-" + fmt.Sprintf("%04d", len(w.objects)) + ext
	meta := map[string]string{"rows": strconv.FormatInt(w.rows, 10), "records": strconv.FormatInt(w.records, 10)}
	if err := store.Put(ctx, key, w.buf.Bytes(), ctype, meta); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	w.objects = append(w.objects, ManifestObject{Key: key, Rows: w.rows, Records: w.records, Bytes: int64(w.buf.Len())})
	w.w, w.rows, w.records = nil, 0, 0
	return nil
}

// readRows calls fn with each row of a part, by the format its key names.
func readRows(key string, body []byte, fn func(*connrows.Row) error) error {
	switch {
	case strings.HasSuffix(key, parquetExt):
		rows, err := parquetrows.Read(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			return err
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	case strings.HasSuffix(key, ndjsonExt):
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		dec := json.NewDecoder(zr)
		for {
			var r connrows.Row
			if err := dec.Decode(&r); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("not a part: %s", key)
}

// splitPartKey splits "dt=D/hour=H/NAME" into the partition and the name.
func splitPartKey(rel string) (partition, name string, ok bool) {
	i := strings.LastIndexByte(rel, '/')
	if i <= 0 || strings.Count(rel, "/") != 2 {
		return "", "", false
	}
	return rel[:i], rel[i+1:], true
}

// partName returns a part's name without folder and extension, "" when the
// key is not that of a part.
func partName(key string) string {
	name := key[strings.LastIndexByte(key, '/')+1:]
	for _, ext := range []string{parquetExt, ndjsonExt} {
		if n, ok := strings.CutSuffix(name, ext); ok && n != "" {
			return n
		}
	}
	return ""
}

// partitionStart reads "dt=2006-01-02/hour=15".
func partitionStart(p string) (time.Time, error) {
	dt, hour, ok := strings.Cut(p, "/")
	if !ok || !strings.HasPrefix(dt, "dt=") || !strings.HasPrefix(hour, "hour=") {
		return time.Time{}, fmt.Errorf("not a partition: %q", p)
	}
	return time.Parse("2006-01-02 15", dt[3:]+" "+hour[5:])
}

// groupPrefix begins the names of compacted objects and groups; the
// enrichment handlers' names begin with k-, l- or x-.
const groupPrefix = "c-"

// groupName returns the name of the group of sorted part names.
func groupName(names []string) string {
	h := sha256.New()
	for _, n := range names {
		_, _ = h.Write([]byte(n))
		_, _ = h.Write([]byte{0})
	}
	return groupPrefix + hex.EncodeToString(h.Sum(nil))[:20]
}

// groupOf returns the group of a compacted object's name,
// "c-GROUPHASH-NNNN.ext".
func groupOf(name string) (string, bool) {
	n := partName(name)
	if !strings.HasPrefix(n, groupPrefix) {
		return "", false
	}
	i := strings.LastIndexByte(n, '-')
	if i <= len(groupPrefix) {
		return "", false
	}
	return n[:i], true
}

func keys(objs []Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}
