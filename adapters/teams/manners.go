package teams

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// typingAfter: an answer quicker than this shows no typing indicator;
// typingBudget bounds the indicator's own send.
const (
	typingAfter  = 700 * time.Millisecond
	typingBudget = 2 * time.Second
)

// typing sends the typing indicator once the answer has taken typingAfter;
// stop cancels it (and waits for a send in flight, so that the indicator
// never follows the answer).
func (a *Adapter) typing(ctx context.Context, act *Activity) (stop func()) {
	if act.Type != "message" {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTimer(a.typingAfter)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		endpoint, err := activityURL(act.ServiceURL, act.Conversation.ID, "")
		if err != nil {
			return
		}
		out := &outActivity{Type: "typing", From: &act.Recipient, Conversation: Conversation{ID: act.Conversation.ID}}
		// A slow connector must not hold the answer back for a hint.
		tctx, cancel := context.WithTimeout(ctx, typingBudget)
		defer cancel()
		if err := a.conn.send(tctx, endpoint, out); err != nil {
			a.log.Debug("typing indicator not sent", "err", err)
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// createConversation is the body of POST /v3/conversations.
type createConversation struct {
	Bot         Account   `json:"bot"`
	Members     []Account `json:"members"`
	TenantID    string    `json:"tenantId,omitempty"`
	IsGroup     bool      `json:"isGroup"`
	ChannelData struct {
		Tenant struct {
			ID string `json:"id,omitempty"`
		} `json:"tenant"`
	} `json:"channelData"`
}

// personal opens (or finds: the connector returns the existing one) the
// one-to-one chat between the bot and act's sender.
func (a *Adapter) personal(ctx context.Context, act *Activity) (string, error) {
	u, err := url.Parse(act.ServiceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("invalid serviceUrl")
	}
	body := createConversation{Bot: Account{ID: act.Recipient.ID}, Members: []Account{{ID: act.From.ID}}, TenantID: act.tenant()}
	body.ChannelData.Tenant.ID = act.tenant()
	id, err := a.conn.do(ctx, http.MethodPost, strings.TrimSuffix(act.ServiceURL, "/")+"/v3/conversations", body)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", errors.New("connector: no conversation id")
	}
	return id, nil
}

// private posts r to act's sender in their one-to-one chat; where that
// chat cannot be opened (the app not installed for them), it replies in
// the thread rather than not at all.
func (a *Adapter) private(ctx context.Context, act *Activity, r conversation.Reply) error {
	conv, err := a.personal(ctx, act)
	if err != nil {
		a.log.Info("one-to-one chat not opened: replying in the thread", "err", err)
		return a.post(ctx, act, mustURL(act.ServiceURL, act.Conversation.ID, act.ID), act.Conversation.ID, act.ID, a.liveKey(act), r)
	}
	pact := *act
	pact.Conversation = Conversation{ID: conv, ConversationType: "personal"}
	endpoint, err := activityURL(act.ServiceURL, conv, "")
	if err != nil {
		return err
	}
	return a.post(ctx, &pact, endpoint, conv, "", a.liveKey(&pact), r)
}

func mustURL(serviceURL, conv, replyTo string) string {
	u, _ := activityURL(serviceURL, conv, replyTo)
	return u
}

// continuePrivately moves an eligibility check started in a channel or
// group chat to the person's one-to-one chat: the check starts there, the
// thread's is cancelled, and the thread gets a one-line notice.
func (a *Adapter) continuePrivately(ctx context.Context, act *Activity, m conversation.Message) error {
	conv, err := a.personal(ctx, act)
	if err != nil {
		return err
	}
	pm := m
	pm.ConversationID, pm.ThreadID, pm.Text, pm.Action = conv, "", "", conversation.ActEligStart
	pm.Channel = conversation.Channel{ID: conv, Address: act.ServiceURL}
	reply, _ := a.rt.Handle(ctx, pm)
	pact := *act
	pact.Conversation = Conversation{ID: conv, ConversationType: "personal"}
	endpoint, err := activityURL(act.ServiceURL, conv, "")
	if err != nil {
		return err
	}
	if err := a.post(ctx, &pact, endpoint, conv, "", a.liveKey(&pact), reply); err != nil {
		return err
	}
	cm := m
	cm.Text, cm.Action = "", conversation.ActEligCancel
	_, _ = a.rt.Handle(ctx, cm) // the thread keeps no half-open check
	l := conversation.LabelsFor(reply.Lang)
	notice := conversation.Reply{Lang: reply.Lang, Text: []string{l.ContinuedPrivately}}
	if err := a.reply(ctx, act, notice); err != nil {
		a.log.Error("thread notice not delivered", "err", err)
	}
	return nil
}
