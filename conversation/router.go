package conversation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
)

// Action ids. They are stable: adapters send them back unchanged, possibly
// long after the reply (an old message's button), so every handler checks
// them against the current session.
const (
	ActHelp         = "help"
	ActEligStart    = "elig:start"
	ActEligBack     = "elig:back"
	ActEligRestart  = "elig:restart"
	ActEligCancel   = "elig:cancel"
	ActEscalate     = "esc"
	ActLangFR       = "lang:fr"
	ActLangEN       = "lang:en"
	actEligAnswer   = "elig:ans:" // + fact + ":" + yes|no|unknown
	actFAQ          = "faq:"      // + entry id
	actFeedback     = "fb:"       // + entry id + ":" + up|down
	actReason       = "fbr:"      // + entry id + ":" + a Reason code
	maxActionID     = 100
	maxButtonLabel  = 75 // Slack's limit on button text, the smallest of the platforms
	maxSuggestions  = 3
	maxVotedEntries = 64
)

type command int

const (
	cmdHelp command = iota + 1
	cmdElig
	cmdBack
	cmdRestart
	cmdCancel
	cmdEsc
	cmdGreet
	cmdThanks
	cmdSubscribe
	cmdUnsubscribe
	cmdLangFR
	cmdLangEN
	cmdLang // offers the choice of language
)

type commandWord struct {
	cmd  command
	lang string // the language the word gives away, "" when shared
}

// commandWords are whole messages, normalized (see normalize).
var commandWords = map[string]commandWord{}

func init() {
	add := func(c command, lang, list string) {
		for _, w := range strings.Split(list, "|") {
			commandWords[w] = commandWord{c, lang}
		}
	}
	add(cmdHelp, LangFR, "aide|menu|au secours|que peux tu faire|que pouvez vous faire")
	add(cmdHelp, LangEN, "help|what can you do")
	add(cmdHelp, "", "?")
	add(cmdElig, LangFR, "admissibilite|verifier|verifier admissibilite|verifier l admissibilite|verification|suis je vise|sommes nous vises")
	add(cmdElig, LangEN, "eligibility|check|check eligibility|am i covered")
	add(cmdBack, LangFR, "retour|precedent|revenir|question precedente")
	add(cmdBack, LangEN, "back|go back|previous")
	add(cmdRestart, LangFR, "recommencer|reprendre|recommencer la verification")
	add(cmdRestart, LangEN, "restart|start over|reset")
	add(cmdCancel, LangFR, "annuler|arreter|quitter|fin")
	add(cmdCancel, LangEN, "cancel|stop|quit|exit")
	add(cmdEsc, LangFR, "escalader|humain|parler a un humain|parler a quelqu un|joindre le mcn|ecrire au mcn|courriel")
	add(cmdEsc, LangEN, "escalate|human|talk to a human|talk to someone|contact the mcn|email")
	add(cmdEsc, "", "contact")
	add(cmdGreet, LangFR, "bonjour|salut|allo|bonsoir|coucou|bon matin|bonjour a vous|allo le robot")
	add(cmdGreet, LangEN, "hello|hi|hey|good morning|good afternoon|good evening|hi there|hello there")
	add(cmdThanks, LangFR, "merci|merci beaucoup|merci bien|merci bonne journee|super merci|parfait merci")
	add(cmdThanks, LangEN, "thanks|thank you|thank you very much|thanks a lot|thx|great thanks")
	add(cmdSubscribe, LangFR, "abonner|s abonner|m abonner|abonnement|abonner ce canal|abonner le canal|s abonner aux changements|s abonner aux mises a jour")
	add(cmdSubscribe, LangEN, "subscribe|subscribe this channel|subscribe to changes|subscribe to updates")
	add(cmdUnsubscribe, LangFR, "desabonner|se desabonner|me desabonner|desabonnement|desabonner ce canal|desabonner le canal")
	add(cmdUnsubscribe, LangEN, "unsubscribe|unsubscribe this channel")
	// A language command says nothing of the reply's language by its own
	// words ("english" typed on a French page): the command sets it.
	add(cmdLangFR, "", "francais|en francais|french|in french|repondez en francais|answer in french")
	add(cmdLangEN, "", "english|en anglais|anglais|in english|answer in english|repondez en anglais")
	add(cmdLang, "", "langue|language|lang|changer de langue|change language")

}

