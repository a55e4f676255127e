package motoserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The launcher starts, and an account chosen by header or by access key is
// the account moto serves.
func TestStartAndAccounts(t *testing.T) {
	s, err := Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	ctx := context.Background()
	cfg, err := s.Config(ctx, "222222222222", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != "222222222222" {
		t.Fatalf("header account: got %s", *id.Account)
	}
	keys, err := s.AccountKeys(ctx, "333333333333", "scanner")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ = s.Config(ctx, "", "us-east-1")
	cfg.Credentials = staticKeys(keys)
	id, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != "333333333333" {
		t.Fatalf("key account: got %s", *id.Account)
	}

	// A create repeated with the same token (as a retry after a reset
	// connection is) returns the first file system, not an error.
	cfg, _ = s.Config(ctx, "444444444444", "eu-west-1")
	api := efs.NewFromConfig(cfg)
	in := &efs.CreateFileSystemInput{CreationToken: aws.String("retried")}
	first, err := CreateFileSystem(ctx, api, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := CreateFileSystem(ctx, api, in)
	if err != nil {
		t.Fatalf("repeated create: %v", err)
	}
	if *again.FileSystemId != *first.FileSystemId || *again.FileSystemArn != *first.FileSystemArn {
		t.Fatalf("repeated create gave %s, first gave %s", *again.FileSystemId, *first.FileSystemId)
	}
	if _, err := api.CreateFileSystem(ctx, in); err == nil {
		t.Fatal("moto accepted a repeated creation token: the test above proves nothing")
	}
}

func staticKeys(k Keys) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")
}
