package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Labels are the words adapters place around the parts of a Reply, in one
// language. Adapters take every user-visible word from here (or from the
// Reply itself) and only choose where it goes, so that every surface says
// the same thing.
type Labels struct {
	Lang       string
	Step       string // "Question %d": the number of a dialog question
	StepLeft   string // "… — au plus %d restantes": Step with Question.Remaining
	StepLast   string // "… — dernière question": Step when it is the last one
	Why        string // heading of Question.Why
	Exceptions string // heading of Verdict.Exceptions
	ToVerify   string // heading of Verdict.ToVerify
	References string // heading of Verdict.Citations
	// Answered records an answered question on its card: "Question 3 — Non ✓".
	Answered string
	// Chosen records another clicked button on its card: "Choisi : 👍 Utile".
	Chosen string
	// ContinuedPrivately tells a channel the check goes on in the
	// person's one-to-one chat.
	ContinuedPrivately string
	// YourAnswers heads Verdict.Answers.
	YourAnswers string
	Marks       map[string]string // a mark per verdict tone, shown with the headline
	DidYouMean  string            // heading of Suggestions
	Reach       string            // "… : %s" with Escalation.Email
	Subject     string            // heading of Escalation.Subject
	WriteMCN    string            // the mailto: button
	View        string            // a suggestion's button when it has no label
	More        string            // marks the second and later messages of a split reply
	Link        string            // marks a link button shown as text
	OpenSource  string            // the button opening the FAQ document
	Passage     string            // heading of Answer.Passage
	FullAnswer  string            // heading of the whole answer after its passage
	// DownloadReceipt downloads Verdict.Receipt where a surface can save a file.
	DownloadReceipt string
	Share           string // shares a private answer in the channel
	SharedBy        string // "… %s" with the user who shared it
	Yes             string
	No              string
	Unknown         string
	Colon           string // " : " in French, ": " in English

	// Words for when no Reply exists.
	Failure     string // the engine failed or panicked
	Timeout     string // the engine did not answer in time
	Stale       string // a button or payload that no longer matches anything
	Unsupported string // an interaction or command the bot does not know
	Banner      string // the terminal's first lines
	Bye         string // the terminal's last line
}

var labels = map[string]*Labels{
	LangFR: {
		Lang:               LangFR,
		Step:               "Question %d",
		StepLeft:           "Question %d — au plus %d restantes",
		StepLast:           "Question %d — dernière question",
		Why:                "Pourquoi cette question ?",
		Exceptions:         "Exceptions :",
		ToVerify:           "À vérifier :",
		References:         "Références (FAQ) :",
		YourAnswers:        "Vos réponses :",
		Answered:           "%s — %s ✓",
		Chosen:             "Choisi : %s ✓",
		ContinuedPrivately: "Je poursuis la vérification d'admissibilité avec vous en conversation privée : vos réponses ne s'afficheront pas ici.",
		Marks:              verdictMarks,
		DidYouMean:         "Vouliez-vous dire :",
		Reach:              "Pour joindre le MCN : %s",
		Subject:            "Objet :",
		WriteMCN:           uiText[LangFR].btnMail,
		View:               "Voir",
		More:               "(suite)",
		Link:               "lien",
		OpenSource:         "Ouvrir la FAQ officielle",
		Passage:            "Le passage qui répond à votre question (extrait) :",
		FullAnswer:         "La réponse officielle complète :",
		DownloadReceipt:    "Télécharger le récapitulatif (.txt)",
		Share:              "Partager dans le canal",
		SharedBy:           "Partagé par %s",
		Yes:                uiText[LangFR].yes,
		No:                 uiText[LangFR].no,
		Unknown:            uiText[LangFR].unknown,
		Colon:              " : ",
		Failure:            uiText[LangFR].failure,
		Timeout:            "Désolé, la réponse a pris trop de temps. Réessayez dans un instant.",
		Stale: "Ce bouton ne correspond plus à la conversation en cours : elle a peut-être expiré, " +
			"ou elle appartient à quelqu'un d'autre. Posez votre question à nouveau ou écrivez « aide ».",
		Unsupported: "Je ne connais pas cette commande ou cette interaction. Écrivez « aide ».",
		Banner: "Assistant sur l'indication d'application IA-RI-2025-001-OP (FAQ officielle du MCN).\n" +
			"Écrivez votre question, « admissibilité » pour vérifier votre projet, « aide » pour l'aide.\n" +
			"Tapez le numéro d'un bouton pour le choisir. Ctrl-D pour quitter.",
		Bye: "Au revoir!",
	},
	LangEN: {
		Lang:               LangEN,
		Step:               "Question %d",
		StepLeft:           "Question %d — at most %d to go",
		StepLast:           "Question %d — last question",
		Why:                "Why do we ask?",
		Exceptions:         "Exceptions:",
		ToVerify:           "To verify:",
		References:         "References (FAQ):",
		YourAnswers:        "Your answers:",
		Answered:           "%s — %s ✓",
		Chosen:             "Chosen: %s ✓",
		ContinuedPrivately: "I'm continuing the eligibility check with you in a private chat: your answers won't show here.",
		Marks:              verdictMarks,
		DidYouMean:         "Did you mean:",
		Reach:              "To reach the MCN: %s",
		Subject:            "Subject:",
		WriteMCN:           uiText[LangEN].btnMail,
		View:               "View",
		More:               "(continued)",
		Link:               "link",
		OpenSource:         "Open the official FAQ",
		Passage:            "The passage that answers your question (excerpt, in French):",
		FullAnswer:         "The full official answer:",
		DownloadReceipt:    "Download the receipt (.txt)",
		Share:              "Share in the channel",
		SharedBy:           "Shared by %s",
		Yes:                uiText[LangEN].yes,
		No:                 uiText[LangEN].no,
		Unknown:            uiText[LangEN].unknown,
		Colon:              ": ",
		Failure:            uiText[LangEN].failure,
		Timeout:            "Sorry, the answer took too long. Please try again in a moment.",
		Stale:              "This button no longer matches the conversation: it may have expired, or it belongs to someone else. Ask your question again or type \"help\".",
		Unsupported:        "I do not know this command or interaction. Type \"help\".",
		Banner: "Assistant on directive IA-RI-2025-001-OP (the MCN's official FAQ).\n" +
			"Type your question, \"eligibility\" to check your project, \"help\" for help.\n" +
			"Type a button's number to choose it. Ctrl-D to quit.",
		Bye: "Goodbye!",
	},
}

