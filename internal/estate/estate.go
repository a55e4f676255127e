// Package estate seeds moto with many resources of each service faultline
// scans, for the reliability tests and the benchmark. Unlike the
// integration seeders it does not predict the findings: its callers compare
// runs with each other (clean against faulty) or only count and time them.
// Every resource alternates between a risky and a healthy shape, so both
// kinds of rows are written.
package estate

import (
	"context"
	"fmt"

	"github.com/faultline/faultline/internal/motoserver"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
)

// Seeder creates n resources of one service in cfg's account and region.
type Seeder func(ctx context.Context, cfg aws.Config, n int) error

// Seeders are the services moto can hold, by faultline's service key. Not
// here: docdb (moto rejects Engine=docdb), sgw and globalaccelerator (not
// implemented); cloudhsm clusters have no HSMs in moto. autoscaling and ec2
// join from autoscaling.go.
var Seeders = map[string]Seeder{
	"rds": RDS, "lambda": Lambda, "efs": EFS, "elasticache": ElastiCache, "redshift": Redshift,
	"vpce": VPCE, "fsx": FSx, "dax": DAX, "memorydb": MemoryDB, "opensearch": OpenSearch,
	"dms": DMS, "dx": DX, "cloudhsm": CloudHSM,
	"natgw": NATGW, "tgw": TGW, "networkfirewall": NetworkFirewall,
}

// Subnets are the default VPC's subnet IDs, one per AZ, sorted by AZ name
// (moto creates a default VPC in every account and region it is asked
// about).
func Subnets(ctx context.Context, cfg aws.Config) (vpc string, subnets []string, err error) {
	out, err := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil {
		return "", nil, err
	}
	byAZ := map[string]string{}
	for _, s := range out.Subnets {
		byAZ[aws.ToString(s.AvailabilityZone)] = aws.ToString(s.SubnetId)
		vpc = aws.ToString(s.VpcId)
	}
	for _, az := range []string{"a", "b", "c"} {
		if id, ok := byAZ[cfg.Region+az]; ok {
			subnets = append(subnets, id)
		}
	}
	if len(subnets) < 2 {
		return "", nil, fmt.Errorf("default VPC in %s has %d subnets, want at least 2", cfg.Region, len(subnets))
	}
	return vpc, subnets, nil
}

// RDS creates n single-instance databases, alternately Single-AZ and Multi-AZ.
func RDS(ctx context.Context, cfg aws.Config, n int) error {
	api := rds.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(fmt.Sprintf("db-%04d", i)), Engine: aws.String("postgres"),
			DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password123"),
			AvailabilityZone: aws.String(cfg.Region + "a"), MultiAZ: aws.Bool(i%2 == 1),
		})
		if err != nil {
			return fmt.Errorf("rds %d: %w", i, err)
		}
	}
	return nil
}

// Lambda creates n VPC functions, alternately in one subnet and in two AZs.
func Lambda(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	role, err := motoserver.LambdaRole(ctx, cfg, "estate-lambda")
	if err != nil {
		return err
	}
	api := lambda.NewFromConfig(cfg)
	code := motoserver.LambdaZip()
	for i := 0; i < n; i++ {
		ids := subnets[:1]
		if i%2 == 1 {
			ids = subnets[:2]
		}
		_, err := api.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(fmt.Sprintf("fn-%04d", i)), Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("index.handler"), Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: code},
			VpcConfig: &lambdatypes.VpcConfig{SubnetIds: ids, SecurityGroupIds: []string{}},
		})
		if err != nil {
			return fmt.Errorf("lambda %d: %w", i, err)
		}
	}
	return nil
}

