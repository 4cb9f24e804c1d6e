package handler

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// rowTable holds the rows of a tumbling window's part, merged: rows of
// connections with the same key (aggregation window, client and server
// identity, server port, protocol, action) are summed into one, as the
// enricher would have if it had seen their records together. NODATA and
// SKIPDATA rows are kept one each.
//
// size is the exact length of the table's state encoding before
// compression, kept up to date as rows are added, so that whether the
// table is flushed early depends on its contents only, not on where
// invocations begin and end.
type rowTable struct {
	endpoints []*connrows.Endpoint
	epJSON    [][]byte
	epIndex   map[string]int32
	rows      []tableRow
	index     map[rowKey]int
	size      int
	scratch   []byte
}

type tableRow struct {
	connrows.Row
	client, server int32 // endpoint indexes, -1 for none
	size           int   // length of the row's encoding
}

type rowKey struct {
	window           int64
	client, server   int32
	port             int32
	protocol, action string
}

func newRowTable() *rowTable {
	return &rowTable{epIndex: make(map[string]int32), index: make(map[rowKey]int)}
}

// reset empties the table, keeping its memory.
func (t *rowTable) reset() {
	clear(t.endpoints)
	t.endpoints = t.endpoints[:0]
	clear(t.epJSON)
	t.epJSON = t.epJSON[:0]
	clear(t.epIndex)
	clear(t.rows)
	t.rows = t.rows[:0]
	clear(t.index)
	t.size = 0
}

func (t *rowTable) empty() bool { return len(t.rows) == 0 }

// identity returns the aggregation identity of an output endpoint, as
// attribution.Endpoint.IdentityKey gives it for the endpoint it came from.
func identity(ep *connrows.Endpoint) string {
	switch ep.Type {
	case attribution.TypeAWSService:
		if ep.Region == "" {
			return attribution.TypeAWSService + ":" + ep.AwsService
		}
		return attribution.TypeAWSService + ":" + ep.AwsService + ":" + ep.Region
	case attribution.TypeInternet, attribution.TypeUnknown, "":
		typ := ep.Type
		if typ == "" {
			typ = attribution.TypeUnknown
		}
		if ep.Addr == "" {
			return typ
		}
		return typ + ":" + ep.Addr
	}
	if len(ep.ARNs) > 0 {
		return ep.ARNs[0]
	}
	if ep.InterfaceID != "" {
		return ep.Type + ":" + ep.InterfaceID
	}
	return ep.Type + ":" + ep.Addr
}

// endpoint returns the index of an endpoint's identity, adding the endpoint
// when it is new; nil is -1.
func (t *rowTable) endpoint(ep *connrows.Endpoint) (int32, error) {
	if ep == nil {
		return -1, nil
	}
	id := identity(ep)
	if i, ok := t.epIndex[id]; ok {
		return i, nil
	}
	js, err := json.Marshal(ep)
	if err != nil {
		return 0, fmt.Errorf("encoding endpoint %s: %w", id, err)
	}
	return t.addEndpoint(id, ep, js), nil
}

func (t *rowTable) addEndpoint(id string, ep *connrows.Endpoint, js []byte) int32 {
	i := int32(len(t.endpoints))
	t.endpoints = append(t.endpoints, ep)
	t.epJSON = append(t.epJSON, js)
	t.epIndex[id] = i
	t.size += uvarintLen(uint64(len(js))) + len(js)
	return i
}

// add merges a row into the table. The row's endpoints are kept, not
// copied; they must not change (connrows.Endpoint.Freeze).
func (t *rowTable) add(r *connrows.Row) error {
	ci, err := t.endpoint(r.Client)
	if err != nil {
		return err
	}
	si, err := t.endpoint(r.Server)
	if err != nil {
		return err
	}
	if r.LogStatus == connrows.LogStatusOK {
		k := rowKey{r.Window.Unix(), ci, si, r.ServerPort, r.Protocol, r.Action}
		if i, ok := t.index[k]; ok {
			tr := &t.rows[i]
			mergeRow(&tr.Row, r)
			t.resize(tr)
			return nil
		}
		t.index[k] = len(t.rows)
	}
	t.rows = append(t.rows, tableRow{Row: *r, client: ci, server: si})
	tr := &t.rows[len(t.rows)-1]
	tr.Client, tr.Server = t.at(ci), t.at(si)
	t.resize(tr)
	return nil
}

func (t *rowTable) at(i int32) *connrows.Endpoint {
	if i < 0 {
		return nil
	}
	return t.endpoints[i]
}

// resize brings size up to date with a row's encoding.
func (t *rowTable) resize(tr *tableRow) {
	t.scratch = appendRow(t.scratch[:0], tr)
	t.size += len(t.scratch) - tr.size
	tr.size = len(t.scratch)
}

