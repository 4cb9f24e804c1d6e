package pairing

// PortClass says how likely a port is to be a server's.
type PortClass uint8

// Port classes, from least to most server-like.
const (
	// PortEphemeral is a port in an operating system's range for outgoing
	// connections: 32768 and up.
	PortEphemeral PortClass = iota + 1
	// PortUnclassified is any other port from 1024 to 32767, and port 0.
	PortUnclassified
	// PortService is a well-known port (1 to 1023) or a registered service
	// port listed in ServicePorts.
	PortService
)

// String returns the class's name.
func (c PortClass) String() string {
	switch c {
	case PortEphemeral:
		return "ephemeral"
	case PortUnclassified:
		return "unclassified"
	case PortService:
		return "service"
	}
	return "invalid"
}

// EphemeralPortStart is the first port of the ephemeral class: the start of
// the Linux default range (net.ipv4.ip_local_port_range 32768-60999), which
// includes the IANA and Windows range 49152-65535.
const EphemeralPortStart = 32768

// ServicePorts are registered ports of 1024 and above that servers in a VPC
// commonly listen on, so that a flow between one of them and an ephemeral or
// unclassified port has its server on this side.
var ServicePorts = []uint16{
	1433,  // SQL Server
	1521,  // Oracle
	2049,  // NFS (EFS)
	2181,  // ZooKeeper
	2375,  // Docker
	2376,  // Docker over TLS
	2379,  // etcd clients
	2380,  // etcd peers
	3000,  // Grafana and web frameworks
	3306,  // MySQL, Aurora MySQL
	3389,  // RDP
	4222,  // NATS
	5000,  // web frameworks, registries
	5432,  // PostgreSQL, Aurora PostgreSQL
	5439,  // Redshift
	5601,  // Kibana, OpenSearch Dashboards
	5671,  // AMQP over TLS (Amazon MQ)
	5672,  // AMQP
	6379,  // Redis, Valkey (ElastiCache, MemoryDB)
	6443,  // Kubernetes API server
	7000,  // Cassandra
	7001,  // Cassandra over TLS
	8000,  // HTTP alternate
	8008,  // HTTP alternate
	8080,  // HTTP alternate
	8081,  // HTTP alternate
	8443,  // HTTPS alternate
	8888,  // HTTP alternate
	9000,  // HTTP alternate
	9042,  // Cassandra CQL (Keyspaces)
	9090,  // Prometheus
	9092,  // Kafka (MSK)
	9094,  // Kafka over TLS (MSK)
	9098,  // Kafka with IAM (MSK)
	9100,  // Prometheus node exporter
	9200,  // Elasticsearch, OpenSearch
	9300,  // Elasticsearch transport
	9418,  // git
	10250, // kubelet
	11211, // Memcached (ElastiCache)
	15672, // RabbitMQ management
	27017, // MongoDB, DocumentDB
	50051, // gRPC
}

// servicePorts is ServicePorts as a bit set.
var servicePorts = func() (set [1 << 16 / 64]uint64) {
	for _, p := range ServicePorts {
		set[p/64] |= 1 << (p % 64)
	}
	return set
}()

// ClassOf returns the class of a port.
func ClassOf(port uint16) PortClass {
	switch {
	case port == 0:
		return PortUnclassified
	case port < 1024, servicePorts[port/64]&(1<<(port%64)) != 0:
		return PortService
	case port >= EphemeralPortStart:
		return PortEphemeral
	}
	return PortUnclassified
}