// Words of greetings and thanks, and the words that go with them. A message
// made only of these is small talk, never an FAQ question.
var (
	greetWords  = wordSet("bonjour salut allo bonsoir coucou hello hi hey morning afternoon evening")
	thanksWords = wordSet("merci thanks thank thx")
	talkFiller  = wordSet(`beaucoup bien pour votre ton ta vos tes aide a tous toutes tout le monde vous toi
		you very much lot for your help the all everyone good there again encore mille fois super parfait
		ok okay d accord bonne journee soiree robot bot assistant cool great`)
)

// smallTalk recognizes a greeting or thanks said with a few more words
// ("merci beaucoup pour votre aide", "bonjour à tous").
func smallTalk(n string) (command, bool) {
	greet, thanks := false, false
	for _, w := range strings.Fields(n) {
		switch {
		case thanksWords[w]:
			thanks = true
		case greetWords[w]:
			greet = true
		case !talkFiller[w]:
			return 0, false
		}
	}
	switch {
	case thanks:
		return cmdThanks, true
	case greet:
		return cmdGreet, true
	}
	return 0, false
}

// turn is the handling of one message: the session it reads and changes, and
// what the log line will say.
type turn struct {
	e     *Engine // on the rules the session's dialog started with
	base  *Engine // on the current rules
	ctx   context.Context
	m     Message
	sess  Session
	lang  string
	dirty bool
	kind  string // what the reply was, for the log
	entry string // the entry answered, for the log
	// effects run once the session write (if any) succeeded, so that a turn
	// decided again after a conflict does not count a vote or keep a
	// question twice. effectFailed, if set, replaces the reply when one fails.
	effects      []func() error
	effectFailed *Reply
	// rulesChanged: the dialog's rules were gone and it goes on with the
	// current ones (the reply says so).
	rulesChanged bool

	normIn, normOut string // see normalize
	normOK          bool
}

func (t *turn) ui() *ui { return textFor(t.lang) }

// normalize is normalize(s), once per turn: the language, the command
// words, small talk and the dialog's answers all read the same text.
func (t *turn) normalize(s string) string {
	if t.normIn != s || !t.normOK {
		t.normIn, t.normOut, t.normOK = s, normalize(s), true
	}
	return t.normOut
}

func (t *turn) route() Reply {
	if t.m.Action != "" {
		return t.action(t.m.Action)
	}
	text := strings.TrimSpace(t.m.Text)
	if text == "" {
		t.kind = "empty"
		return Reply{Text: []string{t.ui().empty}, Actions: []Action{t.btn(ActEligStart), t.btn(ActHelp)}}
	}
	text, cut := truncate(text)
	r := t.text(text)
	if cut {
		r.Text = append([]string{t.ui().truncated}, r.Text...)
		if tr := traceOf(t.ctx); tr != nil {
			tr.Truncated = true
		}
	}
	return r
}

func (t *turn) text(text string) Reply {
	n := t.normalize(text)
	if c, ok := commandWords[n]; ok {
		return t.command(c.cmd)
	}
	if c, ok := smallTalk(n); ok {
		return t.command(c)
	}
	if v, ok := rules.ParseNormalized(n); ok {
		// "oui", "3"... answer the dialog; with none to answer, they are no
		// FAQ question either (and must not be kept as unanswered).
		if t.sess.Dialog != nil && t.e.rules != nil {
			return t.answerFact("", string(v))
		}
		return t.noDialog()
	}
	return t.question(text)
}

