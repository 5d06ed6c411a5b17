package main

import (
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/store"
)

// Config is the portal's configuration, read from the environment.
type Config struct {
	Addr           string          // PORTAL_ADDR
	BaseURL        string          // PORTAL_BASE_URL
	DatabaseURL    string          // PORTAL_DATABASE_URL
	SMTPURL        string          // PORTAL_SMTP_URL
	MailFrom       string          // PORTAL_MAIL_FROM
	SessionIdle    time.Duration   // PORTAL_SESSION_IDLE
	SecretKey      []byte          // PORTAL_SECRET_KEY, 32 bytes
	Contact        string          // PORTAL_CONTACT_EMAIL
	TrustedProxies []string        // PORTAL_TRUSTED_PROXIES
	Argon2         password.Params // PORTAL_ARGON2
	RecoveryTTL    time.Duration   // PORTAL_RECOVERY_TTL
	Mode           Mode            // what the configuration was loaded for
	Dev            bool            // --dev: Mode == ModeDev
	// Brand: PORTAL_ORG_NAME, PORTAL_ORG_ADDRESS, PORTAL_LOGO_FILE, PORTAL_IMPRINT_URL,
	// PORTAL_PRIVACY_URL, PORTAL_ACCESSIBILITY_URL.
	Brand handlers.Brand
}

// Mode is what a configuration is loaded for; each mode asks for what it
// needs and nothing is filled in silently outside --dev.
type Mode int

const (
	// ModeServe is portal serve in production: a real base URL, the secret
	// key and an SMTP server are required.
	ModeServe Mode = iota
	// ModeCommand is an operator command in production: a real base URL
	// (its mails and letters carry links) and the secret key are required;
	// SMTP is not (mail waits in the outbox for the running portal).
	ModeCommand
	// ModeDev is --dev: local development with the defaults of devDefaults.
	ModeDev
)

// devFlag gives an operator command the --dev flag of portal serve.
func devFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("dev", false, "use the local development defaults of portal serve --dev (base URL http://localhost:8080, a known secret key); never in production")
}

// serveMode is the mode of portal serve with or without --dev.
func serveMode(dev bool) Mode {
	if dev {
		return ModeDev
	}
	return ModeServe
}

// commandMode is the mode of an operator command with or without --dev.
func commandMode(dev bool) Mode {
	if dev {
		return ModeDev
	}
	return ModeCommand
}

// defaults are the values of unset variables, in one place. devDefaults
// apply only with --dev: outside it a link to localhost or a known key
// would be a silent mistake.
var (
	defaults = map[string]string{
		"PORTAL_ADDR":          "127.0.0.1:8080",
		"PORTAL_CONTACT_EMAIL": "kundenlogin@hwk-ufr.de",
		"PORTAL_SESSION_IDLE":  "10m",
		"PORTAL_RECOVERY_TTL":  "1h",
		"PORTAL_ORG_NAME":      handlers.DefaultOrgName,
		"PORTAL_ORG_ADDRESS":   handlers.DefaultOrgAddress,
	}
	devDefaults = map[string]string{
		"PORTAL_BASE_URL":   "http://localhost:8080",
		"PORTAL_SECRET_KEY": hex.EncodeToString([]byte("kundenportal-dev-key-not-secret!")),
	}
)

// configError names the variable that is wrong; main prints it as one line.
type configError struct {
	name, problem string
}

func (e *configError) Error() string { return e.name + ": " + e.problem }

