package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
)

// formValue is the posted field f (the decoders read every form field
// through it, by the constant the component names the input with).
func formValue(c *fiber.Ctx, f components.Field) string { return c.FormValue(string(f)) }

// queryValue is the query parameter f of the request's address.
func queryValue(c *fiber.Ctx, f components.Field) string { return c.Query(string(f)) }
