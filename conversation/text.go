package conversation

// ui holds the bot's own words in one language. Official FAQ text and the
// rules' questions and verdicts never come from here.
type ui struct {
	greeting, thanks, help, empty, truncated, failure             string
	btnElig, btnHelp, btnEsc, btnMail, btnBack, btnRestart        string
	btnCancel, yes, no, unknown, fbUp, fbDown                     string
	fbThanks, fbAlready, ambiguous, fallback, escIntro, offTopic  string
	dialogStart, noDialog, atFirst, cancelled, stale              string
	staleAnswered, staleEntry, notChoice, noRules, dialogDone     string
	mailSubject, mailHello, mailQuestion, mailDialog, mailVerdict string
	mailGeneric, mailThanks, mailPending, busy, btnReceipt        string
	fbWhy, fbWrong, fbIncomplete, fbUnclear, fbWhyThanks          string
	langAsk, langName, langSet                                    string
}

var uiText = map[string]*ui{
	LangFR: {
		greeting: "Bonjour! Je réponds aux questions sur l'indication d'application IA-RI-2025-001-OP " +
			"(suspension des assistants virtuels d'IA générative), à partir de la FAQ officielle du MCN. " +
			"Posez votre question, ou vérifiez si la suspension s'applique à votre projet.",
		thanks: "Avec plaisir! Vous pouvez poser une autre question en tout temps.",
		help: "Je réponds aux questions sur l'indication d'application IA-RI-2025-001-OP en citant la FAQ officielle du MCN.\n" +
			"- Posez votre question en vos mots, en français ou en anglais.\n" +
			"- « admissibilité » : vérifier si la suspension s'applique à votre projet, une question à la fois.\n" +
			"- Pendant la vérification : « oui », « non », « je ne sais pas » (ou 1, 2, 3), « retour », « recommencer », « annuler ».\n" +
			"- « contact » : écrire à une personne du MCN.\n" +
			"- « abonner » (dans un canal Slack, Teams ou Discord) : recevoir dans le canal les changements de la FAQ officielle; « désabonner » arrête.\n" +
			"- « english » : answers in English; « français » : réponses en français.",
		langAsk:      "Dans quelle langue voulez-vous que je vous réponde?",
		langName:     "Français",
		langSet:      "D'accord, je vous réponds en français à partir de maintenant. Écrivez « english » pour passer à l'anglais.",
		empty:        "Je n'ai reçu aucun texte. Posez votre question ou écrivez « aide ».",
		truncated:    "Votre message dépasse 2 000 caractères : j'ai répondu à partir de son début.",
		failure:      "Désolé, une erreur est survenue de mon côté. Réessayez dans un instant.",
		btnElig:      "Vérifier l'admissibilité",
		btnHelp:      "Aide",
		btnEsc:       "Joindre le MCN",
		btnMail:      "Écrire au MCN",
		btnBack:      "Retour",
		btnRestart:   "Recommencer",
		btnCancel:    "Annuler",
		btnReceipt:   "Récapitulatif",
		yes:          "Oui",
		no:           "Non",
		unknown:      "Je ne sais pas",
		fbUp:         "👍 Utile",
		fbDown:       "👎 Pas utile",
		fbThanks:     "Merci pour votre avis!",
		fbAlready:    "Votre avis sur cette réponse est déjà noté. Merci!",
		fbWhy:        "Merci pour votre avis! Si vous le voulez, dites-nous ce qui n'allait pas :",
		fbWrong:      "Pas la bonne réponse",
		fbIncomplete: "Réponse incomplète",
		fbUnclear:    "Pas clair",
		fbWhyThanks:  "Merci, c'est noté. L'équipe de conformité revoit ces avis.",
		ambiguous:    "Votre question peut correspondre à plus d'une réponse de la FAQ. Laquelle vous intéresse?",
		fallback:     "Je n'ai pas trouvé de réponse à cette question dans la FAQ officielle.",
		offTopic: "Je réponds seulement aux questions sur l'indication d'application IA-RI-2025-001-OP " +
			"(suspension des assistants virtuels d'IA générative) : cette question n'en relève pas, " +
			"et je ne peux pas y répondre.",
		escIntro:    "Une personne du MCN peut vous répondre. Le courriel est prêt : c'est vous qui décidez de l'envoyer.",
		dialogStart: "Vérifions si la suspension s'applique à votre projet. Répondez à chaque question; « retour » revient à la précédente, « annuler » arrête.",
		noDialog:    "Aucune vérification d'admissibilité n'est en cours.",
		atFirst:     "Vous êtes déjà à la première question.",
		cancelled:   "Vérification annulée. Posez une question ou recommencez quand vous voulez.",
		stale: "Ce bouton ne correspond plus à la conversation en cours : elle a peut-être été recommencée, " +
			"ou elle a expiré après une période d'inactivité.",
		staleAnswered: "Vous avez déjà répondu à cette question. Voici où nous en sommes :",
		staleEntry:    "Cette réponse n'est plus dans la FAQ. Posez votre question à nouveau.",
		notChoice:     "Je n'ai reconnu ni une réponse (oui, non, je ne sais pas, ou 1, 2, 3) ni une question de la FAQ.",
		noRules:       "La vérification d'admissibilité n'est pas disponible pour le moment.",
		dialogDone:    "La vérification est terminée. Vous pouvez la recommencer ou poser une question.",
		mailSubject:   "Question sur l'indication d'application IA-RI-2025-001-OP",
		mailHello:     "Bonjour,",
		mailQuestion:  "Je n'ai pas trouvé de réponse dans la FAQ à la question suivante :",
		mailDialog:    "J'ai fait la vérification d'admissibilité de l'assistant conversationnel. Mes réponses :",
		mailVerdict:   "Résultat :",
		mailPending:   "Résultat : vérification non terminée.",
		mailGeneric:   "Ma question sur l'indication d'application IA-RI-2025-001-OP :",
		mailThanks:    "Merci.",
		busy: "Déjà répondu : cette conversation a reçu une autre réponse au même moment (un autre onglet ou un double clic?), " +
			"votre réponse n'a donc pas été appliquée. Voici où nous en sommes :",
	},
	LangEN: {
		greeting: "Hello! I answer questions on directive IA-RI-2025-001-OP (suspension of generative-AI " +
			"virtual assistants) from the MCN's official FAQ. Ask your question, or check whether the " +
			"suspension applies to your project.",
		thanks: "You're welcome! Ask another question any time.",
		help: "I answer questions on directive IA-RI-2025-001-OP by quoting the MCN's official FAQ (in French).\n" +
			"- Ask your question in your own words, in French or English.\n" +
			"- \"eligibility\": check whether the suspension applies to your project, one question at a time.\n" +
			"- During the check: \"yes\", \"no\", \"I don't know\" (or 1, 2, 3), \"back\", \"restart\", \"cancel\".\n" +
			"- \"contact\": write to a person at the MCN.\n" +
			"- \"subscribe\" (in a Slack, Teams or Discord channel): get the official FAQ's changes in the channel; \"unsubscribe\" stops.\n" +
			"- \"français\": réponses en français; \"english\": answers in English.",
		langAsk:      "Which language should I answer you in?",
		langName:     "English",
		langSet:      "OK, I will answer you in English from now on (the official FAQ text stays in French). Type \"français\" to switch to French.",
		empty:        "I received no text. Ask your question or type \"help\".",
		truncated:    "Your message is over 2,000 characters: I answered from its beginning.",
		failure:      "Sorry, something went wrong on my side. Please try again in a moment.",
		btnElig:      "Check eligibility",
		btnHelp:      "Help",
		btnEsc:       "Contact the MCN",
		btnMail:      "Write to the MCN",
		btnBack:      "Back",
		btnRestart:   "Restart",
		btnCancel:    "Cancel",
		btnReceipt:   "Receipt",
		yes:          "Yes",
		no:           "No",
		unknown:      "I don't know",
		fbUp:         "👍 Helpful",
		fbDown:       "👎 Not helpful",
		fbThanks:     "Thank you for your feedback!",
		fbAlready:    "Your feedback on this answer is already recorded. Thank you!",
		fbWhy:        "Thank you for your feedback! If you wish, tell us what was wrong:",
		fbWrong:      "Not the right answer",
		fbIncomplete: "Incomplete answer",
		fbUnclear:    "Not clear",
		fbWhyThanks:  "Thank you, noted. The compliance team reviews this feedback.",
		ambiguous:    "Your question may match more than one FAQ answer. Which one do you mean?",
		fallback:     "I found no answer to this question in the official FAQ.",
		offTopic: "I only answer questions about directive IA-RI-2025-001-OP (suspension of " +
			"generative-AI virtual assistants): this question is outside it, so I cannot answer it.",
		escIntro:      "A person at the MCN can answer you. The e-mail is ready: you decide whether to send it.",
		dialogStart:   "Let's check whether the suspension applies to your project. Answer each question; \"back\" returns to the previous one, \"cancel\" stops.",
		noDialog:      "No eligibility check is in progress.",
		atFirst:       "You are already at the first question.",
		cancelled:     "Check cancelled. Ask a question or start again whenever you like.",
		stale:         "This button no longer matches the conversation: it may have been restarted, or it expired after a period of inactivity.",
		staleAnswered: "You already answered this question. Here is where we are:",
		staleEntry:    "This answer is no longer in the FAQ. Please ask your question again.",
		notChoice:     "I recognized neither an answer (yes, no, I don't know, or 1, 2, 3) nor an FAQ question.",
		noRules:       "The eligibility check is not available at the moment.",
		dialogDone:    "The check is over. You can restart it or ask a question.",
		mailSubject:   "Question on directive IA-RI-2025-001-OP",
		mailHello:     "Hello,",
		mailQuestion:  "I found no answer in the FAQ to the following question:",
		mailDialog:    "I ran the chatbot's eligibility check. My answers:",
		mailVerdict:   "Result:",
		mailPending:   "Result: check not finished.",
		mailGeneric:   "My question on directive IA-RI-2025-001-OP:",
		mailThanks:    "Thank you.",
		busy: "Already answered: this conversation got another answer at the same moment (another tab or a double click?), " +
			"so yours was not applied. Here is where we are:",
	},
}

func textFor(lang string) *ui {
	if t, ok := uiText[lang]; ok {
		return t
	}
	return uiText[LangFR]
}
