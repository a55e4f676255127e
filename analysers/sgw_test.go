package analysers

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/storagegateway"
	sgwtypes "github.com/aws/aws-sdk-go-v2/service/storagegateway/types"

	"github.com/faultline/faultline/inventory"
)

// moto 5.2.1 does not implement Storage Gateway at all (every call answers
// HTTP 500), so every case here is covered with fakes only and there is no
// integration seed for sgw.

func sgwGateway(name, typ string, host sgwtypes.HostEnvironment, instance, region string) sgwtypes.GatewayInfo {
	gw := sgwtypes.GatewayInfo{
		GatewayARN:      aws.String("arn:aws:storagegateway:us-east-1:111111111111:gateway/sgw-" + name),
		GatewayId:       aws.String("sgw-" + name),
		GatewayName:     aws.String(name),
		HostEnvironment: host,
	}
	if typ != "" {
		gw.GatewayType = aws.String(typ)
	}
	if instance != "" {
		gw.Ec2InstanceId = aws.String(instance)
	}
	if region != "" {
		gw.Ec2InstanceRegion = aws.String(region)
	}
	return gw
}

func TestJudgeSGW(t *testing.T) {
	const tail = ", which sits in one Availability Zone: if that zone fails, the gateway and the storage it serves are unavailable."
	const offEC2 = ", not on Amazon EC2, so it does not depend on an AWS Availability Zone."
	cases := []struct {
		name    string
		gw      sgwtypes.GatewayInfo
		check   string
		risk    bool
		message string
	}{
		{"EC2 with instance and region", sgwGateway("files", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-0abc", "eu-west-1"),
			"SGW-1", true, "Storage Gateway files (FILE_S3) runs on the single EC2 instance i-0abc in eu-west-1" + tail},
		{"EC2 with instance only", sgwGateway("vols", "CACHED", sgwtypes.HostEnvironmentEc2, "i-0def", ""),
			"SGW-1", true, "Storage Gateway vols (CACHED) runs on the single EC2 instance i-0def" + tail},
		{"EC2 with region only", sgwGateway("tapes", "VTL", sgwtypes.HostEnvironmentEc2, "", "us-east-1"),
			"SGW-1", true, "Storage Gateway tapes (VTL) runs on a single EC2 instance in us-east-1" + tail},
		{"EC2 with neither instance nor region", sgwGateway("bare", "STORED", sgwtypes.HostEnvironmentEc2, "", ""),
			"SGW-1", true, "Storage Gateway bare (STORED) runs on a single EC2 instance" + tail},
		{"no host environment but an EC2 instance (older gateway)", sgwGateway("old", "", "", "i-0old", "us-east-1"),
			"SGW-1", true, "Storage Gateway old runs on the single EC2 instance i-0old in us-east-1" + tail},
		{"VMware", sgwGateway("vm", "FILE_S3", sgwtypes.HostEnvironmentVmware, "", ""),
			"SGW-2", false, "Storage Gateway vm (FILE_S3) runs on a VMware ESXi hypervisor" + offEC2},
		{"Hyper-V", sgwGateway("hv", "CACHED", sgwtypes.HostEnvironmentHyperV, "", ""),
			"SGW-2", false, "Storage Gateway hv (CACHED) runs on a Microsoft Hyper-V hypervisor" + offEC2},
		{"KVM", sgwGateway("kvm", "VTL", sgwtypes.HostEnvironmentKvm, "", ""),
			"SGW-2", false, "Storage Gateway kvm (VTL) runs on a Linux KVM hypervisor" + offEC2},
		{"Snowball", sgwGateway("snow", "FILE_S3", sgwtypes.HostEnvironmentSnowball, "", ""),
			"SGW-2", false, "Storage Gateway snow (FILE_S3) runs on an AWS Snowball device" + offEC2},
		{"hardware appliance (OTHER)", sgwGateway("box", "FILE_S3", sgwtypes.HostEnvironmentOther, "", ""),
			"SGW-2", false, "Storage Gateway box (FILE_S3) runs on a host that Storage Gateway reports as OTHER (such as the hardware appliance)" + offEC2},
		{"host environment unknown to this SDK", sgwGateway("new", "FILE_S3", "NUTANIX", "", ""),
			"SGW-2", false, "Storage Gateway new (FILE_S3) runs on a host of type NUTANIX" + offEC2},
		{"nothing reported", sgwGateway("quiet", "FILE_S3", "", "", ""),
			"SGW-2", false, "Storage Gateway quiet (FILE_S3) reports neither a host environment nor an EC2 instance, so it is not hosted in an AWS Availability Zone."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeSGW(c.gw)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			wantSev := SeverityInfo
			if c.check == "SGW-1" {
				wantSev = SeverityHigh
			}
			if f.Severity != wantSev {
				t.Errorf("severity %s, want %s", f.Severity, wantSev)
			}
			if f.ResourceARN != aws.ToString(c.gw.GatewayARN) || f.ResourceName != aws.ToString(c.gw.GatewayName) ||
				f.ResourceID != aws.ToString(c.gw.GatewayId) || f.Engine != "" || f.ResourceType != "AWS::StorageGateway::Gateway" {
				t.Errorf("resource columns: %+v", f)
			}
			// ListGateways does not say which zone an EC2 gateway's
			// instance is in: no finding is placed.
			if f.AZs != nil || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want nowhere", f.AZs, f.AZIDs)
			}
		})
	}
}

