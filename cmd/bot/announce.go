package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/store"
)

// Announcement delivery: how often a replica looks for queued deliveries
// (another replica may have queued them), how long one claim hides a
// delivery from the others, how long a failed one waits, and after how
// many failures in a row a channel is unsubscribed.
const (
	announcePoll        = 30 * time.Second
	announceLease       = 2 * time.Minute
	announceRetry       = 5 * time.Minute
	announceMaxFailures = 3
	announceTimeout     = time.Minute // one channel's delivery, the adapter's retries included
	announceBatch       = 20
)

// announcer tells the subscribed channels what changed in the official
// content. Every replica runs one: the store decides which replica queues
// an announcement (the first to publish the new content version) and
// hands each queued delivery to one replica at a time, so each channel
// gets one message per change, even across restarts.
type announcer struct {
	st    store.Announcements
	outs  map[string]conversation.Announcer // by platform
	log   *slog.Logger
	wake  chan struct{}
	poll  time.Duration
	retry time.Duration
}

func newAnnouncer(st store.Announcements, outs map[string]conversation.Announcer, log *slog.Logger) *announcer {
	return &announcer{st: st, outs: outs, log: log.With("component", "announce"), wake: make(chan struct{}, 1),
		poll: announcePoll, retry: announceRetry}
}

// publish records kb's official content as published; if it differs from
// what was published before (by any replica, before any restart), one
// announcement is queued for every subscribed channel. The first content
// ever published is a baseline and announces nothing.
func (a *announcer) publish(ctx context.Context, kb *faq.KB) error {
	cur := conversation.Summarize(kb)
	next := cur.Version()
	sum, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 3; attempt++ {
		ver, prevSum, err := a.st.Published(ctx)
		if err != nil {
			return err
		}
		if ver == next {
			return nil
		}
		var body []byte
		var ann conversation.Announcement
		if ver != "" {
			var prev conversation.ContentSummary
			if err := json.Unmarshal(prevSum, &prev); err != nil {
				a.log.Warn("published content summary unreadable; recording the current content without announcing", "err", err)
			} else if ch, ok := conversation.Changes(prev, kb); ok {
				ann = ch
				if body, err = json.Marshal(ch); err != nil {
					return err
				}
			}
		}
		won, err := a.st.Publish(ctx, ver, next, sum, body)
		if err != nil {
			return err
		}
		if !won {
			continue // another replica published meanwhile: compare with what it published
		}
		switch {
		case ver == "":
			a.log.Info("official content recorded; later changes will be announced", "version", next)
		case body == nil:
			a.log.Info("official content version recorded, nothing to announce", "version", next)
		default:
			a.log.Info("announcement queued for the subscribed channels", "version", next,
				"added", len(ann.Added), "changed", len(ann.Changed), "removed", len(ann.Removed),
				"document_date", ann.Date.Format("2006-01-02"))
			a.kick()
		}
		return nil
	}
	return errors.New("publish: the published content kept changing")
}

func (a *announcer) kick() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// run delivers queued announcements until ctx ends: at once when this
// replica queued some, else every poll.
func (a *announcer) run(ctx context.Context) {
	t := time.NewTicker(a.poll)
	defer t.Stop()
	for {
		a.deliver(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.wake:
		}
	}
}

// deliver sends every due delivery for the platforms this replica runs.
func (a *announcer) deliver(ctx context.Context) {
	platforms := slices.Sorted(maps.Keys(a.outs))
	if len(platforms) == 0 {
		return
	}
	for ctx.Err() == nil {
		ds, err := a.st.ClaimDeliveries(ctx, platforms, announceBatch, announceLease)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Error("announcements not read from the store", "err", err)
			}
			return
		}
		if len(ds) == 0 {
			return
		}
		for _, d := range ds {
			a.send(ctx, d)
		}
	}
}

func (a *announcer) send(ctx context.Context, d store.Delivery) {
	log := a.log.With("platform", d.Channel.Platform, "channel", d.Channel.ID)
	var ann conversation.Announcement
	err := json.Unmarshal(d.Body, &ann)
	if err == nil {
		sctx, cancel := context.WithTimeout(ctx, announceTimeout)
		err = a.outs[d.Channel.Platform].Announce(sctx, d.Channel, ann.Reply(d.Channel.Lang))
		cancel()
	}
	if err == nil {
		if err := a.st.Delivered(ctx, d.ID); err != nil {
			log.Error("announcement sent but not marked so; it may be sent again", "err", err)
			return
		}
		log.Info("announcement sent")
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the claim lapses and another replica (or the next start) sends it
	}
	dropped, ferr := a.st.DeliveryFailed(ctx, d.ID, a.retry, announceMaxFailures)
	switch {
	case ferr != nil:
		log.Error("announcement failed and the failure not recorded", "err", err, "store_err", ferr)
	case dropped:
		log.Warn("channel unsubscribed: the bot could not post there "+strconv.Itoa(announceMaxFailures)+" times in a row (removed from the channel, or lost its permission?); « abonner » there subscribes it again",
			"err", err)
	default:
		log.Warn("announcement not delivered; retrying later", "err", err, "failures", d.Failures+1, "retry_in", a.retry)
	}
}

// startAnnouncer runs the announcements of bot serve over the adapters
// that can post unprompted, after recording the content it starts with
// (content changed while no replica ran is announced now). It returns a
// function that stops it and waits.
func startAnnouncer(ctx context.Context, app *App, adapters []namedAdapter) (stop func()) {
	if app.Store == nil {
		return func() {}
	}
	outs := map[string]conversation.Announcer{}
	for _, a := range adapters {
		if an, ok := a.Adapter.(conversation.Announcer); ok {
			outs[a.name] = an
		}
	}
	an := newAnnouncer(app.Store, outs, app.Logger)
	app.announce.Store(an)
	app.contentLoaded(ctx)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		an.run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// contentLoaded publishes the content now answering, for the announcer
// (if bot serve runs one) to tell the subscribed channels what changed.
func (app *App) contentLoaded(ctx context.Context) {
	an := app.announce.Load()
	if an == nil {
		return
	}
	kb := app.KB
	if app.live != nil {
		kb = app.live.cur.Load().kb
	}
	if kb == nil {
		return
	}
	if err := an.publish(ctx, kb); err != nil && ctx.Err() == nil {
		an.log.Error("content change not announced", "err", err)
	}
}
