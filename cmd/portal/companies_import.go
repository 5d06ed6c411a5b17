package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hwk/kundenportal/store"
)

// importBatch rows are written per transaction.
const importBatch = 500

// importRow is one data line of the register file.
type importRow struct {
	line    int
	company store.Company
}

// importReport counts what an import did and keeps one text per line.
type importReport struct {
	added, changed, unchanged, rejected int
	lines                               []reportLine
}

type reportLine struct {
	line int
	text string
}

// print writes the per-line report in the order of the file.
func (r *importReport) print(w io.Writer) {
	slices.SortStableFunc(r.lines, func(a, b reportLine) int { return a.line - b.line })
	for _, l := range r.lines {
		fmt.Fprintf(w, "line %d: %s\n", l.line, l.text)
	}
	r.lines = nil
}

func runCompaniesImport(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "companies import", "companies import --file FILE.csv\n\n"+
		"Adds and updates businesses from the chamber's register: a CSV file with the header\n"+
		"number,name,street,postcode,city. Each line is reported as added, changed, unchanged\n"+
		"or rejected (with the reason); rejected lines are not written, the others are written\n"+
		"in transactions of 500 lines. Running the same file again changes nothing.\n"+
		"Exit status 0 when no line was rejected, 1 otherwise.")
	file := fs.String("file", "", "CSV file to read (- for standard input)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *file == "" {
		return usageError("companies import: --file is required")
	}
	in, err := openInput(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	rows, rep, err := readRegister(in)
	if err != nil {
		return err
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	err = saveRegister(ctx, s, rows, &rep)
	rep.print(env.Stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added %d, changed %d, unchanged %d, rejected %d\n", rep.added, rep.changed, rep.unchanged, rep.rejected)
	if rep.rejected > 0 {
		return fmt.Errorf("companies import: %d line(s) rejected", rep.rejected)
	}
	return nil
}

var registerHeader = []string{"number", "name", "street", "postcode", "city"}

// readRegister checks the file and reports its rejected lines; it returns
// the good rows. A file that is not CSV with the right header is an error.
func readRegister(in io.Reader) ([]importRow, importReport, error) {
	var rep importReport
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, rep, usageError(fmt.Sprintf("companies import: read header: %v", err))
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")))
	}
	if strings.Join(head, ",") != strings.Join(registerHeader, ",") {
		return nil, rep, usageError("companies import: the first line must be the header " + strings.Join(registerHeader, ","))
	}
	var rows []importRow
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, rep, nil
		}
		line, _ := r.FieldPos(0)
		reject := func(why string) {
			rep.rejected++
			rep.lines = append(rep.lines, reportLine{line, "rejected: " + why})
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			reject("not readable as CSV")
			if pe == nil {
				return nil, rep, fmt.Errorf("companies import: %w", err)
			}
			continue
		}
		if len(rec) != len(registerHeader) {
			reject(fmt.Sprintf("%d fields, want %d", len(rec), len(registerHeader)))
			continue
		}
		c := store.Company{Number: rec[0], Name: rec[1], Street: rec[2], Postcode: rec[3], City: rec[4]}
		if why := checkCompany(&c); why != "" {
			reject(why)
			continue
		}
		if first, dup := seen[c.Number]; dup {
			reject(fmt.Sprintf("duplicate number %s (first on line %d)", c.Number, first))
			continue
		}
		seen[c.Number] = line
		rows = append(rows, importRow{line: line, company: c})
	}
}

// saveRegister writes rows in batches of importBatch, one transaction each,
// and reports every line.
func saveRegister(ctx context.Context, s *store.Store, rows []importRow, rep *importReport) error {
	for start := 0; start < len(rows); start += importBatch {
		batch := rows[start:min(start+importBatch, len(rows))]
		var lines []reportLine
		var counts importReport
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			lines, counts = nil, importReport{}
			for _, row := range batch {
				c := row.company
				res, err := tx.SaveCompany(ctx, &c)
				if err != nil {
					return fmt.Errorf("companies import: line %d: %w", row.line, err)
				}
				switch res {
				case store.CompanyAdded:
					counts.added++
				case store.CompanyChanged:
					counts.changed++
				default:
					counts.unchanged++
				}
				lines = append(lines, reportLine{row.line, fmt.Sprintf("%s %s %s", res, c.Number, c.Name)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.lines = append(rep.lines, lines...)
		rep.added, rep.changed, rep.unchanged = rep.added+counts.added, rep.changed+counts.changed, rep.unchanged+counts.unchanged
	}
	return nil
}
