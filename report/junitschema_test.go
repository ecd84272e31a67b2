package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// junitSchemas are the published schemas a JUnit document of idcsim's must satisfy: those of
// Jenkins' xUnit plugin and of Apache Ant (testdata/schemas/README.md gives their sources).
var junitSchemas = []string{"testdata/schemas/jenkins-junit-10.xsd", "testdata/schemas/ant-junit.xsd"}

// validJUnit checks data against junitSchemas with xmllint (Debian's libxml2-utils). Without
// xmllint the check is skipped, unless IDCSIM_REQUIRE_XMLLINT=1, as CI sets it.
func validJUnit(t *testing.T, data []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("IDCSIM_REQUIRE_XMLLINT") == "1" {
			t.Fatal("IDCSIM_REQUIRE_XMLLINT=1 and no xmllint: install Debian's libxml2-utils")
		}
		t.Log("no xmllint: the JUnit document is not checked against the published schemas")
		return
	}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, xsd := range junitSchemas {
		if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
			t.Errorf("not valid under %s: %v\n%s\n%s", filepath.Base(xsd), err, out, data)
		}
	}
}

// The schemas do refuse what they should: the check is not a formality.
func TestJUnitSchemasRefuse(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("no xmllint")
	}
	bad := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="idcsim run x" tests="1" failures="0"><testcase name="a"/></testsuite></testsuites>
`)
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, xsd := range junitSchemas {
		if err := exec.Command("xmllint", "--noout", "--schema", xsd, path).Run(); err == nil {
			t.Errorf("%s accepts a suite without errors, time and timestamp", filepath.Base(xsd))
		}
	}
}
