package integration

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/faultline/faultline/analysers"
)

// moto implements Direct Connect connections but not virtual interfaces
// (DescribeVirtualInterfaces answers HTTP 500), so these tests prove the
// region (DX-1, DX-2) and connection (DX-3) rows, which are emitted before
// that call, and that the call's failure fails the task. The gateway rows
// (DX-4) are covered by fakes only. moto's connection IDs are ARN-like
// (arn:aws:directconnect:<region>:<account>:dx-con/dx-moto-<name>-<time>),
// so they are also the rows' ARNs.

// dxConnection creates a connection and returns its ID.
func dxConnection(t *testing.T, ctx context.Context, cfg aws.Config, name, location string) string {
	t.Helper()
	out, err := directconnect.NewFromConfig(cfg).CreateConnection(ctx, &directconnect.CreateConnectionInput{
		ConnectionName: aws.String(name), Location: aws.String(location), Bandwidth: aws.String("1Gbps"),
	})
	if err != nil {
		t.Fatalf("create connection %s: %v", name, err)
	}
	return aws.ToString(out.ConnectionId)
}

// dxDeletedConnection creates a connection and deletes it: moto keeps
// listing it in state deleted, which the analyser ignores.
func dxDeletedConnection(t *testing.T, ctx context.Context, cfg aws.Config, name, location string) {
	t.Helper()
	id := dxConnection(t, ctx, cfg, name, location)
	if _, err := directconnect.NewFromConfig(cfg).DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatalf("delete connection %s: %v", name, err)
	}
}

func dxSorted(ids ...string) string {
	s := append([]string{}, ids...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func dxRegionRow(region, risk, msg string) row {
	return row{"dx", region, "", "", region, risk, "", msg, "DX-1", "HIGH"}
}

func dxConnectionRow(region, id, name, risk, msg string) row {
	return row{"dx", region, id, name, id, risk, "", msg, "DX-3", "HIGH"}
}

// seedDX is the healthy region: three live connections at two locations, and
// a deleted one at a third location.
func seedDX(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	a1 := dxConnection(t, ctx, cfg, "dx-a1", "EqDC2")
	a2 := dxConnection(t, ctx, cfg, "dx-a2", "EqDC2")
	b1 := dxConnection(t, ctx, cfg, "dx-b1", "EqSE2")
	dxDeletedConnection(t, ctx, cfg, "dx-gone", "EqLD5")
	return []row{
		dxRegionRow(r, "False", "Region "+r+" has 3 Direct Connect connections ("+dxSorted(a1, a2, b1)+
			") at 2 locations (EqDC2, EqSE2), so one connection or location can fail without cutting the region's Direct Connect path."),
		dxConnectionRow(r, a1, "dx-a1", "False", "Direct Connect connection "+a1+" at EqDC2 is one of 3 connections in "+r+
			", with others at EqSE2, so a failure of EqDC2 does not cut the region's Direct Connect path."),
		dxConnectionRow(r, a2, "dx-a2", "False", "Direct Connect connection "+a2+" at EqDC2 is one of 3 connections in "+r+
			", with others at EqSE2, so a failure of EqDC2 does not cut the region's Direct Connect path."),
		dxConnectionRow(r, b1, "dx-b1", "False", "Direct Connect connection "+b1+" at EqSE2 is one of 3 connections in "+r+
			", with others at EqDC2, so a failure of EqSE2 does not cut the region's Direct Connect path."),
	}
}

// seedDXSingle: one live connection; the deleted one at another location
// must not make the region look redundant.
func seedDXSingle(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	only := dxConnection(t, ctx, cfg, "dx-only", "EqDC2")
	dxDeletedConnection(t, ctx, cfg, "dx-deleted", "EqSE2")
	return []row{
		dxRegionRow(r, "True", "Region "+r+" has 1 Direct Connect connection ("+only+
			" at EqDC2): a failure of that connection or its location cuts the region's Direct Connect path."),
		dxConnectionRow(r, only, "dx-only", "True", "Direct Connect connection "+only+" at EqDC2 is the only Direct Connect connection in "+r+
			": if it or its location fails, the region loses its Direct Connect path."),
	}
}

// seedDXOneLocation: two live connections at one location.
func seedDXOneLocation(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	c1 := dxConnection(t, ctx, cfg, "dx-same-1", "EqDC2")
	c2 := dxConnection(t, ctx, cfg, "dx-same-2", "EqDC2")
	msg := func(id string) string {
		return "Direct Connect connection " + id + " at EqDC2 is one of 2 connections in " + r +
			" and none of the others is at another location, so a failure of EqDC2 cuts them all."
	}
	return []row{
		dxRegionRow(r, "True", "Region "+r+" has 2 Direct Connect connections ("+dxSorted(c1, c2)+
			"), all at one location (EqDC2): a failure of that location cuts them all."),
		dxConnectionRow(r, c1, "dx-same-1", "True", msg(c1)),
		dxConnectionRow(r, c2, "dx-same-2", "True", msg(c2)),
	}
}

// seedDXNone: no connection at all, only a deleted one.
func seedDXNone(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	dxDeletedConnection(t, ctx, cfg, "dx-was-here", "EqDC2")
	return []row{{"dx", r, "", "", r, "False", "",
		"There are no Direct Connect connections in " + r + ", so there is no Direct Connect path to judge.", "DX-2", "INFO"}}
}

func TestMotoDX(t *testing.T) {
	t.Run("two locations", func(t *testing.T) {
		checkAnalyserUntilUnimplemented(t, analysers.DX, seedDX, "100000000403", "us-east-1", "DescribeVirtualInterfaces")
	})
	t.Run("one connection", func(t *testing.T) {
		checkAnalyserUntilUnimplemented(t, analysers.DX, seedDXSingle, "100000000404", "us-east-1", "DescribeVirtualInterfaces")
	})
	t.Run("one location", func(t *testing.T) {
		checkAnalyserUntilUnimplemented(t, analysers.DX, seedDXOneLocation, "100000000405", "eu-central-1", "DescribeVirtualInterfaces")
	})
	t.Run("no connections", func(t *testing.T) {
		checkAnalyserUntilUnimplemented(t, analysers.DX, seedDXNone, "100000000406", "ap-southeast-2", "DescribeVirtualInterfaces")
	})
}
