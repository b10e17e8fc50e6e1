package flow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

func startSMTP(t *testing.T, password string) *flowtest.SMTPServer {
	srv, err := flowtest.StartSMTP(password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestSMTPMailerSendsOncePerKey(t *testing.T) {
	srv := startSMTP(t, "pw-SENTINEL-8f3a")
	m, err := flow.NewSMTPMailer("smtp://shop:pw-SENTINEL-8f3a@" + srv.Addr() + "?from=orders@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	msg := flow.Message{To: "ada@example.com", Subject: "Your order 1001 has shipped", Body: "Hello Ada,\nit is on its way.\n"}
	for i, wantAgain := range []bool{false, true} {
		again, err := m.Send(ctx, "pb-key-1001", msg)
		if err != nil || again != wantAgain {
			t.Fatalf("send %d: again=%v err=%v", i, again, err)
		}
	}
	got := srv.Messages()
	if len(got) != 1 || srv.Distinct() != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	for _, want := range []string{"From: orders@example.com\r\n", "To: ada@example.com\r\n", "Subject: Your order 1001 has shipped\r\n",
		"Message-ID: <pb-key-1001@patchbay>\r\n", "\r\n\r\nHello Ada,\r\nit is on its way.\r\n"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("message lacks %q:\n%s", want, got[0])
		}
	}
}

// A refused login is an error that names the problem and never the password.
func TestSMTPMailerKeepsThePasswordOut(t *testing.T) {
	srv := startSMTP(t, "the-right-one")
	m, err := flow.NewSMTPMailer("smtp://shop:pw-SENTINEL-8f3a@" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Send(context.Background(), "k", flow.Message{To: "ada@example.com", Subject: "s", Body: "b"})
	if err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("err = %v, want the server's refusal", err)
	}
	if strings.Contains(err.Error(), "SENTINEL") {
		t.Fatalf("the password leaked into the error: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a message went through a refused login")
	}
}

func TestSMTPMailerRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{"", "mailto:ada@example.com", "smtp://", "http://host:25"} {
		if _, err := flow.NewSMTPMailer(raw); err == nil || !strings.Contains(err.Error(), "smtp://") {
			t.Errorf("%q: err = %v", raw, err)
		}
	}
}
