package web

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/internal/browsertest"
)

var screens = flag.Bool("screens", false, "save a screenshot of each step of the browser tests (in "+browsertest.ScreenDir()+")")

const (
	longWord = "x"
	mail     = "encadrement.ia@mcn.gouv.qc.ca"
)

// official is an answer written like the FAQ's: a list, an emphasis, a link
// to nowhere, French spacing before punctuation.
const official = "Les assistants suivants ne sont pas visés par la suspension :\n\n" +
	"- ceux prévus dans le cadre de l'expérimentation du MCN;\n" +
	"- ceux d'une démarche structurée (voir question « *En quoi consiste une démarche structurée ?* » ;\n" +
	"- ceux décrits aux [Règles relatives à la gestion des projets](#) !\n\n" +
	"Écrivez à **" + mail + "** pour toute question."

// scripted is a fake engine with just enough behaviour to exercise every
// part the page renders; the real engine is driven in cmd/bot's test.
func scripted(m conversation.Message) (conversation.Reply, error) {
	lang := conversation.LangFR
	if m.Lang == conversation.LangEN {
		lang = conversation.LangEN
	}
	en := lang == conversation.LangEN
	pick := func(fr, e string) string {
		if en {
			return e
		}
		return fr
	}
	question := func(step, remaining int, fact, prompt string) conversation.Reply {
		return conversation.Reply{Lang: lang, Question: &conversation.Question{
			Fact: fact, Prompt: prompt, Why: "La FAQ distingue ce cas.", Step: step, Remaining: remaining,
			Choices: []conversation.Action{{ID: fact + ":yes", Label: pick("Oui", "Yes")}, {ID: fact + ":no", Label: pick("Non", "No")}, {ID: fact + ":unknown", Label: pick("Je ne sais pas", "I don't know")}},
		}, Actions: []conversation.Action{{ID: "back", Label: pick("Retour", "Back")}, {ID: "cancel", Label: pick("Annuler", "Cancel")}}}
	}
	verdict := func(code, title string) conversation.Reply {
		r := conversation.Reply{Lang: lang,
			Verdict: &conversation.Verdict{Code: code, Title: title, Explanation: pick("Selon vos réponses : le projet est visé.", "From your answers: the project is covered."),
				Conclusion: pick("Votre projet n'est pas suspendu.", "Your project is not suspended."),
				Answers:    []conversation.VerdictAnswer{{Fact: "approved", Label: pick("projet approuvé", "project approved"), Value: "yes", Answer: pick("Oui", "Yes")}},
				Source:     conversation.Source{Label: pick("Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025", "Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025")},
				Citations: []conversation.Citation{{EntryID: "exceptions", Question: "Y A-T-IL DES EXCEPTIONS ?",
					Action: conversation.Action{ID: "faq:exceptions", Label: "Y a-t-il des exceptions ?"}}},
				Receipt: "Récapitulatif — vérification d'admissibilité\nRésultat : " + title + "\n"},
			Actions: []conversation.Action{{ID: "back", Label: pick("Retour", "Back")}, {ID: "restart", Label: pick("Recommencer", "Restart")}}}
		if code == "indetermine" {
			r.Verdict.ToVerify = []string{"Le projet est-il approuvé ?"}
			r.Escalation = &conversation.Escalation{Email: mail, Subject: "Question", Body: "Réponses", Mailto: "mailto:" + mail + "?subject=Question&body=R%C3%A9ponses"}
			r.Actions = append(r.Actions, conversation.Action{Label: pick("Écrire au MCN", "Write to the MCN"), URL: r.Escalation.Mailto})
		}
		return r
	}
	switch {
	case m.Action == "fb:up":
		return conversation.Reply{Lang: lang, Text: []string{pick("Merci pour votre avis!", "Thank you!")}}, nil
	case m.Action == "individual:yes":
		return question(2, 1, "approved", pick("Le projet est-il approuvé ?", "Is the project approved?")), nil
	case m.Action == "individual:no":
		return verdict("indetermine", pick("Impossible de conclure pour l'instant", "No conclusion yet")), nil
	case m.Action == "individual:unknown":
		return verdict("hors-portee", pick("Hors de la portée de la suspension", "Outside the suspension's scope")), nil
	case m.Action == "approved:yes":
		return verdict("exception", pick("Visé par la suspension, mais une exception s'applique", "Covered, but an exception applies")), nil
	case strings.HasPrefix(m.Action, "approved:"):
		return verdict("suspendu", pick("Suspendu : le projet doit être interrompu", "Suspended: the project must stop")), nil
	case m.Text == "outil":
		return conversation.Reply{Lang: lang, Text: []string{"Je ne suis pas certain de comprendre."},
			Suggestions: []conversation.Suggestion{
				{EntryID: "e1", Question: "PUIS-JE ENCORE UTILISER CHATGPT ?", Action: conversation.Action{ID: "faq:e1", Label: "Puis-je encore utiliser ChatGPT ?"}},
				{EntryID: "e2", Question: "QU'EST-CE QUI EST TOUCHÉ ?", Action: conversation.Action{ID: "faq:e2", Label: "Qu'est-ce qui est touché ?"}},
			},
			Actions: []conversation.Action{{ID: "faq:e1", Label: "Puis-je encore utiliser ChatGPT ?"}, {ID: "esc", Label: "Joindre le MCN"}}}, nil
	case m.Action == "faq:e1":
		return scripted(conversation.Message{Text: "chatgpt", Lang: m.Lang})
	case m.Text == "english":
		return conversation.Reply{Lang: conversation.LangEN, LangChosen: true, Text: []string{"OK, I will answer you in English from now on."}}, nil
	case m.Text == "admissibilite" || m.Text == "eligibility":
		r := question(1, 3, "individual", pick("S'agit-il d'un usage individuel ?", "Is it individual use?"))
		r.Text = []string{pick("Vérifions si la suspension s'applique à votre projet.", "Let's check whether the suspension applies.")}
		return r, nil
	case m.Text == "passage":
		return conversation.Reply{Lang: lang, Answer: &conversation.Answer{EntryID: "exceptions", Question: "Y A-T-IL DES EXCEPTIONS ?",
			Text: "Critères :\n\n- premier;\n- deuxième critère, celui qui répond;\n- troisième.", Passage: "deuxième critère, celui qui répond;",
			Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}}}, nil
	case strings.HasPrefix(m.Text, "long"):
		return conversation.Reply{Lang: lang, Answer: &conversation.Answer{EntryID: "exceptions", Question: "Y A-T-IL DES EXCEPTIONS ?",
			Text: strings.Repeat(official+"\n\n", 4), Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}},
			Actions: []conversation.Action{{ID: "fb:up", Label: pick("👍 Utile", "👍 Helpful")}, {ID: "fb:down", Label: pick("👎 Pas utile", "👎 Not helpful")}}}, nil
	case strings.Contains(m.Text, strings.Repeat(longWord, 100)):
		return conversation.Reply{Lang: lang, Text: []string{"Je n'ai pas trouvé « " + m.Text + " » dans la FAQ."},
			Escalation: &conversation.Escalation{Email: "une.adresse.de.courriel.vraiment.tres.longue.pour.le.test@ministere-de-la-cybersecurite-et-du-numerique.gouv.qc.ca", Mailto: "mailto:" + mail}}, nil
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

