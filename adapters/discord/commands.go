package discord

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Commands are the slash commands: French names by default, English names
// and descriptions as localizations (Discord shows each user their own).
func Commands() []*discordgo.ApplicationCommand {
	en := func(s string) map[discordgo.Locale]string {
		return map[discordgo.Locale]string{discordgo.EnglishUS: s, discordgo.EnglishGB: s}
	}
	ptr := func(m map[discordgo.Locale]string) *map[discordgo.Locale]string { return &m }
	// Usable in servers and in a direct message with the bot.
	contexts := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	return []*discordgo.ApplicationCommand{
		{
			Name:                     CommandAsk,
			NameLocalizations:        ptr(en("ai")),
			Description:              "Poser une question sur la directive IA-RI-2025-001-OP (FAQ officielle)",
			DescriptionLocalizations: ptr(en("Ask a question about directive IA-RI-2025-001-OP (official FAQ)")),
			Contexts:                 contexts,
			Options: []*discordgo.ApplicationCommandOption{{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     optionQuestion,
				NameLocalizations:        en("question"),
				Description:              "Votre question, en français ou en anglais",
				DescriptionLocalizations: en("Your question, in French or English"),
				Required:                 true,
				MaxLength:                MaxMessageLen,
			}},
		},
		{
			Name:                     CommandEligibility,
			NameLocalizations:        ptr(en("eligibility")),
			Description:              "Vérifier si votre usage de l'IA est visé par la directive, question par question",
			DescriptionLocalizations: ptr(en("Check whether your use of AI falls under the directive, one question at a time")),
			Contexts:                 contexts,
		},
		{
			Name:                     CommandSubscribe,
			NameLocalizations:        ptr(en("subscribe")),
			Description:              "Recevoir dans ce canal un message quand la FAQ officielle change",
			DescriptionLocalizations: ptr(en("Get a message in this channel when the official FAQ changes")),
			Contexts:                 contexts,
		},
		{
			Name:                     CommandUnsubscribe,
			NameLocalizations:        ptr(en("unsubscribe")),
			Description:              "Ne plus recevoir dans ce canal les changements de la FAQ officielle",
			DescriptionLocalizations: ptr(en("Stop getting the official FAQ's changes in this channel")),
			Contexts:                 contexts,
		},
	}
}

// RegisterCommands replaces the application's slash commands with
// Commands(): on GuildID at once when set (handy while testing), else
// globally (Discord may take up to an hour to show changes everywhere).
func (a *Adapter) RegisterCommands() error {
	if a.appID == "" || a.s.Token == "" {
		return fmt.Errorf("discord : DISCORD_APP_ID et DISCORD_BOT_TOKEN requis / required")
	}
	got, err := a.s.ApplicationCommandBulkOverwrite(a.appID, a.guildID, Commands())
	if err != nil {
		return fmt.Errorf("discord : enregistrement des commandes / registering commands: %w", redact(err))
	}
	a.log.Info("slash commands registered", "count", len(got), "guild", a.guildID != "")
	return nil
}
