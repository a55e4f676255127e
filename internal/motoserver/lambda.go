package motoserver

import (
	"archive/zip"
	"bytes"
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// LambdaZip is a minimal Python deployment package (index.handler); moto
// stores it without running it.
func LambdaZip() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	if err == nil {
		_, err = f.Write([]byte("def handler(event, context):\n    return 0\n"))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		panic(err) // writing to memory does not fail
	}
	return buf.Bytes()
}

// LambdaRole returns the ARN of the execution role name, which moto
// insists a function has, creating it when the account has none. IAM is
// global: another region's seeding may create it meanwhile, and then its
// ARN is returned.
func LambdaRole(ctx context.Context, cfg aws.Config, name string) (string, error) {
	api := iam.NewFromConfig(cfg)
	if got, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
		return aws.ToString(got.Role.Arn), nil
	}
	out, err := api.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err == nil {
		return aws.ToString(out.Role.Arn), nil
	}
	got, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if gerr != nil {
		return "", err
	}
	return aws.ToString(got.Role.Arn), nil
}
