package motoserver

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
)

// CreateFileSystem creates an EFS file system idempotently, as its creation
// token promises on AWS: when a retried request meets the file system its
// first attempt made (moto sometimes resets a connection after it has
// answered), the existing file system is returned instead of
// FileSystemAlreadyExists.
func CreateFileSystem(ctx context.Context, api *efs.Client, in *efs.CreateFileSystemInput) (*efs.CreateFileSystemOutput, error) {
	out, err := api.CreateFileSystem(ctx, in)
	var exists *efstypes.FileSystemAlreadyExists
	if err == nil || !errors.As(err, &exists) {
		return out, err
	}
	found, derr := api.DescribeFileSystems(ctx, &efs.DescribeFileSystemsInput{CreationToken: in.CreationToken})
	if derr != nil || len(found.FileSystems) != 1 {
		return nil, err
	}
	fs := found.FileSystems[0]
	return &efs.CreateFileSystemOutput{
		FileSystemId:         fs.FileSystemId,
		FileSystemArn:        fs.FileSystemArn,
		AvailabilityZoneName: fs.AvailabilityZoneName,
		Name:                 fs.Name,
	}, nil
}
