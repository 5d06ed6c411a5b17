package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hwk/kundenportal/store"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompaniesImportReportsEachLineAndIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			mustRun(t, db, "companies", "add", "--number", "1000002", "--name", "Malerei Schmitt", "--street", "Domstr. 2", "--postcode", "97070", "--city", "Würzburg")
			file := writeFile(t, "register.csv", "number,name,street,postcode,city\n"+
				"1000001,Bäckerei Huber,Hauptstr. 1,97070,Würzburg\n"+ // line 2: added
				"1000002,Malerei Schmitt,Domstr. 2,97421,Schweinfurt\n"+ // line 3: changed
				"12ab,Falsch,Weg 1,97070,Würzburg\n"+ // line 4: bad number
				"1000003,,Weg 2,97070,Würzburg\n"+ // line 5: missing name
				"1000001,Doppelt,Weg 3,97070,Würzburg\n") // line 6: duplicate
			code, out, _ := portalCmd(t, db, "companies", "import", "--file", file)
			if code != 1 {
				t.Errorf("exit %d with rejected lines, want 1\n%s", code, out)
			}
			for _, want := range []string{
				"line 2: added 1000001 Bäckerei Huber", "line 3: changed 1000002", "line 4: rejected: bad number",
				"line 5: rejected: missing name", "line 6: rejected: duplicate number 1000001 (first on line 2)",
				"added 1, changed 1, unchanged 0, rejected 3",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			if strings.Index(out, "line 2:") > strings.Index(out, "line 4:") {
				t.Errorf("report is not in the order of the file:\n%s", out)
			}
			good := writeFile(t, "good.csv", "number,name,street,postcode,city\n"+
				"1000001,Bäckerei Huber,Hauptstr. 1,97070,Würzburg\n1000002,Malerei Schmitt,Domstr. 2,97421,Schweinfurt\n")
			out = mustRun(t, db, "companies", "import", "--file", good)
			if !strings.Contains(out, "added 0, changed 0, unchanged 2, rejected 0") {
				t.Errorf("second run of the same rows changed something:\n%s", out)
			}
			s := openStore(t, db)
			c, err := s.CompanyByNumber(context.Background(), "1000002")
			if err != nil || c.City != "Schweinfurt" || c.Postcode != "97421" {
				t.Errorf("changed row = %+v, %v", c, err)
			}
			if _, err := s.CompanyByNumber(context.Background(), "1000003"); err == nil {
				t.Error("a rejected line was written")
			}
			out = mustRun(t, db, "companies", "list", "--search", "schweinfurt")
			if !strings.Contains(out, "1000002") || strings.Contains(out, "1000001") || !strings.Contains(out, "1 business(es)") {
				t.Errorf("list --search schweinfurt:\n%s", out)
			}
		})
	}
}

func TestCompaniesImportNeedsTheHeader(t *testing.T) {
	db := filepath.Join(t.TempDir(), "portal.db")
	mustRun(t, db, "migrate")
	code, _, errOut := portalCmd(t, db, "companies", "import", "--file", writeFile(t, "x.csv", "1000001,A,B,C,D\n"))
	if code != 2 || !strings.Contains(errOut, "header number,name,street,postcode,city") {
		t.Errorf("exit %d, stderr %q; want 2 and the header named", code, errOut)
	}
}

var pinLineRe = regexp.MustCompile(`(?m)^PIN: ([A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4})$`)

func TestCompaniesPINWritesLetterAndPDF(t *testing.T) {
	t.Parallel()
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.url(t)
			mustRun(t, db, "migrate")
			mustRun(t, db, "companies", "add", "--number", "2000001", "--name", "Schreinerei Würz", "--street", "Am Markt 3", "--postcode", "97421", "--city", "Schweinfurt")
			s := openStore(t, db)
			ctx := context.Background()
			u := &store.User{Email: "inhaberin@example.de"}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			c, _ := s.CompanyByNumber(ctx, "2000001")
			if _, err := s.RequestPIN(ctx, u.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			out := mustRun(t, db, "companies", "pin-requests")
			if !strings.Contains(out, "2000001") || !strings.Contains(out, "inhaberin@example.de") || !strings.Contains(out, "1 pending request(s)") {
				t.Errorf("pin-requests:\n%s", out)
			}
			pdf := filepath.Join(t.TempDir(), "brief.pdf")
			code, letter, errOut := portalCmd(t, db, "companies", "pin", "--number", "2000001", "--pdf", pdf)
			if code != 0 {
				t.Fatalf("companies pin: exit %d: %s", code, errOut)
			}
			m := pinLineRe.FindStringSubmatch(letter)
			if m == nil {
				t.Fatalf("letter has no line 'PIN: XXXX-XXXX':\n%s", letter)
			}
			for _, want := range []string{"Schreinerei Würz\nAm Markt 3\n97421 Schweinfurt", "Sehr geehrte Damen und Herren", "gültig", "/account/companies"} {
				if !strings.Contains(letter, want) {
					t.Errorf("letter lacks %q:\n%s", want, letter)
				}
			}
			if !strings.Contains(errOut, "1 pending request(s) answered") {
				t.Errorf("stderr %q does not say the request was answered", errOut)
			}
			if text := pdfText(t, pdf); !strings.Contains(text, "PIN: "+m[1]) {
				t.Errorf("PDF text lacks %q:\n%s", "PIN: "+m[1], text)
			}
			if out := mustRun(t, db, "companies", "pin-requests"); !strings.Contains(out, "0 pending request(s)") {
				t.Errorf("request still pending after the PIN:\n%s", out)
			}
			if code, _, errOut := portalCmd(t, db, "companies", "pin", "--number", "9999999"); code != 1 || !strings.Contains(errOut, "no business with this number") {
				t.Errorf("unknown number: exit %d, %q", code, errOut)
			}
		})
	}
}

var (
	pdfStreamRe = regexp.MustCompile(`(?s)<<([^>]*?)>>\s*stream\r?\n(.*?)\r?\nendstream`)
	pdfShowRe   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// pdfText parses a PDF far enough to read its text: it checks the header,
// the cross-reference table and the trailer, inflates the content streams
// and joins the strings shown with Tj, one per line.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("%PDF-1.")) || !bytes.Contains(raw[len(raw)-32:], []byte("%%EOF")) {
		t.Fatalf("%s is not a complete PDF file", path)
	}
	start := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF`).FindSubmatch(raw)
	if start == nil {
		t.Fatal("PDF has no startxref")
	}
	var off int
	for _, d := range start[1] {
		off = off*10 + int(d-'0')
	}
	if off >= len(raw) || !bytes.HasPrefix(raw[off:], []byte("xref")) {
		t.Fatalf("startxref %d does not point at the cross-reference table", off)
	}
	var text strings.Builder
	for _, m := range pdfStreamRe.FindAllSubmatch(raw, -1) {
		body := m[2]
		if bytes.Contains(m[1], []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("stream does not inflate: %v", err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("stream does not inflate: %v", err)
			}
		}
		for _, s := range pdfShowRe.FindAllSubmatch(body, -1) {
			text.WriteString(strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1])) + "\n")
		}
	}
	return text.String()
}
