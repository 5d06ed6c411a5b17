package policy

import "testing"

func TestGuessableSaysWhy(t *testing.T) {
	cases := []struct {
		name     string
		password string
		want     string // "" for a password that is not too easy to guess
	}{
		{"common password as typed", "password123", ReasonCommonPassword},
		{"common password in other case", "QWERTY123456", ReasonCommonPassword},
		{"German word with digits and symbol", "Passwort123!", ReasonCommonWord},
		{"trade word with year and symbols", "Handwerk2024!!", ReasonCommonWord},
		{"digits and symbols before the word", "2024!!Handwerk", ReasonCommonWord},
		{"symbols on both ends", "#!Werkstatt99?", ReasonCommonWord},
		{"leetspeak", "P@ssw0rt2024!", ReasonCommonWord},
		{"leetspeak with euro sign", "H4ndw€rk#2024", ReasonCommonWord},
		{"case mixed", "hAnDwErK2024!", ReasonCommonWord},
		{"one word repeated is one word", "Sommer Sommer1!", ReasonCommonWord},
		{"common word and a stray letter", "passwort123!A", ReasonCommonWord},
		{"common word with two-letter tail", "Passwort ab1!", ReasonCommonWord},
		{"passphrase of three words", "Werkstatt Tor 99!", ""},
		{"passphrase with hyphens", "Werkstatt-Tor-99!", ""},
		{"passphrase of two common words", "Sommer Winter 2024!", ""},
		{"passphrase of four words", "Meine Werkstatt steht in Würzburg 1", ""},
		{"compound of two words", "WerkstattTor99!", ""},
		{"own word", "Tischlerei!Berg7", ""},
		{"no letters", "1990!1990!1990", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Guessable(c.password); got != c.want {
				t.Errorf("Guessable(%q) = %q, want %q", c.password, got, c.want)
			}
			if r := Check(c.password, c.password, "kunde@example.de"); r.Met(RuleNotCommon) != (c.want == "") {
				t.Errorf("Check(%q) not-common rule met = %v, want %v", c.password, r.Met(RuleNotCommon), c.want == "")
			}
		})
	}
}

func TestCheckCarriesTheReason(t *testing.T) {
	for _, rr := range Check("Handwerk2024!!", "Handwerk2024!!", "a@b.de") {
		if rr.ID == RuleNotCommon && rr.Reason != ReasonCommonWord {
			t.Errorf("reason = %q, want %q", rr.Reason, ReasonCommonWord)
		}
		if rr.ID != RuleNotCommon && rr.Reason != "" {
			t.Errorf("rule %s has reason %q", rr.ID, rr.Reason)
		}
	}
}
