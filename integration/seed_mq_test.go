package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/faultline/faultline/analysers"
)

// seedMQ creates single-instance ActiveMQ and RabbitMQ brokers, an
// active/standby ActiveMQ broker and a RabbitMQ cluster. moto lists every
// broker as RUNNING and does not paginate ListBrokers, so brokers being
// deleted or whose creation failed, brokers deleted between ListBrokers and
// DescribeBroker, subnets that cannot be found and the two-page read are
// covered by the unit tests' fakes only.
func seedMQ(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	api := mq.NewFromConfig(cfg)
	create := func(name string, engine mqtypes.EngineType, mode mqtypes.DeploymentMode, subnetIDs ...string) (arn, id string) {
		t.Helper()
		in := &mq.CreateBrokerInput{BrokerName: aws.String(name), EngineType: engine, DeploymentMode: mode,
			HostInstanceType: aws.String("mq.m5.large"), PubliclyAccessible: aws.Bool(false), SubnetIds: subnetIDs,
			Users: []mqtypes.User{{Username: aws.String("admin"), Password: aws.String("password123456")}}}
		out, err := api.CreateBroker(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.BrokerArn), aws.ToString(out.BrokerId)
	}
	var rows []row
	add := func(name string, engine mqtypes.EngineType, mode mqtypes.DeploymentMode, subnetIDs []string, engineName, risk, msg string) {
		t.Helper()
		arn, id := create(name, engine, mode, subnetIDs...)
		rows = append(rows, row{"mq", r, arn, name, id, risk, engineName, msg, "MQ-1", "HIGH"})
	}
	single := func(name, engine, az, fix string) string {
		return "Amazon MQ broker " + name + " (" + engine + ") is a single-instance broker (SINGLE_INSTANCE) in " + az +
			": an outage of that zone stops it and its clients' messaging; a " + fix + " broker keeps serving from another zone."
	}
	add("mq-active-single", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeSingleInstance, []string{subnets[a]}, "ActiveMQ", "True",
		single("mq-active-single", "ActiveMQ", a, "ACTIVE_STANDBY_MULTI_AZ"))
	add("mq-rabbit-single", mqtypes.EngineTypeRabbitmq, mqtypes.DeploymentModeSingleInstance, []string{subnets[b]}, "RabbitMQ", "True",
		single("mq-rabbit-single", "RabbitMQ", b, "CLUSTER_MULTI_AZ"))
	add("mq-active-standby", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeActiveStandbyMultiAz, []string{subnets[b], subnets[a]}, "ActiveMQ", "False",
		"Amazon MQ broker mq-active-standby (ActiveMQ) is an active/standby broker (ACTIVE_STANDBY_MULTI_AZ) across 2 Availability Zones ("+
			a+", "+b+"): the standby takes over if the active broker's zone fails.")
	add("mq-rabbit-cluster", mqtypes.EngineTypeRabbitmq, mqtypes.DeploymentModeClusterMultiAz, []string{subnets[a], subnets[b], subnets[c]}, "RabbitMQ", "False",
		"Amazon MQ broker mq-rabbit-cluster (RabbitMQ) is a cluster broker (CLUSTER_MULTI_AZ) across 3 Availability Zones ("+
			a+", "+b+", "+c+"), so it keeps serving if one zone fails.")
	return rows
}

func TestMotoMQ(t *testing.T) {
	checkAnalyser(t, analysers.MQ, seedMQ, "105000000503", "us-west-2")
}
