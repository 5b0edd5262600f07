package conversation

import (
	"strings"
	"testing"
	"time"
)

func TestPrivacyNotice(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang string
		k    Kept
		want []string
		not  []string
	}{
		{"fr", DefaultKept, []string{"questions restées sans réponse, caviardées", "pendant 30 jours", "jusqu'à 30 minutes d'inactivité", "Aucun autre texte",
			"canal Slack, Teams ou Discord abonné"}, []string{"choisi", "identifiant de plateforme"}},
		{"en", DefaultKept, []string{"unanswered questions, redacted", "for 30 days", "30 minutes of inactivity", "No other text", "channel subscribed"}, nil},
		{"fr", Kept{Retention: 7 * 24 * time.Hour, SessionTTL: time.Hour}, []string{"pendant 7 jours", "1 heure d'inactivité", "ni conservé ni écrit"}, []string{"sans réponse"}},
		{"en", Kept{Unanswered: true, Retention: 36 * time.Hour, LogText: true}, []string{"for 36 hours", "write message text to the logs"}, []string{"No other text"}},
		{"en", Kept{Retention: 24 * time.Hour, SessionTTL: 90 * time.Second}, []string{"for 1 day", "2 minutes"}, []string{"unanswered"}},
	} {
		got := PrivacyNotice(tt.lang, tt.k)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("PrivacyNotice(%s, %+v) = %q; lacks %q", tt.lang, tt.k, got, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("PrivacyNotice(%s, %+v) = %q; holds %q", tt.lang, tt.k, got, w)
			}
		}
	}
}
