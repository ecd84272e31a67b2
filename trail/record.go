package trail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	if bytes.IndexByte(k, '\\') >= 0 {
		return []byte(jsonString(m.key))
	}
	return k
}

// decode decodes a record from the members of its top-level object (found by the scanner, or
// by members when nil): only the values idcsim reads are decoded; the request parameters,
// response elements, additional event data and service event details only for the sources
// whose events carry what it reads there (paramSources). A value of an unexpected type is
// passed over; a record whose eventTime, eventSource or eventName is missing is refused. What
// is passed over is not checked beyond its structure.
func decode(data []byte, ms []member, rec *Record) error {
	*rec = Record{}
	var sub [4][]byte // requestParameters, responseElements, additionalEventData, serviceEventDetails
	for _, m := range ms {
		v := m.val
		switch string(m.name()) {
		case "eventTime":
			rec.EventTime = jsonString(v)
		case "eventSource":
			rec.EventSource = jsonString(v)
		case "eventName":
			rec.EventName = jsonString(v)
		case "eventID":
			rec.EventID = jsonString(v)
		case "userAgent":
			rec.UserAgent = jsonString(v)
		case "errorCode":
			rec.ErrorCode = jsonString(v)
		case "userIdentity":
			if err := decodeIdentity(v, &rec.UserIdentity); err != nil {
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
			if err := lenient(sub[i], dst); err != nil {
				return err
			}
		}
	}
	return nil
}

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
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return trailing(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return syntaxAt(data, i, "a key")
		}
		end, err := skipValue(data, i)
		if err != nil {
			return err
		}
		key := data[i:end]
		i = skipWS(data, end)
		if i >= len(data) || data[i] != ':' {
			return syntaxAt(data, i, "a colon")
		}
		i = skipWS(data, i+1)
		end, err = skipValue(data, i)
		if err != nil {
			return err
		}
		if err := fn(key, data[i:end]); err != nil {
			return err
		}
		i = skipWS(data, end)
		switch {
		case i < len(data) && data[i] == ',':
			i = skipWS(data, i+1)
		case i < len(data) && data[i] == '}':
			return trailing(data, i+1)
		default:
			return syntaxAt(data, i, "a comma or }")
		}
	}
}

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
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"':
			end, ok := skipString(data, i+1)
			if !ok {
				return i, errors.New("not JSON: a string does not end")
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
				for j < len(data) && !bytes.ContainsRune([]byte(",:]} \t\n\r"), rune(data[j])) {
					j++
				}
				return j, nil
			}
		}
		i++
	}
	return i, errors.New("not JSON: an object or array does not end")
}

// skipString returns the index after the quote that ends the string whose content begins at i.
func skipString(data []byte, i int) (int, bool) {
	for {
		q := bytes.IndexByte(data[i:], '"')
		if q < 0 {
			return len(data), false
		}
		// an escaped quote: an odd number of backslashes before it
		n := 0
		for j := i + q - 1; j >= i && data[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i + q + 1, true
		}
		i += q + 1
	}
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
// sessionContext. A value of another type than expected is passed over.
func decodeIdentity(v []byte, id *Identity) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	return topLevel(v, func(key, v []byte) error {
		name := string(member{key: key}.name())
		if dst := id.field(name); dst != nil {
			*dst = jsonString(v)
			return nil
		}
		switch name {
		case "onBehalfOf":
			return objectStrings(v, func(k string) *string {
				switch k {
				case "userId":
					return &id.OnBehalfOf.UserID
				case "identityStoreArn":
					return &id.OnBehalfOf.IdentityStoreARN
				}
				return nil
			})
		case "sessionContext":
			sc := &id.SessionContext
			return objectValues(v, func(k string, v []byte) error {
				switch k {
				case "attributes":
					return objectStrings(v, func(k string) *string {
						if k == "creationDate" {
							return &sc.Attributes.CreationDate
						}
						return nil
					})
				case "sessionIssuer":
					return objectStrings(v, func(k string) *string {
						if k == "arn" {
							return &sc.SessionIssuer.ARN
						}
						return nil
					})
				}
				return nil
			})
		}
		return nil
	})
}

// field returns the string field of the identity named key, or nil.
func (id *Identity) field(key string) *string {
	switch key {
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

// objectValues calls fn with each key (without its quotes) and value of v when v is an object.
func objectValues(v []byte, fn func(key string, v []byte) error) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	return topLevel(v, func(key, v []byte) error {
		return fn(string(member{key: key}.name()), v)
	})
}

// objectStrings sets the string fields that dst names from the object v.
func objectStrings(v []byte, dst func(key string) *string) error {
	return objectValues(v, func(k string, v []byte) error {
		if p := dst(k); p != nil {
			*p = jsonString(v)
		}
		return nil
	})
}
