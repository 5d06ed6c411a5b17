package handlers

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwk/kundenportal/components"
	"github.com/hwk/kundenportal/handlers/password"
	"github.com/hwk/kundenportal/store"
)

// errorMessages are the message ids of the error pages by status.
var errorMessages = map[int][2]string{
	fiber.StatusBadRequest:            {"error.400.title", "error.400.body"},
	fiber.StatusForbidden:             {"error.403.title", "error.403.body"},
	fiber.StatusNotFound:              {"error.404.title", "error.404.body"},
	fiber.StatusMethodNotAllowed:      {"error.405.title", "error.405.body"},
	fiber.StatusConflict:              {"error.409.title", "error.409.body"},
	fiber.StatusRequestEntityTooLarge: {"error.413.title", "error.413.body"},
	fiber.StatusTooManyRequests:       {"error.429.title", "error.429.body"},
	fiber.StatusInternalServerError:   {"error.500.title", "error.500.body"},
	fiber.StatusServiceUnavailable:    {"error.503.title", "error.503.body"},
}

// errorStatus is the status an error returned by a handler is answered
// with: a fiber.Error's own; 409 when another request of the same session
// (another tab) wrote first, so nothing of this one was saved; 503 when
// too many password checks are queued (try again shortly, not a fault);
// else 500.
func errorStatus(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case errors.Is(err, store.ErrConflict):
		return fiber.StatusConflict
	case errors.Is(err, password.ErrBusy):
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// handleError is the one place errors become responses. Expected statuses
// get their localized page; anything else is logged and becomes a 500 page
// that shows only a reference number, never the internal error text.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	status := errorStatus(err)
	if errors.Is(err, password.ErrBusy) {
		setHashRetryAfter(c, h.opt.Hasher)
	}
	msgs, known := errorMessages[status]
	switch {
	case known:
	case status >= 400 && status < 500:
		msgs = errorMessages[fiber.StatusBadRequest] // keeps its own status
	default:
		status = fiber.StatusInternalServerError
		msgs = errorMessages[status]
	}
	h.setSecurityHeaders(c)
	ref := ""
	if status == fiber.StatusInternalServerError {
		ref = requestID(c)
		h.log.ErrorContext(c.UserContext(), "request failed", "path", c.Path(), "request_id", ref, "err", err)
	}
	if _, ok := c.Locals("lang").(string); !ok {
		h.setupPage(c)
	}
	withoutScript(c)
	view := components.ErrorView{Title: msgs[0], Body: msgs[1], Ref: ref}
	if status == fiber.StatusTooManyRequests {
		// Say how long: Retry-After, a minute when the limit set none.
		seconds, err := strconv.Atoi(c.GetRespHeader(fiber.HeaderRetryAfter))
		if err != nil || seconds <= 0 {
			seconds = 60
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		}
		view.Data = map[string]any{"Count": retryMinutes(time.Duration(seconds) * time.Second)}
	}
	if c.Get("HX-Request") == "true" {
		// Replace the page's main region with the error page's one.
		c.Set("HX-Retarget", "#main")
		c.Set("HX-Reselect", "#main")
		c.Set("HX-Reswap", "outerHTML")
	}
	c.Response().ResetBody()
	return h.render(c, status, components.ErrorPage(view))
}
