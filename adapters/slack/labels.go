package slack

import "github.com/qc-ia/conformbot/conversation"

// labels are the adapter's own words around the engine's parts, in the
// reply's language.
type labels struct {
	Step, Why, ToVerify, References, DidYouMean, Contact, Subject,
	EmailButton, Share, SharedBy, View, More string
}

var labelsByLang = map[string]labels{
	conversation.LangFR: {
		Step:        "Question %d",
		Why:         "Pourquoi cette question :",
		ToVerify:    "À vérifier :",
		References:  "Références (FAQ) :",
		DidYouMean:  "Vouliez-vous dire :",
		Contact:     "Pour joindre le MCN : %s",
		Subject:     "Objet :",
		EmailButton: "Écrire au MCN",
		Share:       "Partager dans le canal",
		SharedBy:    "Partagé par <@%s>",
		View:        "Voir",
		More:        "(suite)",
	},
	conversation.LangEN: {
		Step:        "Question %d",
		Why:         "Why we ask:",
		ToVerify:    "To verify:",
		References:  "References (FAQ):",
		DidYouMean:  "Did you mean:",
		Contact:     "To reach the MCN: %s",
		Subject:     "Subject:",
		EmailButton: "Email the MCN",
		Share:       "Share in the channel",
		SharedBy:    "Shared by <@%s>",
		View:        "View",
		More:        "(continued)",
	},
}

func labelsFor(lang string) labels {
	if l, ok := labelsByLang[lang]; ok {
		return l
	}
	return labelsByLang[conversation.LangFR]
}

// Messages the adapter writes on its own, when no Reply exists: the user's
// language is unknown to Slack payloads, so they are bilingual, French first.
const (
	msgError       = "Désolé, une erreur est survenue. Veuillez réessayer dans un moment. / Sorry, something went wrong. Please try again in a moment."
	msgStale       = "Ce bouton n'est plus valide (la conversation a expiré ou ne vous appartient pas). Relancez la commande %s. / This button is no longer valid (the conversation expired or is not yours). Run %s again."
	msgUnknownCmd  = "Commande inconnue : %s. Essayez %s aide. / Unknown command: %s. Try %s aide."
	msgUnsupported = "Cette interaction n'est pas prise en charge. Écrivez %s aide. / This interaction is not supported. Type %s aide."
	msgTimeout     = "Désolé, la réponse a pris trop de temps. Veuillez réessayer. / Sorry, the answer took too long. Please try again."
)
