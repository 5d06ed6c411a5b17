package e2e

import (
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/paths"
)

// TestFlowBusyButton: while an htmx request is in flight (held back in the
// page, as on a slow phone) the form's button shows that something is
// happening and is marked disabled, a second click sends nothing, and
// once the answer is there the button is ready again.
func TestFlowBusyButton(t *testing.T) {
	t.Parallel()
	p := startFlowPortal(t)
	b := p.NewBrowser(t, Options{JavaScript: true, Lang: "de"})
	b.Visit(paths.Recovery)
	b.Fill("#email", "kein-at-zeichen.de")
	const button = `#email-form button[type="submit"]`
	// Every fetch waits 1.5 s before it leaves, and is counted.
	Eval[bool](b, `(() => { const send = window.fetch; window.sent = 0;
		window.fetch = (...a) => { window.sent++; return new Promise(r => setTimeout(r, 1500)).then(() => send(...a)); };
		return true; })()`)
	clickNow := `(document.querySelector(` + jsString(button) + `).click(), true)`
	Eval[bool](b, clickNow)
	busy := `(() => { const b = document.querySelector(` + jsString(button) + `);
		return !!b && b.classList.contains("is-busy") && b.getAttribute("aria-disabled") === "true"; })()`
	if !eventually(func() bool { v, _ := pageEval[bool](b, busy); return v }) {
		t.Fatalf("the button does not show the request in flight (is-busy, aria-disabled)")
	}
	Eval[bool](b, clickNow) // a second, impatient click
	wantText(t, b, "#error-summary li", p.T(t, "de", "email.error.invalid"))
	if sent, _ := pageEval[int](b, "window.sent"); sent != 1 {
		t.Errorf("the form was sent %d times, want once", sent)
	}
	time.Sleep(200 * time.Millisecond)
	if v, _ := pageEval[bool](b, busy); v {
		t.Errorf("the button stays busy after the answer")
	}
	if got := b.Attr(button, "aria-disabled"); got != "" {
		t.Errorf("after the answer aria-disabled = %q, want none", got)
	}
	b.CheckA11y()
}
