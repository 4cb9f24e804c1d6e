package pairing

// Observer says which end of a flow the network interface that logged it
// (the record's interface-id) is.
type Observer uint8

// Observers.
const (
	// ObservedUnknown is a record without interface-id.
	ObservedUnknown Observer = iota
	// ObservedAtSource is a record logged by the interface that owns the
	// source address: traffic it sent.
	ObservedAtSource
	// ObservedAtDestination is a record logged by the interface that owns
	// the destination address: traffic it received.
	ObservedAtDestination
	// ObservedInTransit is a record logged by an interface that owns neither
	// address, such as a NAT gateway's or a middlebox's.
	ObservedInTransit
)

// String returns the observer's name.
func (o Observer) String() string {
	switch o {
	case ObservedUnknown:
		return "unknown"
	case ObservedAtSource:
		return "source"
	case ObservedAtDestination:
		return "destination"
	case ObservedInTransit:
		return "transit"
	}
	return "invalid"
}

// Observe classifies the logging interface against the interfaces that own
// the flow's source and destination addresses ("" when not known). The
// logging interface comes as the record's bytes so that no string is made
// per record.
func Observe(interfaceID []byte, srcInterfaceID, dstInterfaceID string) Observer {
	switch {
	case len(interfaceID) == 0:
		return ObservedUnknown
	case string(interfaceID) == srcInterfaceID:
		return ObservedAtSource
	case string(interfaceID) == dstInterfaceID:
		return ObservedAtDestination
	}
	return ObservedInTransit
}

// Counted reports whether a record seen by obs carries the flow's bytes and
// packets, given whether the interfaces owning the source and the
// destination are monitored (have a flow log whose records reach the
// enrichment). Exactly one copy of each direction is counted: the source
// interface's when it is monitored, else the destination interface's, else
// any other observer's.
func Counted(obs Observer, srcMonitored, dstMonitored bool) bool {
	switch obs {
	case ObservedAtSource, ObservedUnknown:
		return true
	case ObservedAtDestination:
		return !srcMonitored
	}
	return !srcMonitored && !dstMonitored
}
