// Package delivery is the only code that writes to AWS, and only what the
// user asked for: it uploads the finished files to S3 and publishes the
// findings to EventBridge. The scan itself never reaches it.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// putObjectAPI is the one S3 call delivery makes.
type putObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Upload says where and how the files go.
type Upload struct {
	Bucket string
	// Prefix is the output folder as the user gave it; the key is
	// <prefix>/<file name>, the seed's layout.
	Prefix string
	// Owner is the account that must own the bucket (ExpectedBucketOwner):
	// an upload never lands in a bucket someone else created with that name.
	Owner    string
	KMSKeyID string // SSE-KMS with this key; SSE-S3 when empty
}

// Key is the object key of a local file.
func (u Upload) Key(file string) string {
	return KeyPrefix(u.Prefix) + filepath.Base(file)
}

// KeyPrefix turns an output folder as typed (output/, ./out, /var/x, out)
// into an S3 key prefix ending in "/" ("" for the current folder). Leading
// "/", "./" and "../" are dropped: a key has no root or parent.
func KeyPrefix(folder string) string {
	p := path.Clean(filepath.ToSlash(folder))
	for {
		trimmed := strings.TrimPrefix(strings.TrimPrefix(p, "/"), "../")
		if trimmed == ".." {
			trimmed = "."
		}
		if trimmed == p {
			break
		}
		p = trimmed
	}
	if p == "." || p == "" {
		return ""
	}
	return p + "/"
}

// NewS3Client builds the S3 client for the upload. A custom endpoint
// (AWS_ENDPOINT_URL: an emulator or an S3-compatible store) gets path-style
// addressing, which such endpoints need.
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}

// UploadFiles uploads every file, even after one fails, and returns the
// errors joined.
func UploadFiles(ctx context.Context, api putObjectAPI, u Upload, files []string) error {
	var errs []error
	for _, file := range files {
		if err := uploadFile(ctx, api, u, file); err != nil {
			errs = append(errs, fmt.Errorf("upload %s to s3://%s/%s: %w", file, u.Bucket, u.Key(file), err))
		}
	}
	return errors.Join(errs...)
}

func uploadFile(ctx context.Context, api putObjectAPI, u Upload, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	in := &s3.PutObjectInput{
		Bucket:               aws.String(u.Bucket),
		Key:                  aws.String(u.Key(file)),
		Body:                 f,
		ContentLength:        aws.Int64(st.Size()),
		ContentType:          aws.String(contentType(file)),
		ExpectedBucketOwner:  aws.String(u.Owner),
		ServerSideEncryption: s3types.ServerSideEncryptionAes256,
	}
	if u.KMSKeyID != "" {
		in.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(u.KMSKeyID)
	}
	_, err = api.PutObject(ctx, in)
	return err
}

func contentType(file string) string {
	if strings.HasSuffix(file, ".jsonl") {
		return "application/x-ndjson"
	}
	return "text/csv"
}
