// Package static holds the portal's CSS, JavaScript and images, compiled
// into the binary and served under fingerprinted names so browsers may keep
// them for a year.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

//go:embed css js img
var files embed.FS

// Asset is one static file with its fingerprinted URL.
type Asset struct {
	Name string // plain name, "css/portal.css"
	URL  string // "/static/css/portal.3f2a9c1d.css"
	Body []byte
	enc  encoded
}

// Bundle is the plain name of the one script every page loads: htmx,
// portal.js and webauthn.js joined at start, so a page costs one script
// request instead of three.
const Bundle = "js/bundle.js"

// bundleParts are the files of Bundle, in the order they run: portal.js
// after htmx, webauthn.js after portal.js (it takes the CSRF token from it).
var bundleParts = []string{"js/htmx-4.0.1.min.js", "js/portal.js", "js/webauthn.js"}

// withoutLineComments drops the lines that hold only a // comment from our
// own scripts (they use no template literals, so no such line is inside a
// string); the files in the repository keep them for readers.
func withoutLineComments(js []byte) []byte {
	var out []byte
	for line := range bytes.Lines(js) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("//")) {
			out = append(out, line...)
		}
	}
	return out
}

// cssComment is a CSS comment; our stylesheet has no string that holds
// "/*", so none is inside a string.
var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// withoutCSSComments drops the comments of our stylesheet, and the lines
// they leave empty, from what is served; the file in the repository keeps
// them for readers.
func withoutCSSComments(css []byte) []byte {
	var out []byte
	for line := range bytes.Lines(cssComment.ReplaceAll(css, nil)) {
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line...)
		}
	}
	return out
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
		if strings.HasSuffix(name, ".css") {
			body = withoutCSSComments(body)
		}
		a.add(name, body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var bundle []byte
	for _, part := range bundleParts {
		body, err := files.ReadFile(part)
		if err != nil {
			return nil, fmt.Errorf("static: bundle: %w", err)
		}
		if !strings.HasSuffix(part, ".min.js") {
			body = withoutLineComments(body)
		}
		// A semicolon and a newline keep each file's last statement and
		// comment to itself.
		bundle = append(append(bundle, body...), ";\n"...)
	}
	a.add(Bundle, bundle)
	return a, nil
}

func (a *Assets) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	asset := &Asset{
		Name: name,
		URL:  Prefix + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext,
		Body: body,
	}
	a.byName[name] = asset
	a.byURL[asset.URL] = asset
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
