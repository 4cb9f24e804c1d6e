package flowrecord

import (
	"net/netip"
)

// Action is the value of the action field.
type Action uint8

// Actions; ActionNone means the field is absent.
const (
	ActionNone Action = iota
	ActionAccept
	ActionReject
)

// String returns the action as AWS writes it, or "-" when absent.
func (a Action) String() string {
	switch a {
	case ActionAccept:
		return "ACCEPT"
	case ActionReject:
		return "REJECT"
	}
	return "-"
}

// LogStatus is the value of the log-status field.
type LogStatus uint8

// Log statuses; LogStatusNone means the field is absent.
const (
	LogStatusNone LogStatus = iota
	LogStatusOK
	LogStatusNoData
	LogStatusSkipData
)

// String returns the status as AWS writes it, or "-" when absent.
func (s LogStatus) String() string {
	switch s {
	case LogStatusOK:
		return "OK"
	case LogStatusNoData:
		return "NODATA"
	case LogStatusSkipData:
		return "SKIPDATA"
	}
	return "-"
}

type span struct{ start, end uint32 }

// Address fields have a slot each in Record.addrs.
const (
	slotSrc = iota
	slotDst
	slotPktSrc
	slotPktDst
	numAddrSlots
)

var addrSlot = [NumFields]uint8{
	FieldSrcAddr:    slotSrc,
	FieldDstAddr:    slotDst,
	FieldPktSrcAddr: slotPktSrc,
	FieldPktDstAddr: slotPktDst,
}

// Record is one parsed flow log record. String fields are views of the parsed
// line, so a Record is valid only while that line's bytes are unchanged; a
// Record can be reused for any number of Parse calls.
//
// A field is absent when the format does not contain it or the line holds
// "-" for it (AWS writes "-" for values that do not apply, and for every
// traffic field of NODATA and SKIPDATA records); accessors return the zero
// value for absent fields and Has tells them apart.
type Record struct {
	line    []byte
	fields  []FieldID
	present uint64
	spans   [NumFields]span
	nums    [NumFields]uint64
	addrs   [numAddrSlots]netip.Addr
}

// Line returns the parsed line, without its line ending.
func (r *Record) Line() []byte { return r.line }

// Fields returns the fields of the record's format in order; callers must
// not modify it.
func (r *Record) Fields() []FieldID { return r.fields }

// Has reports whether the field has a value in this record.
func (r *Record) Has(id FieldID) bool {
	return int(id) < NumFields && r.present&(1<<id) != 0
}

// Raw returns the field's text as written in the line, or nil when absent.
func (r *Record) Raw(id FieldID) []byte {
	if !r.Has(id) {
		return nil
	}
	s := r.spans[id]
	return r.line[s.start:s.end:s.end]
}

// Uint returns the value of a numeric field (KindUint or KindTime).
func (r *Record) Uint(id FieldID) (uint64, bool) {
	if !r.Has(id) {
		return 0, false
	}
	switch table[id].Kind {
	case KindUint, KindTime:
		return r.nums[id], true
	}
	return 0, false
}

// Addr returns the value of an address field (KindAddr).
func (r *Record) Addr(id FieldID) (netip.Addr, bool) {
	if !r.Has(id) || table[id].Kind != KindAddr {
		return netip.Addr{}, false
	}
	return r.addrs[addrSlot[id]], true
}

func (r *Record) num(id FieldID) uint64 {
	if r.present&(1<<id) == 0 {
		return 0
	}
	return r.nums[id]
}

func (r *Record) addr(id FieldID, slot int) netip.Addr {
	if r.present&(1<<id) == 0 {
		return netip.Addr{}
	}
	return r.addrs[slot]
}

// Version returns the version field.
func (r *Record) Version() uint8 { return uint8(r.num(FieldVersion)) }

// AccountID returns the account-id field; it stays text because account IDs
// can start with zeros.
func (r *Record) AccountID() []byte { return r.Raw(FieldAccountID) }

// InterfaceID returns the interface-id field.
func (r *Record) InterfaceID() []byte { return r.Raw(FieldInterfaceID) }

// SrcAddr returns the srcaddr field.
func (r *Record) SrcAddr() netip.Addr { return r.addr(FieldSrcAddr, slotSrc) }

// DstAddr returns the dstaddr field.
func (r *Record) DstAddr() netip.Addr { return r.addr(FieldDstAddr, slotDst) }

// PktSrcAddr returns the pkt-srcaddr field.
func (r *Record) PktSrcAddr() netip.Addr { return r.addr(FieldPktSrcAddr, slotPktSrc) }

// PktDstAddr returns the pkt-dstaddr field.
func (r *Record) PktDstAddr() netip.Addr { return r.addr(FieldPktDstAddr, slotPktDst) }

// SrcPort returns the srcport field.
func (r *Record) SrcPort() uint16 { return uint16(r.num(FieldSrcPort)) }

// DstPort returns the dstport field.
func (r *Record) DstPort() uint16 { return uint16(r.num(FieldDstPort)) }

// Protocol returns the protocol field.
func (r *Record) Protocol() uint8 { return uint8(r.num(FieldProtocol)) }

// Packets returns the packets field.
func (r *Record) Packets() uint64 { return r.num(FieldPackets) }

// Bytes returns the bytes field.
func (r *Record) Bytes() uint64 { return r.num(FieldBytes) }

// Start returns the start field in Unix seconds.
func (r *Record) Start() int64 { return int64(r.num(FieldStart)) }

// End returns the end field in Unix seconds.
func (r *Record) End() int64 { return int64(r.num(FieldEnd)) }

// Action returns the action field.
func (r *Record) Action() Action { return Action(r.num(FieldAction)) }

// LogStatus returns the log-status field.
func (r *Record) LogStatus() LogStatus { return LogStatus(r.num(FieldLogStatus)) }

// TCPFlags returns the tcp-flags field.
func (r *Record) TCPFlags() uint8 { return uint8(r.num(FieldTCPFlags)) }

// TrafficPath returns the traffic-path field.
func (r *Record) TrafficPath() uint8 { return uint8(r.num(FieldTrafficPath)) }