// EFS creates n Regional file systems, alternately with one mount target
// and with two in two AZs.
func EFS(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := efs.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		out, err := motoserver.CreateFileSystem(ctx, api, &efs.CreateFileSystemInput{CreationToken: aws.String(fmt.Sprintf("fs-%04d", i))})
		if err != nil {
			return fmt.Errorf("efs %d: %w", i, err)
		}
		mounts := subnets[:1+i%2]
		for _, s := range mounts {
			if _, err := api.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: out.FileSystemId, SubnetId: aws.String(s)}); err != nil {
				return fmt.Errorf("efs %d mount target: %w", i, err)
			}
		}
	}
	return nil
}

// ElastiCache creates n memcached clusters, alternately one node in one AZ
// and two nodes.
func ElastiCache(ctx context.Context, cfg aws.Config, n int) error {
	api := elasticache.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		in := &elasticache.CreateCacheClusterInput{
			CacheClusterId: aws.String(fmt.Sprintf("cache-%04d", i)), Engine: aws.String("memcached"),
			CacheNodeType: aws.String("cache.t3.micro"), NumCacheNodes: aws.Int32(int32(1 + i%2)),
		}
		if i%2 == 0 {
			in.PreferredAvailabilityZone = aws.String(cfg.Region + "a")
		}
		if _, err := api.CreateCacheCluster(ctx, in); err != nil {
			return fmt.Errorf("elasticache %d: %w", i, err)
		}
	}
	return nil
}

// Redshift creates n single-node clusters (moto has no Multi-AZ).
func Redshift(ctx context.Context, cfg aws.Config, n int) error {
	api := redshift.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateCluster(ctx, &redshift.CreateClusterInput{
			ClusterIdentifier: aws.String(fmt.Sprintf("rs-%04d", i)), NodeType: aws.String("ra3.xlplus"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("Password123"),
			ClusterType: aws.String("single-node"), AvailabilityZone: aws.String(cfg.Region + "b"),
		})
		if err != nil {
			return fmt.Errorf("redshift %d: %w", i, err)
		}
	}
	return nil
}

// VPCE creates n interface endpoints, alternately in one and two subnets.
func VPCE(ctx context.Context, cfg aws.Config, n int) error {
	vpc, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := ec2.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
			VpcId: aws.String(vpc), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
			ServiceName: aws.String(fmt.Sprintf("com.amazonaws.%s.s3", cfg.Region)), SubnetIds: subnets[:1+i%2],
		})
		if err != nil {
			return fmt.Errorf("vpce %d: %w", i, err)
		}
	}
	return nil
}

// FSx creates n Windows file systems, alternately SINGLE_AZ_2 and MULTI_AZ_1.
func FSx(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := fsx.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		dt, ids := fsxtypes.WindowsDeploymentTypeSingleAz2, subnets[:1]
		if i%2 == 1 {
			dt, ids = fsxtypes.WindowsDeploymentTypeMultiAz1, subnets[:2]
		}
		_, err := api.CreateFileSystem(ctx, &fsx.CreateFileSystemInput{
			FileSystemType: fsxtypes.FileSystemTypeWindows, StorageCapacity: aws.Int32(1200), SubnetIds: ids,
			WindowsConfiguration: &fsxtypes.CreateFileSystemWindowsConfiguration{ThroughputCapacity: aws.Int32(32), DeploymentType: dt,
				PreferredSubnetId: aws.String(ids[0])},
		})
		if err != nil {
			return fmt.Errorf("fsx %d: %w", i, err)
		}
	}
	return nil
}

// DAX creates n clusters of one and three nodes (moto puts every node in
// <region>a).
func DAX(ctx context.Context, cfg aws.Config, n int) error {
	api := dax.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateCluster(ctx, &dax.CreateClusterInput{
			ClusterName: aws.String(fmt.Sprintf("dax-%04d", i)), NodeType: aws.String("dax.t3.small"), ReplicationFactor: int32(1 + 2*(i%2)),
			IamRoleArn: aws.String("arn:aws:iam::123456789012:role/dax"),
		})
		if err != nil {
			return fmt.Errorf("dax %d: %w", i, err)
		}
	}
	return nil
}

