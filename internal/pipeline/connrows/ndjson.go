package connrows

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Writer writes rows in one format.
type Writer interface {
	// Write writes one row; the row may be reused once Write returns.
	Write(r *Row) error
	// Close flushes what is buffered and ends the file; it does not close
	// the underlying io.Writer.
	Close() error
}

// NDJSONWriter writes rows as newline-delimited JSON, optionally
// gzip-compressed. The keys and values are those encoding/json gives Row;
// the fields are written out by hand so that a row costs no reflection,
// their strings and times as encoding/json writes them.
type NDJSONWriter struct {
	w   io.Writer
	gz  *gzip.Writer // open gzip stream, nil once closed
	gzw *gzip.Writer // the compressor, kept for Reset
	buf []byte
	err error
}

// NDJSONOptions configure an NDJSONWriter.
type NDJSONOptions struct {
	// Gzip compresses the output, as Athena expects for .json.gz objects.
	Gzip bool
	// Level is the gzip level; 0 means gzip.BestSpeed. Rows repeat their
	// keys and endpoints, so even the fastest level shrinks them to about
	// 4% of their size, at half the CPU of the default level, whose files
	// are only a quarter smaller. Parquet output is the one to choose for
	// the least bytes scanned.
	Level int
}

const flushAt = 64 << 10

// NewNDJSON returns a writer of NDJSON rows to w.
func NewNDJSON(w io.Writer, opts NDJSONOptions) (*NDJSONWriter, error) {
	n := &NDJSONWriter{w: w, buf: make([]byte, 0, flushAt+4<<10)}
	if opts.Gzip {
		level := opts.Level
		if level == 0 {
			level = gzip.BestSpeed
		}
		gz, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			return nil, err
		}
		n.gz, n.gzw, n.w = gz, gz, gz
	}
	return n, nil
}

// Reset discards any state and starts a new output to w, with the same
// options, reusing the writer's buffers and compressor.
func (n *NDJSONWriter) Reset(w io.Writer) {
	n.buf = n.buf[:0]
	n.err = nil
	n.w = w
	if n.gzw != nil {
		n.gzw.Reset(w)
		n.gz, n.w = n.gzw, n.gzw
	}
}

// Write appends one row.
func (n *NDJSONWriter) Write(r *Row) error {
	if n.err != nil {
		return n.err
	}
	n.buf = AppendJSON(n.buf, r)
	n.buf = append(n.buf, '\n')
	if len(n.buf) >= flushAt {
		n.flush()
	}
	return n.err
}

func (n *NDJSONWriter) flush() {
	if len(n.buf) > 0 && n.err == nil {
		_, n.err = n.w.Write(n.buf)
	}
	n.buf = n.buf[:0]
}

// Close writes what is buffered and ends the gzip stream.
func (n *NDJSONWriter) Close() error {
	n.flush()
	if n.gz != nil {
		if err := n.gz.Close(); n.err == nil {
			n.err = err
		}
		n.gz = nil
	}
	return n.err
}

// AppendJSON appends the row as one JSON object, as encoding/json would
// marshal it.
func AppendJSON(dst []byte, r *Row) []byte {
	dst = append(dst, '{')
	if r.Protocol != "" {
		dst = append(dst, `"Protocol":`...)
		dst = appendString(dst, r.Protocol)
		dst = append(dst, ',')
	}
	dst = append(dst, `"Uploaded":`...)
	dst = strconv.AppendInt(dst, r.Uploaded, 10)
	dst = append(dst, `,"Downloaded":`...)
	dst = strconv.AppendInt(dst, r.Downloaded, 10)
	dst = append(dst, `,"UploadedPackets":`...)
	dst = strconv.AppendInt(dst, r.UploadedPackets, 10)
	dst = append(dst, `,"DownloadedPackets":`...)
	dst = strconv.AppendInt(dst, r.DownloadedPackets, 10)
	dst = append(dst, `,"Start":`...)
	dst = appendTime(dst, r.Start)
	dst = append(dst, `,"End":`...)
	dst = appendTime(dst, r.End)
	dst = append(dst, `,"Window":`...)
	dst = appendTime(dst, r.Window)
	if r.Action != "" {
		dst = append(dst, `,"Action":`...)
		dst = appendString(dst, r.Action)
	}
	dst = append(dst, `,"ServerPort":`...)
	dst = strconv.AppendInt(dst, int64(r.ServerPort), 10)
	dst = append(dst, `,"CrossAz":`...)
	dst = strconv.AppendBool(dst, r.CrossAz)
	if r.TrafficPath != "" {
		dst = append(dst, `,"TrafficPath":`...)
		dst = appendString(dst, r.TrafficPath)
	}
	dst = append(dst, `,"Records":`...)
	dst = strconv.AppendInt(dst, r.Records, 10)
	dst = append(dst, `,"Duplicates":`...)
	dst = strconv.AppendInt(dst, r.Duplicates, 10)
	dst = append(dst, `,"LogStatus":`...)
	dst = appendString(dst, r.LogStatus)
	if r.InterfaceID != "" {
		dst = append(dst, `,"InterfaceId":`...)
		dst = appendString(dst, r.InterfaceID)
	}
	if r.AccountID != "" {
		dst = append(dst, `,"AccountId":`...)
		dst = appendString(dst, r.AccountID)
	}
	if r.Client != nil {
		dst = append(dst, `,"Client":`...)
		dst = r.Client.appendJSON(dst)
	}
	if r.Server != nil {
		dst = append(dst, `,"Server":`...)
		dst = r.Server.appendJSON(dst)
	}
	return append(dst, '}')
}

// appendJSON appends the endpoint as encoding/json would marshal it, map
// keys sorted.
func (e *Endpoint) appendJSON(dst []byte) []byte {
	if e.encoded != nil {
		return append(dst, e.encoded...)
	}
	dst = append(dst, '{')
	first := true
	key := func(k string) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			dst = appendString(dst, v)
		}
	}
	list := func(k string, v []string) {
		if len(v) == 0 {
			return
		}
		key(k)
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		dst = append(dst, ']')
	}
	flag := func(k string, v bool) {
		key(k)
		dst = strconv.AppendBool(dst, v)
	}
	str("Addr", e.Addr)
	list("Arns", e.ARNs)
	str("InterfaceId", e.InterfaceID)
	str("SubnetId", e.SubnetID)
	str("VpcId", e.VPCID)
	str("AccountId", e.AccountID)
	list("SecurityGroupIds", e.SecurityGroupIDs)
	str("AvailabilityZone", e.AvailabilityZone)
	str("AvailabilityZoneId", e.AvailabilityZoneID)
	str("Region", e.Region)
	key("Type")
	dst = appendString(dst, e.Type)
	str("LoadBalancerType", e.LoadBalancerType)
	flag("Rfc1918", e.Rfc1918)
	flag("Rfc6598", e.Rfc6598)
	flag("Ula", e.Ula)
	flag("Public", e.Public)
	if len(e.Tags) > 0 {
		key("Tags")
		dst = appendTags(dst, e.Tags)
	}
	str("AwsService", e.AwsService)
	return append(dst, '}')
}

func appendTags(dst []byte, tags map[string]string) []byte {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys) // by the bytes of the keys, as encoding/json sorts them
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, tags[k])
	}
	return append(dst, '}')
}

// appendTime appends t as encoding/json does: RFC 3339 with the fractional
// seconds only when there are some. encoding/json refuses years outside
// 0-9999, which rows do not hold; they are written all the same.
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendString appends s as a JSON string as encoding/json escapes it:
// <, > and & as \u escapes, invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped.
func appendString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