// mergeRow adds the counts of r to the row of the same key.
func mergeRow(dst, r *connrows.Row) {
	dst.Uploaded += r.Uploaded
	dst.Downloaded += r.Downloaded
	dst.UploadedPackets += r.UploadedPackets
	dst.DownloadedPackets += r.DownloadedPackets
	dst.Records += r.Records
	dst.Duplicates += r.Duplicates
	if r.Start.Before(dst.Start) {
		dst.Start = r.Start
	}
	if r.End.After(dst.End) {
		dst.End = r.End
	}
	if dst.TrafficPath == "" {
		dst.TrafficPath = r.TrafficPath
	}
}

// write writes every row to out, in the order they were first added.
func (t *rowTable) write(out connrows.Writer) error {
	for i := range t.rows {
		if err := out.Write(&t.rows[i].Row); err != nil {
			return err
		}
	}
	return nil
}

// records returns the records the rows fold.
func (t *rowTable) records() int64 {
	var n int64
	for i := range t.rows {
		n += t.rows[i].Records
	}
	return n
}

// windowState is what a Kinesis tumbling window carries from one
// invocation to the next.
type windowState struct {
	// Shard is the shard the window reads.
	Shard string
	// Seen is the highest sequence number folded into the window, so that
	// records Lambda delivers again are not counted twice.
	Seen string
	// First is the sequence number of the first record of the rows not yet
	// stored, "" when there are none; they run from First to Seen.
	First string
	// Counts are those of the whole window; Parts the parts stored early.
	Counts Counts
	Parts  int
	// Duplicates counts the payloads skipped as copies of one folded
	// before, in the window.
	Duplicates int
	// Recent are the ids (payloadID) of the last maxRecentPayloads
	// payloads folded, oldest first; recent indexes them.
	Recent []uint64
	recent map[uint64]struct{}
	// Rows are the merged rows of the records from First to Seen.
	Rows *rowTable
}

// maxRecentPayloads bounds the payload ids a window remembers to recognise
// a copy: 8 bytes each, 32 KiB of state at most. CloudWatch Logs puts a
// copy of a payload when its put of the original timed out, seconds later,
// so among the next few records of the shard.
const maxRecentPayloads = 4096

// payloadID is the 64-bit FNV-1a hash of a payload's name
// (enrichment.payloadName); it is kept in the state, so it must not change
// between versions of the function.
func payloadID(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}

func (st *windowState) hasPayload(id uint64) bool {
	_, ok := st.recent[id]
	return ok
}

func (st *windowState) addPayload(id uint64) {
	if st.recent == nil {
		st.recent = make(map[uint64]struct{}, len(st.Recent)+1)
	}
	if len(st.Recent) == maxRecentPayloads {
		delete(st.recent, st.Recent[0])
		st.Recent = append(st.Recent[:0], st.Recent[1:]...)
	}
	st.Recent = append(st.Recent, id)
	st.recent[id] = struct{}{}
}

// stateKey names the window state in the state map Lambda keeps.
const stateKey = "vpcflow"

// stateVersion is the first byte of the encoding. Version 1, without the
// payload ids and duplicates, is still read: a window that began before an
// upgrade ends after it.
const stateVersion = 2

// Encoding of a window state, before gzip and base64 (all integers are
// varints, strings and endpoint JSON length-prefixed):
//
//	version
//	shard, seen, first
//	payloads, read, written, rejected, parts
//	duplicates, payload id count, then each id as 8 bytes (version 2)
//	endpoint count, then each endpoint's JSON
//	row count, then each row:
//	  window (seconds), start - window, end - start
//	  client and server endpoint index + 1 (0: none)
//	  server port, protocol, action, traffic path, log status,
//	  interface id, account id, cross-AZ (0 or 1)
//	  uploaded, downloaded, uploaded packets, downloaded packets,
//	  records, duplicates
//
// The table's size counts the endpoint and row parts exactly, which is
// nearly all of it: the header adds one to two hundred bytes.

