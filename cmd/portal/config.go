package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"net/url"
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
	Dev            bool            // serve --dev
	// Brand: PORTAL_ORG_NAME, PORTAL_LOGO_FILE, PORTAL_IMPRINT_URL,
	// PORTAL_PRIVACY_URL, PORTAL_ACCESSIBILITY_URL.
	Brand handlers.Brand
}

// configError names the variable that is wrong; main prints it as one line.
type configError struct {
	name, problem string
}

func (e *configError) Error() string { return e.name + ": " + e.problem }

// devSecretKey is used only with --dev when PORTAL_SECRET_KEY is unset.
var devSecretKey = []byte("kundenportal-dev-key-not-secret!")

// LoadConfig reads the configuration through getenv and validates it.
func LoadConfig(getenv func(string) string, dev bool) (Config, error) {
	c := Config{
		Addr:        or(getenv("PORTAL_ADDR"), "127.0.0.1:8080"),
		BaseURL:     strings.TrimRight(or(getenv("PORTAL_BASE_URL"), "http://localhost:8080"), "/"),
		DatabaseURL: getenv("PORTAL_DATABASE_URL"),
		SMTPURL:     getenv("PORTAL_SMTP_URL"),
		MailFrom:    getenv("PORTAL_MAIL_FROM"),
		Contact:     or(getenv("PORTAL_CONTACT_EMAIL"), "kundenlogin@hwk-ufr.de"),
		Dev:         dev,
		Brand: handlers.Brand{
			OrgName: or(getenv("PORTAL_ORG_NAME"), handlers.DefaultOrgName), LogoFile: getenv("PORTAL_LOGO_FILE"),
			ImprintURL: getenv("PORTAL_IMPRINT_URL"), PrivacyURL: getenv("PORTAL_PRIVACY_URL"),
			AccessibilityURL: getenv("PORTAL_ACCESSIBILITY_URL"),
		},
	}
	idle, err := time.ParseDuration(or(getenv("PORTAL_SESSION_IDLE"), "10m"))
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
	ttl, err := time.ParseDuration(or(getenv("PORTAL_RECOVERY_TTL"), "1h"))
	if err != nil || ttl < 5*time.Minute || ttl > 72*time.Hour {
		return c, &configError{"PORTAL_RECOVERY_TTL", "must be a duration between 5m and 72h, such as 1h"}
	}
	c.RecoveryTTL = ttl
	if raw := getenv("PORTAL_SECRET_KEY"); raw != "" {
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

// Validate checks the values that LoadConfig could not check alone.
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
	if c.MailFrom == "" {
		c.MailFrom = "Kundenportal <noreply@" + u.Hostname() + ">"
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
	if c.Dev {
		if c.SecretKey == nil {
			c.SecretKey = devSecretKey
		}
		return nil
	}
	if c.SMTPURL == "" {
		return &configError{"PORTAL_SMTP_URL", "is required outside --dev (smtp://user:password@host:587)"}
	}
	if c.SecretKey == nil {
		return &configError{"PORTAL_SECRET_KEY", "is required outside --dev (32 random bytes, base64: openssl rand -base64 32)"}
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

func isIP(host string) bool { return net.ParseIP(host) != nil }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

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
