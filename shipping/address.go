package shipping

import (
	"regexp"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// Address is a postal address. Country is ISO 3166-1 alpha-2.
type Address struct {
	Name       string
	Company    string
	Street1    string
	Street2    string
	City       string
	Region     string // state, province; required in the US and Canada
	PostalCode string
	Country    string
	Phone      string
	Email      string
}

// AddressError says which field of an address is wrong. It unwraps to
// connector.ErrValidation.
type AddressError struct {
	Field  string
	Reason string
}

func (e *AddressError) Error() string { return "shipping: address " + e.Field + ": " + e.Reason }
func (e *AddressError) Unwrap() error { return connector.ErrValidation }

// isoCountries are the ISO 3166-1 alpha-2 codes.
var isoCountries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
	BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
	GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
	KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX
	MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
	SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
	VI VN VU WF WS YE YT ZA ZM ZW`) {
		m[c] = true
	}
	return m
}()

// Postal rules for the countries where a wrong code is most often caught
// too late: at the carrier, after the label was bought.
var (
	usZIP        = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
	caPostalCode = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$`)
	gbPostcode   = regexp.MustCompile(`^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$`)
	dePLZ        = regexp.MustCompile(`^\d{5}$`)
	usStates     = fieldSet(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC
	ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP`)
	caProvinces = fieldSet(`AB BC MB NB NL NS NT NU ON PE QC SK YT`)
)

func fieldSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// Validate checks an address before any vendor sees it: the fields every
// carrier needs, an ISO country code, and for the US, Canada, the UK and
// Germany the region and postal code formats.
func (a Address) Validate() error {
	for _, f := range []struct{ name, value string }{{"name", a.Name}, {"street1", a.Street1}, {"city", a.City}, {"country", a.Country}} {
		if strings.TrimSpace(f.value) == "" {
			return &AddressError{Field: f.name, Reason: "is required"}
		}
	}
	if !isoCountries[a.Country] {
		return &AddressError{Field: "country", Reason: a.Country + " is not an ISO 3166-1 alpha-2 code"}
	}
	pc := strings.ToUpper(strings.TrimSpace(a.PostalCode))
	switch a.Country {
	case "US":
		if !usStates[strings.ToUpper(a.Region)] {
			return &AddressError{Field: "region", Reason: "a US address needs a two-letter state code"}
		}
		if !usZIP.MatchString(pc) {
			return &AddressError{Field: "postal code", Reason: "a US ZIP code is 5 digits, or 5+4"}
		}
	case "CA":
		if !caProvinces[strings.ToUpper(a.Region)] {
			return &AddressError{Field: "region", Reason: "a Canadian address needs a two-letter province code"}
		}
		if !caPostalCode.MatchString(pc) {
			return &AddressError{Field: "postal code", Reason: "a Canadian postal code looks like K1A 0B1"}
		}
	case "GB":
		if !gbPostcode.MatchString(pc) {
			return &AddressError{Field: "postal code", Reason: "a UK postcode looks like SW1A 1AA"}
		}
	case "DE":
		if !dePLZ.MatchString(pc) {
			return &AddressError{Field: "postal code", Reason: "a German Postleitzahl is 5 digits"}
		}
	default:
		// Elsewhere postal codes vary too much to check; some countries
		// have none.
	}
	return nil
}
