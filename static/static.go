// Package static holds the portal's CSS, JavaScript and images, compiled
// into the binary and served under fingerprinted names so browsers may keep
// them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

// Asset is one static file with its fingerprinted URL.
type Asset struct {
	Name string // plain name, "css/portal.css"
	URL  string // "/static/css/portal.3f2a9c1d.css"
	Body []byte
}

// Assets indexes the embedded files by plain name and by URL.
type Assets struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// Prefix is the URL path under which static files are served.
const Prefix = "/static/"

// Load reads every embedded file and computes its fingerprint.
func Load() (*Assets, error) {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".go") {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		asset := &Asset{
			Name: name,
			URL:  Prefix + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext,
			Body: body,
		}
		a.byName[name] = asset
		a.byURL[asset.URL] = asset
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of a file by its plain name. An unknown
// name gets its plain URL, which answers 404.
func (a *Assets) URL(name string) string {
	if asset, ok := a.byName[name]; ok {
		return asset.URL
	}
	return Prefix + name
}

// ByURL finds a file by its fingerprinted URL path.
func (a *Assets) ByURL(urlPath string) (*Asset, bool) {
	asset, ok := a.byURL[urlPath]
	return asset, ok
}
