package paths

import (
	"strings"
	"testing"
)

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

// The password confirmation sends a cancelled second-factor step back to
// the security page by MFAPrefix: every step must start with it.
func TestSecondFactorStepsStartWithMFAPrefix(t *testing.T) {
	for _, p := range []string{MFAChoose, MFATOTP, MFAEmail, MFAEmailResend, MFAPasskey, MFAVerify, MFAVerifyTOTP,
		MFAVerifyEmail, MFAVerifySend, MFAVerifyCode, RecoveryCodes, RecoveryCodesTxt, RecoveryCodeUsed,
		PasskeyRegisterBegin, PasskeyRegisterFinish, PasskeyVerifyBegin, PasskeyVerifyFinish} {
		if !strings.HasPrefix(p, MFAPrefix) {
			t.Errorf("%s does not start with %s", p, MFAPrefix)
		}
	}
}
