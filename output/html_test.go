package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func htmlRows() []FindingRow {
	risk := sampleFinding // 123456789101, us-east-1, use1-az6, HIGH, risk
	evil := sampleFinding
	evil.ResourceARN, evil.ResourceName = "arn:aws:rds:us-east-1:123456789101:db:evil", "evil"
	evil.Message = `name <script>alert("x")</script> & more`
	muted := sampleFinding
	muted.ResourceARN, muted.ResourceName, muted.Muted = "arn:aws:rds:us-east-1:123456789101:db:muted", "muted-db", "accepted"
	pass := sampleFinding
	pass.ResourceARN, pass.ResourceName, pass.Risk, pass.Severity = "arn:aws:rds:us-east-1:123456789101:db:ok", "ok-db", false, "INFO"
	pass.AZs, pass.AZIDs = List{"us-east-1a", "us-east-1b"}, List{"use1-az6", "use1-az1"}
	other := sampleFinding
	other.AccountID, other.AccountName, other.Service, other.CheckID = "210987654321", "Other", "docdb", "DOCDB-1"
	other.ResourceARN, other.ResourceName = "arn:aws:rds:us-east-1:210987654321:cluster:c", "c"
	other.AZs, other.AZIDs = List{"us-east-1c"}, List{"use1-az4"}
	return []FindingRow{risk, evil, muted, pass, other}
}

// The page of fixed rows: the counts, the heat map, a row exactly, a
// message's <script> escaped, the failures, the embedded JSON; file 0600.
func TestHTMLPage(t *testing.T) {
	dir := t.TempDir()
	f, err := OpenFiles(dir, "stem", true, false)
	if err != nil {
		t.Fatal(err)
	}
	f.OpenHTML(dir, "stem", testProduct, func() time.Time { return time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC) })
	for _, r := range htmlRows() {
		if err := f.WriteFinding(r); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteTask(sampleReport) // a Failure
	ok := sampleReport
	ok.Result, ok.Service = ResultSuccess, "docdb"
	f.WriteTask(ok)
	if got := f.Paths(); len(got) != 3 || got[1] != filepath.Join(dir, "stem.html") {
		t.Fatalf("paths %v", got)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "stem.html")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	page := string(b)
	for _, want := range []string{
		`<b id="count-rows">5</b>rows`,
		`<b id="count-risks">4</b>potential single-AZ risks`,
		`<b id="count-unmuted">3</b>unmuted risks`,
		`<b id="count-muted">1</b>muted rows`,
		`<b id="count-accounts">2</b>accounts`,
		`<b id="count-failures">1</b>failed tasks`,
		"<tr><th>AZ ID</th><th>123456789101</th><th>210987654321</th></tr>\n" +
			"<tr><th>use1-az4</th><td class=\"h0\">0</td><td class=\"h3\">1</td></tr>\n" +
			"<tr><th>use1-az6</th><td class=\"h5\">2</td><td class=\"h0\">0</td></tr>\n</table>",
		`<summary>Account 123456789101 (TestAccount): 2 unmuted risks</summary>`,
		`<summary>use1-az6: 2 unmuted risks</summary>`,
		`<summary>use1-az6, use1-az1: 0 unmuted risks</summary>`,
		`<tr class="risk" data-severity="HIGH" data-service="rds" data-search="rds us-east-1 123456789101 testaccount arn:aws:rds:us-east-1:123456789101:db:database-3 database-3 db-abc rds instance database-3 is in one availability zone (us-east-1a), &#34;multi-az&#34; is off. rds-1 us-east-1a use1-az6 "><td class="sev-HIGH">HIGH</td><td>rds</td><td>RDS-1</td><td title="arn:aws:rds:us-east-1:123456789101:db:database-3">database-3</td><td class="verdict">risk</td><td class="msg">RDS instance database-3 is in one Availability Zone (us-east-1a), &#34;Multi-AZ&#34; is off.</td><td>us-east-1a</td><td><time datetime="2022-11-29T15:20:44Z">2022-11-29T15:20:44Z</time></td></tr>`,
		`<td class="msg">name &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more</td>`,
		`<td class="verdict">muted: accepted</td>`,
		`<td class="verdict">not a risk</td>`,
		`<tr><td>123456789101</td><td>us-east-1</td><td>rds</td><td>AccessDenied</td><td>operation error RDS: DescribeDBInstances, AccessDenied</td></tr>`,
		`<option>HIGH</option><option>INFO</option>`,
		`<option>docdb</option><option>rds</option>`,
		`<script type="application/json" id="faultline-data">{"generated_at":"2026-12-08T03:00:00Z","version":"1.2.3","counts":{"rows":5,"risks":4,"unmuted_risks":3,"muted":1,"accounts":2,"failed_tasks":1}}</script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks\n%s", want)
		}
	}
	if strings.Contains(page, `<script>alert`) {
		t.Error("the message's script is not escaped")
	}
	// Self-contained: no external asset.
	for _, bad := range []string{"<link", "src=", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	if t.Failed() {
		t.Log(page)
	}
}
