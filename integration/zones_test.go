package integration

import (
	"context"
	"testing"

	"github.com/faultline/faultline/inventory"
)

// The zone list, read from moto, names every zone of the region's subnets
// with the same zone ID, and the lookup finds IDs from it where no subnet
// names the zone.
func TestZoneListFromMoto(t *testing.T) {
	ctx := context.Background()
	cfg, err := moto.Config(ctx, "400000000004", "eu-north-1")
	if err != nil {
		t.Fatal(err)
	}
	s := inventory.NewLive().Scope(inventory.Account{ID: "400000000004", Partition: "aws", Config: cfg}, "eu-north-1")
	zones, err := inventory.Zones.Items(ctx, s)
	if err != nil || len(zones) < 2 {
		t.Fatalf("zones %v, %v", zones, err)
	}
	byName := map[string]string{}
	for _, z := range zones {
		if z.Name == "" || z.ID == "" {
			t.Errorf("zone without a name or ID: %+v", z)
		}
		byName[z.Name] = z.ID
	}
	subnets, err := inventory.Subnets.Items(ctx, s)
	if err != nil || len(subnets) == 0 {
		t.Fatalf("subnets %v, %v", subnets, err)
	}
	for _, sn := range subnets {
		if sn.FreeIPv4 <= 0 || sn.FreeIPv4 > 1<<(32-sn.CIDR.Bits()) {
			t.Errorf("subnet %s (%s) has %d free addresses", sn.ID, sn.CIDR, sn.FreeIPv4)
		}
		if byName[sn.AZ] != sn.AZID {
			t.Errorf("subnet %s in %s says %s, the zone list %s", sn.ID, sn.AZ, sn.AZID, byName[sn.AZ])
		}
	}
	// A scope whose subnets are unreadable still places by the zone list.
	fixture := inventory.NewFixture().Scope(inventory.Account{ID: "400000000004", Partition: "aws"}, "eu-north-1")
	inventory.Put(fixture, inventory.Subnets, nil, context.DeadlineExceeded)
	inventory.Put(fixture, inventory.Zones, zones, nil)
	ids, err := inventory.ZoneIDs(ctx, fixture, []string{zones[0].Name})
	if err != nil || ids[0] != zones[0].ID {
		t.Errorf("ZoneIDs %v %v, want %s", ids, err, zones[0].ID)
	}
}
