package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/testbin"
)

// instanceInNewVPC creates a VPC, a subnet and an instance in account and
// returns the instance's ID, private address and interface.
func instanceInNewVPC(t *testing.T, ctx context.Context, account, cidr, subnetCIDR string) (id, ip, eni string) {
	t.Helper()
	cfg := must(moto.Config(ctx, account, region))
	api := ec2.NewFromConfig(cfg)
	vpc := must(api.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}))
	sn := must(api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(subnetCIDR), AvailabilityZone: aws.String(region + "a")}))
	out := must(api.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: sn.Subnet.SubnetId}))
	inst := out.Instances[0]
	return aws.ToString(inst.InstanceId), aws.ToString(inst.PrivateIpAddress), aws.ToString(inst.NetworkInterfaces[0].NetworkInterfaceId)
}

// With --accounts and a role in each, an address in another account's VPC
// is named after the instance that holds it there; without, it is unknown.
func TestFlowsAcrossAccounts(t *testing.T) {
	current = t
	ctx := context.Background()
	const logging, other = "500000000071", "500000000072"
	clientID, clientIP, clientENI := instanceInNewVPC(t, ctx, logging, "10.71.0.0/16", "10.71.1.0/24")
	serverID, serverIP, serverENI := instanceInNewVPC(t, ctx, other, "10.72.0.0/16", "10.72.1.0/24")
	keys := must(moto.AccountKeys(ctx, logging, "flows-reader"))
	env := append(testbin.CleanEnv(), moto.Env(keys)...)

	start := time.Now().Add(-30*time.Minute).Unix() / 60 * 60
	line := fmt.Sprintf("2 %s %s %s %s 41000 443 6 3 700 %d %d ACCEPT OK\n", logging, clientENI, clientIP, serverIP, start, start+60)
	file := filepath.Join(t.TempDir(), "flows.log")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}

	read := func(args ...string) flows.Flow {
		t.Helper()
		out, stderr, code := run(t, env, "", append([]string{"flows", "--region", region}, args...)...)
		if code != 0 {
			t.Fatalf("flows %v: exit %d: %s", args, code, stderr)
		}
		var f flows.Flow
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &f); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		return f
	}

	f := read("--accounts", logging, other, "--aws-assume-role", "FlowsReader", "--", file)
	wantServer := "arn:aws:ec2:" + region + ":" + other + ":instance/" + serverID
	if f.Client.AccountId != logging || f.Client.InterfaceId != clientENI || !strings.Contains(fmt.Sprint(f.Client.Arns), clientID) {
		t.Errorf("client %s", side(f.Client))
	}
	if f.Server.AccountId != other || f.Server.InterfaceId != serverENI || len(f.Server.Arns) != 1 || f.Server.Arns[0] != wantServer {
		t.Errorf("server %s, want %s in account %s", side(f.Server), wantServer, other)
	}

	// Only the logging account read: the other account's address is not
	// named, never guessed.
	f = read("--", file)
	if f.Server.AccountId == other || f.Server.InterfaceId != "" || len(f.Server.Arns) != 0 {
		t.Errorf("server resolved without its account: %s", side(f.Server))
	}
}
