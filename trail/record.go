package trail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"time"
)

// Record is the part of a CloudTrail record that idcsim reads: the fields of the event and of
// its userIdentity element, and the few request parameters, response elements, additional
// event data and service event details of the events of IAM Identity Center, STS and the
// identity store. Other fields are passed over.
type Record struct {
	Place Place     `json:"-"`
	Time  time.Time `json:"-"` // eventTime
	// Raw is the record's bytes, valid only during the call that is given the record.
	Raw []byte `json:"-"`

	EventTime   string `json:"eventTime"`
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	EventID     string `json:"eventID"`
	UserAgent   string `json:"userAgent"`
	ErrorCode   string `json:"errorCode"`

	UserIdentity        Identity   `json:"userIdentity"`
	RequestParameters   Request    `json:"requestParameters"`
	ResponseElements    Response   `json:"responseElements"`
	AdditionalEventData Additional `json:"additionalEventData"`
	ServiceEventDetails Service    `json:"serviceEventDetails"`
}

// Identity is a record's userIdentity element (CloudTrail User Guide, "CloudTrail
// userIdentity element").
type Identity struct {
	Type      string `json:"type"`
	ARN       string `json:"arn"`
	AccountID string `json:"accountId"`
	UserName  string `json:"userName"`
	// OnBehalfOf names the IAM Identity Center user a request was made for.
	OnBehalfOf struct {
		UserID           string `json:"userId"`
		IdentityStoreARN string `json:"identityStoreArn"`
	} `json:"onBehalfOf"`
	SessionContext struct {
		Attributes struct {
			CreationDate string `json:"creationDate"`
		} `json:"attributes"`
		SessionIssuer struct {
			ARN string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

// Request holds the request parameters idcsim reads.
type Request struct {
	// CreateToken, CreateTokenWithIAM
	ClientID  string `json:"clientId"`
	GrantType string `json:"grantType"`
	// AssumeRoleWithSAML
	RoleARN         string  `json:"roleArn"`
	PrincipalARN    string  `json:"principalArn"`
	RoleSessionName string  `json:"roleSessionName"`
	DurationSeconds flexInt `json:"durationSeconds"`
	// GetRoleCredentials (some logs carry them here rather than in serviceEventDetails)
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
	// identity store and directory
	IdentityStoreID string          `json:"identityStoreId"`
	UserID          string          `json:"userId"`
	UserName        string          `json:"userName"`
	GroupID         string          `json:"groupId"`
	MemberID        json.RawMessage `json:"memberId"`
	Member          json.RawMessage `json:"member"`
	MembershipID    string          `json:"membershipId"`
	// Operations are an UpdateUser's attribute changes (identitystore), or a SCIM PATCH's.
	Operations []struct {
		AttributePath  string          `json:"attributePath"`
		AttributeValue json.RawMessage `json:"attributeValue"`
		Path           string          `json:"path"`
		Value          json.RawMessage `json:"value"`
	} `json:"operations"`
	// account assignments and permission sets
	InstanceARN      string `json:"instanceArn"`
	PrincipalType    string `json:"principalType"`
	PrincipalID      string `json:"principalId"`
	TargetID         string `json:"targetId"`
	PermissionSetARN string `json:"permissionSetArn"`
	SessionDuration  string `json:"sessionDuration"`
}

// Response holds the response elements idcsim reads.
type Response struct {
	ExpiresIn    flexInt `json:"expiresIn"`
	RefreshToken string  `json:"refreshToken"`
	Credentials  struct {
		Expiration string `json:"expiration"`
	} `json:"credentials"`
	AssumedRoleUser struct {
		ARN string `json:"arn"`
	} `json:"assumedRoleUser"`
	RoleCredentials struct {
		Expiration flexInt `json:"expiration"` // milliseconds since 1970
	} `json:"roleCredentials"`
	MembershipID string `json:"membershipId"`
	UserID       string `json:"userId"`
}

// Additional holds the additional event data idcsim reads.
type Additional struct {
	AuthWorkflowID           string `json:"AuthWorkflowID"`
	CredentialType           string `json:"CredentialType"`
	LoginTo                  string `json:"LoginTo"`
	IdentityStoreUserID      string `json:"identitystore:UserId"`
	DeviceEnrollmentRequired string `json:"DeviceEnrollmentRequired"`
}

// Service holds the service event details idcsim reads.
type Service struct {
	AccountID              string `json:"account_id"`
	RoleName               string `json:"role_name"`
	UserAuthentication     string `json:"UserAuthentication"`
	CredentialVerification string `json:"CredentialVerification"`
	CredentialChallenge    string `json:"CredentialChallenge"`
}

// flexInt is a number that some records write as a string: either is read, and anything else
// is read as 0.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		*n = flexInt(v)
	}
	return nil
}

// member is a key of a JSON object, with its quotes, and the bytes of its value.
type member struct {
	key, val []byte
}

// name returns the member's key without its quotes (decoded, when it holds escapes).
func (m member) name() []byte {
	k := m.key[1 : len(m.key)-1]
	for _, c := range k { // keys are short: a loop costs less than a call
		if c == '\\' {
			return []byte(jsonString(m.key))
		}
	}
	return k
}

// decode decodes a record from the members of its top-level object (found by the scanner, or
// by members when nil): only the values idcsim reads are decoded; the request parameters,
// response elements, additional event data and service event details only for the sources
// whose events carry what it reads there (paramSources). A value of an unexpected type is
// passed over; a record whose eventTime, eventSource or eventName is missing is refused. What
// is passed over is not checked beyond its structure.
// The values that records repeat are interned by in (nil interns nothing), the userIdentity
// elements kept decoded by ids (nil keeps none).
func decode(data []byte, ms []member, rec *Record, in interner, ids *identityCache) error {
	*rec = Record{}
	var sub [4][]byte // requestParameters, responseElements, additionalEventData, serviceEventDetails
	for _, m := range ms {
		v := m.val
		switch string(m.name()) {
		case "eventTime":
			rec.EventTime = jsonString(v)
		case "eventSource":
			rec.EventSource = in.str(v)
		case "eventName":
			rec.EventName = in.str(v)
		case "eventID":
			rec.EventID = jsonString(v)
		case "userAgent":
			rec.UserAgent = in.str(v)
		case "errorCode":
			rec.ErrorCode = in.str(v)
		case "userIdentity":
			if err := ids.decode(v, &rec.UserIdentity, in); err != nil {
				return err
			}
		case "requestParameters":
			sub[0] = v
		case "responseElements":
			sub[1] = v
		case "additionalEventData":
			sub[2] = v
		case "serviceEventDetails":
			sub[3] = v
		}
	}
	if rec.EventSource == "" || rec.EventName == "" {
		return errors.New("not a CloudTrail record: no eventSource or eventName")
	}
	t, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil {
		return fmt.Errorf("eventTime %q is not an RFC 3339 time", rec.EventTime)
	}
	rec.Time = t.UTC()
	if paramSources[rec.EventSource] || bytes.Contains(sub[2], userIDKey) {
		for i, dst := range []any{&rec.RequestParameters, &rec.ResponseElements, &rec.AdditionalEventData, &rec.ServiceEventDetails} {
			switch {
			case i == 2 && flatStrings(sub[i], &rec.AdditionalEventData, additionalFields):
			case i == 3 && flatStrings(sub[i], &rec.ServiceEventDetails, serviceFields):
			default:
				if err := lenient(sub[i], dst); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// flatStrings decodes the object v into dst, a struct of string fields, as lenient would, and
// says whether it could: v must be an object of plain strings (printable ASCII, no escape) under
// plain keys, none of them another case of a field's name (encoding/json takes those too).
// Anything else is left to lenient: the additional event data and service event details of IAM
// Identity Center's records are such objects, and encoding/json took a third of their decoding.
func flatStrings[T any](v []byte, dst *T, fields []stringField[T]) bool {
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	type set struct {
		dst *string
		val []byte
	}
	var sets [8]set
	n := 0
	end, err := objectAt(v, 0, func(key []byte, at int) (int, error) {
		end, ok := plainString(v, at)
		name := key[1 : len(key)-1]
		if !ok || !plain(name) {
			return at, errNotFlat
		}
		for _, f := range fields {
			switch {
			case string(name) == f.name:
				if n == len(sets) {
					return at, errNotFlat
				}
				sets[n] = set{f.of(dst), v[at+1 : end-1]}
				n++
				return end, nil
			case strings.EqualFold(string(name), f.name):
				return at, errNotFlat
			}
		}
		return end, nil
	})
	if err != nil || trailing(v, end) != nil {
		return false
	}
	for _, s := range sets[:n] {
		*s.dst = string(s.val)
	}
	return true
}

// stringField is a string field of a T and its name in JSON.
type stringField[T any] struct {
	name string
	of   func(*T) *string
}

var errNotFlat = errors.New("not an object of plain strings")

// plainString returns the end of the string at data[at] when it is plain: printable ASCII
// without an escape.
func plainString(data []byte, at int) (int, bool) {
	if at >= len(data) || data[at] != '"' {
		return at, false
	}
	i := bytes.IndexByte(data[at+1:], '"')
	if i < 0 || !plain(data[at+1:at+1+i]) {
		return at, false
	}
	return at + i + 2, true
}

// plain says whether b is printable ASCII without a backslash or a quote.
func plain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// The fields of Additional and Service, as encoding/json names them.
var (
	additionalFields = []stringField[Additional]{
		{"AuthWorkflowID", func(a *Additional) *string { return &a.AuthWorkflowID }},
		{"CredentialType", func(a *Additional) *string { return &a.CredentialType }},
		{"LoginTo", func(a *Additional) *string { return &a.LoginTo }},
		{"identitystore:UserId", func(a *Additional) *string { return &a.IdentityStoreUserID }},
		{"DeviceEnrollmentRequired", func(a *Additional) *string { return &a.DeviceEnrollmentRequired }},
	}
	serviceFields = []stringField[Service]{
		{"account_id", func(s *Service) *string { return &s.AccountID }},
		{"role_name", func(s *Service) *string { return &s.RoleName }},
		{"UserAuthentication", func(s *Service) *string { return &s.UserAuthentication }},
		{"CredentialVerification", func(s *Service) *string { return &s.CredentialVerification }},
		{"CredentialChallenge", func(s *Service) *string { return &s.CredentialChallenge }},
	}
)

// paramSources are the sources of the events whose parameters idcsim reads.
var paramSources = map[string]bool{srcSignIn: true, srcSSO: true, srcOAuth: true, srcDirectory: true,
	srcIdentityStore: true, srcStoreAuth: true, srcSCIM: true, srcSTS: true, srcOrganizations: true, srcIAM: true}

// lenient decodes v into dst, passing over values of unexpected types (null, or another type
// than dst's, decodes to nothing); only JSON that is not valid is an error.
func lenient(v []byte, dst any) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	err := json.Unmarshal(v, dst)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil, errors.As(err, &te):
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("not JSON: %v", se)
	}
	return err
}

// jsonString returns the JSON string v without its quotes and escapes, or "" when v is not a
// string.
func jsonString(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return ""
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1])
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// members appends to dst the members of the JSON object data, in order. It checks the object's
// structure, not what is inside the values it passes over.
func members(data []byte, dst []member) ([]member, error) {
	err := topLevel(data, func(key, v []byte) error {
		dst = append(dst, member{key, v})
		return nil
	})
	return dst, err
}

// topLevel calls fn with each key of the JSON object data, with its quotes, and the bytes of its
// value, in order. It checks the object's structure, not what is inside the values it passes
// over.
func topLevel(data []byte, fn func(key, v []byte) error) error {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errors.New("not a JSON object")
	}
	end, err := objectAt(data, i, func(key []byte, at int) (int, error) {
		end, err := skipValue(data, at)
		if err != nil {
			return end, err
		}
		return end, fn(key, data[at:end])
	})
	if err != nil {
		return err
	}
	return trailing(data, end)
}

// objectAt reads the JSON object that begins at data[i]: it calls fn with each key, with its
// quotes, and the offset of its value; fn returns where the value ends (skipValue's end, or its
// own, having read the value). objectAt returns the end of the object. It checks the object's
// structure, not what fn passes over.
func objectAt(data []byte, i int, fn func(key []byte, at int) (int, error)) (int, error) {
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, syntaxAt(data, i, "a key")
		}
		end, ok := skipString(data, i+1)
		if !ok {
			return i, errUnendedString
		}
		key := data[i:end]
		i = skipWS(data, end)
		if i >= len(data) || data[i] != ':' {
			return i, syntaxAt(data, i, "a colon")
		}
		end, err := fn(key, skipWS(data, i+1))
		if err != nil {
			return end, err
		}
		i = skipWS(data, end)
		switch {
		case i < len(data) && data[i] == ',':
			i = skipWS(data, i+1)
		case i < len(data) && data[i] == '}':
			return i + 1, nil
		default:
			return i, syntaxAt(data, i, "a comma or }")
		}
	}
}

