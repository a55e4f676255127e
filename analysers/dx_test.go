package analysers

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/faultline/faultline/inventory"
)

// dxTarget is in the China partition, so that an ARN built with "aws" fails.
var dxTarget = Target{AccountID: "111111111111", Partition: "aws-cn", Region: "cn-north-1"}

func dxConn(id, location string, state dxtypes.ConnectionState) dxtypes.Connection {
	c := dxtypes.Connection{ConnectionId: aws.String(id), ConnectionName: aws.String("name-" + id),
		ConnectionState: state, Region: aws.String("cn-north-1")}
	if location != "" {
		c.Location = aws.String(location)
	}
	return c
}

func dxVIF(id, conn, location string, vgw, dxgw string, state dxtypes.VirtualInterfaceState) dxtypes.VirtualInterface {
	v := dxtypes.VirtualInterface{VirtualInterfaceId: aws.String(id), ConnectionId: aws.String(conn), VirtualInterfaceState: state}
	if location != "" {
		v.Location = aws.String(location)
	}
	if vgw != "" {
		v.VirtualGatewayId = aws.String(vgw)
	}
	if dxgw != "" {
		v.DirectConnectGatewayId = aws.String(dxgw)
	}
	return v
}

const (
	dxUp   = dxtypes.ConnectionStateAvailable
	dxVUp  = dxtypes.VirtualInterfaceStateAvailable
	dxARN1 = "arn:aws-cn:directconnect:cn-north-1:111111111111:dxcon/dxcon-1"
)

