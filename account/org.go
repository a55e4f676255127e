package account

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgAPI holds the Organizations reads faultline makes.
type orgAPI interface {
	DescribeOrganization(ctx context.Context, in *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	organizations.ListAccountsAPIClient
}

// OrgDirectory is what Organizations says about the accounts: names for the
// account_name column, the payer (management) account, and the ACTIVE
// accounts that --accounts ALL means.
type OrgDirectory struct {
	PayerID string
	Names   map[string]string
	Active  []string // sorted
}

// Name of an account, "" when unknown.
func (d OrgDirectory) Name(id string) string { return d.Names[id] }

// ReadOrg reads the organization with one paginated ListAccounts. Only the
// management account or a delegated administrator may list accounts; for
// anyone else the error is returned with what could be read (a member can
// still describe its organization, which gives the payer ID).
func ReadOrg(ctx context.Context, cfg aws.Config) (OrgDirectory, error) {
	return readOrg(ctx, organizations.NewFromConfig(cfg))
}

func readOrg(ctx context.Context, api orgAPI) (OrgDirectory, error) {
	dir := OrgDirectory{Names: map[string]string{}}
	// The two reads are independent: one round trip for the payer while the
	// account pages come in.
	var orgErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if orgErr = err; err == nil && org.Organization != nil {
			dir.PayerID = aws.ToString(org.Organization.MasterAccountId)
		}
	}()
	listErr := listAccounts(ctx, api, &dir)
	<-done
	if orgErr != nil {
		return dir, orgErr
	}
	return dir, listErr
}

func listAccounts(ctx context.Context, api orgAPI, dir *OrgDirectory) error {
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			id := aws.ToString(a.Id)
			dir.Names[id] = aws.ToString(a.Name)
			if accountActive(a) {
				dir.Active = append(dir.Active, id)
			}
		}
	}
	sort.Strings(dir.Active)
	return nil
}

// accountActive reads State, which replaces the retiring Status field, and
// falls back to Status where State is not reported.
func accountActive(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}
