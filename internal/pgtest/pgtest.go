// Package pgtest gives each test a PostgreSQL database of its own.
//
// URL(t) returns the URL of a new, empty database, dropped when the test
// ends. Where the server comes from:
//
//   - PATCHBAY_POSTGRES_URL, if set: a server you run (the role needs
//     CREATEDB). Each test gets a database created on it.
//   - otherwise a throwaway server, started once per test binary: initdb in
//     a temporary directory with the binaries of `pg_config --bindir` or
//     /usr/lib/postgresql/*/bin, listening only on a unix socket in that
//     directory, with fsync off. When the tests run as root, initdb and
//     postgres run as the "postgres" user (or "nobody"), since PostgreSQL
//     refuses to run as root.
//
// Without either, the test is skipped with a message saying how to run it;
// under CI=true it fails instead, so that CI cannot skip it silently.
//
// A test binary that uses URL stops the throwaway server on exit through
// Main, which composes with goleak:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL names the variable that points the tests at a server of your own.
const EnvURL = "PATCHBAY_POSTGRES_URL"

const howTo = "PostgreSQL tests need a server: install PostgreSQL (Debian: apt-get install postgresql) " +
	"so that initdb is found through pg_config or /usr/lib/postgresql/*/bin, or set " + EnvURL +
	"=postgres://user:pass@host:5432/postgres?sslmode=disable (a role with CREATEDB)"

var (
	mu      sync.Mutex
	started bool
	srv     *server // the throwaway server, once started
	base    string  // the URL tests' databases are made on
	skipMsg string  // why there is no server: the binaries are missing
	failMsg string  // why there is no server: it would not start
	seq     int
)

// URL returns the URL of a new database for t, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := adminURL(t)
	name := dbName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer db.Close()
		// FORCE (PostgreSQL 13+) ends connections a test left open.
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// adminURL returns the URL of a database to run CREATE DATABASE on,
// starting the throwaway server the first time.
func adminURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		s, skip, err := start()
		switch {
		case skip != "":
			skipMsg = skip
		case err != nil:
			failMsg = err.Error()
		default:
			srv, base = s, s.url
		}
	}
	if fatal, msg := verdict(skipMsg, failMsg, os.Getenv("CI") == "true"); fatal {
		t.Fatal(msg)
	} else if msg != "" {
		t.Skip(msg)
	}
	return base
}

// verdict says what a test does without a server: fail (a server that
// would not start, or any missing server under CI) or skip, with how to
// run it. No message: there is a server.
func verdict(skipMsg, failMsg string, ci bool) (fatal bool, msg string) {
	switch {
	case failMsg != "":
		return true, "pgtest: the throwaway PostgreSQL server did not start: " + failMsg + "\n" + howTo
	case skipMsg != "" && ci:
		return true, "pgtest: " + skipMsg + " (CI=true: not skipping)\n" + howTo
	case skipMsg != "":
		return false, "pgtest: " + skipMsg + ". " + howTo
	}
	return false, ""
}

// dbName is a database name unique to this test and run.
func dbName(t testing.TB) string {
	mu.Lock()
	seq++
	n := seq
	mu.Unlock()
	var b [4]byte
	_, _ = rand.Read(b[:])
	var clean strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			clean.WriteRune(r)
		} else {
			clean.WriteByte('_')
		}
	}
	name := clean.String()
	if len(name) > 30 {
		name = name[:30]
	}
	return "pgtest_" + strconv.Itoa(n) + "_" + hex.EncodeToString(b[:]) + "_" + name
}

// Main wraps m so that the throwaway server, if a test started one, stops
// when the tests have run.
func Main(m interface{ Run() int }) interface{ Run() int } { return mainM{m} }

type mainM struct{ m interface{ Run() int } }

func (w mainM) Run() int {
	code := w.m.Run()
	mu.Lock()
	s := srv
	srv, started, base = nil, false, ""
	mu.Unlock()
	if s != nil {
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// binDir finds the directory holding initdb and postgres.
func binDir() (string, bool) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return false
			}
		}
		return true
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); has(dir) {
			return dir, true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The newest major version first: "9.6" < "15" needs a numeric sort.
	major := func(d string) int {
		n, _ := strconv.Atoi(strings.SplitN(filepath.Base(filepath.Dir(d)), ".", 2)[0])
		return n
	}
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, true
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), true
	}
	return "", false
}

type server struct {
	dir  string
	cmd  *exec.Cmd
	done chan error
	url  string
}

// start runs initdb and postgres in a new temporary directory. skip is set
// when PostgreSQL is not installed.
func start() (s *server, skip string, err error) {
	bin, ok := binDir()
	if !ok {
		return nil, "PostgreSQL is not installed (no initdb found)", nil
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	cred, err := runAs(dir)
	if err != nil {
		return nil, "", err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = cred
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	// No TCP: a unix socket in the temp dir cannot clash with another
	// server or test binary.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-c", "listen_addresses=",
		"-F", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200")
	cmd.SysProcAttr = cred
	cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, "", err
	}
	defer logf.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting postgres: %w", err)
	}
	s = &server{dir: dir, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	s.url = (&url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode()}).String()
	if err := s.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		s.stop()
		return nil, "", fmt.Errorf("%w; server log:\n%s", err, log)
	}
	return s, "", nil
}

func (s *server) waitReady(limit time.Duration) error {
	db, err := sql.Open("pgx", s.url)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-s.done:
			s.done <- werr
			return fmt.Errorf("postgres exited: %v", werr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %v: %w", limit, err)
		}
	}
}

// stop asks for a fast shutdown (SIGINT), waits for it, and removes the
// directory.
func (s *server) stop() error {
	var err error
	if sigErr := s.cmd.Process.Signal(fastShutdown); sigErr != nil && !errors.Is(sigErr, os.ErrProcessDone) {
		err = sigErr
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		err = errors.New("postgres did not stop in 30s; killed")
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
		err = rmErr
	}
	return err
}
