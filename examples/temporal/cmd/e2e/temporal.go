package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// startTemporal starts `temporal server start-dev` on 127.0.0.1, on free
// ports, and returns its frontend address.
func startTemporal(ctx context.Context, procs *processes, cli string) (string, error) {
	ports, err := freePorts(3)
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	_, err = procs.start("temporal", nil, cli, "server", "start-dev", "--ip", "127.0.0.1", "--headless",
		"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
		"--log-level", "warn")
	if err != nil {
		return "", fmt.Errorf("%w (install it: go install github.com/temporalio/cli/cmd/temporal@v1.5.1, or run make e2e)", err)
	}
	return addr, nil
}

// dialTemporal connects once the server answers its health check.
func dialTemporal(ctx context.Context, addr string) (client.Client, error) {
	quiet := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	var last error
	for {
		c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: quiet})
		if err == nil {
			if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				return c, nil
			}
			c.Close()
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the Temporal server at %s never answered: %v", addr, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
