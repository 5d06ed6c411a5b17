package policy

import (
	"testing"
	"unicode/utf8"
)

// FuzzCheck: the evaluator behind every password form never panics, always
// answers every rule in order, and passes a password only when it is long
// enough, repeated exactly (after NFC) and not on the block list.
func FuzzCheck(f *testing.F) {
	f.Add("Werkstatt-Meister7", "Werkstatt-Meister7", "kunde@example.de")
	f.Add("\xff\xfe", "", "")
	f.Add("A\u0308bcdefghij1!", "\u00c4bcdefghij1!", "a@b.de")
	f.Add("Passwort123!", "Passwort123!", "")
	f.Fuzz(func(t *testing.T, pw, confirm, email string) {
		r := Check(pw, confirm, email)
		if len(r) != len(Rules) {
			t.Fatalf("%d results for %d rules", len(r), len(Rules))
		}
		for i, rr := range r {
			if rr.ID != Rules[i] {
				t.Fatalf("result %d is %s, want %s", i, rr.ID, Rules[i])
			}
		}
		if !r.OK() {
			return
		}
		n := Normalize(pw)
		if utf8.RuneCountInString(n) < MinLength || n != Normalize(confirm) || IsCommon(n) {
			t.Fatalf("accepted %q / %q", pw, confirm)
		}
	})
}
