package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/analysers"
)

// rdsSeedInstance creates a DB instance (in a cluster when cluster != "") and
// returns it as moto describes it.
func rdsSeedInstance(t *testing.T, ctx context.Context, api *rds.Client, id, engine, az, cluster string, multiAZ bool) rdstypes.DBInstance {
	t.Helper()
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String(engine), DBInstanceClass: aws.String("db.r6g.large"),
		AvailabilityZone: aws.String(az),
	}
	if cluster != "" {
		in.DBClusterIdentifier = aws.String(cluster)
	} else {
		in.MasterUsername, in.MasterUserPassword = aws.String("admin"), aws.String("password123")
		in.AllocatedStorage = aws.Int32(20)
		in.MultiAZ = aws.Bool(multiAZ)
	}
	if _, err := api.CreateDBInstance(ctx, in); err != nil {
		t.Fatalf("create instance %s: %v", id, err)
	}
	return rdsSeedDescribeInstance(t, ctx, api, id)
}

func rdsSeedDescribeInstance(t *testing.T, ctx context.Context, api *rds.Client, id string) rdstypes.DBInstance {
	t.Helper()
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil || len(out.DBInstances) != 1 {
		t.Fatalf("describe instance %s: %v", id, err)
	}
	return out.DBInstances[0]
}

// rdsSeedReplica creates a read replica of source in az.
func rdsSeedReplica(t *testing.T, ctx context.Context, api *rds.Client, id, source, az string, multiAZ bool) rdstypes.DBInstance {
	t.Helper()
	if _, err := api.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String(id), SourceDBInstanceIdentifier: aws.String(source),
		AvailabilityZone: aws.String(az), MultiAZ: aws.Bool(multiAZ),
	}); err != nil {
		t.Fatalf("create replica %s: %v", id, err)
	}
	return rdsSeedDescribeInstance(t, ctx, api, id)
}

// rdsSeedCluster creates a DB cluster (engineMode "" = provisioned).
func rdsSeedCluster(t *testing.T, ctx context.Context, api *rds.Client, id, engine, engineMode string) {
	t.Helper()
	in := &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(id), Engine: aws.String(engine)}
	if engine != "neptune" {
		in.MasterUsername, in.MasterUserPassword = aws.String("admin"), aws.String("password123")
	}
	if engineMode != "" {
		in.EngineMode = aws.String(engineMode)
	}
	if engine == "mysql" || engine == "postgres" {
		// A Multi-AZ DB cluster.
		in.DBClusterInstanceClass = aws.String("db.m6gd.large")
		in.AllocatedStorage, in.Iops, in.StorageType = aws.Int32(100), aws.Int32(1000), aws.String("io1")
	}
	if _, err := api.CreateDBCluster(ctx, in); err != nil {
		t.Fatalf("create cluster %s: %v", id, err)
	}
}

func rdsSeedDescribeCluster(t *testing.T, ctx context.Context, api *rds.Client, id string) rdstypes.DBCluster {
	t.Helper()
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("describe cluster %s: %v", id, err)
	}
	return out.DBClusters[0]
}