// faults sits in front of the server and, on demand, stalls, fails or
// drops /api/chat requests as a broken network or proxy would.
type faults struct {
	mu      sync.Mutex
	mode    string // "", "stall", "502", "drop"
	release chan struct{}
	stalled chan struct{} // gets a value each time a request is held
}

func newFaults() *faults {
	return &faults{release: make(chan struct{}), stalled: make(chan struct{}, 8)}
}

func (f *faults) set(mode string) { f.mu.Lock(); f.mode = mode; f.mu.Unlock() }

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		mode := f.mode
		f.mu.Unlock()
		if r.URL.Path != "/api/chat" {
			mode = ""
		}
		switch mode {
		case "stall":
			f.stalled <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-f.release:
			}
		case "502":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		case "drop":
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		default:
			next.ServeHTTP(w, r)
		}
	})
}

type page struct {
	t   *testing.T
	ctx context.Context
}

func openPage(t *testing.T, h http.Handler, timeout time.Duration) (page, *httptest.Server) {
	t.Helper()
	ctx := browsertest.New(t, timeout)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return page{t, ctx}, srv
}

func (p page) js(expr string) any { p.t.Helper(); return browsertest.Eval(p.t, p.ctx, expr) }

func (p page) str(expr string) string {
	p.t.Helper()
	s, _ := p.js(expr).(string)
	return s
}

func (p page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p page) shot(name string) {
	if *screens {
		browsertest.Save(p.t, p.ctx, name)
	}
}

func (p page) open(url string) {
	p.t.Helper()
	p.do("open page", chromedp.Navigate(url), visible(`body[data-ready="true"]`))
}

// waitFor polls a JavaScript condition.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(20*time.Second))
}

// visible waits, for a bounded time, until an element matching the CSS
// selector is shown: a reply that never comes fails its own step, not the
// whole test's budget.
func visible(sel string) chromedp.Action[chromedp.Void] {
	return waitFor(`(e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden")(document.querySelector(` + strconv.Quote(sel) + `))`)
}

func botCount(n int) chromedp.Action[chromedp.Void] {
	return waitFor("document.querySelectorAll('#log .msg.bot').length >= " + strconv.Itoa(n))
}