func (t *turn) command(c command) Reply {
	u := t.ui()
	switch c {
	case cmdHelp:
		t.kind = "help"
		return t.keepDialog(Reply{Text: []string{u.help}, Actions: []Action{t.btn(ActEligStart), t.btn(ActEscalate)}})
	case cmdElig:
		if t.dialogOpen() {
			return t.step()
		}
		return t.startDialog()
	case cmdBack:
		return t.back()
	case cmdRestart:
		return t.startDialog()
	case cmdCancel:
		return t.cancel()
	case cmdEsc:
		return t.escalate()
	case cmdGreet:
		t.kind = "greeting"
		return t.keepDialog(Reply{Text: []string{u.greeting}, Actions: []Action{t.btn(ActEligStart), t.btn(ActHelp)}})
	case cmdThanks:
		t.kind = "thanks"
		return t.keepDialog(Reply{Text: []string{u.thanks}})
	case cmdSubscribe:
		return t.keepDialog(t.subscribe(true))
	case cmdUnsubscribe:
		return t.keepDialog(t.subscribe(false))
	case cmdLangFR:
		return t.chooseLang(LangFR)
	case cmdLangEN:
		return t.chooseLang(LangEN)
	case cmdLang:
		t.kind = "language"
		return Reply{Text: []string{uiText[LangFR].langAsk + " / " + uiText[LangEN].langAsk},
			Actions: []Action{{ID: ActLangFR, Label: uiText[LangFR].langName}, {ID: ActLangEN, Label: uiText[LangEN].langName}}}
	}
	return t.stale()
}

// actionCommands are the fixed buttons, which do what their command does.
var actionCommands = map[string]command{ActHelp: cmdHelp, ActEligStart: cmdElig, ActEligBack: cmdBack,
	ActEligRestart: cmdRestart, ActEligCancel: cmdCancel, ActEscalate: cmdEsc,
	ActSubscribe: cmdSubscribe, ActUnsubscribe: cmdUnsubscribe, ActLangFR: cmdLangFR, ActLangEN: cmdLangEN}

// langCommands are the commands that choose the reply's language.
var langCommands = map[command]string{cmdLangFR: LangFR, cmdLangEN: LangEN}

// chooseLang makes lang the session's language until the person chooses
// another: the text's own language no longer changes it. The turn's
// language is already lang (see replyLang), so the dialog in progress is
// shown again in it.
func (t *turn) chooseLang(lang string) Reply {
	t.kind = "language"
	if !t.sess.LangChosen || t.sess.Lang != lang {
		t.sess.LangChosen = true
		t.dirty = true
	}
	r := t.keepDialog(Reply{Text: []string{textFor(lang).langSet}})
	r.LangChosen = true
	return r
}

func (t *turn) action(id string) Reply {
	if c, ok := actionCommands[id]; ok {
		return t.command(c)
	}
	if id == ActEligReceipt {
		return t.showReceipt()
	}
	switch {
	case strings.HasPrefix(id, actEligAnswer):
		rest := id[len(actEligAnswer):]
		i := strings.LastIndexByte(rest, ':')
		if i <= 0 {
			return t.stale()
		}
		fact, v := rest[:i], rest[i+1:]
		if v != Yes && v != No && v != Unknown {
			return t.stale()
		}
		return t.answerFact(fact, v)
	case strings.HasPrefix(id, actFAQ):
		id, ref, _ := strings.Cut(id[len(actFAQ):], ":")
		r, ok := t.answer(id)
		if ok && ref != "" {
			// A suggestion carries the passage its question pointed at.
			r.Answer.Passage = passageAt(r.Answer.Text, ref)
		}
		if !ok {
			t.kind = "stale"
			r = Reply{Text: []string{t.ui().staleEntry}, Actions: []Action{t.btn(ActHelp)}}
		} else {
			t.taken(id)
		}
		return t.keepDialog(r)
	case strings.HasPrefix(id, actReason):
		rest := id[len(actReason):]
		i := strings.LastIndexByte(rest, ':')
		if i <= 0 || !validReason[rest[i+1:]] {
			return t.stale()
		}
		return t.reason(rest[:i], rest[i+1:])
	case strings.HasPrefix(id, actFeedback):
		rest := id[len(actFeedback):]
		i := strings.LastIndexByte(rest, ':')
		if i <= 0 || (rest[i+1:] != "up" && rest[i+1:] != "down") {
			return t.stale()
		}
		return t.feedback(rest[:i], rest[i+1:] == "up")
	}
	return t.stale()
}

