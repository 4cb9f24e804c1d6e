package s3sink

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// Object names say where their rows came from, so that the same input
// always gets the same name:
//
//	k-<stream hash>-<shard id>-<first sequence number>-<last sequence number>
//	l-<log group hash>-<log stream>-<first event id>
//	o-<object hash>-<file name>-<part>
//
// The stream hash is that of the stream ARN, which tells apart shards of
// different streams (shard ids repeat across streams); the log group hash
// is that of the owner account, the log group and the subscription filter
// names, since one log group may feed two filters and log group names repeat
// across accounts. Sequence numbers and event ids are decimal; the log
// stream name is escaped (EscapeName) so that it stays one path segment.
// The object hash is that of a flow log file's bucket, key and version (its
// version id, or its ETag in a bucket without versioning), so that every
// copy of a notification of the same file gives the same name; the file
// name (the last segment of its key) is there for people reading keys, and
// the part numbers the parts a large file is enriched in, from 0.

// hashLen is how many hex digits of a SHA-256 name a source.
const hashLen = 12

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:hashLen]
}

// KinesisName returns the name of the rows of the Kinesis records first to
// last (sequence numbers, inclusive) of a shard of a stream.
func KinesisName(streamARN, shardID, first, last string) string {
	return "k-" + shortHash(streamARN) + "-" + EscapeName(shardID) + "-" + first + "-" + last
}

// LogsName returns the name of the rows of a CloudWatch Logs subscription
// payload: the log group's owner, name and subscription filters, the log
// stream, and the id of the payload's first log event.
func LogsName(owner, logGroup string, filters []string, logStream, firstEventID string) string {
	return LogsSource(owner, logGroup, filters) + EscapeName(logStream) + "-" + firstEventID
}

// LogsSource returns the beginning that the names of every payload of a
// log group through its subscription filters share (l-<log group hash>-):
// listing a partition with it finds that source's objects, and no other's.
func LogsSource(owner, logGroup string, filters []string) string {
	parts := append([]string{owner, logGroup}, filters...)
	return "l-" + shortHash(parts...) + "-"
}

// ReenrichedName returns the name of the rows that replace, in one
// partition, every object of a log group through its subscription filters
// (see package reenrich). EscapeName writes an underscore only before two
// upper-case hexadecimal digits, so no log stream gives a payload this
// name.
func ReenrichedName(owner, logGroup string, filters []string) string {
	return LogsSource(owner, logGroup, filters) + "_reenriched-0"
}

// ObjectName returns the name of the rows of part (from 0) of a flow log
// file in S3: its bucket, key and version, the version id or, without
// versioning, the ETag.
func ObjectName(bucket, key, version string, part int) string {
	file := key[strings.LastIndexByte(key, '/')+1:]
	return "o-" + shortHash(bucket, key, version) + "-" + EscapeName(file) + "-" + strconv.Itoa(part)
}

// maxEscaped bounds an escaped name; longer ones end in a hash of the
// whole. Log stream names may have 512 characters and S3 keys 1024 bytes.
const maxEscaped = 160

// EscapeName makes a name safe as part of one S3 key segment: letters,
// digits, '.' and '-' stay, every other byte becomes _XX (hex). Names
// longer than 160 bytes once escaped are cut and end in a hash of the
// whole name, so different names stay different.
func EscapeName(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	out := b.String()
	if len(out) > maxEscaped {
		out = out[:maxEscaped-hashLen-1] + "_" + shortHash(s)
	}
	return out
}

// Name is an object name read back by ParseName.
type Name struct {
	// Kind is 'k' for Kinesis, 'l' for CloudWatch Logs, 'o' for a flow
	// log file in S3.
	Kind byte
	// Source is what comes between the kind and the sequence numbers or
	// event id: the stream hash and shard, or the log group hash and
	// stream.
	Source string
	// First and Last are the sequence numbers of a Kinesis name; a
	// CloudWatch Logs name has its first event id in First and no Last, a
	// file's name its part number.
	First, Last string
}

// ParseName reads an object name (the last segment of a key, with or
// without its extension).
func ParseName(name string) (Name, error) {
	name = strings.TrimSuffix(strings.TrimSuffix(name, NDJSON.Ext()), Parquet.Ext())
	if len(name) < 3 || name[1] != '-' || (name[0] != 'k' && name[0] != 'l' && name[0] != 'o') {
		return Name{}, errors.New("s3sink: not an object name: " + name)
	}
	n := Name{Kind: name[0]}
	rest := name[2:]
	cut := func() (string, bool) {
		i := strings.LastIndexByte(rest, '-')
		if i <= 0 || !isDigits(rest[i+1:]) {
			return "", false
		}
		v := rest[i+1:]
		rest = rest[:i]
		return v, true
	}
	var ok bool
	if n.Kind == 'k' {
		if n.Last, ok = cut(); !ok {
			return Name{}, errors.New("s3sink: no last sequence number in " + name)
		}
	}
	if n.First, ok = cut(); !ok {
		return Name{}, errors.New("s3sink: no first sequence number or event id in " + name)
	}
	n.Source = rest
	return n, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CompareSeq compares two decimal sequence numbers (Kinesis sequence
// numbers have up to 128 bits, more than an integer holds): -1, 0 or 1.
func CompareSeq(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return strings.Compare(a, b)
}

// UndecodedName returns the name under which a payload that could not be
// decoded is kept (RejectedDir): a hash of its bytes, the same for every
// copy of it.
func UndecodedName(payload []byte) string {
	return "x-" + shortHash(string(payload))
}