// plain undoes the page's typography (unbreakable spaces) to compare words.
func plain(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

func TestBrowserPage(t *testing.T) {
	fake := &recorder{Reply: scripted}
	p, srv := openPage(t, newMux(fake, nil), 90*time.Second)
	p.open(srv.URL)
	if got := p.js(`document.documentElement.lang`); got != "fr" {
		t.Errorf("page lang = %v, want fr", got)
	}
	// The page applies the server's limit and says it before anything is sent.
	if got := p.js(`document.getElementById('text').maxLength`); got != float64(conversation.MaxText) {
		t.Errorf("maxlength = %v, want the engine's %d", got, conversation.MaxText)
	}
	if got := plain(p.str(`document.getElementById('limit').textContent`)); got != "Au plus 2 000 caractères." {
		t.Errorf("limit shown as %q", got)
	}
	p.do("type", chromedp.SendKeys(chromedp.CSS("#text"), "abc"))
	if got := plain(p.str(`document.getElementById('count').textContent`)); got != "3 / 2 000" {
		t.Errorf("count = %q", got)
	}
	p.js(`document.getElementById('text').value = ""`)
	// Sending nothing says what to do.
	p.do("send nothing", browsertest.Click("#send"))
	if got := plain(p.str(`document.getElementById('status').textContent`)); got != "Écrivez d'abord votre question dans la zone de saisie." {
		t.Errorf("status after an empty send = %q", got)
	}
	// Pasting more than the limit says that the text was cut.
	p.js(`(() => { const dt = new DataTransfer(); dt.setData("text/plain", "y".repeat(2500));
		document.getElementById('text').dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true})) })()`)
	if got := plain(p.str(`document.getElementById('status').textContent`)); got != "Le texte collé a été coupé à 2 000 caractères." {
		t.Errorf("status after a long paste = %q", got)
	}

	// A typed question, sent with the Enter key.
	p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "Puis-je utiliser ChatGPT ?\n"), visible(".answer h3"))
	p.shot("answer")
	if got := p.str(`document.querySelector('.answer h3').textContent`); got != "PUIS-JE ENCORE UTILISER CHATGPT\u202f?" {
		t.Errorf("answer title = %q, want the question with a narrow no-break space before ?", got)
	}
	if got := p.js(`document.querySelectorAll('.answer .official li').length`); got != float64(3) {
		t.Errorf("list items = %v, want 3", got)
	}
	if got := p.js(`Array.from(document.querySelectorAll('#log a')).map(a => a.href).join(' ')`); got != "https://example.org/guide" {
		t.Errorf("links = %q, want only the https one", got)
	}
	if got := p.js(`document.querySelectorAll('#log img, #log script').length`); got != float64(0) {
		t.Errorf("untrusted text became %v elements", got)
	}
	if got := p.str(`document.querySelector('.answer').textContent`); !strings.Contains(got, "<img src=x onerror=alert(1)>") || !strings.Contains(got, "vide") {
		t.Errorf("answer text not shown verbatim: %q", got)
	}
	if got := plain(p.str(`document.querySelector('.answer .source').textContent`)); got != "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025" {
		t.Errorf("source = %v", got)
	}
	// Emoji are decoration beside words: hidden from screen readers, and
	// the button still has a name without them.
	if got := p.str(`(() => { const b = document.querySelector('#log .msg:last-child button[data-action="fb:up"]');
		const e = b.querySelector('.emoji[aria-hidden="true"]');
		return (e ? e.textContent : "none") + "|" + Array.from(b.childNodes).filter(n => n !== e).map(n => n.textContent).join("").trim() })()`); got != "👍|Utile" {
		t.Errorf("feedback button = %q, want the emoji hidden beside the word", got)
	}
	if got := p.str(`document.getElementById('status').textContent`); got != "Réponse reçue." {
		t.Errorf("status after an answer = %q", got)
	}
	// Without a colour emoji font the emoji would be a box: the page hides it.
	if got := p.str(`(e => document.documentElement.classList.contains("no-emoji") + "/" + getComputedStyle(e).display)(document.querySelector('#log .emoji'))`); got != "true/none" && got != "false/inline" {
		t.Errorf("emoji support/display = %s", got)
	}

	// Suggestions are buttons, each shown once, and a click asks for that entry.
	p.do("vague question", chromedp.SendKeys(chromedp.CSS("#text"), "outil\n"), visible(".suggestions button"))
	if got := plain(p.str(`Array.from(document.querySelectorAll('#log .msg:last-child button')).map(b => b.textContent).join('|')`)); got != "Puis-je encore utiliser ChatGPT ?|Qu'est-ce qui est touché ?|Joindre le MCN" {
		t.Errorf("suggestion buttons = %v", got)
	}
	p.do("pick a suggestion", browsertest.Click(`.suggestions button[data-action="faq:e1"]`), botCount(4))
	if got := plain(p.str(`document.querySelector('#log .msg.bot:last-child .answer h3').textContent`)); got != "PUIS-JE ENCORE UTILISER CHATGPT ?" {
		t.Errorf("after the suggestion: %v", got)
	}
	p.do("feedback", browsertest.Click(`#log .msg:last-child button[data-action="fb:up"]`), botCount(5))
	if got := p.str(`document.querySelector('#log .msg.bot:last-child').textContent`); !strings.Contains(got, "Merci pour votre avis!") {
		t.Errorf("after feedback: %q", got)
	}

	// The check: progress, the first choice focused, Enter on it answers.
	p.do("start check", browsertest.Click(`button[data-cmd="check"]`), visible(".question .choices button"))
	if got := p.js(`document.activeElement.dataset.action`); got != "individual:yes" {
		t.Errorf("focus on %v, want the first choice", got)
	}
	if got := p.str(`document.querySelector('#log .msg:last-child .step').textContent`); got != "Question 1 — au plus 3 restantes" {
		t.Errorf("progress = %q", got)
	}
	if got := p.js(`document.querySelectorAll('#log .msg:last-child button[data-action="individual:yes"]').length`); got != float64(1) {
		t.Errorf("choice shown %v times, want once", got)
	}
	if got := plain(p.str(`document.querySelector('.question details summary').textContent`)); got != "Pourquoi cette question ?" {
		t.Errorf("why summary = %v", got)
	}
	p.do("answer with the keyboard", chromedp.KeyEvent("\r"), botCount(7))
	p.shot("question")
	// The answered question keeps its buttons, disabled, the choice marked.
	first := `#log .msg.bot:nth-last-child(3) .choices`
	if got := p.str(`Array.from(document.querySelectorAll('` + first + ` button')).map(b => (b.disabled ? "off" : "on") + (b.classList.contains("chosen") ? "*" : "")).join(",")`); got != "off*,off,off" {
		t.Errorf("answered question's buttons = %s, want all disabled, the first chosen", got)
	}
	if got := p.str(`document.querySelector('` + first + ` button.chosen').textContent`); !strings.Contains(got, "Oui") || !strings.Contains(got, "réponse choisie") {
		t.Errorf("chosen button reads %q", got)
	}
	if got := p.str(`document.querySelector('#log .msg:last-child .step').textContent`); got != "Question 2 — dernière question" {
		t.Errorf("progress = %q", got)
	}
	p.do("answer yes", browsertest.Click(`#log .msg:last-child button[data-action="approved:yes"]`), visible(".verdict"))
	p.shot("verdict")
	if got := p.str(`(v => v.className + "|" + v.querySelector('.kind').textContent + "|" + !!v.querySelector('.kind svg[aria-hidden="true"]'))(document.querySelector('.verdict'))`); plain(got) != "verdict ok|Résultat : Une exception s'applique|true" {
		t.Errorf("verdict = %q, want the ok style with an icon and words", got)
	}
	if got := p.js(`document.querySelectorAll('#log .choices button:not(:disabled)').length`); got != float64(0) {
		t.Errorf("%v choice buttons still live after the verdict", got)
	}
	// The verdict's parts: the conclusion, the answers as a list, the
	// references as buttons, the source line.
	if got := plain(p.str(`(v => [v.querySelector('.conclusion').textContent, v.querySelector('ul li').textContent, [...v.querySelectorAll('.references button')].map(b => b.textContent).join(","), v.querySelector('.source').textContent].join("|"))(document.querySelector('#log .msg:last-child .verdict'))`)); got != "Votre projet n'est pas suspendu.|projet approuvé : Oui|Y a-t-il des exceptions ?|Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025" {
		t.Errorf("verdict parts = %q", got)
	}

	// The other verdicts look different, and say so in words.
	styles := map[string]string{}
	for _, path := range [][]string{{"individual:no"}, {"individual:yes", "approved:no"}, {"individual:unknown"}} {
		p.do("restart check", browsertest.Click(`button[data-cmd="check"]`), waitFor(`!!document.querySelector('#log .msg:last-child .choices')`))
		for _, a := range path {
			n := int(p.js(`document.querySelectorAll('#log .msg.bot').length`).(float64))
			p.do("answer "+a, browsertest.Click(`#log .msg:last-child button[data-action="`+a+`"]`), botCount(n+1))
		}
		got := plain(p.str(`(v => v.dataset.code + "=" + v.className + "|" + v.querySelector('.kind').textContent + "|" + getComputedStyle(v).borderColor)(document.querySelector('#log .msg:last-child .verdict'))`))
		code, rest, _ := strings.Cut(got, "=")
		styles[code] = rest
	}
	p.shot("indetermine")
	want := map[string]string{"indetermine": "verdict unsure|Résultat : À confirmer", "suspendu": "verdict stop|Résultat : Suspendu", "hors-portee": "verdict ok|Résultat : Non visé par la suspension"}
	colors := map[string]bool{}
	for code, w := range want {
		s := styles[code]
		if !strings.HasPrefix(s, w+"|") {
			t.Errorf("verdict %s = %q, want %q", code, s, w)
		}
		colors[s[strings.LastIndex(s, "|")+1:]] = true
	}
	if len(colors) != 3 {
		t.Errorf("verdict border colours %v: want three different ones", colors)
	}
	href := p.str(`document.querySelector('a.escalation-link').href`)
	if !strings.HasPrefix(href, "mailto:"+mail+"?subject=") {
		t.Errorf("escalation link = %q", href)
	}

	// English switch: interface and requests.
	p.do("switch", browsertest.Click("#lang"), waitFor(`document.documentElement.lang === "en"`))
	if got := p.js(`document.querySelector('label[for=text]').textContent`); got != "Your question" {
		t.Errorf("label = %v", got)
	}
	if got := p.str(`document.getElementById('privacy').textContent`); !strings.Contains(got, "What the bot keeps: unanswered questions, redacted") {
		t.Errorf("English privacy notice = %q", got)
	}
	n := int(p.js(`document.querySelectorAll('#log .msg.bot').length`).(float64))
	p.do("check in English", browsertest.Click(`button[data-cmd="check"]`), botCount(n+1))
	if got := p.str(`document.querySelector('#log .msg:last-child .step').textContent`); got != "Question 1 — at most 3 to go" {
		t.Errorf("English progress = %q", got)
	}
	msgs := fake.Messages()
	if last := msgs[len(msgs)-1]; last.Text != "eligibility" || last.Lang != "en" {
		t.Errorf("English command sent as %+v", last)
	}
	for _, m := range msgs {
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(m.UserID) || m.UserID != msgs[0].UserID {
			t.Errorf("session ids %q vs %q: want one random 32-hex id", m.UserID, msgs[0].UserID)
		}
	}
}

