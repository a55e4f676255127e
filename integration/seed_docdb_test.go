package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/faultline/faultline/analysers"
)

// seedDocDB: moto cannot create DocumentDB clusters or instances (its RDS
// backend rejects Engine=docdb), so every DocumentDB case is covered by the
// unit tests' fakes. What moto can prove is the other half of the rule: the
// DocumentDB API shares its backend with RDS and, unfiltered, lists RDS,
// Aurora and Neptune clusters. The seed creates an Aurora cluster (with an
// instance) and a Neptune cluster in the account and expects NO docdb row: the
// test fails if the analyser drops its engine filter.
func seedDocDB(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := rds.NewFromConfig(cfg)
	r := cfg.Region
	rdsSeedCluster(t, ctx, api, "aurora-not-docdb", "aurora-postgresql", "")
	rdsSeedInstance(t, ctx, api, "aurora-not-docdb-1", "aurora-postgresql", r+"a", "aurora-not-docdb", false)
	rdsSeedCluster(t, ctx, api, "neptune-not-docdb", "neptune", "")
	rdsSeedInstance(t, ctx, api, "neptune-not-docdb-1", "neptune", r+"b", "neptune-not-docdb", false)
	return nil
}

func TestMotoDocDB(t *testing.T) {
	checkAnalyser(t, analysers.DocDB, seedDocDB, "100000000102", "eu-central-1")
}
