package analysers

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"

	"github.com/faultline/faultline/inventory"
)

// docdbInstancesAPI and docdbClustersAPI hold exactly the calls of the docdb
// analyser's kinds.
type docdbInstancesAPI interface {
	docdb.DescribeDBInstancesAPIClient
}

type docdbClustersAPI interface {
	docdb.DescribeDBClustersAPIClient
}

var docdbClusterSingleAZ = Check{ID: "DOCDB-1", Severity: SeverityHigh,
	Description: "DocumentDB cluster with a single instance, or with all its instances in one Availability Zone",
	Remediation: "Add a replica instance in another Availability Zone so that the cluster can fail over to it."}

// docdbDBInstances are the region's DocumentDB instances, as the DocumentDB
// API lists them with the engine filter. DocumentDB's control plane is
// authorised with rds: actions.
var docdbDBInstances = &inventory.Kind[docdbtypes.DBInstance]{
	Name:    "docdb/db-instances",
	Actions: []string{"rds:DescribeDBInstances"},
	APIs:    []reflect.Type{apiOf[docdbInstancesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(docdbtypes.DBInstance)) error {
		return loadDocDBInstances(ctx, docdb.NewFromConfig(s.Config()), add)
	},
}

// docdbDBClusters are the region's DocumentDB clusters (engine filter).
var docdbDBClusters = &inventory.Kind[docdbtypes.DBCluster]{
	Name:    "docdb/db-clusters",
	Actions: []string{"rds:DescribeDBClusters"},
	APIs:    []reflect.Type{apiOf[docdbClustersAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(docdbtypes.DBCluster)) error {
		return loadDocDBClusters(ctx, docdb.NewFromConfig(s.Config()), add)
	},
}

func loadDocDBInstances(ctx context.Context, api docdbInstancesAPI, add func(docdbtypes.DBInstance)) error {
	p := docdb.NewDescribeDBInstancesPaginator(api, &docdb.DescribeDBInstancesInput{Filters: docdbEngineFilter()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, db := range page.DBInstances {
			add(db)
		}
	}
	return nil
}

func loadDocDBClusters(ctx context.Context, api docdbClustersAPI, add func(docdbtypes.DBCluster)) error {
	p := docdb.NewDescribeDBClustersPaginator(api, &docdb.DescribeDBClustersInput{Filters: docdbEngineFilter()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.DBClusters {
			add(c)
		}
	}
	return nil
}

var DocDB = Analyser{
	Name:   "docdb",
	Checks: []Check{docdbClusterSingleAZ},
	Kinds:  []inventory.Loader{docdbDBInstances, docdbDBClusters},
	Run:    analyseDocDB,
}

// docdbEngine is the only engine this analyser judges. The DocumentDB API
// shares its backend with RDS: without the filter it lists Aurora, Neptune
// and RDS clusters too, and the filter is checked again client-side in case
// an endpoint ignores it.
const docdbEngine = "docdb"

func docdbEngineFilter() []docdbtypes.Filter {
	return []docdbtypes.Filter{{Name: aws.String("engine"), Values: []string{docdbEngine}}}
}

// analyseDocDB judges every DocumentDB cluster by the AZs of its instances.
func analyseDocDB(ctx context.Context, s *inventory.Scope, emit Emit) error {
	instances, err := docdbDBInstances.Items(ctx, s)
	if err != nil {
		// With part of the instances read, a cluster whose members were not
		// read would be judged to have fewer instances, or members of
		// unknown AZ: nothing is judged.
		return err
	}
	// Every DocumentDB instance, kept as its AZ and cluster only.
	facts := map[string]rdsInstanceFact{}
	byCluster := map[string][]string{}
	for _, db := range instances {
		if aws.ToString(db.Engine) != docdbEngine {
			continue
		}
		id := aws.ToString(db.DBInstanceIdentifier)
		f := rdsInstanceFact{az: aws.ToString(db.AvailabilityZone), cluster: aws.ToString(db.DBClusterIdentifier),
			deleting: rdsDeleting(db.DBInstanceStatus)}
		facts[id] = f
		if f.cluster != "" && !f.deleting {
			byCluster[f.cluster] = append(byCluster[f.cluster], id)
		}
	}
	// Clusters, judged by the AZs of their instances.
	clusters, clustersErr := docdbDBClusters.Items(ctx, s)
	for _, c := range clusters {
		// Deleting clusters ("deleting") are not judged.
		if aws.ToString(c.Engine) != docdbEngine || rdsDeleting(c.Status) {
			continue
		}
		var listed []string
		for _, m := range c.DBClusterMembers {
			listed = append(listed, aws.ToString(m.DBInstanceIdentifier))
		}
		members := rdsMembers(append(listed, byCluster[aws.ToString(c.DBClusterIdentifier)]...), facts)
		emit(judgeDocDBCluster(c, members))
	}
	return clustersErr
}

// judgeDocDBCluster judges a DocumentDB cluster by the distinct AZs of its
// instances (the cluster's MultiAZ flag is only derived from them).
func judgeDocDBCluster(c docdbtypes.DBCluster, members []rdsMember) Finding {
	id := aws.ToString(c.DBClusterIdentifier)
	risk, msg := rdsPlacement("DocumentDB cluster "+id, members)
	f := finding(docdbClusterSingleAZ, risk, msg)
	f.ResourceType = "AWS::DocDB::DBCluster"
	f.AZs = rdsMemberAZs(members)
	f.ResourceARN = aws.ToString(c.DBClusterArn)
	f.ResourceName = id
	f.ResourceID = aws.ToString(c.DbClusterResourceId)
	f.Engine = aws.ToString(c.Engine)
	return f
}