// stale answers an action id that no longer (or never) matched the session.
func (t *turn) stale() Reply {
	t.kind = "stale"
	r := Reply{Text: []string{t.ui().stale}}
	if t.dialogOpen() {
		return t.keepDialog(r)
	}
	r.Actions = []Action{t.btn(ActEligStart), t.btn(ActHelp)}
	return r
}

// question answers free text from the FAQ. During the dialog the pending
// question is shown again after the reply, so the dialog is not lost.
func (t *turn) question(text string) Reply {
	f, err := t.e.search(t.ctx, text)
	if err != nil {
		t.e.log.ErrorContext(t.ctx, "search failed", "err", err)
		t.kind = "error"
		return t.keepDialog(Reply{Text: []string{t.ui().failure}})
	}
	switch f.decision {
	case index.Answer:
		if len(f.ids) > 0 {
			if r, ok := t.answer(f.ids[0]); ok {
				r.Answer.Passage = t.e.passage(text, r.Answer.Question, r.Answer.Text)
				t.review(Review{Kind: ReviewAnswer, Entry: f.ids[0], Band: ConfidenceBand(f.conf)})
				return t.keepDialog(r)
			}
		}
	case index.Ambiguous:
		if s := t.suggestions(text, f.ids); len(s) > 0 {
			t.kind = "ambiguous"
			t.offered(s)
			return t.keepDialog(Reply{Text: []string{t.ui().ambiguous}, Suggestions: s})
		}
	}
	if !f.offTopic {
		// A question about the directive that the FAQ does not answer: a
		// person at the MCN can, during the dialog as well.
		return t.keepDialog(t.fallback(text, f.ids))
	}
	if t.dialogOpen() {
		if !questionLike(text) {
			// Mid-dialog, a word or two near no FAQ entry is most likely a
			// mistyped answer: say what is expected.
			t.kind = "not-choice"
			return t.keepDialog(Reply{Text: []string{t.ui().notChoice}})
		}
		// A real question about something else: said so, kept, and the
		// dialog goes on where it was.
		r := t.offTopic(text)
		r.Text, r.Actions = r.Text[:1], nil
		return t.keepDialog(r)
	}
	return t.offTopic(text)
}

// questionLike tells a question (a "?", or four words or more) from a
// mistyped answer ("ouiii", "peut-être bien").
func questionLike(text string) bool {
	return strings.Contains(text, "?") || len(strings.Fields(text)) >= 4
}

// offTopic answers a message that has nothing to do with the directive:
// the MCN's contact cannot help with it either, so no e-mail is drafted.
// It is still kept as unanswered, so operators see what people expect of
// the bot.
func (t *turn) offTopic(text string) Reply {
	t.kind = "off-topic"
	t.keepUnanswered(text)
	u := t.ui()
	return Reply{Text: []string{u.offTopic, u.help}, Actions: []Action{t.btn(ActEligStart)}}
}

func (t *turn) keepUnanswered(text string) {
	if t.e.noUnan {
		return
	}
	q := Unanswered{Text: RedactNames(text, t.m.Names), Lang: t.lang, At: time.Now()}
	t.effects = append(t.effects, func() error {
		if err := t.e.store.AddUnanswered(t.ctx, q); err != nil {
			t.e.log.ErrorContext(t.ctx, "unanswered question not kept", "err", err)
		}
		return nil
	})
}

func (t *turn) fallback(text string, hits []string) Reply {
	t.kind = "fallback"
	u := t.ui()
	t.keepUnanswered(text)
	esc := t.e.questionDraft(t.lang, text)
	sugg := t.suggestions(text, hits)
	t.offered(sugg)
	return Reply{Text: []string{u.fallback, u.escIntro}, Suggestions: sugg, Escalation: esc,
		Actions: []Action{{Label: u.btnMail, URL: esc.Mailto}}}
}

