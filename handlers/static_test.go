package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
)

// TestLoginPageLoadsOneStylesheetOneScriptAndTheIcon: the document and at
// most three assets, the scripts in one fingerprinted bundle.
func TestLoginPageLoadsOneStylesheetOneScriptAndTheIcon(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	doc := p.client(t).getOK("/login").Doc(t)
	scripts := doc.Find("script[src]")
	if scripts.Length() != 1 || !strings.Contains(scripts.AttrOr("src", ""), "/static/js/bundle.") {
		t.Errorf("login page loads %d scripts (%v), want the one bundle", scripts.Length(), srcs(scripts))
	}
	if n := doc.Find(`link[rel=stylesheet]`).Length(); n != 1 {
		t.Errorf("login page loads %d stylesheets, want 1", n)
	}
	// A browser fetches each address once: the default logo is the icon.
	assets := map[string]bool{}
	doc.Find(`link[rel=stylesheet], link[rel=icon], script[src], img[src], link[rel=preload]`).Each(func(_ int, s *goquery.Selection) {
		assets[s.AttrOr("href", s.AttrOr("src", ""))] = true
	})
	if len(assets) > 3 {
		t.Errorf("login page loads %d assets besides the document (%v), want at most 3", len(assets), assets)
	}
}

func srcs(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, el *goquery.Selection) { out = append(out, el.AttrOr("src", "")) })
	return out
}

// TestStaticFilesGoOutPrecompressed: a browser asking for brotli gets the
// brotli form (once made, the same bytes each time), others the plain file.
func TestStaticFilesGoOutPrecompressed(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	bundle := p.client(t).getOK("/login").Doc(t).Find("script[src]").AttrOr("src", "")
	fetch := func(acceptEncoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, baseURL+bundle, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		res, err := p.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	plainRes, plain := fetch("")
	if plainRes.StatusCode != http.StatusOK || plainRes.Header.Get("Content-Encoding") != "" || !bytes.Contains(plain, []byte("htmx")) {
		t.Fatalf("plain bundle: status %d, encoding %q", plainRes.StatusCode, plainRes.Header.Get("Content-Encoding"))
	}
	res, br := fetch("gzip, deflate, br")
	if res.Header.Get("Content-Encoding") != "br" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("bundle for a brotli browser: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	decoded, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if err != nil || !bytes.Equal(decoded, plain) {
		t.Errorf("brotli body does not decode to the bundle (compressed twice?): %v", err)
	}
	if _, again := fetch("br"); !bytes.Equal(again, br) {
		t.Errorf("the brotli body differs between requests")
	}
	if res, gz := fetch("gzip"); res.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(plain)/2 {
		t.Errorf("bundle for a gzip browser: Content-Encoding %q, %d of %d bytes", res.Header.Get("Content-Encoding"), len(gz), len(plain))
	}
}

// TestPagesWithoutFormsLoadNoScript: help, "mail sent" and error pages have
// nothing for a script to do; logged in, the session timeout needs it.
func TestPagesWithoutFormsLoadNoScript(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client(t)
	for path, status := range map[string]int{"/help": http.StatusOK, "/recovery/sent": http.StatusOK, "/register/sent": http.StatusOK, "/no-such-page": http.StatusNotFound} {
		r := c.get(path)
		if r.StatusCode != status {
			t.Fatalf("GET %s: status %d, want %d", path, r.StatusCode, status)
		}
		if n := r.Doc(t).Find("script").Length(); n != 0 {
			t.Errorf("GET %s loads %d scripts, want none", path, n)
		}
	}
	if n := c.getOK("/login").Doc(t).Find("script[src]").Length(); n != 1 {
		t.Errorf("login page loads %d scripts, want the bundle", n)
	}
	p.passwordUser(t, "kunde@example.de", goodPassword)
	in := p.client(t)
	in.login("kunde@example.de", goodPassword)
	if n := in.getOK("/help").Doc(t).Find("script[src]").Length(); n != 1 {
		t.Errorf("help page for a logged-in customer loads %d scripts, want the bundle (session timeout)", n)
	}
}
