package policy

import (
	"slices"
	"testing"
)

func TestCheckJudgesPasswords(t *testing.T) {
	const email = "max.mustermann@example.de"
	cases := []struct {
		name     string
		password string
		failed   []string // rules expected to fail; nil means the password is accepted
	}{
		{"strong with ascii specials", "Tischlerei!Berg7", nil},
		{"12 characters exactly", "Hobelbank#7x", nil},
		{"11 characters is one too few", "Hobelbank#7", []string{RuleMinLength}},
		{"empty", "", []string{RuleMinLength, RuleUpper, RuleLower, RuleDigit, RuleSpecial, RuleNotCommon, RuleNotEmail, RuleMatch}},
		{"no upper-case letter", "hobelbank#7xy", []string{RuleUpper}},
		{"no lower-case letter", "HOBELBANK#7XY", []string{RuleLower}},
		{"no digit", "Hobelbank#xyz", []string{RuleDigit}},
		{"no special character", "Hobelbank7xyz", []string{RuleSpecial}},
		{"space counts as special", "Hobel bank 7x", nil},
		{"umlaut counts as letter not special", "Hobelbänk7xyz", []string{RuleSpecial}},
		{"upper-case umlaut is an upper-case letter", "äÖ#7hobelbankx", nil},
		{"sharp s is a lower-case letter", "STRAßENBAU#7X", nil},
		{"only umlauts as letters", "ÄÖÜäöü#123456", nil},
		{"euro sign is special", "Hobelbank€7xy", nil},
		{"section sign is special", "Hobelbank§7xy", nil},
		{"paragraph of non-ascii specials", "Werkbank«7»Xy", nil},
		{"emoji counts as special", "Werkbank🔨7Xyz", nil},
		{"arabic-indic digit counts as digit", "Werkbank#٧Xyz", nil},
		{"seed example specials", "Aa1!@#$%^&*()", nil},
		{"all seed specials", "Zz9!@#$%^&*()_+-={};:<>/?~", nil},
		{"long passphrase", "Meine Werkstatt steht in Würzburg 1", nil},
		{"Passwort with year", "Passwort2024!", []string{RuleNotCommon}},
		{"passwort lower with digits", "passwort123!A", []string{RuleNotCommon}},
		{"Sommer with year", "Sommer2025!!", []string{RuleNotCommon}},
		{"Handwerk dressed up", "!Handwerk#2025", []string{RuleNotCommon}},
		{"Handwerkskammer", "Handwerkskammer1!", []string{RuleNotCommon}},
		{"leetspeak Passwort", "P@ssw0rt2024!", []string{RuleNotCommon}},
		{"keyboard walk qwertz", "Qwertz123456!", []string{RuleNotCommon}},
		{"keyboard walk asdfgh", "Asdfghjkl#2024", []string{RuleNotCommon}},
		{"english common password", "Password123!", []string{RuleNotCommon}},
		{"month and year", "Dezember2023!", []string{RuleNotCommon}},
		{"football club", "Schalke04!!!", []string{RuleNotCommon}},
		{"year only with letters", "Ab!199019901990", nil},
		{"contains e-mail local part", "max.mustermann#1A", []string{RuleNotEmail}},
		{"contains part of local part", "Mustermann#2024", []string{RuleNotEmail}},
		{"local part in other case", "MUSTERMANNx#1a", []string{RuleNotEmail}},
		{"short name part is fine", "Maxi#Hobelbank7", nil},
		{"decomposed umlaut equals composed", "Hobelba\u0308nk#7xy", nil},
		{"cyrillic letters count", "ПарольДлинный7!", nil},
		{"only cyrillic upper", "ПАРОЛЬДЛИННЫЙ7!", []string{RuleLower}},
		{"tab counts as special", "Hobelbank\t7xy", nil},
		{"very long", "Xy7!" + "abcdefghij" + "klmnopqrstuvwxyz0123456789", nil},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Check(c.password, c.password, email).Failed()
			if !slices.Equal(got, c.failed) {
				t.Errorf("Check(%q) failed rules = %v, want %v", c.password, got, c.failed)
			}
		})
	}
}

func TestCheckRequiresMatchingRepetition(t *testing.T) {
	r := Check("Tischlerei!Berg7", "Tischlerei!Berg8", "a@b.de")
	if r.OK() || !slices.Equal(r.Failed(), []string{RuleMatch}) {
		t.Errorf("failed = %v, want only the match rule", r.Failed())
	}
	if !Check("Hobelba\u0308nk#7xy", "Hobelbänk#7xy", "a@b.de").Met(RuleMatch) {
		t.Error("composed and decomposed umlauts should match")
	}
}

func TestBlockListIsLargeAndGerman(t *testing.T) {
	if n := CommonCount(); n < 10000 {
		t.Fatalf("block list has %d entries, want at least 10,000", n)
	}
	for _, w := range []string{"passwort", "sommer", "handwerk", "qwertz", "hallo", "123456"} {
		if !IsCommon(w) {
			t.Errorf("%q should be on the block list", w)
		}
	}
}

func TestRulesCoverEveryCheck(t *testing.T) {
	r := Check("x", "x", "")
	if len(r) != len(Rules) {
		t.Fatalf("Check returns %d rules, Rules lists %d", len(r), len(Rules))
	}
	for i, rr := range r {
		if rr.ID != Rules[i] {
			t.Errorf("rule %d = %s, want %s", i, rr.ID, Rules[i])
		}
	}
}