// LabelsFor returns the labels of lang, French when lang is unknown.
func LabelsFor(lang string) *Labels {
	if l, ok := labels[lang]; ok {
		return l
	}
	return labels[LangFR]
}

// LangOf is the language of a platform locale ("en-US" → en), or "" when
// the locale says nothing.
func LangOf(locale string) string { return localeLang(locale) }

// Bilingual joins a French and an English sentence, French first, for the
// places where the user's language is unknown (an invalid request, a
// payload that carries no locale).
func Bilingual(pick func(*Labels) string) string {
	return pick(labels[LangFR]) + " / " + pick(labels[LangEN])
}

// ErrorText is the one mapping of a failure to what the user reads: a
// timeout says so, anything else is the apology. The detail is for the
// operator's log, never for the user. lang "" gives both languages.
func ErrorText(err error, lang string) string {
	pick := func(l *Labels) string { return l.Failure }
	if errors.Is(err, context.DeadlineExceeded) {
		pick = func(l *Labels) string { return l.Timeout }
	}
	if lang == "" {
		return Bilingual(pick)
	}
	return pick(LabelsFor(lang))
}

// ErrorReply is the reply to a message the engine could not answer, in the
// message's language when its locale gives it, else in both.
func ErrorReply(err error, locale string) Reply {
	lang := localeLang(locale)
	if lang == "" {
		return Reply{Lang: LangFR, Text: []string{ErrorText(err, LangFR), ErrorText(err, LangEN)}}
	}
	return Reply{Lang: lang, Text: []string{ErrorText(err, lang)}}
}

// verdictMarks are the same in both languages: a symbol, so that a
// verdict's headline never relies on its colour alone.
var verdictMarks = map[string]string{TonePositive: "✅", ToneNegative: "⛔", ToneNeutral: "❔"}

// Mark is the symbol shown before a verdict headline of tone.
func (l *Labels) Mark(tone string) string {
	if m, ok := l.Marks[tone]; ok {
		return m
	}
	return l.Marks[ToneNeutral]
}

// StepLabel numbers a dialog question ("Question 3").
func (l *Labels) StepLabel(step int) string { return fmt.Sprintf(l.Step, step) }

// Progress numbers a dialog question and says how many at most remain
// ("Question 4 — au plus 7 restantes"), or only numbers it when the
// question does not say.
func (l *Labels) Progress(q *Question) string {
	switch {
	case q.Remaining == 1:
		return fmt.Sprintf(l.StepLast, q.Step)
	case q.Remaining > 1:
		return fmt.Sprintf(l.StepLeft, q.Step, q.Remaining)
	}
	return l.StepLabel(q.Step)
}

// ReachLine is the escalation line with the address.
func (l *Labels) ReachLine(email string) string { return fmt.Sprintf(l.Reach, email) }

// ChoiceLabel is the label of a yes/no/unknown value.
func (l *Labels) ChoiceLabel(v string) string {
	switch v {
	case Yes:
		return l.Yes
	case No:
		return l.No
	}
	return l.Unknown
}

// List is a heading followed by one "- item" line each.
func List(head string, items []string) string {
	var b strings.Builder
	b.WriteString(head)
	for _, it := range items {
		b.WriteString("\n- ")
		b.WriteString(it)
	}
	return b.String()
}

// properNouns keep their case when SentenceCase lowers an all-capitals
// title: the acronyms and names of the FAQ's questions.
var properNouns = map[string]string{"ia": "IA", "iag": "IAG", "lggri": "LGGRI", "mcn": "MCN", "dpi": "DPI",
	"efvp": "EFVP", "ti": "TI", "copilot": "Copilot", "chatgpt": "ChatGPT", "québec": "Québec"}

// SentenceCase writes an all-capitals title (the official FAQ's questions
// are set in capitals) in sentence case, for buttons: capitals read as
// shouting and are harder to read. Text with any lowercase letter is
// returned as is; the words are the same, only their case changes.
func SentenceCase(s string) string {
	hasLower := false
	for _, r := range s {
		if unicode.IsLower(r) {
			hasLower = true
			break
		}
	}
	if hasLower {
		return s
	}
	lower := []rune(strings.ToLower(s))
	var b strings.Builder
	first := true
	for i := 0; i < len(lower); {
		if !unicode.IsLetter(lower[i]) {
			b.WriteRune(lower[i])
			i++
			continue
		}
		j := i
		for j < len(lower) && unicode.IsLetter(lower[j]) {
			j++
		}
		w := string(lower[i:j])
		switch {
		case properNouns[w] != "":
			w = properNouns[w]
		case first:
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			w = string(r)
		}
		first = false
		b.WriteString(w)
		i = j
	}
	return b.String()
}