// MemoryDB creates n one-shard clusters.
func MemoryDB(ctx context.Context, cfg aws.Config, n int) error {
	api := memorydb.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateCluster(ctx, &memorydb.CreateClusterInput{
			ClusterName: aws.String(fmt.Sprintf("mdb-%04d", i)), NodeType: aws.String("db.t4g.small"),
			ACLName: aws.String("open-access"), NumShards: aws.Int32(1),
		})
		if err != nil {
			return fmt.Errorf("memorydb %d: %w", i, err)
		}
	}
	return nil
}

// OpenSearch creates n domains, alternately one node and three zone-aware nodes.
func OpenSearch(ctx context.Context, cfg aws.Config, n int) error {
	api := opensearch.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		cc := &opensearchtypes.ClusterConfig{InstanceType: opensearchtypes.OpenSearchPartitionInstanceTypeR6gLargeSearch, InstanceCount: aws.Int32(1)}
		if i%2 == 1 {
			cc.InstanceCount, cc.ZoneAwarenessEnabled = aws.Int32(3), aws.Bool(true)
			cc.ZoneAwarenessConfig = &opensearchtypes.ZoneAwarenessConfig{AvailabilityZoneCount: aws.Int32(3)}
		}
		if _, err := api.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String(fmt.Sprintf("os-%04d", i)), ClusterConfig: cc}); err != nil {
			return fmt.Errorf("opensearch %d: %w", i, err)
		}
	}
	return nil
}

// DMS creates n replication instances, alternately Single-AZ and Multi-AZ.
func DMS(ctx context.Context, cfg aws.Config, n int) error {
	api := dms.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateReplicationInstance(ctx, &dms.CreateReplicationInstanceInput{
			ReplicationInstanceIdentifier: aws.String(fmt.Sprintf("dms-%04d", i)), ReplicationInstanceClass: aws.String("dms.t3.micro"),
			MultiAZ: aws.Bool(i%2 == 1), AvailabilityZone: aws.String(cfg.Region + "a"),
		})
		if err != nil {
			return fmt.Errorf("dms %d: %w", i, err)
		}
	}
	return nil
}

// DX creates n Direct Connect connections at one location.
func DX(ctx context.Context, cfg aws.Config, n int) error {
	api := directconnect.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		_, err := api.CreateConnection(ctx, &directconnect.CreateConnectionInput{
			ConnectionName: aws.String(fmt.Sprintf("dx-%04d", i)), Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"),
		})
		if err != nil {
			return fmt.Errorf("dx %d: %w", i, err)
		}
	}
	return nil
}

// CloudHSM creates n clusters over two subnets (moto never adds HSMs).
func CloudHSM(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := cloudhsmv2.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		if _, err := api.CreateCluster(ctx, &cloudhsmv2.CreateClusterInput{HsmType: aws.String("hsm1.medium"), SubnetIds: subnets[:2]}); err != nil {
			return fmt.Errorf("cloudhsm %d: %w", i, err)
		}
	}
	return nil
}

// natRouteTable creates a route table in vpc sending 0.0.0.0/0 to nat,
// associated with subnet.
func natRouteTable(ctx context.Context, api *ec2.Client, vpc, subnet, nat string) error {
	rt, err := api.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})
	if err != nil {
		return err
	}
	if _, err := api.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId,
		DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String(nat)}); err != nil {
		return err
	}
	_, err = api.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(subnet)})
	return err
}