func appendRow(dst []byte, r *tableRow) []byte {
	w := r.Window.Unix()
	dst = binary.AppendVarint(dst, w)
	dst = binary.AppendVarint(dst, r.Start.Unix()-w)
	dst = binary.AppendVarint(dst, r.End.Unix()-r.Start.Unix())
	dst = binary.AppendUvarint(dst, uint64(r.client+1))
	dst = binary.AppendUvarint(dst, uint64(r.server+1))
	dst = binary.AppendUvarint(dst, uint64(uint32(r.ServerPort)))
	for _, s := range [...]string{r.Protocol, r.Action, r.TrafficPath, r.LogStatus, r.InterfaceID, r.AccountID} {
		dst = appendString(dst, s)
	}
	crossAZ := byte(0)
	if r.CrossAz {
		crossAZ = 1
	}
	dst = append(dst, crossAZ)
	for _, n := range [...]int64{r.Uploaded, r.Downloaded, r.UploadedPackets, r.DownloadedPackets, r.Records, r.Duplicates} {
		dst = binary.AppendUvarint(dst, uint64(n))
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// encodeState returns the state as the value Lambda keeps: gzip of the
// encoding, in base64.
func encodeState(st *windowState) (string, error) {
	b := []byte{stateVersion}
	for _, s := range [...]string{st.Shard, st.Seen, st.First} {
		b = appendString(b, s)
	}
	for _, n := range [...]int{st.Counts.Payloads, st.Counts.Read, st.Counts.Written, st.Counts.Rejected, st.Parts, st.Duplicates, len(st.Recent)} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	for _, id := range st.Recent {
		b = binary.LittleEndian.AppendUint64(b, id)
	}
	t := st.Rows
	b = binary.AppendUvarint(b, uint64(len(t.epJSON)))
	for _, js := range t.epJSON {
		b = binary.AppendUvarint(b, uint64(len(js)))
		b = append(b, js...)
	}
	b = binary.AppendUvarint(b, uint64(len(t.rows)))
	for i := range t.rows {
		b = appendRow(b, &t.rows[i])
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// stateReader reads an encoding, remembering the first error.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("window state: bad %s", what)
	}
}

func (r *stateReader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) varint(what string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) bytes(what string) []byte {
	n := r.uvarint(what)
	if n > uint64(len(r.b)) {
		r.fail(what)
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *stateReader) str(what string) string { return string(r.bytes(what)) }

// maxStateEncoding bounds a decompressed state: Lambda keeps at most 1 MB
// of compressed state, and rows compress about fivefold.
const maxStateEncoding = 64 << 20

// decodeState reads the state Lambda passed, which is empty at the start of
// a window.
func decodeState(m map[string]string) (*windowState, error) {
	st := &windowState{Rows: newRowTable()}
	v, ok := m[stateKey]
	if !ok || v == "" {
		return st, nil
	}
	gz, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("window state: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("window state: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxStateEncoding+1))
	if err != nil {
		return nil, fmt.Errorf("window state: %w", err)
	}
	if len(b) > maxStateEncoding {
		return nil, errors.New("window state: too large")
	}
	if len(b) == 0 || b[0] < 1 || b[0] > stateVersion {
		return nil, fmt.Errorf("window state: unknown version")
	}
	version := b[0]
	r := &stateReader{b: b[1:]}
	st.Shard, st.Seen, st.First = r.str("shard"), r.str("seen"), r.str("first")
	st.Counts = Counts{
		Payloads: int(r.uvarint("payloads")), Read: int(r.uvarint("read")),
		Written: int(r.uvarint("written")), Rejected: int(r.uvarint("rejected")),
	}
	st.Parts = int(r.uvarint("parts"))
	if version >= 2 {
		st.Duplicates = int(r.uvarint("duplicates"))
		n := r.uvarint("payload id count")
		if n > maxRecentPayloads || n*8 > uint64(len(r.b)) {
			r.fail("payload ids")
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			st.addPayload(binary.LittleEndian.Uint64(r.b))
			r.b = r.b[8:]
		}
	}
	t := st.Rows
	nEP := r.uvarint("endpoint count")
	for i := uint64(0); i < nEP && r.err == nil; i++ {
		js := r.bytes("endpoint")
		ep := new(connrows.Endpoint)
		if err := json.Unmarshal(js, ep); err != nil {
			return nil, fmt.Errorf("window state: endpoint %d: %w", i, err)
		}
		ep.Freeze()
		t.addEndpoint(identity(ep), ep, js)
	}
	nRows := r.uvarint("row count")
	for i := uint64(0); i < nRows && r.err == nil; i++ {
		var tr tableRow
		w := r.varint("window")
		start := w + r.varint("start")
		end := start + r.varint("end")
		tr.Window, tr.Start, tr.End = time.Unix(w, 0).UTC(), time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
		tr.client = int32(r.uvarint("client")) - 1
		tr.server = int32(r.uvarint("server")) - 1
		tr.ServerPort = int32(uint32(r.uvarint("server port")))
		tr.Protocol, tr.Action, tr.TrafficPath = r.str("protocol"), r.str("action"), r.str("traffic path")
		tr.LogStatus, tr.InterfaceID, tr.AccountID = r.str("log status"), r.str("interface id"), r.str("account id")
		if len(r.b) == 0 {
			r.fail("cross-AZ flag")
			break
		}
		tr.CrossAz = r.b[0] == 1
		r.b = r.b[1:]
		counts := [6]*int64{&tr.Uploaded, &tr.Downloaded, &tr.UploadedPackets, &tr.DownloadedPackets, &tr.Records, &tr.Duplicates}
		for _, p := range counts {
			*p = int64(r.uvarint("count"))
		}
		if tr.client >= int32(len(t.endpoints)) || tr.server >= int32(len(t.endpoints)) || tr.client < -1 || tr.server < -1 {
			r.fail("endpoint index")
			break
		}
		tr.Client, tr.Server = t.at(tr.client), t.at(tr.server)
		if tr.LogStatus == connrows.LogStatusOK {
			t.index[rowKey{w, tr.client, tr.server, tr.ServerPort, tr.Protocol, tr.Action}] = len(t.rows)
		}
		t.rows = append(t.rows, tr)
		t.resize(&t.rows[len(t.rows)-1])
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errors.New("window state: trailing bytes")
	}
	return st, nil
}
