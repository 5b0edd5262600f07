package web

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/browsertest"
)

// scripted is a fake engine with just enough behaviour to exercise every
// part the page renders; the real engine is driven in cmd/bot's test.
func scripted(m conversation.Message) (conversation.Reply, error) {
	lang := conversation.LangFR
	if strings.HasPrefix(m.Locale, "en") {
		lang = conversation.LangEN
	}
	switch {
	case m.Action == "fb:up":
		return conversation.Reply{Lang: lang, Text: []string{"Merci de votre avis."}}, nil
	case m.Action == "q1:yes":
		return conversation.Reply{
			Lang:       lang,
			Verdict:    &conversation.Verdict{Code: "indetermine", Title: "Impossible de trancher", Explanation: "Il manque une information.", ToVerify: []string{"Le projet est-il approuvé ?"}},
			Escalation: &conversation.Escalation{Email: "encadrement.ia@mcn.gouv.qc.ca", Subject: "Question", Body: "Réponses", Mailto: "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=Question&body=R%C3%A9ponses"},
			Actions:    []conversation.Action{{Label: "Écrire", URL: "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=Question&body=R%C3%A9ponses"}, {ID: "restart", Label: "Recommencer"}},
		}, nil
	case m.Text == "outil":
		return conversation.Reply{Lang: lang, Text: []string{"Je ne suis pas certain de comprendre."},
			Suggestions: []conversation.Suggestion{
				{EntryID: "e1", Question: "PUIS-JE ENCORE UTILISER CHATGPT ?", Action: conversation.Action{ID: "faq:e1", Label: "Puis-je encore utiliser ChatGPT ?"}},
				{EntryID: "e2", Question: "QU'EST-CE QUI EST TOUCHÉ ?", Action: conversation.Action{ID: "faq:e2", Label: "Qu'est-ce qui est touché ?"}},
			},
			Actions: []conversation.Action{{ID: "faq:e1", Label: "Puis-je encore utiliser ChatGPT ?"}, {ID: "esc", Label: "Joindre le MCN"}}}, nil
	case m.Action == "faq:e1":
		return scripted(conversation.Message{Text: "chatgpt", Locale: m.Locale})
	case m.Text == "admissibilite" || m.Text == "eligibility":
		return conversation.Reply{Lang: lang, Question: &conversation.Question{
			Fact: "individual", Prompt: "S'agit-il d'un usage individuel ?", Why: "La FAQ distingue l'usage individuel.", Step: 1,
			Choices: []conversation.Action{{ID: "q1:yes", Label: "Oui"}, {ID: "q1:no", Label: "Non"}},
		}, Actions: []conversation.Action{{ID: "q1:yes", Label: "Oui"}, {ID: "cancel", Label: "Annuler"}}}, nil
	default:
		return conversation.Reply{
			Lang: lang,
			Answer: &conversation.Answer{EntryID: "e1", Question: "PUIS-JE ENCORE UTILISER CHATGPT ?",
				Text:   "Oui, sous conditions.\n\n- premier [guide](https://example.org/guide) et [vide](#)\n- piège <img src=x onerror=alert(1)> [js](javascript:alert(1))\n- dernier",
				Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}},
			Actions: []conversation.Action{{ID: "fb:up", Label: "👍 Utile"}, {ID: "fb:down", Label: "👎 Pas utile"}},
		}, nil
	}
}

