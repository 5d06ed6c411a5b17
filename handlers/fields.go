package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
)

// formValue is the posted field f (the decoders read every form field
// through it, by the constant the component names the input with).
func formValue(c *fiber.Ctx, f components.Field) string { return c.FormValue(string(f)) }

// queryValue is the query parameter f of the request's address.
func queryValue(c *fiber.Ctx, f components.Field) string { return c.Query(string(f)) }

// withQuery is target (a path, perhaps with a query already) with the
// parameter f set to value.
func withQuery(target string, f components.Field, value string) string {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + string(f) + "=" + url.QueryEscape(value)
}