var errUnendedString = errors.New("not JSON: a string does not end")

// trailing refuses anything but white space after the object's end at i.
func trailing(data []byte, i int) error {
	if i = skipWS(data, i); i < len(data) {
		return syntaxAt(data, i, "the end of the record")
	}
	return nil
}

func syntaxAt(data []byte, i int, want string) error {
	if i >= len(data) {
		return fmt.Errorf("not JSON: the record ends where %s was expected", want)
	}
	return fmt.Errorf("not JSON: %q at byte %d, where %s was expected", data[i], i+1, want)
}

func skipWS(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value that begins at i: a string, an object or an
// array (their brackets balanced, strings and escapes skipped), or a literal or number (up to
// the next delimiter).
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return i, syntaxAt(data, i, "a value")
	}
	if c := data[i]; c == '{' || c == '[' {
		if end, ok := skipComposite(data, i); ok {
			return end, nil
		}
		// the loop below says what is wrong
	}
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"':
			end, ok := skipString(data, i+1)
			if !ok {
				return i, errUnendedString
			}
			i = end
			if depth == 0 {
				return i, nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, syntaxAt(data, i, "a value")
			}
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, syntaxAt(data, i, "a value")
			}
		default:
			if depth == 0 {
				// a literal or a number
				j := i
				for j < len(data) && !delimiter[data[j]] {
					j++
				}
				return j, nil
			}
		}
		i++
	}
	return i, errors.New("not JSON: an object or array does not end")
}