func TestBrowserPage(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	fake := &recorder{Reply: scripted}
	srv := httptest.NewServer(newMux(fake, nil))
	t.Cleanup(srv.Close)

	js := func(expr string) any { t.Helper(); return browsertest.Eval(t, ctx, expr) }
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	botCount := func(n int) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](
			"document.querySelectorAll('#log .msg.bot').length >= "+strconv.Itoa(n), chromedp.WithPollingTimeout(20*time.Second))
	}

	do("open page", chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	if got := js(`document.documentElement.lang`); got != "fr" {
		t.Errorf("page lang = %v, want fr", got)
	}

	// A typed question, sent with the Enter key.
	do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "Puis-je utiliser ChatGPT ?\n"), chromedp.WaitVisible(chromedp.CSS(".answer h3")))
	if got := js(`document.querySelector('.answer h3').textContent`); got != "PUIS-JE ENCORE UTILISER CHATGPT ?" {
		t.Errorf("answer title = %v", got)
	}
	if got := js(`document.querySelectorAll('.answer .official li').length`); got != float64(3) {
		t.Errorf("list items = %v, want 3", got)
	}
	if got := js(`Array.from(document.querySelectorAll('#log a')).map(a => a.href).join(' ')`); got != "https://example.org/guide" {
		t.Errorf("links = %q, want only the https one", got)
	}
	if got := js(`document.querySelectorAll('#log img, #log script').length`); got != float64(0) {
		t.Errorf("untrusted text became %v elements", got)
	}
	if got := js(`document.querySelector('.answer').textContent`).(string); !strings.Contains(got, "<img src=x onerror=alert(1)>") || !strings.Contains(got, "vide") {
		t.Errorf("answer text not shown verbatim: %q", got)
	}
	if got := js(`document.querySelector('.answer .source').textContent`); got != "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025" {
		t.Errorf("source = %v", got)
	}

	// Suggestions are buttons, each shown once, and a click asks for that entry.
	do("vague question", chromedp.SendKeys(chromedp.CSS("#text"), "outil\n"), chromedp.WaitVisible(chromedp.CSS(".suggestions button")))
	if got := js(`Array.from(document.querySelectorAll('#log .msg:last-child button')).map(b => b.textContent).join('|')`); got != "Puis-je encore utiliser ChatGPT ?|Qu'est-ce qui est touché ?|Joindre le MCN" {
		t.Errorf("suggestion buttons = %v", got)
	}
	do("pick a suggestion", chromedp.Click(chromedp.CSS(`.suggestions button[data-action="faq:e1"]`)), botCount(4))
	if got := js(`document.querySelector('#log .msg.bot:last-child .answer h3').textContent`); got != "PUIS-JE ENCORE UTILISER CHATGPT ?" {
		t.Errorf("after the suggestion: %v", got)
	}

	// Feedback is a real button.
	do("feedback", chromedp.Click(chromedp.CSS(`#log .msg:last-child button[data-action="fb:up"]`)), botCount(5))
	if got := js(`document.querySelector('#log .msg.bot:last-child').textContent`).(string); !strings.Contains(got, "Merci de votre avis.") {
		t.Errorf("after feedback: %q", got)
	}

	// The check: the first choice gets the focus, and Enter on it answers.
	do("start check", chromedp.Click(chromedp.CSS(`button[data-cmd="check"]`)), chromedp.WaitVisible(chromedp.CSS(".question .choices button")))
	if got := js(`document.activeElement.dataset.action`); got != "q1:yes" {
		t.Errorf("focus on %v, want the first choice", got)
	}
	if got := js(`document.querySelectorAll('#log .msg:last-child button[data-action="q1:yes"]').length`); got != float64(1) {
		t.Errorf("choice shown %v times, want once (actions repeat it)", got)
	}
	if got := js(`document.querySelector('.question details summary').textContent`); got != "Pourquoi cette question ?" {
		t.Errorf("why summary = %v", got)
	}
	do("answer with the keyboard", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if got := js(`document.querySelector('.verdict h3').textContent`); got != "Impossible de trancher" {
		t.Errorf("verdict = %v", got)
	}
	href := js(`document.querySelector('a.escalation-link').href`).(string)
	if !strings.HasPrefix(href, "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=") {
		t.Errorf("escalation link = %q", href)
	}
	if got := js(`document.querySelectorAll('#log .msg:last-child a[href^="mailto:"]').length`); got != float64(1) {
		t.Errorf("mailto links = %v, want one", got)
	}

	// English switch: interface and requests.
	do("switch", chromedp.Click(chromedp.CSS("#lang")), chromedp.Poll[chromedp.Void](`document.documentElement.lang === "en"`))
	if got := js(`document.querySelector('label[for=text]').textContent`); got != "Your question" {
		t.Errorf("label = %v", got)
	}
	do("check in English", chromedp.Click(chromedp.CSS(`button[data-cmd="check"]`)), botCount(8))

	msgs := fake.Messages()
	if len(msgs) != 7 {
		t.Fatalf("engine got %d messages, want 7", len(msgs))
	}
	if last := msgs[6]; last.Text != "eligibility" || last.Locale != "en-CA" {
		t.Errorf("English command sent as %+v", last)
	}
	for _, m := range msgs {
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(m.UserID) || m.UserID != msgs[0].UserID {
			t.Errorf("session ids %q vs %q: want one random 32-hex id", m.UserID, msgs[0].UserID)
		}
	}
}

// A server error is shown in the log, and the page stays usable.
func TestBrowserShowsErrors(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	srv := httptest.NewServer(newMux(conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, context.DeadlineExceeded
	}), nil))
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.SendKeys(chromedp.CSS("#text"), "bonjour\n"),
		chromedp.WaitVisible(chromedp.CSS(".msg.error")),
	); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.msg.error').textContent`))
	if err != nil || !strings.Contains(got, "Désolé, une erreur est survenue.") {
		t.Errorf("error shown as %q (%v)", got, err)
	}
	if d, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('send').disabled`)); err != nil || d {
		t.Errorf("send button disabled=%v after an error (%v)", d, err)
	}
}
