package main

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/delivery"
)

// newSecurityHub imports each account's risks with the account's own
// configuration (its assumed role), one client per account and region.
func newSecurityHub(accounts []*account.Account) *delivery.SecurityHub {
	byID := map[string]*account.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	clients := map[string]delivery.HubTarget{}
	return &delivery.SecurityHub{
		Target: func(id, region string) (delivery.HubTarget, error) {
			a, ok := byID[id]
			if !ok {
				return delivery.HubTarget{}, fmt.Errorf("account %s is not among the scanned accounts", id)
			}
			if t, ok := clients[id+"/"+region]; ok {
				return t, nil
			}
			cfg := a.Config.Copy()
			cfg.Region = region
			t := delivery.HubTarget{API: securityhub.NewFromConfig(cfg), Partition: a.Partition}
			clients[id+"/"+region] = t
			return t, nil
		},
		HomeRegion: func(id string) string {
			if a, ok := byID[id]; ok {
				if a.Config.Region != "" {
					return a.Config.Region
				}
				if len(a.Regions) > 0 {
					return a.Regions[0]
				}
			}
			return "us-east-1"
		},
		Checks:  checkText,
		Backoff: delivery.DefaultBackoff,
	}
}