// Official text is rendered, never rewritten: marks become elements, the
// words stay, and French spacing becomes unbreakable.
func TestBrowserOfficialText(t *testing.T) {
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 60*time.Second)
	p.open(srv.URL)
	p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "long\n"), visible(".answer"))
	o := `document.querySelector('.answer .official')`
	if got := p.str(o + `.querySelector('em').textContent`); got != "En quoi consiste une démarche structurée\u202f?" {
		t.Errorf("emphasis = %q", got)
	}
	if got := p.str(o + `.querySelector('strong').textContent`); got != mail {
		t.Errorf("strong = %q", got)
	}
	if got := p.js(o + `.querySelectorAll('ul').length`); got != float64(4) {
		t.Errorf("lists = %v, want 4", got)
	}
	// The words, without the marks, are the official text's.
	text := p.str(`Array.from(` + o + `.querySelectorAll('p, li')).slice(0, 5).map(e => e.textContent).join("\n")`)
	var lines []string
	for _, l := range strings.Split(strings.NewReplacer("*", "", "[", "", "](#)", "").Replace(official), "\n") {
		if l != "" {
			lines = append(lines, strings.TrimPrefix(l, "- "))
		}
	}
	wantText := strings.Join(lines, "\n")
	if plain(text) != wantText {
		t.Errorf("rendered words:\n%s\nwant:\n%s", plain(text), wantText)
	}
	for _, nb := range []string{"suspension\u00a0:", "«\u00a0", "\u00a0»", "MCN;", "\u202f;", "projets\u202f!"} {
		if !strings.Contains(text, nb) {
			t.Errorf("rendered text lacks %q: %q", nb, text)
		}
	}
	if strings.ContainsAny(text, "*[]") {
		t.Errorf("markup left in the text: %q", text)
	}
}

