package handlers_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/paths"
)

func TestTheChambersIdentityIsConfigurable(t *testing.T) {
	t.Parallel()
	logo := filepath.Join(t.TempDir(), "kammer.svg")
	if err := os.WriteFile(logo, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newPortal(t, func(o *handlers.Options) {
		o.Brand = handlers.Brand{
			OrgName: "Handwerkskammer Musterstadt", LogoFile: logo,
			ImprintURL: "https://hwk.example/impressum", PrivacyURL: "https://hwk.example/datenschutz",
		}
	})
	c := p.client(t)
	doc := c.getOK("/login").Doc(t)
	if got := strings.TrimSpace(doc.Find(".brand__org").Text()); got != "Handwerkskammer Musterstadt" {
		t.Errorf("organisation in the header = %q", got)
	}
	if src, _ := doc.Find("img.brand__logo").Attr("src"); src != paths.Logo {
		t.Errorf("logo src = %q, want the configured logo at %s", src, paths.Logo)
	}
	for href, id := range map[string]string{
		"https://hwk.example/impressum": "brand.imprint", "https://hwk.example/datenschutz": "brand.privacy",
		paths.Accessibility: "brand.accessibility",
	} {
		if got := strings.TrimSpace(doc.Find(`footer a[href="` + href + `"]`).Text()); got != p.msg(t, id) {
			t.Errorf("footer link to %s = %q, want %q", href, got, p.msg(t, id))
		}
	}
	r := c.get(paths.Logo)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "<svg") || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/svg") {
		t.Errorf("logo: status %d, type %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	page := c.getOK(paths.Accessibility)
	for _, want := range []string{p.msg(t, "brand.accessibility"), p.msg(t, "accessibility.feedback.title"), "Handwerkskammer Musterstadt"} {
		if !strings.Contains(page.Text(t), want) {
			t.Errorf("accessibility statement lacks %q", want)
		}
	}
	if page.Doc(t).Find(`main a[href^="mailto:"]`).Length() == 0 {
		t.Errorf("accessibility statement has no contact address to report a barrier")
	}
}

func TestTheDefaultIdentity(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	doc := p.client(t).getOK("/login").Doc(t)
	if got := strings.TrimSpace(doc.Find(".brand__org").Text()); got != handlers.DefaultOrgName {
		t.Errorf("organisation = %q, want %q", got, handlers.DefaultOrgName)
	}
	if src, _ := doc.Find("img.brand__logo").Attr("src"); !strings.HasPrefix(src, "/static/") {
		t.Errorf("default logo src = %q, want the embedded one", src)
	}
	if doc.Find(`footer a[href="`+paths.Accessibility+`"]`).Length() != 1 || doc.Find(`footer a[href*="impressum"]`).Length() != 0 {
		t.Errorf("default footer: want the built-in accessibility statement and no unconfigured links")
	}
}
