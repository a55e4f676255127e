//go:build tools

// Package deps pins the SDK service modules that faultline's analysers use,
// so that `go mod tidy` keeps them while analysers are being added.
package deps

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/credentials"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	_ "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	_ "github.com/aws/aws-sdk-go-v2/service/dax"
	_ "github.com/aws/aws-sdk-go-v2/service/directconnect"
	_ "github.com/aws/aws-sdk-go-v2/service/docdb"
	_ "github.com/aws/aws-sdk-go-v2/service/ec2"
	_ "github.com/aws/aws-sdk-go-v2/service/efs"
	_ "github.com/aws/aws-sdk-go-v2/service/elasticache"
	_ "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	_ "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	_ "github.com/aws/aws-sdk-go-v2/service/fsx"
	_ "github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	_ "github.com/aws/aws-sdk-go-v2/service/lambda"
	_ "github.com/aws/aws-sdk-go-v2/service/memorydb"
	_ "github.com/aws/aws-sdk-go-v2/service/opensearch"
	_ "github.com/aws/aws-sdk-go-v2/service/organizations"
	_ "github.com/aws/aws-sdk-go-v2/service/rds"
	_ "github.com/aws/aws-sdk-go-v2/service/redshift"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/aws/aws-sdk-go-v2/service/sqs"
	_ "github.com/aws/aws-sdk-go-v2/service/storagegateway"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/aws/smithy-go"
	_ "github.com/gocarina/gocsv"
	_ "github.com/rs/zerolog"
	_ "github.com/urfave/cli/v2"
	_ "golang.org/x/sync/errgroup"
)
