package analysers

// All is the registry: every analyser faultline knows, in the order the
// services are listed to users: the seed's sixteen, then the zonal core.
// Adding a service means adding its file and one line here.
var All = []Analyser{
	VPCE,
	DMS,
	DocDB,
	StorageGateway,
	EFS,
	OpenSearch,
	FSx,
	Lambda,
	ElastiCache,
	DAX,
	GlobalAccelerator,
	RDS,
	MemoryDB,
	DX,
	CloudHSM,
	Redshift,
	AutoScaling,
	EC2,
	ELBv2,
	ELB,
	NATGW,
	TGW,
	NetworkFirewall,
	ECS,
	EKS,
	RDSProxy,
	MSK,
	MQ,
	VPN,
	Route53,
}

// ByName returns the analyser with that service key.
func ByName(name string) (Analyser, bool) {
	for _, a := range All {
		if a.Name == name {
			return a, true
		}
	}
	return Analyser{}, false
}