func seedRDS(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := rds.NewFromConfig(cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	var rows []row
	instanceRow := func(db rdstypes.DBInstance, risk, msg string) {
		rows = append(rows, row{"rds", r, aws.ToString(db.DBInstanceArn), aws.ToString(db.DBInstanceIdentifier),
			aws.ToString(db.DbiResourceId), risk, aws.ToString(db.Engine), msg, "RDS-1", "HIGH"})
	}
	clusterRow := func(id, risk, msg, check, severity string) {
		cl := rdsSeedDescribeCluster(t, ctx, api, id)
		rows = append(rows, row{"rds", r, aws.ToString(cl.DBClusterArn), id, aws.ToString(cl.DbClusterResourceId),
			risk, aws.ToString(cl.Engine), msg, check, severity})
	}

	// Standalone instances.
	single := rdsSeedInstance(t, ctx, api, "db-single", "mysql", a, "", false)
	instanceRow(single, "True", "RDS DB instance db-single is Single-AZ ("+a+") with no standby, so an outage of that Availability Zone takes it down.")
	// moto never returns SecondaryAvailabilityZone, so the standby is "another Availability Zone".
	multi := rdsSeedInstance(t, ctx, api, "db-multi", "postgres", b, "", true)
	instanceRow(multi, "False", "RDS DB instance db-multi is Multi-AZ (primary in "+b+", standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails.")

	// Read replicas: of a Single-AZ source (Single-AZ and Multi-AZ replicas),
	// and of a Multi-AZ source.
	rep1 := rdsSeedReplica(t, ctx, api, "db-single-replica", "db-single", c, false)
	instanceRow(rep1, "True", "RDS read replica db-single-replica of db-single is Single-AZ ("+c+") with no standby, so an outage of that Availability Zone takes it down; its source db-single is also Single-AZ ("+a+").")
	rep2 := rdsSeedReplica(t, ctx, api, "db-multi-replica-of-single", "db-single", b, true)
	instanceRow(rep2, "False", "RDS read replica db-multi-replica-of-single of db-single is Multi-AZ (primary in "+b+", standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails; its source db-single, however, is Single-AZ ("+a+").")
	rep3 := rdsSeedReplica(t, ctx, api, "db-replica-of-multi", "db-multi", a, false)
	instanceRow(rep3, "True", "RDS read replica db-replica-of-multi of db-multi is Single-AZ ("+a+") with no standby, so an outage of that Availability Zone takes it down.")

	// Aurora clusters: one instance, two instances in one AZ, two AZs, none.
	rdsSeedCluster(t, ctx, api, "aurora-one", "aurora-mysql", "")
	rdsSeedInstance(t, ctx, api, "aurora-one-w", "aurora-mysql", a, "aurora-one", false)
	clusterRow("aurora-one", "True", "Aurora cluster aurora-one has only 1 DB instance (aurora-one-w, in "+a+"), so an outage of that Availability Zone leaves it with no instance to fail over to.", "RDS-2", "HIGH")
	rdsSeedCluster(t, ctx, api, "aurora-same-az", "aurora-postgresql", "")
	rdsSeedInstance(t, ctx, api, "aurora-same-az-1", "aurora-postgresql", b, "aurora-same-az", false)
	rdsSeedInstance(t, ctx, api, "aurora-same-az-2", "aurora-postgresql", b, "aurora-same-az", false)
	clusterRow("aurora-same-az", "True", "Aurora cluster aurora-same-az has 2 DB instances, all in one Availability Zone ("+b+"), so an outage of that zone takes every instance down.", "RDS-2", "HIGH")
	rdsSeedCluster(t, ctx, api, "aurora-two-azs", "aurora-mysql", "")
	rdsSeedInstance(t, ctx, api, "aurora-two-azs-1", "aurora-mysql", a, "aurora-two-azs", false)
	rdsSeedInstance(t, ctx, api, "aurora-two-azs-2", "aurora-mysql", c, "aurora-two-azs", false)
	clusterRow("aurora-two-azs", "False", "Aurora cluster aurora-two-azs has 2 DB instances across 2 Availability Zones ("+a+", "+c+"), so an instance in another zone takes over if one zone fails.", "RDS-2", "HIGH")
	rdsSeedCluster(t, ctx, api, "aurora-empty", "aurora-mysql", "")
	clusterRow("aurora-empty", "True", "Aurora cluster aurora-empty has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.", "RDS-2", "HIGH")

	// Aurora Serverless v1.
	rdsSeedCluster(t, ctx, api, "aurora-serverless-v1", "aurora-mysql", "serverless")
	clusterRow("aurora-serverless-v1", "True", "Aurora Serverless v1 cluster aurora-serverless-v1 runs its capacity in a single Availability Zone; if that zone fails, AWS recreates the capacity in another zone and the database is unavailable during the move.", "RDS-3", "MEDIUM")

	// Neptune: one instance, two AZs.
	rdsSeedCluster(t, ctx, api, "neptune-one", "neptune", "")
	rdsSeedInstance(t, ctx, api, "neptune-one-1", "neptune", c, "neptune-one", false)
	clusterRow("neptune-one", "True", "Neptune cluster neptune-one has only 1 DB instance (neptune-one-1, in "+c+"), so an outage of that Availability Zone leaves it with no instance to fail over to.", "RDS-2", "HIGH")
	rdsSeedCluster(t, ctx, api, "neptune-two-azs", "neptune", "")
	rdsSeedInstance(t, ctx, api, "neptune-two-azs-1", "neptune", a, "neptune-two-azs", false)
	rdsSeedInstance(t, ctx, api, "neptune-two-azs-2", "neptune", b, "neptune-two-azs", false)
	clusterRow("neptune-two-azs", "False", "Neptune cluster neptune-two-azs has 2 DB instances across 2 Availability Zones ("+a+", "+b+"), so an instance in another zone takes over if one zone fails.", "RDS-2", "HIGH")

	// Multi-AZ DB clusters (mysql/postgres with members): three AZs, and
	// members all in one AZ.
	rdsSeedCluster(t, ctx, api, "maz-three-azs", "mysql", "")
	for i, az := range []string{a, b, c} {
		rdsSeedInstance(t, ctx, api, "maz-three-azs-"+string(rune('1'+i)), "mysql", az, "maz-three-azs", false)
	}
	clusterRow("maz-three-azs", "False", "Multi-AZ DB cluster maz-three-azs has 3 DB instances across 3 Availability Zones ("+a+", "+b+", "+c+"), so an instance in another zone takes over if one zone fails.", "RDS-2", "HIGH")
	rdsSeedCluster(t, ctx, api, "maz-one-az", "postgres", "")
	rdsSeedInstance(t, ctx, api, "maz-one-az-1", "postgres", a, "maz-one-az", false)
	rdsSeedInstance(t, ctx, api, "maz-one-az-2", "postgres", a, "maz-one-az", false)
	clusterRow("maz-one-az", "True", "Multi-AZ DB cluster maz-one-az has 2 DB instances, all in one Availability Zone ("+a+"), so an outage of that zone takes every instance down.", "RDS-2", "HIGH")

	// DocumentDB cannot be created in moto (Engine=docdb is rejected), so the
	// rds analyser's docdb skip is covered by the unit tests only.
	return rows
}

func TestMotoRDS(t *testing.T) {
	checkAnalyser(t, analysers.RDS, seedRDS, "100000000101", "us-east-2")
}
