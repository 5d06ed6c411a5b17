package e2e_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/e2e"
	"github.com/hwk/kundenportal/handlers/paths"
)

// TestMailReachesSink shows the harness's mail path: a form that queues a
// mail wakes the sender, which delivers it over SMTP to the sink.
func TestMailReachesSink(t *testing.T) {
	p := e2e.StartPortal(t)
	b := p.NewBrowser(t, e2e.Options{})
	b.Visit(paths.Register)
	b.Fill("#email", "anna@example.de")
	b.Submit("#email-form")
	mails := p.Mail.WaitFor(t, 1, 10*time.Second)
	if !slices.Contains(mails[0].To, "anna@example.de") {
		t.Errorf("mail went to %v, want anna@example.de", mails[0].To)
	}
}
