package inventory

import (
	"context"
	"net/netip"
	"reflect"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// Subnet is a subnet; AZID is its zone's ID (use1-az1), which names the same
// place in every account, while AZ names (us-east-1a) differ between them.
type Subnet struct {
	ID, VPCID, AZ, AZID string
	CIDR                netip.Prefix
	IPv6CIDRs           []netip.Prefix
	// FreeIPv4 is the count of unused private IPv4 addresses
	// (AvailableIpAddressCount): what new instances and tasks can take.
	FreeIPv4 int32 `json:",omitempty"`
}

// Subnets are the region's subnets, read once whatever asks for them.
var Subnets = &Kind[Subnet]{
	Name:    "ec2/subnets",
	Actions: []string{"ec2:DescribeSubnets"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeSubnetsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(Subnet)) error {
		return loadSubnets(ctx, ec2.NewFromConfig(s.Config()), add)
	},
}

func loadSubnets(ctx context.Context, api ec2.DescribeSubnetsAPIClient, add func(Subnet)) error {
	p := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sn := range page.Subnets {
			s := Subnet{ID: aws.ToString(sn.SubnetId), VPCID: aws.ToString(sn.VpcId), AZ: aws.ToString(sn.AvailabilityZone),
				AZID: aws.ToString(sn.AvailabilityZoneId), CIDR: prefix(sn.CidrBlock), FreeIPv4: aws.ToInt32(sn.AvailableIpAddressCount)}
			for _, c := range sn.Ipv6CidrBlockAssociationSet {
				s.IPv6CIDRs = append(s.IPv6CIDRs, prefix(c.Ipv6CidrBlock))
			}
			add(s)
		}
	}
	return nil
}

// SubnetsByID indexes the region's subnets by ID.
func SubnetsByID(ctx context.Context, s *Scope) (map[string]Subnet, error) {
	list, err := Subnets.Items(ctx, s)
	m := make(map[string]Subnet, len(list))
	for _, sn := range list {
		m[sn.ID] = sn
	}
	return m, err
}

// Zone is one Availability Zone (or Local Zone) of a region.
type Zone struct {
	Name, ID, Type string
}

// Zones are the region's zones. They are read only for a zone name that no
// subnet of the region names (a resource outside any subnet of the account).
var Zones = &Kind[Zone]{
	Name:    "ec2/availability-zones",
	Actions: []string{"ec2:DescribeAvailabilityZones"},
	APIs:    []reflect.Type{APIOf[zonesAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(Zone)) error {
		return loadZones(ctx, ec2.NewFromConfig(s.Config()), add)
	},
}

type zonesAPI interface {
	DescribeAvailabilityZones(context.Context, *ec2.DescribeAvailabilityZonesInput, ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
}

// loadZones lists every zone, Local Zones included (DescribeAvailabilityZones
// has no pagination).
func loadZones(ctx context.Context, api zonesAPI, add func(Zone)) error {
	out, err := api.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{AllAvailabilityZones: aws.Bool(true)})
	if err != nil {
		return err
	}
	for _, z := range out.AvailabilityZones {
		add(Zone{Name: aws.ToString(z.ZoneName), ID: aws.ToString(z.ZoneId), Type: aws.ToString(z.ZoneType)})
	}
	return nil
}

// ZoneKinds are the kinds ZoneIDs may read.
var ZoneKinds = []Loader{Subnets, Zones}

// regionOfZone takes the region out of a zone name: us-east-1a,
// us-east-1-bos-1a and us-gov-west-1b are in us-east-1, us-east-1 and
// us-gov-west-1.
var regionOfZone = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+`)

// ZoneIDs returns the zone IDs of zone names, in order ("" where a name is
// unknown). A name is looked up in the scope of its region (so a global
// service's findings are placed too): first in the region's subnets, which
// most analysers have read anyway, then in its zone list. A read that fails
// leaves its names unknown and is returned.
func ZoneIDs(ctx context.Context, s *Scope, names []string) ([]string, error) {
	ids := make([]string, len(names))
	var firstErr error
	for i, name := range names {
		region := regionOfZone.FindString(name)
		if region == "" {
			continue
		}
		rs := s
		if region != s.Region {
			rs = s.In(region)
		}
		id, err := zoneID(ctx, rs, name)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		ids[i] = id
	}
	return ids, firstErr
}

func zoneID(ctx context.Context, s *Scope, name string) (string, error) {
	bySubnets, subnetErr := derive(ctx, s, "index/zone-ids-of-subnets", func() (map[string]string, error) {
		subnets, err := Subnets.Items(ctx, s)
		m := map[string]string{}
		for _, sn := range subnets {
			if sn.AZ != "" && sn.AZID != "" {
				m[sn.AZ] = sn.AZID
			}
		}
		return m, err
	})
	if id, ok := bySubnets[name]; ok {
		return id, nil
	}
	byList, err := derive(ctx, s, "index/zone-ids-of-zone-list", func() (map[string]string, error) {
		zones, err := Zones.Items(ctx, s)
		m := map[string]string{}
		for _, z := range zones {
			m[z.Name] = z.ID
		}
		return m, err
	})
	if id, ok := byList[name]; ok {
		return id, nil
	}
	if err == nil {
		err = subnetErr
	}
	return "", err
}

func prefix(s *string) netip.Prefix {
	p, err := netip.ParsePrefix(aws.ToString(s))
	if err != nil {
		return netip.Prefix{}
	}
	return p.Masked()
}