// The composer stays inside the window and nothing scrolls sideways, on a
// desktop, a phone and a desktop at 200 % zoom (640×400 CSS pixels).
func TestBrowserLayout(t *testing.T) {
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 2*time.Minute)
	composer := `(() => { const out = [];
		for (const id of ["text", "send"]) { const r = document.getElementById(id).getBoundingClientRect();
			if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.height === 0)
				out.push(id + " at " + JSON.stringify(r) + " in " + innerWidth + "x" + innerHeight); }
		return out.join("; ") })()`
	overflow := `(() => { const out = []; const d = document.documentElement, log = document.getElementById('log');
		if (d.scrollWidth > d.clientWidth) out.push("page " + d.scrollWidth + ">" + d.clientWidth);
		if (log.scrollWidth > log.clientWidth) out.push("log " + log.scrollWidth + ">" + log.clientWidth);
		for (const m of log.querySelectorAll('.msg, .msg *:not(.sr-only)')) if (m.scrollWidth > m.clientWidth + 1 && getComputedStyle(m).overflowX !== "visible") out.push(m.className + " " + m.scrollWidth + ">" + m.clientWidth);
		for (const m of log.querySelectorAll('.msg')) { const r = m.getBoundingClientRect(), l = log.getBoundingClientRect(); if (r.right > l.right + 1) out.push("bubble " + m.className + " ends at " + r.right + " past " + l.right); }
		return out.join("; ") })()`
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}, {"zoom200", 640, 400}} {
		t.Run(size.name, func(t *testing.T) {
			p := page{t, p.ctx}
			p.do("size", browsertest.Viewport(size.w, size.h))
			p.open(srv.URL)
			for i := 1; i <= 3; i++ {
				p.do("long answer", chromedp.SendKeys(chromedp.CSS("#text"), "long "+strconv.Itoa(i)+"\n"), botCount(i+1),
					// The reply's start scrolls into view, on the page or in the log.
					waitFor(`(() => { const m = document.querySelector('#log .msg.bot:last-child h3').getBoundingClientRect(), l = document.getElementById('log').getBoundingClientRect();
						return m.top >= Math.max(0, l.top) - 1 && m.bottom <= Math.min(innerHeight, l.bottom) + 1 })()`))
				if bad := p.str(composer); bad != "" {
					t.Errorf("after long answer %d: composer outside the window: %s", i, bad)
				}
			}
			p.shot("long-answers")
			word := strings.Repeat(longWord, 400)
			p.js(`document.getElementById('text').value = "` + word + `"`)
			p.do("long word", browsertest.Click("#send"), botCount(5))
			p.shot("long-word")
			if bad := p.str(overflow); bad != "" {
				t.Errorf("horizontal overflow with a 400-character word: %s", bad)
			}
			if bad := p.str(composer); bad != "" {
				t.Errorf("after the long word: composer outside the window: %s", bad)
			}
			// Keyboard: the skip link leads to the message box.
			p.do("skip link", chromedp.Focus(chromedp.CSS(".skip")), chromedp.KeyEvent("\r"))
			if got := p.js(`document.activeElement.id`); got != "text" {
				t.Errorf("skip link moved the focus to %v", got)
			}
			if bad := p.str(composer); bad != "" {
				t.Errorf("composer outside the window when focused: %s", bad)
			}
		})
	}
}

// A stalled, failing or dropped request restores the draft, says what
// happened in words for the person asking, and « Réessayer » resends.
func TestBrowserFailures(t *testing.T) {
	fake := &recorder{Reply: scripted}
	f := newFaults()
	p, srv := openPage(t, f.wrap(func() http.Handler {
		mux := http.NewServeMux()
		New(fake, nil, WithPageTimeout(3*time.Second)).Register(mux)
		return mux
	}()), 2*time.Minute)
	t.Cleanup(func() { close(f.release) }) // before srv.Close, which waits for held requests
	p.open(srv.URL)
	if got := p.js(`document.body.dataset.timeoutMs`); got != "3000" {
		t.Fatalf("page timeout = %v, want the server's 3000 ms", got)
	}
	status := `document.getElementById('status').textContent`
	errors := `document.querySelectorAll('#log .msg.error').length`

	for i, tc := range []struct{ mode, status, title, note string }{
		{"stall", "Aucune réponse : délai d'attente dépassé.", "L'assistant n'a pas répondu à temps.", "Sans réponse"},
		{"502", "Aucune réponse : erreur du serveur. (code 502)", "L'assistant a éprouvé un problème technique. (code 502)", "Sans réponse"},
		{"drop", "Message non envoyé : l'assistant est injoignable.", "Impossible de joindre l'assistant pour le moment.", "Non envoyé"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			p := page{t, p.ctx}
			f.set(tc.mode)
			draft := "Ma question numéro " + strconv.Itoa(i) + " sur Copilot ?"
			p.do("send", chromedp.SendKeys(chromedp.CSS("#text"), draft+"\n"))
			if tc.mode == "stall" {
				<-f.stalled
				if got := p.js(`document.getElementById('send').disabled`); got != true {
					t.Errorf("send enabled while a request is pending")
				}
				// Another click meanwhile is not dropped in silence.
				p.do("click while waiting", browsertest.Click(`button[data-cmd="help"]`))
				if got := plain(p.str(status)); got != "Patientez : l'assistant répond encore à votre message précédent." && !strings.HasPrefix(got, "L'assistant met plus de temps") {
					t.Errorf("status after a click while waiting = %q", got)
				}
				if got := p.js(`document.querySelectorAll('#log .msg.user').length`); got != float64(1) {
					t.Errorf("%v user messages while one request is pending, want 1", got)
				}
			}
			p.do("wait for the failure", waitFor(errors+" === 1"))
			p.shot("failed")
			if got := plain(p.str(status)); got != tc.status {
				t.Errorf("status = %q, want %q", got, tc.status)
			}
			if got := plain(p.str(`document.querySelector('#log .msg.error .title').textContent`)); got != tc.title {
				t.Errorf("error title = %q, want %q", got, tc.title)
			}
			if got := p.str(`document.querySelector('#log .msg.error').textContent`); strings.Contains(got, "tourne") || strings.Contains(got, "serveur") {
				t.Errorf("error speaks to an operator: %q", got)
			}
			// (TrimSpace: SendKeys types the Enter's newline after the page handled it.)
			if got := p.str(`document.getElementById('text').value`); strings.TrimSpace(got) != draft {
				t.Errorf("draft = %q, want %q restored", got, draft)
			}
			if got := p.str(`document.querySelector('#log .msg.user.failed .note').textContent`); got != tc.note {
				t.Errorf("failed message marked %q", got)
			}
			if got := p.js(`document.getElementById('send').disabled`); got != false {
				t.Errorf("send still disabled after the failure")
			}
			before := len(fake.Messages())
			f.set("")
			p.do("retry", browsertest.Click(`#log .msg.error button.retry`), waitFor(errors+" === 0"), waitFor(`!!document.querySelector('#log .msg.bot:last-child .answer')`))
			if got := p.str(status); got != "Réponse reçue." {
				t.Errorf("status after the retry = %q", got)
			}
			if got := p.str(`document.getElementById('text').value`); strings.TrimSpace(got) != "" {
				t.Errorf("text box after the retry = %q, want empty", got)
			}
			msgs := fake.Messages()
			if len(msgs) != before+1 || msgs[len(msgs)-1].Text != draft {
				t.Errorf("retry sent %d messages (last %+v), want one with the draft", len(msgs)-before, msgs[len(msgs)-1])
			}
			if got := p.js(`document.querySelectorAll('#log .msg.user.failed').length`); got != float64(0) {
				t.Errorf("%v failed messages left after the retry", got)
			}
		})
	}

	// A click on a choice that fails gives the buttons back; the retry answers.
	p.do("start check", browsertest.Click(`button[data-cmd="check"]`), waitFor(`!!document.querySelector('#log .msg:last-child .choices')`))
	f.set("502")
	p.do("answer", browsertest.Click(`#log .msg:last-child button[data-action="individual:yes"]`), waitFor(errors+" === 1"))
	q := `document.querySelector('#log .msg.bot:not(.error):nth-last-child(3) .choices')`
	if got := p.js(q + `.querySelectorAll('button:disabled, button.chosen').length`); got != float64(0) {
		t.Errorf("after a failed answer %v buttons are disabled or chosen, want the question open again", got)
	}
	f.set("")
	p.do("retry the answer", browsertest.Click(`#log .msg.error button.retry`), waitFor(`!!document.querySelector('#log .msg.bot:last-child .step')`))
	if got := p.str(`Array.from(document.querySelectorAll('#log .choices')[0].querySelectorAll('button')).map(b => (b.disabled ? "off" : "on") + (b.classList.contains("chosen") ? "*" : "")).join(",")`); got != "off*,off,off" {
		t.Errorf("answered question after the retry = %s, want disabled with the choice marked", got)
	}
}