// answer quotes entry id, with the feedback buttons.
func (t *turn) answer(id string) (Reply, bool) {
	a, ok := t.e.answerOf(id, t.lang)
	if !ok {
		return Reply{}, false
	}
	t.kind, t.entry = "answer", id
	u := t.ui()
	r := Reply{Answer: &a}
	// Feedback first: its place (1 and 2 in the terminal) does not move
	// with the follow-ups an entry has.
	for _, b := range []struct{ vote, label string }{{"up", u.fbUp}, {"down", u.fbDown}} {
		if act, ok := action(actFeedback+id+":"+b.vote, b.label); ok {
			r.Actions = append(r.Actions, act)
		}
	}
	for _, rel := range a.Related {
		r.Actions = append(r.Actions, rel.Action)
	}
	// An entry the eligibility rules cite leads to the check of one's case.
	if t.e.rules != nil && !t.dialogOpen() && t.e.rules.Cites(id) {
		r.Actions = append(r.Actions, t.btn(ActEligStart))
	}
	for _, k := range a.Links {
		r.Actions = append(r.Actions, Action{Label: clip(k.Title, maxButtonLabel), URL: k.URL})
	}
	if a.Source.URL != "" {
		r.Actions = append(r.Actions, Action{Label: clip(LabelsFor(t.lang).OpenSource, maxButtonLabel), URL: a.Source.URL})
	}
	return r, true
}

// suggestions offers entries ids for question; each button opens its entry
// with the passage that answers question, when one stands out.
func (t *turn) suggestions(question string, ids []string) []Suggestion {
	var out []Suggestion
	for _, id := range ids {
		if len(out) == maxSuggestions {
			break
		}
		a, ok := t.e.answerOf(id, t.lang)
		if !ok {
			continue
		}
		act, ok := action(actFAQ+id, SentenceCase(a.Question))
		if i, p := t.e.passagePart(question, a.Question, a.Text); i >= 0 {
			if withPassage, fits := action(actFAQ+id+":"+passageRef(i, p), SentenceCase(a.Question)); fits {
				act, ok = withPassage, true
			}
		}
		if ok {
			out = append(out, Suggestion{EntryID: id, Question: a.Question, Action: act})
		}
	}
	return out
}

func (t *turn) feedback(id string, up bool) Reply {
	u := t.ui()
	if _, ok := t.e.answerOf(id, t.lang); !ok {
		t.kind = "stale"
		return t.keepDialog(Reply{Text: []string{u.staleEntry}})
	}
	t.kind, t.entry = "feedback", id
	for _, v := range t.sess.Voted {
		if v == id {
			return t.keepDialog(Reply{Text: []string{u.fbAlready}})
		}
	}
	t.effects = append(t.effects, func() error {
		err := t.e.store.AddFeedback(t.ctx, id, up)
		if err != nil {
			t.e.log.ErrorContext(t.ctx, "feedback not kept", "err", err)
		}
		return err
	})
	failed := t.keepDialog(Reply{Text: []string{u.failure}})
	t.effectFailed = &failed
	t.sess.Voted = append(t.sess.Voted, id)
	if len(t.sess.Voted) > maxVotedEntries {
		t.sess.Voted = t.sess.Voted[1:]
	}
	t.dirty = true
	if up {
		return t.keepDialog(Reply{Text: []string{u.fbThanks}})
	}
	r := Reply{Text: []string{u.fbWhy}}
	for _, b := range []struct{ code, label string }{{ReasonWrong, u.fbWrong}, {ReasonIncomplete, u.fbIncomplete}, {ReasonUnclear, u.fbUnclear}} {
		if act, ok := action(actReason+id+":"+b.code, b.label); ok {
			r.Actions = append(r.Actions, act)
		}
	}
	return t.keepDialog(r)
}

var validReason = map[string]bool{ReasonWrong: true, ReasonIncomplete: true, ReasonUnclear: true}

