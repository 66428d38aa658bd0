package kubeenv

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds Start in Main: a cold kube-apiserver is ready in ≈10 s,
// slower on a busy machine.
const StartTimeout = 3 * time.Minute

// Main runs a package's tests against one shared Env: call it from TestMain
// with a pointer to the package's env variable. It never skips: a missing
// binary fails the run with the fix in the message.
//
//	var env *kubeenv.Env
//	func TestMain(m *testing.M) { kubeenv.Main(m, &env) }
func Main(m *testing.M, env **Env, opts ...Option) {
	os.Exit(run(m, env, opts))
}

func run(m *testing.M, env **Env, opts []Option) int {
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	e, err := Start(ctx, opts...)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubeenv: start: %v\n", err)
		return 1
	}
	*env = e
	// Interrupting the run still removes the temp dir (the processes would
	// die anyway through Pdeathsig).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; ok {
			_ = e.Stop()
			os.Exit(1)
		}
	}()
	code := m.Run()
	signal.Stop(sigs)
	close(sigs)
	if err := e.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "kubeenv: stop: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// TestTimeout bounds one test's requests to the API server, so a hung
// server fails the test instead of the whole run's deadline.
const TestTimeout = 3 * time.Minute

// TestContext is the context for one test's requests: cancelled when the
// test and its clean-ups are done, or after TestTimeout.
func TestContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), TestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// Lazy is an Env started on the first test that asks for it, for a
// package whose tests do not all need an API server: the others run
// without one. The zero value is ready to use with MainLazy.
type Lazy struct {
	once sync.Once
	env  *Env
	err  error
}

// Env starts the shared Env if no test has yet and returns it; t fails
// when it cannot start, with the fix in the message.
func (l *Lazy) Env(t testing.TB) *Env {
	t.Helper()
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
		defer cancel()
		l.env, l.err = Start(ctx)
	})
	if l.err != nil {
		t.Fatalf("kubeenv: start: %v", l.err)
	}
	return l.env
}

// MainLazy runs a package's tests with l, stopping its Env (if a test
// started one) at the end:
//
//	var env kubeenv.Lazy
//	func TestMain(m *testing.M) { kubeenv.MainLazy(m, &env) }
func MainLazy(m *testing.M, l *Lazy) {
	code := m.Run()
	if l.env != nil {
		if err := l.env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "kubeenv: stop: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}