// The server stops mid-way: the page says it cannot reach the assistant,
// keeps the draft, and once the server is back « Réessayer » gets the answer.
func TestBrowserServerStopped(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	p := page{t, ctx}
	fake := &recorder{Reply: scripted}
	mux := newMux(fake, nil)
	serve := func(addr string) (*http.Server, string) {
		t.Helper()
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen on %s: %v", addr, err)
		}
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Close() })
		return srv, l.Addr().String()
	}
	srv, addr := serve("127.0.0.1:0")
	p.open("http://" + addr)
	p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "Puis-je utiliser ChatGPT ?\n"), botCount(2))

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	const draft = "Et Copilot ?"
	p.js(`document.getElementById('text').value = ""`) // SendKeys leaves the Enter's newline behind
	p.do("ask with the server stopped", chromedp.SendKeys(chromedp.CSS("#text"), draft+"\n"), waitFor(`!!document.querySelector('#log .msg.error')`))
	p.shot("stopped")
	if got := plain(p.str(`document.getElementById('status').textContent`)); got != "Message non envoyé : l'assistant est injoignable." {
		t.Errorf("status = %q", got)
	}
	if got := p.str(`document.getElementById('text').value`); strings.TrimSpace(got) != draft {
		t.Errorf("draft = %q, want %q", got, draft)
	}
	if got := p.js(`document.querySelector('#log .msg.bot:nth-last-child(3) .answer') !== null`); got != true {
		t.Errorf("the earlier answer is gone from the log")
	}

	serve(addr) // back on the same address
	n := len(fake.Messages())
	p.do("retry", browsertest.Click(`#log .msg.error button.retry`), waitFor(`!document.querySelector('#log .msg.error') && !!document.querySelector('#log .msg.bot:last-child .answer')`))
	if got := p.str(`document.getElementById('status').textContent`); got != "Réponse reçue." {
		t.Errorf("status after the retry = %q", got)
	}
	if msgs := fake.Messages(); len(msgs) != n+1 || msgs[n].Text != draft {
		t.Errorf("after the retry the engine got %d more messages, want the draft once", len(msgs)-n)
	}
}

// Offline, the page says so at once, and a message sent then says why it
// did not leave; back online, « Réessayer » sends it.
func TestBrowserOffline(t *testing.T) {
	fake := &recorder{Reply: scripted}
	f := newFaults()
	p, srv := openPage(t, f.wrap(newMux(fake, nil)), 60*time.Second)
	p.open(srv.URL)
	status := `document.getElementById('status').textContent`
	// Chromium's offline mode spares loopback, so the test server also
	// drops the requests.
	f.set("drop")
	p.do("offline", browsertest.Offline(true), waitFor(status+` !== ""`))
	if got := plain(p.str(status)); got != "Votre appareil est hors ligne : il faut une connexion pour envoyer un message." {
		t.Errorf("status offline = %q", got)
	}
	p.do("send offline", chromedp.SendKeys(chromedp.CSS("#text"), "Puis-je utiliser Copilot ?\n"), waitFor(`!!document.querySelector('#log .msg.error')`))
	if got := plain(p.str(`document.querySelector('#log .msg.error .title').textContent`)); got != "Votre appareil semble hors ligne." {
		t.Errorf("error title offline = %q", got)
	}
	f.set("")
	p.do("online", browsertest.Offline(false), waitFor(status+` === "Connexion rétablie."`))
	p.do("retry", browsertest.Click(`#log .msg.error button.retry`), waitFor(`!!document.querySelector('#log .msg.bot:last-child .answer')`))
	if msgs := fake.Messages(); len(msgs) != 1 || msgs[0].Text != "Puis-je utiliser Copilot ?" {
		t.Errorf("engine got %d messages, want the one sent after the retry", len(msgs))
	}
}

