// Package motoserver starts the moto AWS emulator on a free loopback port for
// tests, the demo and the benchmark, through the project's own launcher
// (tools/moto/moto_server_go.py), and builds SDK configs that point at it.
package motoserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/logging"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Server is a running moto_server.
type Server struct {
	URL  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	done chan struct{}
}

// Launcher is the path of the project's launcher script.
func Launcher() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "tools", "moto", "moto_server_go.py")
}

// Start launches moto on a free loopback port and waits until it answers.
// Its output goes to logPath (or is discarded when empty).
func Start(logPath string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	python := os.Getenv("PYTHON")
	if python == "" {
		python = "python3"
	}
	cmd := exec.Command(python, Launcher(), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto: %w (install it with: pip install 'moto[server]==5.2.1')", err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, errors.New("moto exited during start-up (is moto[server]==5.2.1 installed?)")
		default:
		}
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return nil, errors.New("moto did not answer within 60s")
}

// Stop ends the server.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// Reset wipes every account and region in the emulator.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "text/plain", strings.NewReader(""))
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Config returns an SDK config that talks to the emulator as account
// (through the x-moto-account-id header) in region, with dummy keys, for
// seeding. It retries a little, quickly: moto sometimes resets a connection
// under load, and answers HTTP 500 for what it does not implement. It opens
// a connection per request: a kept-alive connection that moto's server has
// already closed fails the next request on it, and a create retried that way
// could meet the resource it had made ("already exists").
func (s *Server) Config(ctx context.Context, account, region string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithBaseEndpoint(s.URL),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.DisableKeepAlives = true })),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 50 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		}),
		// A retried create can meet the resource its first attempt made;
		// logging retries to stderr (shown when a package fails) says why.
		config.WithClientLogMode(aws.LogRetries),
		config.WithLogger(logging.NewStandardLogger(os.Stderr)),
	)
	if err != nil {
		return cfg, err
	}
	if account != "" {
		cfg.APIOptions = append(cfg.APIOptions, smithyhttp.AddHeaderValue("x-moto-account-id", account))
	}
	return cfg, nil
}

// Keys are access keys that moto maps to one account.
type Keys struct{ AccessKeyID, SecretAccessKey string }

// DefaultKeys act as moto's default account, 123456789012.
var DefaultKeys = Keys{"testing", "testing"}

// AccountKeys creates an IAM user with an access key in account, so that a
// process using those keys (the faultline binary) is served that account's
// resources: moto finds the account by looking the key up.
func (s *Server) AccountKeys(ctx context.Context, account, user string) (Keys, error) {
	cfg, err := s.Config(ctx, account, "us-east-1")
	if err != nil {
		return Keys{}, err
	}
	api := iam.NewFromConfig(cfg)
	// Idempotent: a CreateUser retried under load (moto on one core answers
	// slowly) can meet the user its first attempt made.
	var exists *iamtypes.EntityAlreadyExistsException
	if _, err := api.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil && !errors.As(err, &exists) {
		return Keys{}, err
	}
	out, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		return Keys{}, err
	}
	return Keys{aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey)}, nil
}

// Env returns the environment for running the faultline binary against the
// emulator with keys. It is the whole environment the binary needs: callers
// append it to a cleaned os.Environ().
func (s *Server) Env(keys Keys) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + keys.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + keys.SecretAccessKey,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
