package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestBundleJoinsTheScriptsInOrder(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	bundle, ok := a.ByURL(a.URL(Bundle))
	if !ok || !strings.HasPrefix(bundle.URL, "/static/js/bundle.") {
		t.Fatalf("no fingerprinted bundle: %q", a.URL(Bundle))
	}
	at := 0
	for _, part := range bundleParts {
		body, _ := files.ReadFile(part)
		if !strings.HasSuffix(part, ".min.js") {
			body = withoutLineComments(body)
		}
		i := bytes.Index(bundle.Body[at:], body)
		if i < 0 {
			t.Fatalf("bundle lacks %s after byte %d", part, at)
		}
		at += i + len(body)
	}
	if bytes.Contains(bundle.Body, []byte("\n  // ")) {
		t.Error("the bundle keeps comment lines of portal.js or webauthn.js")
	}
	if !bytes.Contains(bundle.Body, []byte("window.Portal")) || !bytes.Contains(bundle.Body, []byte("data-webauthn-messages")) {
		t.Error("the bundle lost code of portal.js or webauthn.js")
	}
}

func TestWithoutLineCommentsKeepsCode(t *testing.T) {
	in := "// head\n(function () {\n  // note\n  var u = \"http://x\"; // tail\n})();\n"
	want := "(function () {\n  var u = \"http://x\"; // tail\n})();\n"
	if got := string(withoutLineComments([]byte(in))); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEncodedBodiesDecodeToTheFile(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := a.ByURL(a.URL(Bundle))
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	cases := []struct{ header, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.8", "gzip"},
		{"identity", ""},
		{"", ""},
		{"brotli", ""},
	}
	for _, c := range cases {
		body, enc := js.Encoded(c.header)
		if enc != c.want {
			t.Errorf("Accept-Encoding %q: %q, want %q", c.header, enc, c.want)
			continue
		}
		if enc == "" {
			if !bytes.Equal(body, js.Body) {
				t.Errorf("Accept-Encoding %q: plain body differs from the file", c.header)
			}
			continue
		}
		if len(body) >= len(js.Body)/2 {
			t.Errorf("%s body is %d of %d bytes", enc, len(body), len(js.Body))
		}
		r, err := decoders[enc](bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := io.ReadAll(r); err != nil || !bytes.Equal(plain, js.Body) {
			t.Errorf("%s body does not decode to the file: %v", enc, err)
		}
		if again, _ := js.Encoded(c.header); &again[0] != &body[0] {
			t.Errorf("%s body was made again: it must be made once", enc)
		}
	}
}

func TestWithoutCSSCommentsKeepsRules(t *testing.T) {
	in := []byte("/* Header */\n.a {\n  color: red; /* why */\n  content: \"\\2713\" / \"\";\n}\n/* two\n   lines */\n.b { margin: 0 }\n")
	want := ".a {\n  color: red; \n  content: \"\\2713\" / \"\";\n}\n.b { margin: 0 }\n"
	if got := string(withoutCSSComments(in)); got != want {
		t.Errorf("withoutCSSComments = %q, want %q", got, want)
	}
}
