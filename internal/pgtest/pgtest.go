// Package pgtest gives tests a private schema on the PostgreSQL server
// named by TEST_DATABASE_URL (.ci/run starts a throwaway one); without it,
// Main starts a throwaway server where PostgreSQL is installed, and URL
// skips the test, saying why, where none can be started.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the test server.
const EnvURL = "TEST_DATABASE_URL"

// URL returns a DSN whose search_path is a fresh schema, dropped when the
// test ends; it skips the test when no server answers.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("PostgreSQL test skipped: %s is not set and no throwaway server could be started (%v); "+
			"install postgresql, or set it (e.g. postgres://bot@127.0.0.1:5432/postgres?sslmode=disable); .ci/run does both", EnvURL, startErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Skipf("PostgreSQL test skipped: no server at %s: %v", EnvURL, err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Database returns a DSN of a fresh database, dropped when the test ends,
// for a test that other tests' sessions must not disturb: VACUUM keeps the
// rows any open transaction of the same database could still see. It skips
// the test when no server answers or the role may not create databases.
func Database(t testing.TB) string {
	t.Helper()
	URL(t) // skips without a server
	base := os.Getenv(EnvURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Skipf("PostgreSQL test skipped: %v", err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Skipf("PostgreSQL test skipped: the role of %s cannot create a database: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

var startErr = errors.New("pgtest.Main not used")

// Main runs a package's tests (call it from TestMain) with a throwaway
// PostgreSQL server in a temporary directory when TEST_DATABASE_URL is not
// set and the server binaries are installed, and stops it afterwards.
func Main(m *testing.M) int {
	if os.Getenv(EnvURL) != "" {
		return m.Run()
	}
	dsn, stop, err := startServer()
	startErr = err
	if err == nil {
		os.Setenv(EnvURL, dsn)
		defer stop()
	}
	return m.Run()
}

// startServer runs initdb and pg_ctl, as the postgres user when root
// (PostgreSQL refuses to run as root), on a free loopback port.
func startServer() (dsn string, stop func(), err error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(bins)
	initdb := ""
	if len(bins) > 0 {
		initdb = bins[len(bins)-1]
	} else if p, err := exec.LookPath("initdb"); err == nil {
		initdb = p
	}
	if initdb == "" {
		return "", nil, errors.New("no initdb found")
	}
	bin := filepath.Dir(initdb)
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return "", nil, err
	}
	var prefix []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("running as root and no postgres user to run the server: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) error {
		all := append(append(prefix, filepath.Join(bin, name)), args...)
		cmd := exec.Command(all[0], all[1:]...)
		cmd.Dir = dir // readable by the server's user, unlike a checkout under /root
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "bot", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "-o", opts, "start"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop = func() {
		_ = run("pg_ctl", "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	// A test binary killed before stop runs (a -timeout panic, ^C) must not
	// leave the server behind: a detached watchdog stops it once this
	// process is gone.
	stopCmd := strings.Join(append(append([]string(nil), prefix...), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"), " ")
	w := exec.Command("sh", "-c", fmt.Sprintf("while [ -d /proc/%d ]; do sleep 1; done; cd /; %s >/dev/null 2>&1; rm -rf %s",
		os.Getpid(), stopCmd, dir))
	w.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if w.Start() == nil {
		_ = w.Process.Release()
	}
	return fmt.Sprintf("postgres://bot@127.0.0.1:%d/postgres?sslmode=disable", port), stop, nil
}
