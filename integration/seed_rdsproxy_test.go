package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/analysers"
)

// seedRDSProxy creates proxies in one subnet, in two subnets of one AZ and
// in two AZs. moto does not implement DescribeDBProxyEndpoints (nor
// CreateDBProxyEndpoint), so the analyser's last call ends in moto's HTTP
// 500 after the proxies' rows; the proxy endpoints' rule (RDSPROXY-2), the
// default endpoints it skips, proxies being deleted, subnets that cannot be
// found and the two-page reads are covered by the unit tests' fakes only.
func seedRDSProxy(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	r := cfg.Region
	a, b := r+"a", r+"b"
	out, err := ec2.NewFromConfig(cfg).CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: aws.String(defaultVPC(t, ctx, cfg)), CidrBlock: aws.String("172.31.203.0/24"), AvailabilityZone: aws.String(a),
	})
	if err != nil {
		t.Fatal(err)
	}
	extra := aws.ToString(out.Subnet.SubnetId)
	api := rds.NewFromConfig(cfg)
	account := accountOf(t, ctx, cfg)
	create := func(name string, family rdstypes.EngineFamily, subnetIDs ...string) string {
		t.Helper()
		out, err := api.CreateDBProxy(ctx, &rds.CreateDBProxyInput{
			DBProxyName: aws.String(name), EngineFamily: family, VpcSubnetIds: subnetIDs,
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/proxy-role"),
			Auth: []rdstypes.UserAuthConfig{{AuthScheme: rdstypes.AuthSchemeSecrets,
				SecretArn: aws.String("arn:aws:secretsmanager:" + r + ":" + account + ":secret:db-creds")}},
		})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.DBProxy.DBProxyArn)
	}
	proxyRow := func(arn, name, risk, engine, msg string) row {
		return row{"rdsproxy", r, arn, name, arn[strings.LastIndexByte(arn, ':')+1:], risk, engine, msg, "RDSPROXY-1", "HIGH"}
	}
	const cutOff = ", so an outage of that zone cuts its clients off from their databases."
	return []row{
		proxyRow(create("proxy-one-subnet", rdstypes.EngineFamilyPostgresql, subnets[a]), "proxy-one-subnet", "True", "POSTGRESQL",
			"RDS Proxy proxy-one-subnet has 1 subnet, all in one Availability Zone ("+a+")"+cutOff),
		proxyRow(create("proxy-one-az", rdstypes.EngineFamilyMysql, subnets[a], extra), "proxy-one-az", "True", "MYSQL",
			"RDS Proxy proxy-one-az has 2 subnets, all in one Availability Zone ("+a+")"+cutOff),
		proxyRow(create("proxy-two-azs", rdstypes.EngineFamilyPostgresql, subnets[b], subnets[a]), "proxy-two-azs", "False", "POSTGRESQL",
			"RDS Proxy proxy-two-azs has 2 subnets across 2 Availability Zones ("+a+", "+b+"), so it keeps accepting connections if one zone fails."),
	}
}

// defaultVPC is the ID of the default VPC moto creates in every account and
// region.
func defaultVPC(t *testing.T, ctx context.Context, cfg aws.Config) string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Vpcs {
		if aws.ToBool(v.IsDefault) {
			return aws.ToString(v.VpcId)
		}
	}
	t.Fatal("no default VPC")
	return ""
}

func TestMotoRDSProxy(t *testing.T) {
	checkAnalyserUntilUnimplemented(t, analysers.RDSProxy, seedRDSProxy, "105000000501", "eu-west-2", "DescribeDBProxyEndpoints")
}
