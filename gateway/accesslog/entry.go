package accesslog

import "time"

// Entry is one access log record. Its fields follow CloudFront's standard
// log format (33 fields); the last group are Edgeward's own and appear in
// the JSON format only. Empty strings are written as "-" in the CloudFront
// format and left out of JSON; so are negative sizes and ranges (-1 means
// unknown) and a zero ClientPort, FLEEncryptedFields or TimeToFirstByte.
// The CloudFront format always writes byte counts and TimeTaken; JSON
// leaves out zero byte counts. Strings may hold anything a viewer sent:
// both formats escape them (see the package doc).
//
// An Entry carries no secrets: the gateway must not put credentials,
// signatures or encrypted field values in it, and sets Cookie only when
// cookie logging is configured.
type Entry struct {
	// Time is when the request arrived. The JSON "time" is this instant;
	// the CloudFront date and time fields are, as CloudFront's own, when
	// the response finished: Time plus TimeTaken. Both are written in UTC.
	Time               time.Time
	EdgeLocation       string        // x-edge-location: the node name
	BytesSent          int64         // sc-bytes: bytes sent to the viewer, headers included
	ClientIP           string        // c-ip
	ClientPort         int           // c-port
	Method             string        // cs-method
	Host               string        // cs(Host): the distribution's name as CloudFront writes its domain
	URIStem            string        // cs-uri-stem: the path
	Status             int           // sc-status; 0 (written "000") when the viewer went away first
	Referer            string        // cs(Referer)
	UserAgent          string        // cs(User-Agent)
	Query              string        // cs-uri-query
	Cookie             string        // cs(Cookie): written only when cookie logging is on
	ResultType         string        // x-edge-result-type: Hit, Miss, Error, Redirect, ...
	RequestID          string        // x-edge-request-id
	HostHeader         string        // x-host-header: the Host the viewer sent
	Protocol           string        // cs-protocol: http, https, ws, wss
	BytesReceived      int64         // cs-bytes
	TimeTaken          time.Duration // time-taken
	ForwardedFor       string        // x-forwarded-for as received
	SSLProtocol        string        // ssl-protocol
	SSLCipher          string        // ssl-cipher
	ResponseResultType string        // x-edge-response-result-type
	ProtocolVersion    string        // cs-protocol-version: HTTP/1.1, HTTP/2.0
	FLEStatus          string        // fle-status
	FLEEncryptedFields int           // fle-encrypted-fields
	TimeToFirstByte    time.Duration // time-to-first-byte
	DetailedResultType string        // x-edge-detailed-result-type
	ContentType        string        // sc-content-type
	ContentLength      int64         // sc-content-len; -1 when unknown
	RangeStart         int64         // sc-range-start; -1 when no range
	RangeEnd           int64         // sc-range-end; -1 when no range

	// Edgeward's own fields (JSON format only).
	Distribution string // the distribution's configured name
	Behavior     string // the matched behavior's path pattern ("*" for the default)
	Origin       string // the origin id that served the response
	DeniedBy     string // the stage that denied the request
	Reason       string // the short reason given to the viewer
	WAFRules     string // the WAF rules that matched, "942100,949110"
}
