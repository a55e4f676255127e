// Command htmlsample writes the scan's HTML page for fixed sample rows (two
// accounts, two regions, several zones, a muted row, a failed task), for
// `make html-check` to screenshot.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/faultline/faultline/output"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: htmlsample FILE.html")
		os.Exit(2)
	}
	now := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	page := output.NewHTML(os.Args[1], output.OCSFProduct{Name: "faultline", VendorName: "faultline", Version: "sample"}, func() time.Time { return now })
	ts := output.Timestamp(now)
	row := func(account, name, region, service, check, sev, resource, azName, azID string, risk bool, msg string) output.FindingRow {
		return output.FindingRow{Service: service, Region: region, AccountID: account, AccountName: name,
			ResourceARN: "arn:aws:" + service + ":" + region + ":" + account + ":" + resource, ResourceName: resource,
			Risk: output.PyBool(risk), Message: msg, Timestamp: ts, CheckID: check, Severity: sev,
			AZs: output.List{azName}, AZIDs: output.List{azID}}
	}
	rows := []output.FindingRow{
		row("111111111111", "prod", "eu-west-1", "rds", "RDS-1", "HIGH", "db:orders", "eu-west-1a", "euw1-az1", true, "RDS instance orders is in one Availability Zone (eu-west-1a); Multi-AZ is off."),
		row("111111111111", "prod", "eu-west-1", "natgw", "NATGW-1", "HIGH", "natgateway/nat-1", "eu-west-1a", "euw1-az1", true, "Every private subnet routes through NAT gateway nat-1 in eu-west-1a."),
		row("111111111111", "prod", "eu-west-1", "efs", "EFS-1", "MEDIUM", "file-system/fs-1", "eu-west-1b", "euw1-az2", true, "EFS file system fs-1 is One Zone (eu-west-1b)."),
		row("111111111111", "prod", "us-east-1", "lambda", "LAMBDA-1", "HIGH", "function:<script>alert(1)</script>", "us-east-1a", "use1-az6", true, `Function subnets are all in us-east-1a <b>not bold</b>.`),
		row("222222222222", "staging", "eu-west-1", "rds", "RDS-1", "HIGH", "db:staging", "eu-west-1c", "euw1-az1", true, "RDS instance staging is in one Availability Zone (eu-west-1c)."),
		row("222222222222", "staging", "eu-west-1", "elasticache", "ELASTICACHE-1", "MEDIUM", "cluster:cache", "eu-west-1c", "euw1-az1", false, "Replication group cache has replicas in three zones."),
	}
	rows[2].Muted = "accepted until 2027-03"
	for _, r := range rows {
		page.Write(r)
	}
	page.WriteTask(output.ReportRow{AccountID: "222222222222", Region: "us-east-1", Service: "eks", Result: output.ResultFailure,
		ErrorCode: "AccessDenied", ErrorMessage: "operation error EKS: ListClusters, AccessDenied"})
	if err := page.Commit(); err != nil {
		fmt.Fprintln(os.Stderr, "htmlsample:", err)
		os.Exit(1)
	}
}
