// Package locales holds the message catalogs: de.toml (German, the source
// language) and en.toml. Every user-visible string lives here, each with a
// description for translators.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// FS holds the catalogs compiled into the binary.
//
//go:embed *.toml
var FS embed.FS

// Source is the language the messages are written in first.
var Source = language.German

// Parse builds a bundle from every *.toml file in fsys.
func Parse(fsys fs.FS) (*i18n.Bundle, error) {
	b := i18n.NewBundle(Source)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("locales: list catalogs: %w", err)
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(fsys, f); err != nil {
			return nil, fmt.Errorf("locales: load %s: %w", f, err)
		}
	}
	return b, nil
}

// Catalog hands out the current bundle. A catalog made by FromDir re-reads
// the files on disk when one of them changes, so translators see an edit on
// the next page load without a rebuild.
type Catalog struct {
	dir     string
	mu      sync.Mutex
	bundle  *i18n.Bundle
	matcher language.Matcher
	stamp   string
	checked time.Time
}

// Embedded is the catalog compiled into the binary. It is parsed on first
// use, not here, so the portal is ready before the first page needs it.
func Embedded() (*Catalog, error) {
	return &Catalog{}, nil
}

// FromDir reads the catalogs from dir and re-reads them when they change.
func FromDir(dir string) (*Catalog, error) {
	c := &Catalog{dir: dir}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Bundle returns the current bundle, reloading it first when the catalog
// follows a directory whose files changed. A catalog that fails to parse
// keeps the last good bundle and reports the error.
func (c *Catalog) Bundle() (*i18n.Bundle, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir == "" {
		return c.embeddedLocked()
	}
	if time.Since(c.checked) < 200*time.Millisecond {
		return c.bundle, nil
	}
	c.checked = time.Now()
	if stamp, err := dirStamp(c.dir); err == nil && stamp == c.stamp {
		return c.bundle, nil
	}
	if err := c.reloadLocked(); err != nil {
		return c.bundle, err
	}
	return c.bundle, nil
}

// Match picks the best supported language for the given preferences
// (cookie choice first, then Accept-Language values); German when nothing fits.
func (c *Catalog) Match(prefs ...string) string {
	c.mu.Lock()
	if c.dir == "" {
		if _, err := c.embeddedLocked(); err != nil {
			c.mu.Unlock()
			return Source.String()
		}
	}
	m := c.matcher
	c.mu.Unlock()
	var tags []language.Tag
	for _, p := range prefs {
		ts, _, err := language.ParseAcceptLanguage(p)
		if err == nil {
			tags = append(tags, ts...)
		}
	}
	tag, _, conf := m.Match(tags...)
	if conf == language.No {
		return Source.String()
	}
	base, _ := tag.Base()
	return base.String()
}

// Localizer returns a localizer for lang with German as the fallback.
func (c *Catalog) Localizer(lang string) *i18n.Localizer {
	b, _ := c.Bundle()
	return i18n.NewLocalizer(b, lang, Source.String())
}

// embeddedLocked parses the compiled-in catalogs the first time.
func (c *Catalog) embeddedLocked() (*i18n.Bundle, error) {
	if c.bundle != nil {
		return c.bundle, nil
	}
	b, err := Parse(FS)
	if err != nil {
		return nil, err
	}
	c.bundle, c.matcher = b, language.NewMatcher(b.LanguageTags())
	return b, nil
}

func (c *Catalog) reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reloadLocked()
}

func (c *Catalog) reloadLocked() error {
	stamp, err := dirStamp(c.dir)
	if err != nil {
		return err
	}
	b, err := Parse(os.DirFS(c.dir))
	if err != nil {
		return err
	}
	c.bundle, c.stamp = b, stamp
	c.matcher = language.NewMatcher(b.LanguageTags())
	return nil
}

// dirStamp summarises names, sizes and modification times of the catalogs.
func dirStamp(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return "", fmt.Errorf("locales: list %s: %w", dir, err)
	}
	stamp := ""
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return "", fmt.Errorf("locales: stat %s: %w", f, err)
		}
		stamp += fmt.Sprintf("%s:%d:%d;", f, fi.Size(), fi.ModTime().UnixNano())
	}
	return stamp, nil
}
