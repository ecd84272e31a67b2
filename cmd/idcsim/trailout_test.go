package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run --trail DIR writes replication 0's activity as CloudTrail records, which idcsim trail
// reads back: mallory's offboarding in example:idc-first (1d11h after 2026-03-02), within the
// rules once the provisioning run's re-enabling (PROV-3) is in the logs. A DIR that is not
// empty, and --shard, are refused with exit 2.
func TestRunTrailOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "ct")
	code, stdout, stderr := idcsim(t, "run", "example:idc-first", "--no-report", "--trail", dir)
	// idc-first's controls fail: the provisioning run enables mallory again (PROV-3)
	if code != exitFail || !strings.Contains(stdout, "CloudTrail records of replication 0 (") {
		t.Fatalf("run: exit %d:\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = idcsim(t, "trail", dir, "--no-report", "--replications", "5")
	for _, want := range []string{
		"CloudTrail: 5 files, 10 records read", // 9, and the console's call after mallory's federation, in the member account's file of that hour
		"mallory offboarded at 2026-03-03T11:00:00Z",
		"identitystore-scim:PatchUser",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("trail: stdout lacks %q (exit %d):\n%s%s", want, code, stdout, stderr)
		}
	}
	if code != exitOK {
		t.Errorf("trail: exit %d, want %d:\n%s%s", code, exitOK, stdout, stderr)
	}
	if code, _, stderr := idcsim(t, "run", "example:idc-first", "--no-report", "--trail", dir); code != exitUsage || !strings.Contains(stderr, "not empty") {
		t.Errorf("a DIR not empty: exit %d, %s", code, stderr)
	}
	other := filepath.Join(t.TempDir(), "ct")
	if code, _, stderr := idcsim(t, "run", "example:idc-first", "--no-report", "--trail", other, "--shard", "0/2"); code != exitUsage || !strings.Contains(stderr, "--shard") {
		t.Errorf("--shard: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("--shard wrote %s: %v", other, err)
	}
	// an empty DIR is taken
	empty := t.TempDir()
	if code, _, stderr := idcsim(t, "run", "example:quickstart", "--no-report", "--trail", empty); code != exitOK {
		t.Errorf("an empty DIR: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026")); err != nil {
		t.Error(err)
	}
}

// run --trail on example:app-on-behalf writes the reporting service's exchanges and the role
// sessions it obtains as nina, and idcsim trail replays them (act_as_user), so that the bound
// covers app_on_behalf: observed 20m (the credentials of 11:20, with the token of 10:30, TTI-4)
// within the bound of 30m (that token to 11:30, TTI-1); the exchange of 12:00 refused, nina
// being disabled in IAM Identity Center (TTI-2); role_existing 20m, the service's call with
// those credentials, within the 12h20m of their role session (ROLE-3).
func TestRunTrailOutOnBehalf(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ct")
	if code, stdout, stderr := idcsim(t, "run", "example:app-on-behalf", "--no-report", "--replications", "1", "--trail", dir); code == exitUsage || code == exitInternal {
		t.Fatalf("run: exit %d:\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := idcsim(t, "trail", dir, "--no-report", "--replications", "5")
	if code != exitOK {
		t.Errorf("trail: exit %d, want %d:\n%s%s", code, exitOK, stdout, stderr)
	}
	i := strings.Index(stdout, "nina offboarded at 2026-03-03T11:00:00Z")
	if i < 0 {
		t.Fatalf("trail: no offboarding of nina:\n%s", stdout)
	}
	nina := stdout[i:]
	for _, re := range []string{`app_on_behalf +20m00s +30m00s`, `role_existing +20m00s +12h20m`,
		`last refused app_on_behalf: event \S+ at 2026-03-03T12:00:00Z`} {
		if !regexp.MustCompile(re).MatchString(nina) {
			t.Errorf("trail: nina's offboarding lacks %q:\n%s", re, nina)
		}
	}
}
