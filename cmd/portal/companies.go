package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/handlers/letter"
	"github.com/hwk/kundenportal/store"
)

const companiesUsage = `Usage: portal companies SUBCOMMAND [flags]

  add           add or update one business of the register
  import        add or update businesses from the chamber's register (CSV)
  list          list businesses, optionally searching number, name and city
  pin-requests  list customers' pending PIN requests
  pin           make a PIN for a business and print the letter

Run 'portal companies SUBCOMMAND --help' for its flags.`

func runCompanies(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintln(env.Stdout, companiesUsage)
		if len(args) == 0 {
			return usageError("companies: name a subcommand: add, import, list, pin-requests or pin")
		}
		return nil
	}
	sub := map[string]func(context.Context, Env, []string) error{
		"add": runCompaniesAdd, "import": runCompaniesImport, "list": runCompaniesList,
		"pin-requests": runPINRequests, "pin": runCompaniesPIN,
	}[args[0]]
	if sub == nil {
		return usageError(fmt.Sprintf("companies: unknown subcommand %q", args[0]))
	}
	return sub(ctx, env, args[1:])
}

func runCompaniesAdd(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "companies add", "companies add --number N --name NAME --street S --postcode P --city C\n\n"+
		"Adds the business to the register, or updates the one with the same number.")
	var c store.Company
	fs.StringVar(&c.Number, "number", "", "Betriebsnummer, 4 to 12 digits (required)")
	fs.StringVar(&c.Name, "name", "", "name of the business (required)")
	fs.StringVar(&c.Street, "street", "", "street and house number (required)")
	fs.StringVar(&c.Postcode, "postcode", "", "postcode (required)")
	fs.StringVar(&c.City, "city", "", "city (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if why := checkCompany(&c); why != "" {
		return usageError("companies add: " + why)
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.SaveCompany(ctx, &c)
	if err != nil {
		return fmt.Errorf("companies add: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s %s %s\n", res, c.Number, c.Name)
	return nil
}

// checkCompany trims c's fields and says what is wrong with them, or "".
func checkCompany(c *store.Company) string {
	c.Number = handlers.NormalizeCompanyNumber(c.Number)
	for _, f := range []*string{&c.Name, &c.Street, &c.Postcode, &c.City} {
		*f = strings.Join(strings.Fields(*f), " ")
	}
	for _, f := range []struct{ name, v string }{
		{"number", c.Number}, {"name", c.Name}, {"street", c.Street}, {"postcode", c.Postcode}, {"city", c.City},
	} {
		if f.v == "" {
			return "missing " + f.name
		}
	}
	if !handlers.ValidCompanyNumber(c.Number) {
		return fmt.Sprintf("bad number %q (4 to 12 digits)", c.Number)
	}
	return ""
}

func runCompaniesList(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "companies list", "companies list [--search TEXT]\n\n"+
		"Lists the businesses of the register by number; --search keeps those whose\n"+
		"number, name or city contains TEXT (any case).")
	search := fs.String("search", "", "text to look for in number, name and city")
	if err := fs.parse(args); err != nil {
		return err
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	cs, err := s.SearchCompanies(ctx, *search, 0)
	if err != nil {
		return fmt.Errorf("companies list: %w", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tNAME\tSTREET\tPOSTCODE\tCITY")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Number, c.Name, c.Street, c.Postcode, c.City)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d business(es)\n", len(cs))
	return nil
}

func runPINRequests(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "companies pin-requests", "companies pin-requests\n\n"+
		"Lists the customers' PIN requests that no PIN has answered yet, oldest first.\n"+
		"Answer one with: portal companies pin --number N [--for EMAIL]")
	if err := fs.parse(args); err != nil {
		return err
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rs, err := s.PendingPINRequests(ctx)
	if err != nil {
		return fmt.Errorf("companies pin-requests: %w", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tNAME\tEMAIL\tREQUESTED")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Number, r.Name, r.Email, r.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d pending request(s)\n", len(rs))
	return nil
}

func runCompaniesPIN(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "companies pin", "companies pin --number N [--for EMAIL] [--pdf FILE]\n\n"+
		"Makes a new PIN for the business (8 characters, valid 60 days), voids its older\n"+
		"PINs, marks the pending requests answered (only that account's with --for) and\n"+
		"prints the letter for the business's postal address to standard output.\n"+
		"--pdf also writes it as an A4 PDF for a window envelope (DIN 5008).\n"+
		"The PIN is hashed with PORTAL_SECRET_KEY: use the same key as the portal.")
	number := fs.String("number", "", "Betriebsnummer of the business (required)")
	forEmail := fs.String("for", "", "only this account may use the PIN; answers only its requests")
	pdfFile := fs.String("pdf", "", "also write the letter as a PDF to this file")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *number == "" {
		return usageError("companies pin: --number is required")
	}
	app, err := fs.openApp(ctx)
	if err != nil {
		return err
	}
	defer app.close()
	issued, err := app.handler.IssuePIN(ctx, handlers.NormalizeCompanyNumber(*number), strings.TrimSpace(*forEmail))
	if err != nil {
		return err
	}
	if err := letter.WriteText(env.Stdout, issued.Letter); err != nil {
		return err
	}
	if *pdfFile != "" {
		if err := writePDF(*pdfFile, issued.Letter); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "PDF written to %s\n", *pdfFile)
	}
	fmt.Fprintf(env.Stderr, "PIN valid until %s; %d pending request(s) answered\n", issued.Expires.Format("2006-01-02"), issued.Answered)
	return nil
}

func writePDF(name string, l letter.Letter) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("companies pin: %w", err)
	}
	if err := letter.WritePDF(f, l); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("companies pin: %w", err)
	}
	return nil
}
