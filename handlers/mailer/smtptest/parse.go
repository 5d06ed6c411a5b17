package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
)

// parse decodes a raw message: the RFC 2047 subject and the text and HTML
// parts, whatever their transfer encoding (go-mail writes quoted-printable
// with soft line breaks, so links are only whole after decoding).
func parse(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, fmt.Errorf("read message: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Mail{}, fmt.Errorf("decode subject: %w", err)
	}
	m := Mail{Subject: subject, MessageID: msg.Header.Get("Message-Id"), Raw: raw}
	if from, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
		m.FromName = from.Name
	}
	err = walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

// walk fills m.Text and m.HTML from an entity, descending into multiparts.
func walk(m *Mail, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		// NextPart decodes quoted-printable parts and drops their
		// Content-Transfer-Encoding header; walk decodes base64.
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decoder(encoding, body))
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = string(data)
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = string(data)
	}
	return nil
}

func decoder(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// Links returns the http(s) URLs in the text part of m, in order.
func Links(m Mail) []string {
	found := linkPattern.FindAllString(m.Text, -1)
	for i, l := range found {
		found[i] = strings.TrimRight(l, ".,;:!?)")
	}
	return found
}
