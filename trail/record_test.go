package trail

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
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

// The identity cache gives what decoding gives: for identities met again, for identities that
// share a slot, for bytes changed in place after they were decoded, for an element too long to
// keep, and for a malformed element, refused each time.
func TestIdentityCache(t *testing.T) {
	var c identityCache
	in := interner{}
	check := func(v []byte) {
		t.Helper()
		var want, got Identity
		wantErr := decodeIdentity(v, &want, in)
		gotErr := c.decode(v, &got, in)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s: cached %+v, %v; decoded %+v, %v", v, got, gotErr, want, wantErr)
		}
	}
	identity := func(user, key int) []byte {
		return fmt.Appendf(nil, `{"type":"AssumedRole","arn":"arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/user%d","accountId":"222233334444","accessKeyId":"ASIA%016d","sessionContext":{"attributes":{"creationDate":"2026-03-04T%02d:00:00Z"}}}`, user, key, key%24)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40000 {
		// 10,000 identities over 4,096 slots: hits, and slots taken over
		u := rng.IntN(10000)
		check(identity(u, u/3))
	}
	// bytes changed in place after they were decoded, to bytes of the same set: the cache kept
	// its own copy, so the changed bytes are decoded anew
	v := identity(1, 1)
	check(v)
	slot := func(v []byte) uint64 { return maphash.Bytes(c.seed, v) % identitySets }
	for key := 2; ; key++ {
		if w := identity(1, key); slot(w) == slot(v) {
			copy(v, w) // of the same length
			break
		}
	}
	check(v)
	long := fmt.Appendf(nil, `{"type":"AssumedRole","userName":"%s"}`, strings.Repeat("x", identityMaxBytes))
	check(long)
	check(long)
	bad := []byte(`{"type":"AssumedRole","arn":}`)
	for range 2 {
		if err := c.decode(bad, new(Identity), in); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// flatStrings decodes what it takes as lenient does (encoding/json), for additional event data
// and service event details alike, and leaves to it what it does not take.
func FuzzFlatStrings(f *testing.F) {
	f.Add([]byte(`{"role_name":"Developer","account_id":"222233334444"}`))
	f.Add([]byte(`{"AuthWorkflowID":"a1","CredentialType":"PASSWORD","LoginTo":"https://x","identitystore:UserId":"u"}`))
	f.Add([]byte(`{"Role_Name":"x","ROLE_NAME":"y"}`))                // other cases: encoding/json's
	f.Add([]byte(`{"role_name":"a","role_name":"b", "other": "c" }`)) // the last wins
	f.Add([]byte(`{"role_name":"\u0041","account_id":null}`))
	f.Add([]byte(`{"role_name":"é"}`))
	f.Add([]byte(`{"role_name":"x",}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		var a, wantA Additional
		if flatStrings(v, &a, additionalFields) {
			if err := lenient(v, &wantA); err != nil || a != wantA {
				t.Fatalf("%s: flatStrings gave %+v, encoding/json %+v, %v", v, a, wantA, err)
			}
		}
		var s, wantS Service
		if flatStrings(v, &s, serviceFields) {
			if err := lenient(v, &wantS); err != nil || s != wantS {
				t.Fatalf("%s: flatStrings gave %+v, encoding/json %+v, %v", v, s, wantS, err)
			}
		}
	})
}

// flatStrings takes the service event details and additional event data that IAM Identity
// Center writes, and leaves to encoding/json the objects it would read otherwise.
func TestFlatStrings(t *testing.T) {
	var s Service
	if !flatStrings([]byte(`{"role_name":"Developer", "account_id":"222233334444"}`), &s, serviceFields) ||
		s.RoleName != "Developer" || s.AccountID != "222233334444" {
		t.Errorf("service event details: %+v", s)
	}
	for _, v := range []string{`{"Role_Name":"x"}`, `{"role_name":"\u0041"}`, `{"role_name":5}`, `{"role_name":"é"}`, `{"role_name":"x",}`, `[]`} {
		if flatStrings([]byte(v), new(Service), serviceFields) {
			t.Errorf("%s: taken", v)
		}
	}
}
