package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"

	"github.com/qc-ia/conformbot/adapters/console"
)

func init() {
	register(command{
		name:    "chat",
		summary: "discuter avec l'assistant dans le terminal / chat with the bot in the terminal",
		run:     runChat,
	})
}

func runChat(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	lang := fs.String("lang", "fr", "langue par défaut, fr ou en / default language, fr or en")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot chat [--lang fr|en]")
		fmt.Fprintln(env.Stderr, "Tapez le numéro d'un bouton pour le choisir; Ctrl-D pour quitter.")
		fmt.Fprintln(env.Stderr, "Type a button's number to choose it; Ctrl-D to quit.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 || (*lang != "fr" && *lang != "en") {
		fs.Usage()
		return exitUsage
	}
	if !env.Config.Debug {
		// One log line per message would interleave with the conversation.
		env.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	app, cleanup, err := buildApp(ctx, env)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot chat : %v\n", err)
		return exitFail
	}
	defer cleanup()
	in, restore := interruptible(env.Stdin)
	defer restore()
	if err := console.Run(ctx, console.Options{Handler: app.Handler, In: in, Out: env.Stdout, Locale: *lang, Logger: env.Logger}); err != nil {
		fmt.Fprintf(env.Stderr, "bot chat : %v\n", err)
		return exitFail
	}
	return exitOK
}

// interruptible returns a terminal or pipe on stdin in non-blocking mode,
// read through Go's poller, so that Ctrl+C interrupts a pending read (the
// console sets a read deadline) instead of leaving it blocked; restore puts
// the descriptor, shared with the parent shell, back in blocking mode.
func interruptible(in io.Reader) (io.Reader, func()) {
	f, ok := in.(*os.File)
	if !ok {
		return in, func() {}
	}
	fd := int(f.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return in, func() {}
	}
	return os.NewFile(uintptr(fd), f.Name()), func() { _ = syscall.SetNonblock(fd, false) }
}
