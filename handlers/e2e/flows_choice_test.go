package e2e

import (
	"testing"

	"github.com/hwk/kundenportal/handlers/paths"
	"github.com/hwk/kundenportal/store/factor"
)

// TestFlowPasskeyChoiceNeedsJavaScript shows the method choice at the
// first login: without JavaScript "WebAuthn Device" is an explanation, not
// a button that cannot work; with JavaScript (and passkey support) it is a
// button, and the explanation is gone.
func TestFlowPasskeyChoiceNeedsJavaScript(t *testing.T) {
	t.Parallel()
	for _, m := range flowModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			p := startFlowPortal(t)
			b := p.NewBrowser(t, Options{JavaScript: m.js, Lang: "de"})
			tr := func(id string, data ...map[string]any) string { return p.T(t, "de", id, data...) }
			const email = "jonas.weber@example.de"

			p.atFactorChoice(t, b, email)

			button := choiceButton(factor.WebAuthn)
			explanation := "main [data-no-webauthn]"
			if got, want := visible(b, button), m.js; got != want {
				t.Errorf("passkey button visible = %v, want %v", got, want)
			}
			if got, want := visible(b, explanation), !m.js; got != want {
				t.Errorf("needs-JavaScript explanation visible = %v, want %v", got, want)
			}
			if !m.js {
				wantContains(t, b, explanation, tr("mfa.method.webauthn.needs_js"))
				wantText(t, b, explanation+" h2", "WebAuthn Device")
				// No button anywhere on the page picks a passkey.
				label := tr("mfa.choose.select", map[string]any{"Method": tr("mfa.method.webauthn.name")})
				shown := Eval[[]string](b, `Array.from(document.querySelectorAll("button"))
					.filter(e => e.checkVisibility({visibilityProperty: true})).map(e => e.textContent.trim())`)
				for _, s := range shown {
					if s == label {
						t.Errorf("a visible button %q offers a passkey without JavaScript", s)
					}
				}
				if len(shown) != 2 {
					t.Errorf("visible buttons = %q, want the two other methods", shown)
				}
				// The passkey page itself explains too and offers the others.
				b.Visit(paths.MFAPasskey)
				wantContains(t, b, "main [data-no-webauthn]", tr("mfa.passkey.needs_js"))
				if visible(b, "#passkey-form button") {
					t.Errorf("the passkey page shows its button without JavaScript")
				}
				wantText(t, b, `main a[href="`+paths.MFAChoose+`"]`, tr("mfa.passkey.other_method"))
			}
		})
	}
}
