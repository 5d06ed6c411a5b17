package e2e_test

import (
	"testing"

	"github.com/hwk/kundenportal/handlers/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

// mode is one way customers reach the portal: with or without JavaScript,
// in German or English.
type mode struct {
	js   bool
	lang string
}

func (m mode) String() string {
	if m.js {
		return "js-" + m.lang
	}
	return "nojs-" + m.lang
}

var modes = []mode{{true, "de"}, {true, "en"}, {false, "de"}, {false, "en"}}

// eachMode runs f in parallel subtests, one per mode, each with its own
// browser window on the shared portal p.
func eachMode(t *testing.T, p *e2e.Portal, f func(t *testing.T, m mode, b *e2e.Browser)) {
	t.Helper()
	for _, m := range modes {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			f(t, m, p.NewBrowser(t, e2e.Options{JavaScript: m.js, Lang: m.lang}))
		})
	}
}
