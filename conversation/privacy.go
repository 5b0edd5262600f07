package conversation

import (
	"fmt"
	"time"
)

// DefaultRetention is how long feedback and unanswered questions are kept
// unless the operator sets DATA_RETENTION.
const DefaultRetention = 30 * 24 * time.Hour

// Kept is what the deployment stores about users' messages; the privacy
// notice every surface shows (Teams and Slack app descriptions, the web
// page) is written from it, so the promise follows the configuration.
type Kept struct {
	Unanswered bool          // unanswered questions, redacted (STORE_UNANSWERED)
	Retention  time.Duration // DATA_RETENTION
	SessionTTL time.Duration // SESSION_TTL
	LogText    bool          // LOG_MESSAGE_TEXT
}

// DefaultKept is what a deployment with no configuration keeps.
var DefaultKept = Kept{Unanswered: true, Retention: DefaultRetention, SessionTTL: DefaultSessionTTL}

// PrivacyNotice says, in lang, exactly what the bot keeps and for how long.
func PrivacyNotice(lang string, k Kept) string {
	if k.Retention <= 0 {
		k.Retention = DefaultRetention
	}
	if k.SessionTTL <= 0 {
		k.SessionTTL = DefaultSessionTTL
	}
	if lang == "en" {
		s := "What the bot keeps: "
		if k.Unanswered {
			s += "unanswered questions, redacted (e-mail addresses, numbers, names), and "
		}
		s += fmt.Sprintf("votes on answers, for %s, to improve the FAQ; an eligibility check's answers until %s of inactivity. "+
			"It keeps no person's name or id in clear; a Slack, Teams or Discord channel subscribed to updates (« abonner ») is kept, by its id, until unsubscribed. ", durationEN(k.Retention), durationEN(k.SessionTTL))
		if k.LogText {
			return s + "The operator has chosen to write message text to the logs."
		}
		if k.Unanswered {
			return s + "No other text of your messages is kept or written to the logs."
		}
		return s + "The text of your messages is neither kept nor written to the logs."
	}
	s := "Ce que le robot conserve : "
	if k.Unanswered {
		s += "les questions restées sans réponse, caviardées (courriels, numéros, noms), et "
	}
	s += fmt.Sprintf("les votes sur les réponses, pendant %s, pour améliorer la FAQ ; les réponses d'une vérification en cours, jusqu'à %s d'inactivité. "+
		"Il ne conserve ni nom ni identifiant de personne en clair ; un canal Slack, Teams ou Discord abonné aux mises à jour (« abonner ») est conservé, par son identifiant, jusqu'au désabonnement. ", durationFR(k.Retention), durationFR(k.SessionTTL))
	if k.LogText {
		return s + "L'exploitant a choisi d'écrire le texte des messages dans les journaux."
	}
	if k.Unanswered {
		return s + "Aucun autre texte de vos messages n'est conservé ni écrit dans les journaux."
	}
	return s + "Le texte de vos messages n'est ni conservé ni écrit dans les journaux."
}

func durationFR(d time.Duration) string {
	switch n, unit := units(d); unit {
	case "d":
		return plural(n, "jour", "jours")
	case "h":
		return plural(n, "heure", "heures")
	default:
		return plural(n, "minute", "minutes")
	}
}

func durationEN(d time.Duration) string {
	switch n, unit := units(d); unit {
	case "d":
		return plural(n, "day", "days")
	case "h":
		return plural(n, "hour", "hours")
	default:
		return plural(n, "minute", "minutes")
	}
}

// units writes d in whole days, hours or minutes, the largest that is exact.
func units(d time.Duration) (int64, string) {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "d"
	case d >= time.Hour && d%time.Hour == 0:
		return int64(d / time.Hour), "h"
	default:
		return max(1, int64((d+time.Minute-1)/time.Minute)), "m"
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
