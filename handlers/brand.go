package handlers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/paths"
)

// DefaultOrgName is the organisation named on every page, in mails and
// in authenticator apps unless PORTAL_ORG_NAME says otherwise.
const DefaultOrgName = "Handwerkskammer für Unterfranken"

// DefaultOrgAddress is the postal address in the footer of every mail
// unless PORTAL_ORG_ADDRESS says otherwise: the seats of the Handwerkskammer
// für Unterfranken (the help texts name none; an operator of another
// chamber sets its own).
const DefaultOrgAddress = "Rennweger Ring 3, 97070 Würzburg"

// Brand is the chamber's identity: its name, its logo and the addresses of
// its legal pages. Empty URLs leave the link out, except the accessibility
// statement, which the portal then shows itself (BITV 2.0 requires one).
type Brand struct {
	OrgName          string
	OrgAddress       string // postal address on one line, for the mail footer
	LogoFile         string // a PNG, SVG or JPEG replacing the neutral default logo
	ImprintURL       string
	PrivacyURL       string
	AccessibilityURL string
}

// logo is the configured logo file, loaded at start.
type logo struct {
	body []byte
	ext  string
}

// loadLogo reads the configured logo; nil for the embedded default.
func loadLogo(file string) (*logo, error) {
	if file == "" {
		return nil, nil
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	switch ext {
	case "svg", "png", "jpg", "jpeg":
	default:
		return nil, fmt.Errorf("handlers: logo %s: want an .svg, .png or .jpg file", file)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("handlers: logo: %w", err)
	}
	return &logo{body: body, ext: ext}, nil
}

// brandPage fills the page-wide data of the chamber's identity. The
// default logo is the icon, which the browser loads anyway.
func (h *Handler) brandPage(p *components.Page) {
	b := h.opt.Brand
	p.OrgName, p.ImprintURL, p.PrivacyURL = b.OrgName, b.ImprintURL, b.PrivacyURL
	p.AccessibilityURL = or(b.AccessibilityURL, paths.Accessibility)
	p.LogoURL = h.assets.URL("img/favicon.svg")
	if h.logo != nil {
		p.LogoURL = paths.Logo
	}
}

// logoFile serves the configured logo.
func (h *Handler) logoFile(c *fiber.Ctx) error {
	if h.logo == nil {
		return c.Redirect(h.assets.URL("img/favicon.svg"), fiber.StatusFound)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Type(h.logo.ext)
	return c.Send(h.logo.body)
}

// accessibilityPage is the built-in accessibility statement, with the way
// to report a barrier.
func (h *Handler) accessibilityPage(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, components.AccessibilityPage())
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