// reason keeps why a 👎 was given, once per entry and session, and only
// after the 👎 itself: a stray or replayed button counts nothing.
func (t *turn) reason(id, code string) Reply {
	u := t.ui()
	voted := false
	for _, v := range t.sess.Voted {
		voted = voted || v == id
	}
	if !voted {
		return t.stale()
	}
	t.kind, t.entry = "feedback-reason", id
	for _, v := range t.sess.Reasoned {
		if v == id {
			return t.keepDialog(Reply{Text: []string{u.fbAlready}})
		}
	}
	t.review(Review{Kind: ReviewReason, Entry: id, Reason: code})
	t.sess.Reasoned = append(t.sess.Reasoned, id)
	if len(t.sess.Reasoned) > maxVotedEntries {
		t.sess.Reasoned = t.sess.Reasoned[1:]
	}
	t.dirty = true
	return t.keepDialog(Reply{Text: []string{u.fbWhyThanks}})
}

// review keeps one event for the officer's report once the turn is saved; a
// failure is logged and does not change the reply.
func (t *turn) review(r Review) {
	r.At = time.Now()
	t.effects = append(t.effects, func() error {
		if err := t.e.store.AddReview(t.ctx, r); err != nil {
			t.e.log.ErrorContext(t.ctx, "review event not kept", "err", err)
		}
		return nil
	})
}

// maxOffers bounds the replies with choices a session remembers.
const maxOffers = 4

// offered keeps, for the report, the choices of this reply under one
// random id, remembered by the session until one is taken.
func (t *turn) offered(s []Suggestion) {
	if len(s) == 0 {
		return
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	o := Offer{ID: hex.EncodeToString(b[:])}
	for _, x := range s {
		o.Entries = append(o.Entries, x.EntryID)
		t.review(Review{Kind: ReviewOffered, Entry: x.EntryID, Offer: o.ID})
	}
	t.sess.Offers = append(slices.Clone(t.sess.Offers), o)
	if len(t.sess.Offers) > maxOffers {
		t.sess.Offers = t.sess.Offers[len(t.sess.Offers)-maxOffers:]
	}
	t.dirty = true
}

// taken counts entry id as the choice taken from the latest reply that
// offered it; a follow-up or a citation opened is no choice taken.
func (t *turn) taken(id string) {
	for i := len(t.sess.Offers) - 1; i >= 0; i-- {
		o := t.sess.Offers[i]
		if slices.Contains(o.Entries, id) {
			t.review(Review{Kind: ReviewTaken, Entry: id, Offer: o.ID})
			t.sess.Offers = slices.Delete(slices.Clone(t.sess.Offers), i, i+1)
			t.dirty = true
			return
		}
	}
}

func (t *turn) escalate() Reply {
	t.kind = "escalation"
	var esc *Escalation
	if d := t.sess.Dialog; d != nil && len(d.Answers) > 0 && t.e.rules != nil {
		_, v, err := t.e.step(d.Answers, t.lang)
		if err != nil {
			v = nil
		}
		esc = t.e.dialogDraft(t.lang, d, v)
	} else {
		esc = t.e.genericDraft(t.lang)
	}
	u := t.ui()
	return t.keepDialog(Reply{Text: []string{u.escIntro}, Escalation: esc,
		Actions: []Action{{Label: u.btnMail, URL: esc.Mailto}}})
}

// btn is one of the bot's fixed buttons in the reply's language.
func (t *turn) btn(id string) Action {
	u := t.ui()
	var label, style string
	switch id {
	case ActHelp:
		label = u.btnHelp
	case ActEligStart:
		label, style = u.btnElig, "primary"
	case ActEligBack:
		label = u.btnBack
	case ActEligRestart:
		label = u.btnRestart
	case ActEligCancel:
		label = u.btnCancel
	case ActEscalate:
		label = u.btnEsc
	case ActEligReceipt:
		label = u.btnReceipt
	}
	return Action{ID: id, Label: label, Style: style}
}

// action builds a button whose id carries data, refusing ids over the
// 100-byte limit rather than sending one a platform would reject.
func action(id, label string) (Action, bool) {
	if len(id) > maxActionID {
		return Action{}, false
	}
	return Action{ID: id, Label: clip(label, maxButtonLabel)}, true
}

// actionKind is an action id without its data, for the log.
func actionKind(id string) string {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) >= 2 && parts[0] == "elig" {
		return parts[0] + ":" + parts[1]
	}
	return parts[0]
}
