package static

import (
	"bytes"
	"compress/gzip"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// encoded holds an asset's brotli and gzip forms, made once on first use
// (at the highest levels, since it happens once) instead of per request.
type encoded struct {
	once sync.Once
	br   []byte
	gz   []byte
}

// compressible reports whether compressing the file is worth it (text).
func compressible(name string) bool {
	for _, ext := range []string{".css", ".js", ".svg", ".txt"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// Encoded returns the body to send for a request's Accept-Encoding header
// and its Content-Encoding ("br", "gzip", or "" for the plain body).
func (a *Asset) Encoded(acceptEncoding string) (body []byte, encoding string) {
	if !compressible(a.Name) {
		return a.Body, ""
	}
	a.enc.once.Do(a.compress)
	switch {
	case a.enc.br != nil && accepts(acceptEncoding, "br"):
		return a.enc.br, "br"
	case a.enc.gz != nil && accepts(acceptEncoding, "gzip"):
		return a.enc.gz, "gzip"
	}
	return a.Body, ""
}

func (a *Asset) compress() {
	var br bytes.Buffer
	w := brotli.NewWriterLevel(&br, brotli.BestCompression)
	if _, err := w.Write(a.Body); err == nil && w.Close() == nil && br.Len() < len(a.Body) {
		a.enc.br = br.Bytes()
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(a.Body); err == nil && zw.Close() == nil && gz.Len() < len(a.Body) {
		a.enc.gz = gz.Bytes()
	}
}

// accepts reports whether an Accept-Encoding header allows coding (a
// listed coding without q=0).
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
