// Package letter lays out the letters staff send by post (the PIN letter),
// as plain text for the terminal and as an A4 PDF for a window envelope
// (DIN 5008, form B). The texts come translated from the caller.
package letter

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Letter is a translated letter, ready to lay out.
type Letter struct {
	ReturnAddress string   // one line above the address, visible in the window
	Recipient     []string // name and postal address, one line each
	Date          string   // place and date line
	Subject       string
	Salutation    string
	Paragraphs    []string // body; a paragraph may hold several lines separated by \n
	Closing       string
	Signature     string
}

// WriteText writes the letter as plain text.
func WriteText(w io.Writer, l Letter) error {
	var b strings.Builder
	b.WriteString(l.ReturnAddress + "\n\n")
	for _, line := range l.Recipient {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n\n%s\n\n%s\n\n", l.Date, l.Subject, l.Salutation)
	for _, p := range l.Paragraphs {
		b.WriteString(p + "\n\n")
	}
	fmt.Fprintf(&b, "%s\n\n%s\n", l.Closing, l.Signature)
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("letter: write text: %w", err)
	}
	return nil
}

// DIN 5008 form B measures in millimetres from the page's top left corner.
const (
	marginLeft    = 25.0  // text starts here
	marginRight   = 20.0  // text ends this far from the right edge
	windowLeft    = 20.0  // address field
	windowTop     = 45.0  // address field, 45 mm high
	returnTop     = 47.0  // return address line (Rücksendeangabe), in the first 5 mm
	addressTop    = 62.7  // recipient lines (Anschriftzone)
	infoLeft      = 125.0 // information block (date)
	subjectTop    = 103.4 // subject line, two lines below the field
	foldMarkOne   = 105.0 // fold marks for a DL window envelope
	foldMarkTwo   = 210.0
	holeMark      = 148.5
	bodyLineH     = 5.5
	addressLineH  = 4.5
	pageWidth     = 210.0
	contentBottom = 20.0
)

// WritePDF writes the letter as an A4 PDF whose address shows in the
// window of a DL envelope (DIN 5008 form B).
func WritePDF(w io.Writer, l Letter) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginLeft, 20, marginRight)
	pdf.SetAutoPageBreak(true, contentBottom)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // Helvetica speaks cp1252: ä, ö, ü, ß
	pdf.SetTitle(tr(l.Subject), false)
	pdf.AddPage()
	marks(pdf)

	pdf.SetFont("Helvetica", "", 7)
	pdf.Text(windowLeft+5, returnTop+2, tr(l.ReturnAddress))
	pdf.SetFont("Helvetica", "", 11)
	for i, line := range l.Recipient {
		pdf.Text(windowLeft+5, addressTop+addressLineH*float64(i+1), tr(line))
	}
	pdf.SetXY(infoLeft, windowTop+5)
	pdf.CellFormat(pageWidth-marginRight-infoLeft, addressLineH, tr(l.Date), "", 1, "L", false, 0, "")

	width := pageWidth - marginLeft - marginRight
	pdf.SetXY(marginLeft, subjectTop)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.MultiCell(width, bodyLineH, tr(l.Subject), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Ln(bodyLineH)
	pdf.MultiCell(width, bodyLineH, tr(l.Salutation), "", "L", false)
	pdf.Ln(bodyLineH / 2)
	for _, p := range l.Paragraphs {
		pdf.MultiCell(width, bodyLineH, tr(p), "", "L", false)
		pdf.Ln(bodyLineH / 2)
	}
	pdf.Ln(bodyLineH / 2)
	pdf.MultiCell(width, bodyLineH, tr(l.Closing), "", "L", false)
	pdf.Ln(bodyLineH)
	pdf.MultiCell(width, bodyLineH, tr(l.Signature), "", "L", false)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("letter: write pdf: %w", err)
	}
	return nil
}

// marks draws the two fold marks and the hole mark at the left edge.
func marks(pdf *fpdf.Fpdf) {
	pdf.SetLineWidth(0.2)
	for _, y := range []float64{foldMarkOne, foldMarkTwo} {
		pdf.Line(3, y, 8, y)
	}
	pdf.Line(3, holeMark, 10, holeMark)
}