// NATGW creates n NAT gateways in the default VPC's first subnet, each the
// egress route of a new private subnet: alternately in another zone (a
// cross-zone dependency) and in the gateway's own zone. n is at most 128.
func NATGW(ctx context.Context, cfg aws.Config, n int) error {
	vpc, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	if n > 128 {
		return fmt.Errorf("natgw: at most 128 NAT gateways, not %d", n)
	}
	api := ec2.NewFromConfig(cfg)
	zones, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnets[:2]})
	if err != nil {
		return err
	}
	zoneOf := map[string]string{}
	for _, s := range zones.Subnets {
		zoneOf[aws.ToString(s.SubnetId)] = aws.ToString(s.AvailabilityZone)
	}
	for i := 0; i < n; i++ {
		eip, err := api.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
		if err != nil {
			return fmt.Errorf("natgw %d: %w", i, err)
		}
		nat, err := api.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0]), AllocationId: eip.AllocationId})
		if err != nil {
			return fmt.Errorf("natgw %d: %w", i, err)
		}
		priv, err := api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc),
			CidrBlock: aws.String(fmt.Sprintf("172.31.%d.0/24", 128+i)), AvailabilityZone: aws.String(zoneOf[subnets[1-i%2]])})
		if err != nil {
			return fmt.Errorf("natgw %d: %w", i, err)
		}
		if err := natRouteTable(ctx, api, vpc, aws.ToString(priv.Subnet.SubnetId), aws.ToString(nat.NatGateway.NatGatewayId)); err != nil {
			return fmt.Errorf("natgw %d: %w", i, err)
		}
	}
	return nil
}

// TGW creates one transit gateway and n VPCs with a subnet in each of two
// zones, both routing 10.0.0.0/8 to it, attached alternately by one subnet
// (the other zone's traffic is dropped) and by both. n is at most 200.
func TGW(ctx context.Context, cfg aws.Config, n int) error {
	if n > 200 {
		return fmt.Errorf("tgw: at most 200 attachments, not %d", n)
	}
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := ec2.NewFromConfig(cfg)
	zones, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnets[:2]})
	if err != nil {
		return err
	}
	tgw, err := api.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		vpc, err := api.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", 10+i))})
		if err != nil {
			return fmt.Errorf("tgw %d: %w", i, err)
		}
		var ids []string
		for j, z := range zones.Subnets {
			sn, err := api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId,
				CidrBlock: aws.String(fmt.Sprintf("10.%d.%d.0/24", 10+i, j)), AvailabilityZone: z.AvailabilityZone})
			if err != nil {
				return fmt.Errorf("tgw %d: %w", i, err)
			}
			ids = append(ids, aws.ToString(sn.Subnet.SubnetId))
		}
		if _, err := api.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayId: tgw.TransitGateway.TransitGatewayId, VpcId: vpc.Vpc.VpcId, SubnetIds: ids[:1+i%2]}); err != nil {
			return fmt.Errorf("tgw %d: %w", i, err)
		}
		rt, err := api.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
		if err != nil {
			return fmt.Errorf("tgw %d: %w", i, err)
		}
		if _, err := api.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId,
			DestinationCidrBlock: aws.String("10.0.0.0/8"), TransitGatewayId: tgw.TransitGateway.TransitGatewayId}); err != nil {
			return fmt.Errorf("tgw %d: %w", i, err)
		}
		for _, id := range ids {
			if _, err := api.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(id)}); err != nil {
				return fmt.Errorf("tgw %d: %w", i, err)
			}
		}
	}
	return nil
}

// NetworkFirewall creates n firewalls in the default VPC, alternately mapped
// to one subnet and to two (moto reports no per-zone endpoints).
func NetworkFirewall(ctx context.Context, cfg aws.Config, n int) error {
	vpc, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := networkfirewall.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		in := &networkfirewall.CreateFirewallInput{FirewallName: aws.String(fmt.Sprintf("fw-%04d", i)), VpcId: aws.String(vpc),
			FirewallPolicyArn: aws.String("arn:aws:network-firewall:" + cfg.Region + ":000000000000:firewall-policy/estate")}
		for _, s := range subnets[:1+i%2] {
			in.SubnetMappings = append(in.SubnetMappings, nfwtypes.SubnetMapping{SubnetId: aws.String(s)})
		}
		if _, err := api.CreateFirewall(ctx, in); err != nil {
			return fmt.Errorf("networkfirewall %d: %w", i, err)
		}
	}
	return nil
}
