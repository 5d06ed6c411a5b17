package paths

import "testing"

func TestFillPutsTheValueInPlaceOfTheParameter(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{CompanyDataOf("12345678"), "/account/companies/12345678"},
		{CompanyUnlinkOf("12345678"), "/account/companies/12345678/unlink"},
		{EndSessionOf("ab12"), "/account/sessions/ab12/end"},
		{LangOf("en"), "/lang/en"},
		{DevMailOneOf("a/b"), "/_dev/mail/a%2Fb"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