// LoadConfig reads the configuration for mode through getenv, fills in
// the defaults and validates it.
func LoadConfig(getenv func(string) string, mode Mode) (Config, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if mode == ModeDev && devDefaults[name] != "" {
			return devDefaults[name]
		}
		return defaults[name]
	}
	c := Config{
		Addr:        get("PORTAL_ADDR"),
		BaseURL:     strings.TrimRight(get("PORTAL_BASE_URL"), "/"),
		DatabaseURL: get("PORTAL_DATABASE_URL"),
		SMTPURL:     get("PORTAL_SMTP_URL"),
		MailFrom:    get("PORTAL_MAIL_FROM"),
		Contact:     get("PORTAL_CONTACT_EMAIL"),
		Mode:        mode,
		Dev:         mode == ModeDev,
		Brand: handlers.Brand{
			OrgName: get("PORTAL_ORG_NAME"), OrgAddress: get("PORTAL_ORG_ADDRESS"), LogoFile: get("PORTAL_LOGO_FILE"),
			ImprintURL: get("PORTAL_IMPRINT_URL"), PrivacyURL: get("PORTAL_PRIVACY_URL"),
			AccessibilityURL: get("PORTAL_ACCESSIBILITY_URL"),
		},
	}
	if c.BaseURL == "" {
		return c, &configError{"PORTAL_BASE_URL", "is required outside --dev: the public origin of the portal, such as https://portal.example.de (links in e-mails and letters point there)"}
	}
	if u, err := url.Parse(c.BaseURL); err == nil && c.MailFrom == "" {
		c.MailFrom = "noreply@" + u.Hostname()
	}
	c.MailFrom = senderWithName(c.MailFrom, c.Brand.OrgName)
	idle, err := time.ParseDuration(get("PORTAL_SESSION_IDLE"))
	if err != nil || idle < time.Minute || idle > 24*time.Hour {
		return c, &configError{"PORTAL_SESSION_IDLE", "must be a duration between 1m and 24h, such as 10m"}
	}
	c.SessionIdle = idle
	c.Argon2 = password.DefaultParams
	if raw := getenv("PORTAL_ARGON2"); raw != "" {
		if c.Argon2, err = password.ParseParams(raw); err != nil {
			return c, &configError{"PORTAL_ARGON2", err.Error()}
		}
	}
	ttl, err := time.ParseDuration(get("PORTAL_RECOVERY_TTL"))
	if err != nil || ttl < 5*time.Minute || ttl > 72*time.Hour {
		return c, &configError{"PORTAL_RECOVERY_TTL", "must be a duration between 5m and 72h, such as 1h"}
	}
	c.RecoveryTTL = ttl
	if raw := get("PORTAL_SECRET_KEY"); raw != "" {
		if c.SecretKey, err = parseKey(raw); err != nil {
			return c, &configError{"PORTAL_SECRET_KEY", err.Error()}
		}
	}
	for _, p := range strings.Split(getenv("PORTAL_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c, c.Validate()
}

// Validate checks the values that LoadConfig could not check alone. It
// changes nothing.
func (c *Config) Validate() error {
	if err := c.validateBrand(); err != nil {
		return err
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		return &configError{"PORTAL_BASE_URL", "must be an origin such as https://portal.example.de (scheme and host, no path)"}
	}
	if isIP(u.Hostname()) {
		return &configError{"PORTAL_BASE_URL", "must use a host name, not an IP address (passkeys need one; use http://localhost:PORT locally)"}
	}
	if !c.Dev && u.Scheme != "https" && u.Hostname() != "localhost" {
		return &configError{"PORTAL_BASE_URL", "must use https outside --dev"}
	}
	if _, err := store.Kind(c.DatabaseURL); err != nil {
		return &configError{"PORTAL_DATABASE_URL", "unknown database scheme (use postgres://… or a SQLite file path)"}
	}
	if _, err := mail.ParseAddress(c.Contact); err != nil {
		return &configError{"PORTAL_CONTACT_EMAIL", "must be an e-mail address"}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return &configError{"PORTAL_MAIL_FROM", "must be an e-mail address, optionally with a name: Kundenportal <noreply@example.de>"}
	}
	if c.SMTPURL != "" {
		s, err := url.Parse(c.SMTPURL)
		if err != nil || (s.Scheme != "smtp" && s.Scheme != "smtps") || s.Hostname() == "" {
			return &configError{"PORTAL_SMTP_URL", "must look like smtp://user:password@host:587 or smtps://user:password@host:465"}
		}
	}
	if c.SecretKey == nil {
		return &configError{"PORTAL_SECRET_KEY", "is required outside --dev (32 random bytes, base64: openssl rand -base64 32)"}
	}
	if c.Mode == ModeServe && c.SMTPURL == "" {
		return &configError{"PORTAL_SMTP_URL", "is required outside --dev (smtp://user:password@host:587)"}
	}
	return nil
}

// parseKey accepts 32 bytes as base64 (standard or URL alphabet) or hex.
func parseKey(raw string) ([]byte, error) {
	raw = strings.TrimSpace(raw)
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString, hex.DecodeString,
	} {
		if k, err := dec(raw); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, fmt.Errorf("must be 32 random bytes in base64 or hex (openssl rand -base64 32)")
}

// senderWithName gives a bare sender address the organisation's name, so
// mails come from the chamber ("Handwerkskammer für Unterfranken
// <noreply@…>"); an address with a name of its own stays as it is.
func senderWithName(from, org string) string {
	a, err := mail.ParseAddress(from)
	if err != nil || a.Name != "" || org == "" {
		return from // Validate reports an invalid address
	}
	return strconv.Quote(org) + " <" + a.Address + ">"
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

// validateBrand checks the addresses of the chamber's legal pages.
func (c *Config) validateBrand() error {
	for name, raw := range map[string]string{
		"PORTAL_IMPRINT_URL": c.Brand.ImprintURL, "PORTAL_PRIVACY_URL": c.Brand.PrivacyURL,
		"PORTAL_ACCESSIBILITY_URL": c.Brand.AccessibilityURL,
	} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &configError{name, "must be an address such as https://www.hwk-ufr.de/impressum"}
		}
	}
	return nil
}
