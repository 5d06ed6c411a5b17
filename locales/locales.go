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
	"strings"
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
	// Per bundle: a localizer per language, and the language Match chose
	// for each list of preferences seen. Pages ask for the same few again
	// and again; both are dropped when the bundle is replaced.
	localizers map[string]*Localizer
	matches    map[string]string
}

// Cache sizes: more languages or preference lists than these are served
// without the cache (preference lists: the cache starts over).
const (
	maxLocalizers = 16
	maxMatches    = 1024
)

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
	key := strings.Join(prefs, "\x00")
	c.mu.Lock()
	if c.dir == "" {
		if _, err := c.embeddedLocked(); err != nil {
			c.mu.Unlock()
			return Source.String()
		}
	}
	m, bundle := c.matcher, c.bundle
	lang, ok := c.matches[key]
	c.mu.Unlock()
	if ok {
		return lang
	}
	lang = match(m, prefs)
	c.mu.Lock()
	if c.bundle == bundle {
		if c.matches == nil || len(c.matches) >= maxMatches {
			c.matches = map[string]string{}
		}
		c.matches[key] = lang
	}
	c.mu.Unlock()
	return lang
}

func match(m language.Matcher, prefs []string) string {
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
func (c *Catalog) Localizer(lang string) *Localizer {
	b, _ := c.Bundle()
	c.mu.Lock()
	defer c.mu.Unlock()
	if b != c.bundle { // replaced meanwhile: use it, keep nothing
		return newLocalizer(b, lang)
	}
	if l, ok := c.localizers[lang]; ok {
		return l
	}
	l := newLocalizer(b, lang)
	if len(c.localizers) < maxLocalizers {
		c.localizers[lang] = l
	}
	return l
}

// Localizer is go-i18n's localizer for one language that keeps the text
// of each message asked for without template data, plural count or
// options: such a text is the same every time, and pages show dozens.
type Localizer struct {
	*i18n.Localizer
	plain sync.Map // message id -> text

	keptMu sync.RWMutex
	kept   map[[2]string]string // see Kept
}

func newLocalizer(b *i18n.Bundle, lang string) *Localizer {
	return &Localizer{Localizer: i18n.NewLocalizer(b, lang, Source.String())}
}

// Localize translates like i18n.Localizer.Localize.
func (l *Localizer) Localize(cfg *i18n.LocalizeConfig) (string, error) {
	plain := cfg.TemplateData == nil && cfg.PluralCount == nil && cfg.DefaultMessage == nil &&
		cfg.Funcs == nil && cfg.TemplateParser == nil
	if !plain {
		return l.Localizer.Localize(cfg)
	}
	return l.Text(cfg.MessageID)
}

// Text is the message id without data, from the cache after the first time.
func (l *Localizer) Text(id string) (string, error) {
	if s, ok := l.plain.Load(id); ok {
		return s.(string), nil
	}
	s, err := l.Localizer.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err == nil {
		l.plain.Store(id, s)
	}
	return s, err
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
	c.setBundleLocked(b)
	return b, nil
}

// setBundleLocked makes b the current bundle, with empty caches.
func (c *Catalog) setBundleLocked(b *i18n.Bundle) {
	c.bundle, c.matcher = b, language.NewMatcher(b.LanguageTags())
	c.localizers, c.matches = map[string]*Localizer{}, map[string]string{}
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
	c.setBundleLocked(b)
	c.stamp = stamp
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

// Kept returns the string kept under name and arg by Keep: for what
// depends on nothing but this localizer's texts, such as the HTML of a
// page fragment that shows only texts. It goes with the localizer, so a
// reloaded catalog starts afresh.
func (l *Localizer) Kept(name, arg string) (string, bool) {
	l.keptMu.RLock()
	defer l.keptMu.RUnlock()
	s, ok := l.kept[[2]string{name, arg}]
	return s, ok
}

// maxKept bounds what one localizer keeps: fragments are few (a page's
// fixed parts), and one whose arg would vary without end is only made
// afresh each time instead of filling the memory.
const maxKept = 1024

// Keep keeps s under name and arg for Kept, up to maxKept strings.
func (l *Localizer) Keep(name, arg, s string) {
	l.keptMu.Lock()
	defer l.keptMu.Unlock()
	if l.kept == nil {
		l.kept = map[[2]string]string{}
	}
	if len(l.kept) < maxKept {
		l.kept[[2]string{name, arg}] = s
	}
}
