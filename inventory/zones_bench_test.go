package inventory

import (
	"context"
	"fmt"
	"testing"
)

// The engine looks zone IDs up once per finding: with 2,000 subnets in a
// region, each lookup must not walk them all (go test -bench ZoneIDs ./inventory).
func BenchmarkZoneIDs(b *testing.B) {
	s := NewFixture().Scope(Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	var subnets []Subnet
	for i := range 2000 {
		z := string(rune('a' + i%5)) // us-east-1f only in the last subnet
		if i == 1999 {
			z = "f"
		}
		subnets = append(subnets, Subnet{ID: fmt.Sprintf("subnet-%d", i), AZ: "us-east-1" + z, AZID: "use1-az" + z})
	}
	Put(s, Subnets, subnets, nil)
	names := []string{"us-east-1f"}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if ids, _ := ZoneIDs(ctx, s, names); ids[0] != "use1-azf" {
			b.Fatal(ids)
		}
	}
}
