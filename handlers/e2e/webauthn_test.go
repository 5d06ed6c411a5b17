package e2e_test

import (
	"testing"

	"github.com/hwk/kundenportal/handlers/e2e"
	"github.com/hwk/kundenportal/handlers/paths"
)

// createPasskey registers a passkey for rp "localhost" with a random
// challenge, as the enrolment page will, and returns the credential type.
const createPasskey = `navigator.credentials.create({publicKey: {
	challenge: crypto.getRandomValues(new Uint8Array(32)),
	rp: {id: "localhost", name: "Kundenportal"},
	user: {id: crypto.getRandomValues(new Uint8Array(16)), name: "anna@example.de", displayName: "Anna"},
	pubKeyCredParams: [{type: "public-key", alg: -7}],
	authenticatorSelection: {residentKey: "required", userVerification: "required"},
	timeout: 5000
}}).then(c => c.type)`

func TestVirtualAuthenticatorStoresPasskey(t *testing.T) {
	p := e2e.StartPortal(t)
	b := p.NewBrowser(t, e2e.Options{JavaScript: true})
	b.Visit(paths.Help)
	id := b.AddVirtualAuthenticator()
	if got := e2e.Eval[string](b, createPasskey); got != "public-key" {
		t.Fatalf("credential type = %q, want public-key", got)
	}
	creds := b.Credentials(id)
	if len(creds) != 1 {
		t.Fatalf("authenticator holds %d credentials, want 1", len(creds))
	}
	if c := creds[0]; !c.IsResidentCredential || c.RpID != "localhost" {
		t.Errorf("credential resident=%v rp=%q, want a resident credential for localhost", c.IsResidentCredential, c.RpID)
	}
}