// axe-core finds no serious or critical violation of WCAG 2.1 A/AA on the
// empty page, an answer, a question and a verdict, in French and English,
// light and dark.
func TestBrowserAccessibility(t *testing.T) {
	script := browsertest.AxeScript(t)
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 3*time.Minute)
	for _, tc := range []struct {
		lang, scheme string
		w, h         int64
	}{{"fr", "light", 1280, 800}, {"fr", "dark", 1280, 800}, {"en", "light", 1280, 800}, {"en", "dark", 1280, 800}, {"fr", "light", 390, 844}, {"en", "dark", 390, 844}} {
		lang, scheme := tc.lang, tc.scheme
		t.Run(fmt.Sprintf("%s/%s/%dx%d", lang, scheme, tc.w, tc.h), func(t *testing.T) {
			p := page{t, p.ctx}
			p.do("scheme", browsertest.Viewport(tc.w, tc.h), browsertest.Media("prefers-color-scheme", scheme))
			p.open(srv.URL)
			if p.js(`document.documentElement.lang`) != lang { // the choice outlives a reload
				p.do("switch", browsertest.Click("#lang"), waitFor(`document.documentElement.lang === "`+lang+`"`))
			}
			check := func(state string) {
				t.Helper()
				for _, v := range browsertest.Axe(t, p.ctx, script) {
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Errorf("%s: %s", state, v)
					} else {
						t.Logf("%s (not failing): %s", state, v)
					}
				}
			}
			check("empty page")
			cmd := map[string]string{"fr": "admissibilite", "en": "eligibility"}[lang]
			p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "long\n"), botCount(2))
			check("answer")
			p.do("check", chromedp.SendKeys(chromedp.CSS("#text"), cmd+"\n"), botCount(3))
			check("question")
			p.do("answer", browsertest.Click(`#log .msg:last-child button[data-action="individual:no"]`), visible(".verdict"))
			check("verdict")
			p.shot("verdict")
			// The focus ring stands out at least 3:1 from what surrounds it.
			for _, sel := range []string{"#send", "#text", `#log .msg:last-child .more button`} {
				p.js(`document.querySelector('` + sel + `').focus({focusVisible: true})`)
				ratio := p.js(focusContrast).(float64)
				if ratio < 3 {
					t.Errorf("focus ring of %s: contrast %.2f:1, want at least 3:1", sel, ratio)
				}
			}
			// Dark means dark: the scheme is followed, not ignored.
			bg := p.str(`getComputedStyle(document.documentElement).backgroundColor`)
			if isDark := bg == "rgb(22, 25, 31)"; isDark != (scheme == "dark") {
				t.Errorf("%s scheme: background %s", scheme, bg)
			}
		})
	}
}

// focusContrast is the contrast ratio between the focused element's outline
// and the background just outside it.
const focusContrast = `(() => {
	const parse = c => c.match(/[\d.]+/g).map(Number);
	const lum = c => { const [r, g, b] = parse(c).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const e = document.activeElement, s = getComputedStyle(e);
	if (s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2) return 0;
	let p = e.parentElement, bg = "rgb(255, 255, 255)";
	for (; p; p = p.parentElement) { const c = getComputedStyle(p).backgroundColor; if (parse(c)[3] !== 0) { bg = c; break; } }
	const a = lum(s.outlineColor), b = lum(bg);
	return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})()`

// The whole check works from the keyboard alone, with a visible focus.
func TestBrowserKeyboardOnly(t *testing.T) {
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 60*time.Second)
	p.open(srv.URL)
	focused := func() string {
		return p.str(`(e => e.id || e.dataset.action || e.className || e.tagName)(document.activeElement)`)
	}
	p.do("tab", chromedp.KeyEvent("\t"))
	if got := focused(); got != "skip" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	if got := p.str(`getComputedStyle(document.activeElement).outlineStyle`); got != "solid" {
		t.Errorf("skip link focus outline = %s", got)
	}
	p.do("skip", chromedp.KeyEvent("\r"))
	if got := focused(); got != "text" {
		t.Fatalf("skip link leads to %q, want the text box", got)
	}
	p.do("start the check", chromedp.KeyEvent("admissibilite"), chromedp.KeyEvent("\r"), waitFor(`!!document.querySelector('#log .msg:last-child .choices')`))
	if got := focused(); got != "individual:yes" {
		t.Fatalf("after the question the focus is on %q, want the first choice", got)
	}
	p.do("next choice", chromedp.KeyEvent("\t"))
	if got := focused(); got != "individual:no" {
		t.Fatalf("Tab from the first choice reaches %q", got)
	}
	p.do("answer", chromedp.KeyEvent(" "), visible(".verdict"))
	if got := p.str(`Array.from(document.querySelectorAll('#log .choices button')).map(b => (b.disabled ? "off" : "on") + (b.classList.contains("chosen") ? "*" : "")).join(",")`); got != "off,off*,off" {
		t.Errorf("answered by keyboard: buttons %s, want the second chosen", got)
	}
	if got := focused(); got != "text" {
		t.Errorf("after the verdict the focus is on %q, want the text box", got)
	}
	// Shift+Tab from the text box walks back into the verdict's buttons.
	p.do("back", chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	p.do("back", chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := p.js(`document.activeElement.closest('#log .msg:last-child') !== null`); got != true {
		t.Errorf("Shift+Tab from the text box reaches %q, want the last reply", focused())
	}
}

// prefers-reduced-motion turns the smooth scrolling off.
func TestBrowserReducedMotion(t *testing.T) {
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 30*time.Second)
	for _, tc := range []struct{ pref, want string }{{"reduce", "auto"}, {"no-preference", "smooth"}} {
		p.do("media", browsertest.Media("prefers-reduced-motion", tc.pref))
		p.open(srv.URL)
		if got := p.str(`getComputedStyle(document.getElementById('log')).scrollBehavior`); got != tc.want {
			t.Errorf("prefers-reduced-motion: %s: scroll-behavior %s, want %s", tc.pref, got, tc.want)
		}
	}
}

// A server error is shown in the log, and the page stays usable.
func TestBrowserShowsErrors(t *testing.T) {
	p, srv := openPage(t, newMux(conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, context.DeadlineExceeded
	}), nil), 60*time.Second)
	p.open(srv.URL)
	p.do("send", chromedp.SendKeys(chromedp.CSS("#text"), "bonjour\n"), visible(".msg.error"))
	if got := plain(p.str(`document.querySelector('.msg.error').textContent`)); !strings.Contains(got, "problème technique. (code 500)") {
		t.Errorf("error shown as %q", got)
	}
	if got := p.str(`document.getElementById('text').value`); strings.TrimSpace(got) != "bonjour" {
		t.Errorf("draft = %q after a 500, want it restored", got)
	}
	if d := p.js(`document.getElementById('send').disabled`); d != false {
		t.Errorf("send button disabled=%v after an error", d)
	}
}

