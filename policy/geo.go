package policy

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// GeoPolicy is a geo policy file (kind: geo): which countries a behavior
// serves.
//
//	kind: geo
//	allow: [DE, FR, NL]   # or deny: [...], not both
//	unknown: deny         # addresses with no country: allow (default, CloudFront's) | deny
//	status: 403           # 403 (default), 404, 410 or 451
//	page: /errors/geo.html
type GeoPolicy struct {
	Kind string `yaml:"kind"`
	// Allow or Deny (exactly one) lists ISO 3166-1 alpha-2 country codes,
	// stored upper case.
	Allow []string `yaml:"allow"`
	Deny  []string `yaml:"deny"`
	// Unknown is "allow" (the default, as CloudFront) or "deny": what
	// happens to addresses the database has no country for.
	Unknown string `yaml:"unknown"`
	// Status is sent to refused viewers (default 403).
	Status int `yaml:"status"`
	// Page is a path served through the distribution as the block page,
	// with Status (optional; the default is a short HTML page).
	Page string `yaml:"page"`

	// File is the policy file's absolute path.
	File string `yaml:"-"`
	// listed holds Allow or Deny; allowList says which.
	listed    map[string]bool
	allowList bool
}

// Admits reports whether a viewer in country ("" when the database has
// none for the address) may pass.
func (g *GeoPolicy) Admits(country string) bool {
	if country == "" {
		return g.Unknown == "allow"
	}
	return g.listed[country] == g.allowList
}

// geoStatuses are the statuses a geo policy may refuse with.
var geoStatuses = []int{403, 404, 410, 451}

// LoadGeoPolicy reads and validates a geo policy file. On failure the
// error is an *Errors listing every problem.
func LoadGeoPolicy(path string) (*GeoPolicy, error) { return readPolicy(path, ParseGeoPolicy) }

// ParseGeoPolicy validates data, the contents of the geo policy file
// named file.
func ParseGeoPolicy(file string, data []byte) (*GeoPolicy, error) {
	return parseKind(file, data, "geo", "kind, allow or deny, unknown, status, page", func(v *validator, g *GeoPolicy, abs string) {
		g.File = abs
		v.geoPolicy(g)
	})
}

func (v *validator) geoPolicy(g *GeoPolicy) {
	switch {
	case v.has("allow") && v.has("deny"):
		v.errorf("deny", "a geo policy has either allow or deny, not both (allow is at line %d)", v.line("allow"))
	case v.has("allow"):
		g.allowList = true
		g.listed = v.countries("allow", g.Allow)
	case v.has("deny"):
		g.listed = v.countries("deny", g.Deny)
	case !v.reported["allow"] && !v.reported["deny"]:
		v.errorf("", "a geo policy needs allow: [countries] or deny: [countries]")
	}
	switch g.Unknown {
	case "":
		g.Unknown = "allow"
	case "allow", "deny":
	default:
		v.errorf("unknown", "%q: write allow (serve addresses with no country, as CloudFront does) or deny", g.Unknown)
	}
	switch {
	case g.Status == 0 && !v.has("status"):
		g.Status = 403
	case !containsInt(geoStatuses, g.Status):
		v.errorf("status", "%d: a geo block is answered with 403, 404, 410 or 451", g.Status)
	}
	if g.Page != "" || v.has("page") {
		switch r, pos, bad := badPathChar(g.Page, "?#"); {
		case g.Page == "" || g.Page[0] != '/':
			v.errorf("page", "%q: the block page is a path beginning with /, served through the distribution", g.Page)
		case len(g.Page) > maxObjectLen:
			v.errorf("page", "the path is %d characters long; at most %d are allowed", len(g.Page), maxObjectLen)
		case bad:
			v.errorf("page", "%q has an invalid character %q at position %d", g.Page, r, pos)
		}
	}
}

// maxCountries bounds a country list (there are 249 codes).
const maxCountries = 300

// countries checks a list of country codes, normalises them to upper
// case in place, and returns them as a set.
func (v *validator) countries(path string, codes []string) map[string]bool {
	if len(codes) == 0 {
		v.errorf(path, "the list is empty; name at least one country (ISO 3166-1 alpha-2, such as DE)")
		return nil
	}
	if len(codes) > maxCountries {
		v.errorf(path, "%d entries; at most %d", len(codes), maxCountries)
		return nil
	}
	set := make(map[string]bool, len(codes))
	first := map[string]string{}
	for i, c := range codes {
		p := fmt.Sprintf("%s[%d]", path, i)
		code, msg := countryCode(c)
		if msg != "" {
			v.errorf(p, "%s", msg)
			continue
		}
		codes[i] = code
		if prev, dup := first[code]; dup {
			v.errorf(p, "%s is already listed (line %d)", code, v.line(prev))
			continue
		}
		first[code] = p
		set[code] = true
	}
	return set
}

// withdrawn are two-letter codes that look like countries but are not
// assigned in ISO 3166-1 (reserved, withdrawn or not a country), with
// what to write instead.
var withdrawn = map[string]string{
	"UK": "UK is not an ISO 3166-1 code; the United Kingdom is GB",
	"EU": "EU is the European Union, not a country; list its member states",
	"UN": "UN is not a country",
	"EZ": "EZ (the eurozone) is not a country; list its member states",
	"EA": "EA is reserved, not a country; Ceuta and Melilla are ES",
	"IC": "IC is reserved, not a country; the Canary Islands are ES",
	"DG": "DG is reserved, not a country; Diego Garcia is IO",
	"CP": "CP is reserved, not a country; Clipperton Island is FR",
	"AC": "AC is reserved, not a country; Ascension Island is SH",
	"TA": "TA is reserved, not a country; Tristan da Cunha is SH",
	"AN": "AN (Netherlands Antilles) was withdrawn from ISO 3166-1 in 2010; use BQ, CW or SX",
	"CS": "CS (Serbia and Montenegro) was withdrawn from ISO 3166-1; use RS or ME",
	"SU": "SU (the Soviet Union) is not an ISO 3166-1 country code",
	"YU": "YU (Yugoslavia) was withdrawn from ISO 3166-1; use RS, ME, BA, HR, SI or MK",
}

// countryCode validates one ISO 3166-1 alpha-2 code (any case), returning
// it upper case, or a message saying what is wrong and what to write.
// The code list is golang.org/x/text/language's region registry; XK
// (Kosovo, user-assigned) is accepted because MaxMind and DB-IP use it.
func countryCode(s string) (string, string) {
	up := strings.ToUpper(s)
	letters := strings.Trim(up, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
	switch {
	case s == "":
		return "", "an empty country code"
	case len(up) == 2 && letters:
		if msg, ok := withdrawn[up]; ok {
			return "", msg
		}
		if up == "XK" {
			return up, ""
		}
		r, err := language.ParseRegion(up)
		if err != nil || !r.IsCountry() {
			return "", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", s)
		}
		if c := r.Canonicalize().String(); c != up {
			return "", fmt.Sprintf("%q is no longer in use; write %s", s, c)
		}
		return up, ""
	case len(up) == 3:
		if r, err := language.ParseRegion(up); err == nil && r.IsCountry() {
			return "", fmt.Sprintf("%q: write the two-letter code %s (ISO 3166-1 alpha-2)", s, r.Canonicalize().String())
		}
	}
	return "", fmt.Sprintf("%q: a country is its two-letter ISO 3166-1 code, such as DE or GB", s)
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}
