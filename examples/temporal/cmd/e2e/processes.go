package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// processes are the programs e2e started, each logging to a file of its
// own; stopAll ends every one still running, by pid.
type processes struct {
	dir  string
	mu   sync.Mutex
	list []*process
}

type process struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

func (ps *processes) start(name string, env []string, path string, args ...string) (*process, error) {
	logPath := filepath.Join(ps.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group: a signal to e2e (Ctrl-C) does not reach it
	// first, and stopAll ends it and anything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.exited) }()
	ps.mu.Lock()
	ps.list = append(ps.list, p)
	ps.mu.Unlock()
	return p, nil
}

// kill ends p at once (SIGKILL), as a crash would, and waits for it.
func (p *process) kill() error {
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("killing %s: %w", p.name, err)
	}
	<-p.exited
	return nil
}

// stopAll asks every process still running to stop (SIGTERM), and kills
// what has not stopped 10 seconds later.
func (ps *processes) stopAll() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.list {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	}
	deadline := time.After(10 * time.Second)
	for _, p := range ps.list {
		select {
		case <-p.exited:
		case <-deadline:
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
		}
	}
}

// showLogs prints the end of every process's log, for a failed run.
func (ps *processes) showLogs() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.list {
		data, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Printf("---- %s (pid %d), last lines of %s\n%s\n", p.name, p.cmd.Process.Pid, p.log, strings.Join(lines[max(0, len(lines)-20):], "\n"))
	}
}

// waitForFile waits for the sandboxes' variables file and reads it.
func waitForFile(ctx context.Context, path string) (map[string]string, error) {
	for {
		if f, err := os.Open(path); err == nil {
			defer f.Close()
			vars := map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if k, v, ok := strings.Cut(sc.Text(), "="); ok {
					vars[k] = v
				}
			}
			return vars, sc.Err()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the sandboxes wrote no %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