// delimiter are the bytes that end a literal or a number.
var delimiter = func() (t [256]bool) {
	for _, c := range []byte(",:]} \t\n\r") {
		t[c] = true
	}
	return t
}()

// skipString returns the index after the quote that ends the string whose content begins at i.
func skipString(data []byte, i int) (int, bool) {
	for {
		i = stringEnd(data, i)
		if i >= len(data) {
			return len(data), false
		}
		if data[i] == '"' {
			return i + 1, true
		}
		i += 2 // a backslash and the byte it escapes
	}
}

// skipComposite returns the end of the object or array that begins at i, found by the word
// scanner, and whether it ends in data.
func skipComposite(data []byte, i int) (int, bool) {
	var st wordScanner
	if k := st.scan(data[i:]); k >= 0 {
		return i + k, true
	}
	return len(data), false
}

// SessionCreated is when the temporary credentials of the request were issued
// (sessionContext.attributes.creationDate), or the zero time.
func (id *Identity) SessionCreated() time.Time {
	return parseTime(id.SessionContext.Attributes.CreationDate)
}

// parseTime reads the times CloudTrail writes: RFC 3339, ISO 8601's basic form
// (20131102T010628Z), and STS's expiration ("Jul 18, 2014 4:07:39 PM", with or without a comma
// after the year). It returns the zero time for anything else.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "20060102T150405Z", "Jan 2, 2006 3:04:05 PM", "Jan 2, 2006, 3:04:05 PM"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// decodeIdentity decodes a userIdentity element: its string fields, and those of onBehalfOf and
// sessionContext, read in one pass, interned by in. A value of another type than expected is
// passed over.
func decodeIdentity(v []byte, id *Identity, in interner) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	_, err := objectAt(v, 0, func(key []byte, at int) (int, error) {
		name := keyName(key)
		if dst := id.field(name); dst != nil {
			return in.stringAt(v, at, dst)
		}
		switch string(name) {
		case "onBehalfOf":
			return in.stringsAt(v, at, func(k []byte) *string {
				switch string(k) {
				case "userId":
					return &id.OnBehalfOf.UserID
				case "identityStoreArn":
					return &id.OnBehalfOf.IdentityStoreARN
				}
				return nil
			})
		case "sessionContext":
			sc := &id.SessionContext
			return objectAtOr(v, at, func(key []byte, at int) (int, error) {
				switch string(keyName(key)) {
				case "attributes":
					return in.stringsAt(v, at, func(k []byte) *string {
						if string(k) == "creationDate" {
							return &sc.Attributes.CreationDate
						}
						return nil
					})
				case "sessionIssuer":
					return in.stringsAt(v, at, func(k []byte) *string {
						if string(k) == "arn" {
							return &sc.SessionIssuer.ARN
						}
						return nil
					})
				}
				return skipValue(v, at)
			})
		}
		return skipValue(v, at)
	})
	return err
}