func TestJudgeDXRegion(t *testing.T) {
	cases := []struct {
		name    string
		live    []dxtypes.Connection
		check   string
		sev     Severity
		risk    bool
		message string
	}{
		{"no connections", nil, "DX-2", SeverityInfo, false,
			"There are no Direct Connect connections in cn-north-1, so there is no Direct Connect path to judge."},
		{"one connection", []dxtypes.Connection{dxConn("dxcon-1", "LocA", dxUp)}, "DX-1", SeverityHigh, true,
			"Region cn-north-1 has 1 Direct Connect connection (dxcon-1 at LocA): a failure of that connection or its location cuts the region's Direct Connect path."},
		{"two at one location", []dxtypes.Connection{dxConn("dxcon-2", "LocA", dxUp), dxConn("dxcon-1", "LocA", dxUp)}, "DX-1", SeverityHigh, true,
			"Region cn-north-1 has 2 Direct Connect connections (dxcon-1, dxcon-2), all at one location (LocA): a failure of that location cuts them all."},
		{"two at two locations", []dxtypes.Connection{dxConn("dxcon-1", "LocB", dxUp), dxConn("dxcon-2", "LocA", dxUp)}, "DX-1", SeverityHigh, false,
			"Region cn-north-1 has 2 Direct Connect connections (dxcon-1, dxcon-2) at 2 locations (LocA, LocB), so one connection or location can fail without cutting the region's Direct Connect path."},
		{"three at two locations", []dxtypes.Connection{dxConn("dxcon-1", "LocA", dxUp), dxConn("dxcon-2", "LocA", dxUp), dxConn("dxcon-3", "LocB", dxUp)}, "DX-1", SeverityHigh, false,
			"Region cn-north-1 has 3 Direct Connect connections (dxcon-1, dxcon-2, dxcon-3) at 2 locations (LocA, LocB), so one connection or location can fail without cutting the region's Direct Connect path."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDXRegion("cn-north-1", c.live)
			if f.CheckID != c.check || f.Severity != c.sev || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.sev, c.risk, c.message)
			}
			if f.ResourceARN != "" || f.ResourceName != "" || f.ResourceID != "cn-north-1" ||
				f.ResourceType != "AWS::DirectConnect::Connection" || f.AZs != nil || f.AZIDs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

func TestJudgeDXConnection(t *testing.T) {
	one := dxConn("dxcon-1", "LocA", dxUp)
	down := dxConn("dxcon-1", "LocA", dxtypes.ConnectionStateDown)
	noLoc := dxConn("dxcon-1", "", dxUp)
	sameLoc := dxConn("dxcon-2", "LocA", dxUp)
	elsewhere := dxConn("dxcon-3", "LocB", dxUp)
	unplaced := dxConn("dxcon-4", "", dxUp)
	noRegion := dxConn("dxcon-1", "LocA", dxUp)
	noRegion.Region = nil
	motoID := "arn:aws:directconnect:cn-north-1:111111111111:dx-con/dx-moto-c1-20260101000000"
	moto := dxConn(motoID, "LocA", dxUp)
	cases := []struct {
		name    string
		c       dxtypes.Connection
		live    []dxtypes.Connection
		arn     string
		risk    bool
		message string
	}{
		{"only connection", one, []dxtypes.Connection{one}, dxARN1, true,
			"Direct Connect connection dxcon-1 at LocA is the only Direct Connect connection in cn-north-1: if it or its location fails, the region loses its Direct Connect path."},
		{"only connection, down", down, []dxtypes.Connection{down}, dxARN1, true,
			"Direct Connect connection dxcon-1 at LocA (state down) is the only Direct Connect connection in cn-north-1: if it or its location fails, the region loses its Direct Connect path."},
		{"only connection, no location", noLoc, []dxtypes.Connection{noLoc}, dxARN1, true,
			"Direct Connect connection dxcon-1 (location not reported) is the only Direct Connect connection in cn-north-1: if it or its location fails, the region loses its Direct Connect path."},
		{"no location, with others", noLoc, []dxtypes.Connection{noLoc, elsewhere}, dxARN1, true,
			"Direct Connect connection dxcon-1 (location not reported) is one of 2 connections in cn-north-1, but without its location its location diversity cannot be judged."},
		{"others at the same location", one, []dxtypes.Connection{one, sameLoc, unplaced}, dxARN1, true,
			"Direct Connect connection dxcon-1 at LocA is one of 3 connections in cn-north-1 and none of the others is at another location, so a failure of LocA cuts them all."},
		{"a partner elsewhere", one, []dxtypes.Connection{one, sameLoc, elsewhere}, dxARN1, false,
			"Direct Connect connection dxcon-1 at LocA is one of 3 connections in cn-north-1, with others at LocB, so a failure of LocA does not cut the region's Direct Connect path."},
		{"connection without Region uses the target's", noRegion, []dxtypes.Connection{noRegion, elsewhere}, dxARN1, false,
			"Direct Connect connection dxcon-1 at LocA is one of 2 connections in cn-north-1, with others at LocB, so a failure of LocA does not cut the region's Direct Connect path."},
		{"moto's ARN-like connection ID", moto, []dxtypes.Connection{moto, elsewhere}, motoID, false,
			"Direct Connect connection " + motoID + " at LocA is one of 2 connections in cn-north-1, with others at LocB, so a failure of LocA does not cut the region's Direct Connect path."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDXConnection(dxTarget, c.c, c.live)
			if f.CheckID != "DX-3" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DX-3 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != c.arn || f.ResourceID != aws.ToString(c.c.ConnectionId) || f.ResourceName != aws.ToString(c.c.ConnectionName) ||
				f.ResourceType != "AWS::DirectConnect::Connection" || f.AZs != nil || f.AZIDs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

func TestJudgeDXGateway(t *testing.T) {
	vgw := dxGateway{kind: dxVirtualPrivateGateway, id: "vgw-1"}
	dxgw := dxGateway{kind: dxDirectConnectGateway, id: "dxgw-1"}
	vgwARN := "arn:aws-cn:ec2:cn-north-1:111111111111:vpn-gateway/vgw-1"
	dxgwARN := "arn:aws-cn:directconnect::111111111111:dx-gateway/dxgw-1"
	locationOf := map[string]string{"dxcon-1": "LocA", "dxcon-2": "LocB", "dxcon-3": "LocA"}
	cases := []struct {
		name    string
		g       dxGateway
		vifs    []dxtypes.VirtualInterface
		arn     string
		risk    bool
		message string
	}{
		{"one VIF", vgw, []dxtypes.VirtualInterface{dxVIF("dxvif-1", "dxcon-1", "LocA", "vgw-1", "", dxVUp)}, vgwARN, true,
			"Virtual private gateway vgw-1 has 1 virtual interface in cn-north-1 (dxvif-1 on connection dxcon-1): a failure of that interface or its connection cuts the gateway's Direct Connect path."},
		{"two VIFs on one connection", dxgw, []dxtypes.VirtualInterface{
			dxVIF("dxvif-1", "dxcon-1", "LocA", "", "dxgw-1", dxVUp), dxVIF("dxvif-2", "dxcon-1", "LocA", "", "dxgw-1", dxVUp)}, dxgwARN, true,
			"Direct Connect gateway dxgw-1 has 2 virtual interfaces in cn-north-1 (dxvif-1, dxvif-2), all on one connection (dxcon-1): a failure of that connection cuts them all."},
		{"VIFs on two connections at two locations", vgw, []dxtypes.VirtualInterface{
			dxVIF("dxvif-1", "dxcon-1", "LocA", "vgw-1", "", dxVUp), dxVIF("dxvif-2", "dxcon-2", "LocB", "vgw-1", "", dxVUp)}, vgwARN, false,
			"Virtual private gateway vgw-1 has 2 virtual interfaces in cn-north-1 (dxvif-1, dxvif-2) on 2 connections (dxcon-1, dxcon-2) at 2 locations (LocA, LocB), so one connection or location can fail without cutting the gateway's Direct Connect path."},
		{"VIFs on two connections at one location", dxgw, []dxtypes.VirtualInterface{
			dxVIF("dxvif-1", "dxcon-1", "LocA", "", "dxgw-1", dxVUp), dxVIF("dxvif-3", "dxcon-3", "LocA", "", "dxgw-1", dxVUp)}, dxgwARN, false,
			"Direct Connect gateway dxgw-1 has 2 virtual interfaces in cn-north-1 (dxvif-1, dxvif-3) on 2 connections (dxcon-1, dxcon-3), all at one location (LocA), so one connection can fail without cutting the gateway's Direct Connect path, but a failure of that location would cut it."},
		{"connections are de-duplicated and locations come from the connections", vgw, []dxtypes.VirtualInterface{
			dxVIF("dxvif-1", "dxcon-1", "", "vgw-1", "", dxVUp), dxVIF("dxvif-2", "dxcon-1", "", "vgw-1", "", dxVUp),
			dxVIF("dxvif-3", "dxcon-2", "", "vgw-1", "", dxVUp)}, vgwARN, false,
			"Virtual private gateway vgw-1 has 3 virtual interfaces in cn-north-1 (dxvif-1, dxvif-2, dxvif-3) on 2 connections (dxcon-1, dxcon-2) at 2 locations (LocA, LocB), so one connection or location can fail without cutting the gateway's Direct Connect path."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDXGateway(dxTarget, c.g, c.vifs, locationOf)
			if f.CheckID != "DX-4" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DX-4 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			wantType := map[dxGatewayKind]string{dxVirtualPrivateGateway: "AWS::EC2::VPNGateway", dxDirectConnectGateway: "AWS::DirectConnect::DirectConnectGateway"}[c.g.kind]
			if f.ResourceARN != c.arn || f.ResourceID != c.g.id || f.ResourceName != "" || f.ResourceType != wantType || f.AZs != nil || f.AZIDs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// fakeDX serves both calls from pages (the token is the page index).
type fakeDX struct {
	conns           [][]dxtypes.Connection
	vifs            [][]dxtypes.VirtualInterface
	connErr, vifErr error
	connCalls       int
	vifCalls        int
	repeatToken     bool // answer every page with the same token
}

func (f *fakeDX) page(token *string, pages int) (int, *string) {
	if f.repeatToken {
		return 0, aws.String("again")
	}
	i := 0
	if token != nil {
		i, _ = strconv.Atoi(*token)
	}
	if i+1 < pages {
		return i, aws.String(strconv.Itoa(i + 1))
	}
	return i, nil
}

func (f *fakeDX) DescribeConnections(_ context.Context, in *directconnect.DescribeConnectionsInput, _ ...func(*directconnect.Options)) (*directconnect.DescribeConnectionsOutput, error) {
	f.connCalls++
	if f.connErr != nil {
		return nil, f.connErr
	}
	out := &directconnect.DescribeConnectionsOutput{}
	if len(f.conns) > 0 {
		i, next := f.page(in.NextToken, len(f.conns))
		out.Connections, out.NextToken = f.conns[i], next
	}
	return out, nil
}

func (f *fakeDX) DescribeVirtualInterfaces(_ context.Context, in *directconnect.DescribeVirtualInterfacesInput, _ ...func(*directconnect.Options)) (*directconnect.DescribeVirtualInterfacesOutput, error) {
	f.vifCalls++
	if f.vifErr != nil {
		return nil, f.vifErr
	}
	out := &directconnect.DescribeVirtualInterfacesOutput{}
	if len(f.vifs) > 0 {
		i, next := f.page(in.NextToken, len(f.vifs))
		out.VirtualInterfaces, out.NextToken = f.vifs[i], next
	}
	return out, nil
}

// dxTwoPageEstate: two pages of connections (with the ignored states and a
// down connection, which counts) and two pages of virtual interfaces.
func dxTwoPageEstate() *fakeDX {
	return &fakeDX{
		conns: [][]dxtypes.Connection{
			{dxConn("dxcon-1", "LocA", dxUp), dxConn("dxcon-gone", "LocC", dxtypes.ConnectionStateDeleted),
				dxConn("dxcon-going", "LocC", dxtypes.ConnectionStateDeleting)},
			{dxConn("dxcon-2", "LocB", dxtypes.ConnectionStateDown), dxConn("dxcon-no", "LocC", dxtypes.ConnectionStateRejected)},
		},
		vifs: [][]dxtypes.VirtualInterface{
			{dxVIF("dxvif-1", "dxcon-1", "LocA", "vgw-1", "", dxVUp), dxVIF("dxvif-public", "dxcon-1", "LocA", "", "", dxVUp),
				dxVIF("dxvif-old", "dxcon-2", "LocB", "vgw-2", "", dxtypes.VirtualInterfaceStateDeleted)},
			{dxVIF("dxvif-2", "dxcon-2", "LocB", "vgw-1", "", dxtypes.VirtualInterfaceStateDown),
				dxVIF("dxvif-3", "dxcon-2", "LocB", "", "dxgw-1", dxVUp), dxVIF("dxvif-4", "dxcon-gone", "", "", "dxgw-1", dxtypes.VirtualInterfaceStateDeleting)},
		},
	}
}

// dxScope is a fixture scope of dxTarget's account and region.
func dxScope() *inventory.Scope {
	return inventory.NewFixture().Scope(inventory.Account{ID: dxTarget.AccountID, Partition: dxTarget.Partition}, dxTarget.Region)
}

// dxEstateScope holds what the loaders read from the two-page estate.
func dxEstateScope(t *testing.T) *inventory.Scope {
	t.Helper()
	api := dxTwoPageEstate()
	var conns []dxtypes.Connection
	var vifs []dxtypes.VirtualInterface
	if err := loadDXConnections(context.Background(), api, func(c dxtypes.Connection) { conns = append(conns, c) }); err != nil {
		t.Fatal(err)
	}
	if err := loadDXVirtualInterfaces(context.Background(), api, func(v dxtypes.VirtualInterface) { vifs = append(vifs, v) }); err != nil {
		t.Fatal(err)
	}
	s := dxScope()
	inventory.Put(s, dxConnections, conns, nil)
	inventory.Put(s, dxVirtualInterfaces, vifs, nil)
	return s
}

type dxWant struct {
	check, id string
	risk      bool
}

func dxCheckFindings(t *testing.T, got []Finding, want []dxWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].CheckID != w.check || got[i].ResourceID != w.id || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].CheckID, got[i].ResourceID, got[i].Risk, w.check, w.id, w.risk)
		}
	}
}

var dxTwoPageConnectionRows = []dxWant{{"DX-1", "cn-north-1", false}, {"DX-3", "dxcon-1", false}, {"DX-3", "dxcon-2", false}}

func TestLoadDXReadsEveryPage(t *testing.T) {
	api := dxTwoPageEstate()
	var conns, vifs []string
	if err := loadDXConnections(context.Background(), api, func(c dxtypes.Connection) { conns = append(conns, aws.ToString(c.ConnectionId)) }); err != nil {
		t.Fatal(err)
	}
	if err := loadDXVirtualInterfaces(context.Background(), api, func(v dxtypes.VirtualInterface) {
		vifs = append(vifs, aws.ToString(v.VirtualInterfaceId))
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"dxcon-1", "dxcon-gone", "dxcon-going", "dxcon-2", "dxcon-no"}; !slices.Equal(conns, want) {
		t.Errorf("connections %v, want %v", conns, want)
	}
	if want := []string{"dxvif-1", "dxvif-public", "dxvif-old", "dxvif-2", "dxvif-3", "dxvif-4"}; !slices.Equal(vifs, want) {
		t.Errorf("virtual interfaces %v, want %v", vifs, want)
	}
	if api.connCalls != 2 || api.vifCalls != 2 {
		t.Errorf("calls: %d connections, %d VIFs; want 2 of each", api.connCalls, api.vifCalls)
	}
}

func TestLoadDXAccessDenied(t *testing.T) {
	api := &fakeDX{connErr: accessDenied("AccessDeniedException"), vifErr: accessDenied("AccessDeniedException")}
	requireCode(t, loadDXConnections(context.Background(), api, func(dxtypes.Connection) { t.Error("a connection from a denied listing") }),
		"AccessDeniedException")
	requireCode(t, loadDXVirtualInterfaces(context.Background(), api, func(dxtypes.VirtualInterface) { t.Error("an interface from a denied listing") }),
		"AccessDeniedException")
}

// A service repeating its token would otherwise loop forever: the second
// page with the token just sent is the last.
func TestLoadDXStopsOnRepeatedToken(t *testing.T) {
	api := &fakeDX{repeatToken: true,
		conns: [][]dxtypes.Connection{{dxConn("dxcon-1", "LocA", dxUp)}},
		vifs:  [][]dxtypes.VirtualInterface{{dxVIF("dxvif-1", "dxcon-1", "LocA", "vgw-1", "", dxVUp)}}}
	var conns []dxtypes.Connection
	var vifs []dxtypes.VirtualInterface
	if err := loadDXConnections(context.Background(), api, func(c dxtypes.Connection) { conns = append(conns, c) }); err != nil {
		t.Fatal(err)
	}
	if err := loadDXVirtualInterfaces(context.Background(), api, func(v dxtypes.VirtualInterface) { vifs = append(vifs, v) }); err != nil {
		t.Fatal(err)
	}
	if api.connCalls != 2 || api.vifCalls != 2 || len(conns) != 2 || len(vifs) != 2 {
		t.Fatalf("calls: %d connections, %d VIFs; want 2 of each", api.connCalls, api.vifCalls)
	}
	// The connection and interface served twice are counted once.
	s := dxScope()
	inventory.Put(s, dxConnections, conns, nil)
	inventory.Put(s, dxVirtualInterfaces, vifs, nil)
	var got []Finding
	if err := analyseDX(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	dxCheckFindings(t, got, []dxWant{{"DX-1", "cn-north-1", true}, {"DX-3", "dxcon-1", true}, {"DX-4", "vgw-1", true}})
}

// Connections and virtual interfaces are written to snapshots and read back.
func TestDXItemsRoundTripJSON(t *testing.T) {
	api := dxTwoPageEstate()
	for _, page := range api.conns {
		raw, err := json.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		var back []dxtypes.Connection
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		for i := range page {
			if judgeDXConnection(dxTarget, back[i], back).Message != judgeDXConnection(dxTarget, page[i], page).Message {
				t.Errorf("connection %d changed in a round trip: %+v", i, back[i])
			}
		}
	}
	for _, page := range api.vifs {
		raw, err := json.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		var back []dxtypes.VirtualInterface
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		g := dxGateway{kind: dxVirtualPrivateGateway, id: "vgw-1"}
		if judgeDXGateway(dxTarget, g, back, nil).Message != judgeDXGateway(dxTarget, g, page, nil).Message {
			t.Errorf("interfaces changed in a round trip: %+v", back)
		}
	}
}

func TestAnalyseDX(t *testing.T) {
	var got []Finding
	if err := analyseDX(context.Background(), dxEstateScope(t), collect(&got)); err != nil {
		t.Fatal(err)
	}
	// vgw-1 has dxvif-1 (page 1) and dxvif-2 (page 2, down but counted);
	// dxgw-1 has dxvif-3 only (dxvif-4 is being deleted); vgw-2's only VIF
	// is deleted, so it gets no row; the public VIF has no gateway.
	dxCheckFindings(t, got, append(append([]dxWant{}, dxTwoPageConnectionRows...),
		dxWant{"DX-4", "vgw-1", false}, dxWant{"DX-4", "dxgw-1", true}))
	if !strings.Contains(got[0].Message, "2 Direct Connect connections (dxcon-1, dxcon-2) at 2 locations (LocA, LocB)") {
		t.Errorf("region row: %q", got[0].Message)
	}
	wantTypes := []string{"AWS::DirectConnect::Connection", "AWS::DirectConnect::Connection", "AWS::DirectConnect::Connection",
		"AWS::EC2::VPNGateway", "AWS::DirectConnect::DirectConnectGateway"}
	for i, f := range got {
		if f.ResourceType != wantTypes[i] || f.AZs != nil || f.AZIDs != nil {
			t.Errorf("finding %d: type %q, placed in %v %v; want %q, nowhere", i, f.ResourceType, f.AZs, f.AZIDs, wantTypes[i])
		}
	}
}

func TestAnalyseDXNoConnections(t *testing.T) {
	s := dxScope()
	inventory.Put(s, dxConnections, nil, nil)
	inventory.Put(s, dxVirtualInterfaces, nil, nil)
	var got []Finding
	if err := analyseDX(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	dxCheckFindings(t, got, []dxWant{{"DX-2", "cn-north-1", false}})
	if got[0].Severity != SeverityInfo {
		t.Errorf("severity %s", got[0].Severity)
	}
}

// A denied connection listing judges nothing and never reads the virtual
// interfaces (not in the fixture: reading them would fail NotCollected).
func TestAnalyseDXAccessDenied(t *testing.T) {
	s := dxScope()
	inventory.Put(s, dxConnections, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseDX(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied connection list: %+v", got)
	}
}

// A connection listing that failed part-way is not judged: with only the
// first page, dxcon-1 would look like the region's only connection.
func TestAnalyseDXPartialConnections(t *testing.T) {
	s := dxScope()
	throttled := accessDenied("ThrottlingException")
	inventory.Put(s, dxConnections, dxTwoPageEstate().conns[0], throttled)
	var got []Finding
	requireCode(t, analyseDX(context.Background(), s, collect(&got)), "ThrottlingException")
	if len(got) != 0 {
		t.Fatalf("findings from part of the connections: %+v", got)
	}
}

// The connection rows are emitted before the virtual interfaces are read,
// so their failure (moto answers HTTP 500: virtual interfaces are not
// implemented) keeps them. moto cannot represent virtual interfaces at all,
// so every gateway case (DX-4) is covered by these fakes only. Interfaces
// read part-way are not judged either: a gateway with one of its two
// interfaces on the lost page would look single-homed.
func TestAnalyseDXVirtualInterfacesFail(t *testing.T) {
	for name, vifs := range map[string][]dxtypes.VirtualInterface{"denied": nil, "part-way": dxTwoPageEstate().vifs[0]} {
		t.Run(name, func(t *testing.T) {
			s := dxEstateScope(t)
			inventory.Put(s, dxVirtualInterfaces, vifs, accessDenied("AccessDeniedException"))
			var got []Finding
			requireCode(t, analyseDX(context.Background(), s, collect(&got)), "AccessDeniedException")
			dxCheckFindings(t, got, dxTwoPageConnectionRows)
		})
	}
}

func TestDXAnalyserDeclaration(t *testing.T) {
	if DX.Name != "dx" || DX.Global {
		t.Errorf("name/global: %q %v", DX.Name, DX.Global)
	}
	n := 0
	var dx []string
	for _, api := range DX.ClientAPIs() {
		for i := 0; i < api.NumMethod(); i++ {
			name := api.Method(i).Name
			n++
			if !strings.HasPrefix(name, "Describe") {
				t.Errorf("%s.%s is not a read call", api, name)
			}
			if !slices.ContainsFunc(DX.Actions(), func(a string) bool { return strings.HasSuffix(a, ":"+name) }) {
				t.Errorf("Actions lack %s", name)
			}
		}
	}
	if n != len(DX.Actions()) {
		t.Errorf("%d methods, actions %v", n, DX.Actions())
	}
	for _, a := range DX.Actions() {
		if strings.HasPrefix(a, "directconnect:") {
			dx = append(dx, a)
		}
	}
	// Beside the zone lookups (ec2:DescribeSubnets, ec2:DescribeAvailabilityZones).
	if want := []string{"directconnect:DescribeConnections", "directconnect:DescribeVirtualInterfaces"}; !slices.Equal(dx, want) {
		t.Errorf("directconnect actions %v, want %v", dx, want)
	}
}