func TestJudgeSGWNoOptionalFields(t *testing.T) {
	// Every field of GatewayInfo is optional: an empty item must not crash,
	// and a gateway without a name is named by its ID.
	f := judgeSGW(sgwtypes.GatewayInfo{})
	want := "Storage Gateway reports neither a host environment nor an EC2 instance, so it is not hosted in an AWS Availability Zone."
	if f.CheckID != "SGW-2" || f.Risk || f.Message != want {
		t.Errorf("got %+v", f)
	}
	f = judgeSGW(sgwtypes.GatewayInfo{GatewayId: aws.String("sgw-12AB"), HostEnvironment: sgwtypes.HostEnvironmentEc2})
	want = "Storage Gateway sgw-12AB runs on a single EC2 instance, which sits in one Availability Zone: if that zone fails, the gateway and the storage it serves are unavailable."
	if f.Message != want || f.ResourceName != "" || f.ResourceID != "sgw-12AB" {
		t.Errorf("got %+v", f)
	}
}

// sgwFake serves ListGateways in pages, or an error.
type sgwFake struct {
	pages [][]sgwtypes.GatewayInfo
	err   error
	calls int
}

func (f *sgwFake) ListGateways(_ context.Context, in *storagegateway.ListGatewaysInput, _ ...func(*storagegateway.Options)) (*storagegateway.ListGatewaysOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.Marker != nil {
		i, _ = strconv.Atoi(*in.Marker)
	}
	out := &storagegateway.ListGatewaysOutput{Gateways: f.pages[i]}
	if i+1 < len(f.pages) {
		out.Marker = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func TestLoadSGWGatewaysReadsEveryPage(t *testing.T) {
	api := &sgwFake{pages: [][]sgwtypes.GatewayInfo{
		{sgwGateway("p1-ec2", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-1", "us-east-1")},
		{sgwGateway("p2-vmware", "CACHED", sgwtypes.HostEnvironmentVmware, "", ""),
			sgwGateway("p2-ec2", "VTL", sgwtypes.HostEnvironmentEc2, "i-2", "us-east-1")},
	}}
	var got []string
	if err := loadSGWGateways(context.Background(), api, func(gw sgwtypes.GatewayInfo) {
		got = append(got, aws.ToString(gw.GatewayName))
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-ec2", "p2-vmware", "p2-ec2"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	err := loadSGWGateways(context.Background(), &sgwFake{err: accessDenied("AccessDeniedException")}, func(sgwtypes.GatewayInfo) {
		t.Error("an item from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

// A second page that fails keeps the first page's gateways, with the error.
func TestLoadSGWGatewaysSecondPageFailure(t *testing.T) {
	api := &sgwFailingFake{sgwFake{pages: [][]sgwtypes.GatewayInfo{
		{sgwGateway("p1", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-1", "us-east-1")}, {},
	}}}
	var got []string
	err := loadSGWGateways(context.Background(), api, func(gw sgwtypes.GatewayInfo) { got = append(got, aws.ToString(gw.GatewayName)) })
	requireCode(t, err, "ThrottlingException")
	if !slices.Equal(got, []string{"p1"}) {
		t.Fatalf("read %v, want the first page's gateway", got)
	}
}

// Gateways are written to snapshots and read back.
func TestSGWGatewaysRoundTripJSON(t *testing.T) {
	in := []sgwtypes.GatewayInfo{sgwGateway("files", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-0abc", "eu-west-1")}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []sgwtypes.GatewayInfo
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || judgeSGW(out[0]).Message != judgeSGW(in[0]).Message {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestAnalyseSGW(t *testing.T) {
	s := testScope()
	inventory.Put(s, sgwGateways, []sgwtypes.GatewayInfo{
		sgwGateway("p1-ec2", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-1", "us-east-1"),
		sgwGateway("p2-vmware", "CACHED", sgwtypes.HostEnvironmentVmware, "", ""),
		sgwGateway("p2-ec2", "VTL", sgwtypes.HostEnvironmentEc2, "i-2", "us-east-1"),
	}, nil)
	var got []Finding
	if err := analyseSGW(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name  string
		check string
		risk  bool
	}{{"p1-ec2", "SGW-1", true}, {"p2-vmware", "SGW-2", false}, {"p2-ec2", "SGW-1", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
}

func TestAnalyseSGWAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, sgwGateways, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseSGW(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

// sgwFailingFake serves one page and then fails, as a throttled or denied
// second page would.
type sgwFailingFake struct{ sgwFake }

func (f *sgwFailingFake) ListGateways(ctx context.Context, in *storagegateway.ListGatewaysInput, o ...func(*storagegateway.Options)) (*storagegateway.ListGatewaysOutput, error) {
	if in.Marker != nil {
		return nil, accessDenied("ThrottlingException")
	}
	return f.sgwFake.ListGateways(ctx, in, o...)
}

// A listing that failed part-way: what was read is judged, and the error is
// the task's.
func TestAnalyseSGWSecondPageFailureKeepsFirst(t *testing.T) {
	s := testScope()
	inventory.Put(s, sgwGateways, []sgwtypes.GatewayInfo{sgwGateway("p1", "FILE_S3", sgwtypes.HostEnvironmentEc2, "i-1", "us-east-1")},
		accessDenied("ThrottlingException"))
	var got []Finding
	err := analyseSGW(context.Background(), s, collect(&got))
	requireCode(t, err, "ThrottlingException")
	if len(got) != 1 || got[0].ResourceName != "p1" {
		t.Fatalf("the first page's finding must be kept: %+v", got)
	}
}