// identityCache keeps decoded userIdentity elements by their bytes: the calls of one role
// session carry the same element, decoded once (a record's decoding took half its time decoding
// it). It is set-associative, identitySets sets of identityWays slots, each set replacing its
// slots in turn, and keeps no element over identityMaxBytes, so that its memory is bounded
// whatever the log (at most 8 MiB of elements). A trail interleaves the sessions of many
// people: of the 271,300 elements decoded reading the generated log of 1000 MiB of the README,
// 1,024 slots mapped directly missed 94,993, 4,096 of them 29,730, and 4,096 in sets of four
// 1,939.
type identityCache struct {
	seed maphash.Seed
	sets []identitySet
}

type identitySet struct {
	slots [identityWays]identitySlot
	next  uint8 // the slot taken over next
}

type identitySlot struct {
	key []byte // the element's bytes; nil for a slot never filled
	id  Identity
}

const (
	identitySets     = 1024
	identityWays     = 4
	identityMaxBytes = 2048
)

// decode is decodeIdentity, with the element taken from the cache when it was decoded before;
// c may be nil.
func (c *identityCache) decode(v []byte, id *Identity, in interner) error {
	if c == nil || len(v) > identityMaxBytes {
		return decodeIdentity(v, id, in)
	}
	if c.sets == nil {
		c.seed, c.sets = maphash.MakeSeed(), make([]identitySet, identitySets)
	}
	set := &c.sets[maphash.Bytes(c.seed, v)%identitySets]
	for i := range set.slots {
		if s := &set.slots[i]; len(s.key) == len(v) && s.key != nil && bytes.Equal(s.key, v) {
			*id = s.id
			return nil
		}
	}
	if err := decodeIdentity(v, id, in); err != nil {
		return err
	}
	s := &set.slots[set.next]
	set.next = (set.next + 1) % identityWays
	s.key, s.id = append(s.key[:0], v...), *id
	return nil
}

