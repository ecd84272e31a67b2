package trail

import (
	"fmt"
	"testing"
	"unsafe"
)

// The interner gives one string for the same bytes, decodes escapes as jsonString does, and
// keeps no more than internMax strings.
func TestInterner(t *testing.T) {
	in := interner{}
	a, b := in.str([]byte(`"sso.amazonaws.com"`)), in.str([]byte(`"sso.amazonaws.com"`))
	if a != "sso.amazonaws.com" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("%q and %q are not one string", a, b)
	}
	if got := in.str([]byte(`"a\u0062c"`)); got != "abc" {
		t.Errorf("escaped: %q", got)
	}
	if got := in.str([]byte(`17`)); got != "" {
		t.Errorf("not a string: %q", got)
	}
	for i := range 2 * internMax {
		in.str(fmt.Appendf(nil, `"user%d"`, i))
	}
	if len(in) != internMax {
		t.Errorf("%d strings kept, want at most %d", len(in), internMax)
	}
	if got := interner(nil).str([]byte(`"x"`)); got != "x" {
		t.Errorf("nil interner: %q", got)
	}
}
