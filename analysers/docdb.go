//go:build legacy

package analysers

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
)

// docdbAPI holds exactly the calls the docdb analyser makes.
type docdbAPI interface {
	docdb.DescribeDBClustersAPIClient
	docdb.DescribeDBInstancesAPIClient
}

var docdbClusterSingleAZ = Check{ID: "DOCDB-1", Severity: SeverityHigh,
	Description: "DocumentDB cluster with a single instance, or with all its instances in one Availability Zone",
	Remediation: "Add a replica instance in another Availability Zone so that the cluster can fail over to it."}

var DocDB = Analyser{
	Name: "docdb",
	// DocumentDB's control plane is authorised with rds: actions.
	Actions:    []string{"rds:DescribeDBInstances", "rds:DescribeDBClusters"},
	Checks:     []Check{docdbClusterSingleAZ},
	ClientAPIs: []reflect.Type{apiOf[docdbAPI]()},
	Run: func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error {
		return analyseDocDB(ctx, docdb.NewFromConfig(cfg), emit)
	},
}

// docdbEngine is the only engine this analyser judges. The DocumentDB API
// shares its backend with RDS: without the filter it lists Aurora, Neptune
// and RDS clusters too, and the filter is checked again client-side in case
// an endpoint ignores it.
const docdbEngine = "docdb"

func docdbEngineFilter() []docdbtypes.Filter {
	return []docdbtypes.Filter{{Name: aws.String("engine"), Values: []string{docdbEngine}}}
}

func analyseDocDB(ctx context.Context, api docdbAPI, emit Emit) error {
	// Pass 1: every DocumentDB instance, kept as its AZ and cluster only.
	facts := map[string]rdsInstanceFact{}
	byCluster := map[string][]string{}
	p := docdb.NewDescribeDBInstancesPaginator(api, &docdb.DescribeDBInstancesInput{Filters: docdbEngineFilter()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, db := range page.DBInstances {
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
	}
	// Pass 2: clusters, judged by the AZs of their instances.
	cp := docdb.NewDescribeDBClustersPaginator(api, &docdb.DescribeDBClustersInput{Filters: docdbEngineFilter()})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.DBClusters {
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
	}
	return nil
}

// judgeDocDBCluster judges a DocumentDB cluster by the distinct AZs of its
// instances (the cluster's MultiAZ flag is only derived from them).
func judgeDocDBCluster(c docdbtypes.DBCluster, members []rdsMember) Finding {
	id := aws.ToString(c.DBClusterIdentifier)
	risk, msg := rdsPlacement("DocumentDB cluster "+id, members)
	f := finding(docdbClusterSingleAZ, risk, msg)
	f.ResourceARN = aws.ToString(c.DBClusterArn)
	f.ResourceName = id
	f.ResourceID = aws.ToString(c.DbClusterResourceId)
	f.Engine = aws.ToString(c.Engine)
	return f
}