// keyName returns a key, with its quotes, without them (decoded when it holds escapes): the
// callers compare it as a string, which allocates nothing.
func keyName(key []byte) []byte { return member{key: key}.name() }

// stringAt sets *dst to the string value at data[at] ("" when it is not a string), interned,
// and returns the value's end.
func (in interner) stringAt(data []byte, at int, dst *string) (int, error) {
	end, err := skipValue(data, at)
	if err == nil {
		*dst = in.str(data[at:end])
	}
	return end, err
}

// interner gives one string for the same bytes, so that the values that records repeat (event
// sources and names, user agents, identity types, accounts, the ARNs of a user's sessions) are
// allocated once. It keeps at most internMax strings: its memory is bounded whatever the log.
type interner map[string]string

const internMax = 4096

// str returns the JSON string v without its quotes and escapes, as jsonString, interned.
func (in interner) str(v []byte) string {
	if in == nil || len(v) < 2 || v[0] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return jsonString(v)
	}
	b := v[1 : len(v)-1]
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in) < internMax {
		in[s] = s
	}
	return s
}

// stringsAt reads the object at data[at] (or passes over a value of another type), setting the
// string fields that dst names, interned, and returns its end.
func (in interner) stringsAt(data []byte, at int, dst func(key []byte) *string) (int, error) {
	return objectAtOr(data, at, func(key []byte, at int) (int, error) {
		if p := dst(keyName(key)); p != nil {
			return in.stringAt(data, at, p)
		}
		return skipValue(data, at)
	})
}

// objectAtOr reads the object at data[at] with objectAt, or passes over a value of another type.
func objectAtOr(data []byte, at int, fn func(key []byte, at int) (int, error)) (int, error) {
	if at >= len(data) || data[at] != '{' {
		return skipValue(data, at)
	}
	return objectAt(data, at, fn)
}

// field returns the string field of the identity named key, or nil.
func (id *Identity) field(key []byte) *string {
	switch string(key) {
	case "type":
		return &id.Type
	case "arn":
		return &id.ARN
	case "accountId":
		return &id.AccountID
	case "userName":
		return &id.UserName
	}
	return nil
}
