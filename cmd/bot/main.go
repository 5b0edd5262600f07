// Command bot answers questions about directive IA-RI-2025-001-OP from the
// official FAQ and runs the eligibility check, in a terminal, a web chat,
// Slack, Microsoft Teams and Discord. Each subcommand lives in its own file
// and registers itself in commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Env is what a subcommand gets: its streams and the configuration. Only this
// package reads the process environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Config Config
	Logger *slog.Logger
}

type command struct {
	name    string
	summary string // one line, French then English
	run     func(ctx context.Context, env *Env, args []string) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("bot: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// parseFlags parses a subcommand's flags; stop says to return code at once:
// exitOK after -h, exitUsage after a bad flag (the flag package said why).
func parseFlags(fs *flag.FlagSet, args []string) (code int, stop bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	}
	return exitUsage, true
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" || args[0] == "aide" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "bot : commande inconnue « %s » / unknown command %q\n\n", args[0], args[0])
		usage(stderr)
		return exitUsage
	}
	cfg, err := LoadConfig(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "bot : configuration invalide / invalid configuration: %v\n", err)
		return exitUsage
	}
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Config: cfg, Logger: newLogger(stderr, cfg)}
	return c.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Utilisation / usage: bot <commande> [options]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "« bot <commande> -h » décrit une commande / describes a command.")
}

func newLogger(w io.Writer, cfg Config) *slog.Logger {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
