package analysers

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

// distinct returns the sorted set of non-empty values.
func distinct(values ...string) []string {
	seen := make(map[string]struct{}, len(values))
	out := make([]string, 0, len(values))
	for _, v := range values {
		if v == "" {
			continue
		}
		if _, ok := seen[v]; ok {
			continue
		}
		seen[v] = struct{}{}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// list formats values for a message: "us-east-1a, us-east-1b", or "none".
func list(values []string) string {
	if len(values) == 0 {
		return "none"
	}
	return strings.Join(values, ", ")
}

// plural returns "1 node" / "2 nodes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// nameTag returns the value of the Name tag, or "".
func nameTag(tags []ec2types.Tag) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == "Name" {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// judgeShard judges one shard (node group) from its nodes' Availability
// Zones ("" where a node's zone is not reported). who names the shard in the
// messages. At most one of noReplica and oneAZ is set; azs are the distinct
// zones seen.
func judgeShard(who string, nodeAZs []string) (noReplica, oneAZ string, azs []string) {
	azs = distinct(nodeAZs...)
	n, unknown := len(nodeAZs), 0
	for _, az := range nodeAZs {
		if az == "" {
			unknown++
		}
	}
	switch {
	case n == 0:
		noReplica = who + " lists no nodes"
	case n == 1 && len(azs) == 1:
		noReplica = fmt.Sprintf("%s has no replica (1 node in %s)", who, azs[0])
	case n == 1:
		noReplica = who + " has no replica (1 node, Availability Zone not reported)"
	case len(azs) >= 2:
		// Spread over at least two Availability Zones.
	case len(azs) == 0:
		oneAZ = fmt.Sprintf("%s reports no Availability Zone for its %s", who, plural(n, "node"))
	case unknown > 0:
		oneAZ = fmt.Sprintf("%s has %s in one reported Availability Zone (%s) and %s whose Availability Zone is not reported",
			who, plural(n-unknown, "node"), azs[0], plural(unknown, "node"))
	default:
		oneAZ = fmt.Sprintf("%s has all %s in one Availability Zone (%s)", who, plural(n, "node"), azs[0])
	}
	return noReplica, oneAZ, azs
}

// Placement is where a set of subnets puts a resource: the distinct zone
// names, sorted, their zone IDs in the same order, and the subnet IDs that
// are not among the region's subnets (deleted, or another account's).
type Placement struct {
	AZs, AZIDs, Unknown []string
}

// subnetsFor reads the region's subnets (inventory.SubnetsByID) when some
// item is placed in subnets, so that an estate without any makes no subnet
// call.
func subnetsFor[T any](ctx context.Context, s *inventory.Scope, items []T, inSubnets func(T) bool) (map[string]inventory.Subnet, error) {
	if !slices.ContainsFunc(items, inSubnets) {
		return nil, nil
	}
	return inventory.SubnetsByID(ctx, s)
}

// placeSubnets places subnet IDs with the region's subnets (inventory.SubnetsByID).
func placeSubnets(ids []string, subnets map[string]inventory.Subnet) Placement {
	var p Placement
	idOf := map[string]string{}
	for _, id := range distinct(ids...) {
		sn, ok := subnets[id]
		if !ok || sn.AZ == "" {
			p.Unknown = append(p.Unknown, id)
			continue
		}
		idOf[sn.AZ] = sn.AZID
	}
	for az := range idOf {
		p.AZs = append(p.AZs, az)
	}
	p.AZs = distinct(p.AZs...)
	p.AZIDs = zoneIDsOf(p.AZs, idOf)
	return p
}

// judgeSubnetSpread judges a resource by the zones of its subnets: a risk
// unless they span two zones or more. subject names the resource, puts says
// what it puts in the subnets ("places its tasks in"); noSubnets ends the
// message of a resource with none and oneAZ the one of a resource in one zone
// (the consequence, after a colon). The other messages are shared.
func judgeSubnetSpread(c Check, subject, puts, noSubnets, oneAZ string, ids []string, subnets map[string]inventory.Subnet) Finding {
	place := placeSubnets(ids, subnets)
	azs, unknown := place.AZs, place.Unknown
	n := len(distinct(ids...))
	var f Finding
	switch {
	case n == 0:
		f = finding(c, true, subject+" "+noSubnets)
	case len(azs) >= 2:
		f = finding(c, false, fmt.Sprintf("%s %s %s across %d Availability Zones (%s).",
			subject, puts, plural(n, "subnet"), len(azs), list(azs)))
	case len(azs) == 0:
		f = finding(c, true, fmt.Sprintf("%s %s %s, none of which could be found (%s), so its Availability Zones are unknown.",
			subject, puts, plural(n, "subnet"), list(unknown)))
	case len(unknown) > 0:
		f = finding(c, true, fmt.Sprintf("%s %s %s; only %s could be placed (%s) and %s could not be found (%s).",
			subject, puts, plural(n, "subnet"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
	default:
		f = finding(c, true, fmt.Sprintf("%s %s %s, all in one Availability Zone (%s): %s",
			subject, puts, plural(n, "subnet"), list(azs), oneAZ))
	}
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	return f
}

// zoneIDsOf returns the IDs of names from idOf, or nil when any is unknown
// (the engine then looks every name up).
func zoneIDsOf(names []string, idOf map[string]string) []string {
	ids := make([]string, len(names))
	for i, n := range names {
		if ids[i] = idOf[n]; ids[i] == "" {
			return nil
		}
	}
	return ids
}