// The passage that answers comes first, the whole answer collapsed after
// it; a verdict's receipt downloads as a text file holding the receipt.
// Until the person chooses a language the page sends none, so that the
// server follows each message's language; « english » typed switches the
// page as its button would, and from then on every request carries it.
func TestBrowserLanguageChoice(t *testing.T) {
	fake := &recorder{Reply: scripted}
	p, srv := openPage(t, newMux(fake, nil), 60*time.Second)
	p.open(srv.URL)
	// Each request waits for the previous one to be over (the page sends
	// one at a time); bots counts the page's welcome too.
	ask := func(what, text string, bots int) {
		p.t.Helper()
		p.do(what, waitFor(`!document.getElementById('send').disabled`),
			chromedp.SendKeys(chromedp.CSS("#text"), text+"\n"), botCount(bots))
	}
	ask("ask", "outil", 2)
	ask("english", "english", 3)
	p.do("page in English", waitFor(`document.documentElement.lang === "en"`))
	if got := p.js(`document.querySelector('label[for=text]').textContent`); got != "Your question" {
		t.Errorf("label after « english » = %v; want the page in English", got)
	}
	ask("ask again", "outil", 4)
	msgs := fake.Messages()
	if len(msgs) != 3 || msgs[0].Lang != "" || msgs[1].Lang != "" || msgs[2].Lang != "en" {
		t.Fatalf("languages sent %+v; want none before the choice, then en", msgs)
	}
	p.do("switch", browsertest.Click("#lang"), waitFor(`document.documentElement.lang === "fr"`))
	ask("ask in French", "outil", 5)
	msgs = fake.Messages()
	if len(msgs) != 4 || msgs[3].Lang != "fr" {
		t.Errorf("after the switch, sent %+v; want a fourth request in fr", msgs)
	}
}

// The FAQ's italics and its cited documents' links are rendered from the
// answer's parts (emphasis, links), on the official entries as the engine
// quotes them: italics in the answer and its passage, a link where the
// address is known, and no markup character anywhere.
func TestBrowserEmphasisAndLinks(t *testing.T) {
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	quote := func(id string) conversation.Answer {
		en, ok := kb.Entry(id)
		if !ok {
			t.Fatalf("no entry %s", id)
		}
		return conversation.Quote(kb, en, conversation.LangFR)
	}
	exc, orgs := quote("exceptions"), quote("organisations-concernees")
	if len(exc.Emphasis) != 1 || len(orgs.Links) != 1 {
		t.Fatalf("official content changed: emphasis %q, links %+v", exc.Emphasis, orgs.Links)
	}
	for _, line := range strings.Split(exc.Text, "\n") {
		if strings.Contains(line, exc.Emphasis[0]) {
			exc.Passage = strings.TrimPrefix(line, "- ")
		}
	}
	engine := func(m conversation.Message) (conversation.Reply, error) {
		a := exc
		if m.Text == "lien" {
			a = orgs
		}
		return conversation.Reply{Lang: conversation.LangFR, Answer: &a}, nil
	}
	p, srv := openPage(t, newMux(&recorder{Reply: engine}, nil), 60*time.Second)
	p.open(srv.URL)
	p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "exceptions\n"), visible(".answer .passage"))
	for _, where := range []string{".official", ".passage"} {
		if got := plain(p.str(`document.querySelector('.answer ` + where + ` em').textContent`)); got != exc.Emphasis[0] {
			t.Errorf("%s italics = %q; want %q", where, got, exc.Emphasis[0])
		}
	}
	if got := plain(p.str(`document.querySelector('.answer .official').textContent`)); strings.ContainsAny(got, "*[]#") ||
		!strings.Contains(got, "(voir question « En quoi consiste une démarche structurée ? » ;") {
		t.Errorf("official text rendered as %q; want the words without markup", got)
	}
	if got := p.js(`document.querySelectorAll('.answer .official a').length`); got != float64(0) {
		t.Errorf("%v links in the exceptions answer; want none (no confirmed address)", got)
	}
	p.do("ask link", waitFor(`!document.getElementById('send').disabled`),
		chromedp.SendKeys(chromedp.CSS("#text"), "lien\n"), botCount(3))
	a := `document.querySelector('#log .msg:last-child .answer .official a')`
	if got := p.str(a + `.href`); got != orgs.Links[0].URL {
		t.Errorf("link href = %q; want %q", got, orgs.Links[0].URL)
	}
	if got := plain(p.str(a + `.textContent`)); got != orgs.Links[0].Title {
		t.Errorf("link text = %q; want %q", got, orgs.Links[0].Title)
	}
}

func TestBrowserPassageAndReceipt(t *testing.T) {
	p, srv := openPage(t, newMux(&recorder{Reply: scripted}, nil), 60*time.Second)
	p.open(srv.URL)
	p.do("ask", chromedp.SendKeys(chromedp.CSS("#text"), "passage\n"), visible(".answer .passage"))
	if got := plain(p.str(`document.querySelector('.answer .passage').textContent`)); got != "deuxième critère, celui qui répond;" {
		t.Errorf("passage = %q", got)
	}
	if got := p.js(`document.querySelector('.answer details.full-answer').open`); got != false {
		t.Errorf("full answer open = %v, want collapsed", got)
	}
	if got := p.str(`document.querySelector('.answer .passage-label').textContent`); !strings.Contains(got, "Le passage qui répond") {
		t.Errorf("passage label = %q", got)
	}
	p.do("check", chromedp.SendKeys(chromedp.CSS("#text"), "admissibilite\n"), visible(".choices button"))
	p.do("unknown", browsertest.Click(`button[data-action="individual:unknown"]`), visible(".verdict a.receipt-download"))
	if got := p.str(`document.querySelector('.verdict a.receipt-download').getAttribute('download')`); !strings.HasSuffix(got, ".txt") {
		t.Errorf("download name = %q", got)
	}
	if got := p.str(`document.querySelector('.verdict a.receipt-download').href`); !strings.HasPrefix(got, "blob:") {
		t.Errorf("receipt link = %q, want a blob: download", got)
	}
}
