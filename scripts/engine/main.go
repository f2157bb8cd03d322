// Command bulwark-engine runs k6-API JavaScript scenarios (CommonJS bundles) on goja.
//
//	bulwark-engine version
//	bulwark-engine inspect <bundle.js>
//	bulwark-engine run [flags] <bundle.js>
//
// Exit codes: see runner/exitcodes.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"bulwark.dev/engine/executor"
	"bulwark.dev/engine/runner"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if code, gone := watchParent(); gone {
		return code
	}
	setGCDefaults()
	if len(args) == 0 {
		usageError("missing command: version, inspect or run", "json")
		return runner.ExitUsage
	}
	switch args[0] {
	case "version", "--version", "-v":
		fmt.Printf("bulwark-engine %s\n", version)
		return runner.ExitPassed
	case "inspect":
		config, _, err := parseFlags("inspect", args[1:])
		if err != nil {
			usageError(err.Error(), config.LogFormat)
			return runner.ExitUsage
		}
		return runner.Inspect(context.Background(), config)
	case "run":
		config, watchStdin, err := parseFlags("run", args[1:])
		if err != nil {
			usageError(err.Error(), config.LogFormat)
			return runner.ExitUsage
		}
		ctx, stop := handleSignals(config)
		defer stop()
		if watchStdin {
			go watchStdinEOF(config)
		}
		defer startProfiles()()
		return runner.Run(ctx, config)
	}
	usageError(fmt.Sprintf("unknown command %q: version, inspect or run", args[0]), "json")
	return runner.ExitUsage
}

// parseFlags reads the flags of run and inspect; flags may come before or after the bundle path.
func parseFlags(command string, args []string) (runner.Config, bool, error) {
	config := runner.Config{Env: map[string]string{}, LogFormat: "json", Stdout: os.Stdout, Stderr: os.Stderr,
		IsStdOutTTY: isTerminal(os.Stdout), IsStdErrTTY: isTerminal(os.Stderr)}
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var (
		out, outMetrics, startAt, logFormat string
		segment, sequence                   string
		runnerID                            int64
		watchStdin                          bool
	)
	flags.StringVar(&out, "out", "", "stream samples: json=<path>")
	flags.StringVar(&outMetrics, "out-metrics", "", "only these metrics in the stream, comma-separated")
	flags.StringVar(&config.SummaryJSON, "summary-json", "", "write the summary data as JSON to this path")
	flags.Var(envFlag(config.Env), "e", "KEY=VALUE for __ENV (repeatable)")
	flags.BoolVar(&watchStdin, "watch-stdin", false, "exit (31) when standard input closes")
	flags.Int64Var(&runnerID, "runner-id", 0, "0..1023, part of every iteration id")
	flags.StringVar(&startAt, "start-at", "", "RFC3339 instant to start the scenarios at, after setup()")
	flags.StringVar(&segment, "execution-segment", "", "this runner's part of the test, e.g. 1/3:2/3")
	flags.StringVar(&sequence, "execution-segment-sequence", "", "every runner's boundaries, e.g. 0,1/3,2/3,1")
	flags.BoolVar(&config.SummaryHistograms, "summary-histograms", false, "add every trend's histogram buckets to the summary (for merging runners)")
	flags.BoolVar(&config.InsecureSkipTLSVerify, "insecure-skip-tls-verify", false, "do not verify TLS certificates")
	flags.StringVar(&logFormat, "log-format", "json", "stderr log format: json or text")

	var positional []string
	for {
		if err := flags.Parse(args); err != nil {
			return config, false, fmt.Errorf("%s: %v", command, err)
		}
		if flags.NArg() == 0 {
			break
		}
		positional = append(positional, flags.Arg(0))
		args = flags.Args()[1:]
	}
	if logFormat != "json" && logFormat != "text" {
		return config, false, fmt.Errorf("--log-format: %q is neither json nor text", logFormat)
	}
	config.LogFormat = logFormat
	if len(positional) != 1 {
		return config, false, fmt.Errorf("%s needs exactly one bundle path, got %d arguments", command, len(positional))
	}
	config.Bundle = positional[0]
	if out != "" {
		path, ok := strings.CutPrefix(out, "json=")
		if !ok || path == "" {
			return config, false, fmt.Errorf("--out: %q is not json=<path>", out)
		}
		config.OutJSON = path
	}
	if outMetrics != "" {
		for _, name := range strings.Split(outMetrics, ",") {
			if name = strings.TrimSpace(name); name != "" {
				config.OutMetrics = append(config.OutMetrics, name)
			}
		}
	}
	if runnerID < 0 || runnerID > 1023 {
		return config, false, fmt.Errorf("--runner-id: %d is outside 0..1023", runnerID)
	}
	config.RunnerID = runnerID
	if startAt != "" {
		at, err := time.Parse(time.RFC3339Nano, startAt)
		if err != nil {
			return config, false, fmt.Errorf("--start-at: %q is not an RFC3339 time", startAt)
		}
		config.StartAt = at
	}
	stripe, err := executor.NewStripe(segment, sequence)
	if err != nil {
		return config, false, err
	}
	config.Stripe = stripe
	return config, watchStdin, nil
}

// envFlag collects -e KEY=VALUE.
type envFlag map[string]string

func (e envFlag) String() string { return "" }

func (e envFlag) Set(value string) error {
	key, val, ok := strings.Cut(value, "=")
	if !ok || key == "" {
		return fmt.Errorf("-e wants KEY=VALUE") // never echo the value: it may be a secret
	}
	e[key] = val
	return nil
}

// handleSignals: the first SIGINT/SIGTERM cancels the test (the runner then tears down, writes the
// summary and exits 30); a second one exits at once.
func handleSignals(config runner.Config) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		first := true
		for sig := range signals {
			if !first {
				logLine(config.LogFormat, "error", "second "+sig.String()+": exiting at once", "internal")
				os.Exit(runner.ExitInterrupted)
			}
			first = false
			logLine(config.LogFormat, "warn", sig.String()+": stopping the test (teardown and summary follow; signal again to exit at once)", "internal")
			cancel()
		}
	}()
	return ctx, func() { signal.Stop(signals); cancel() }
}

// watchStdinEOF is the hard stop: when standard input ends or fails, exit at once, mid-request or
// not, without a summary.
func watchStdinEOF(config runner.Config) {
	buffer := make([]byte, 512)
	for {
		if _, err := os.Stdin.Read(buffer); err != nil {
			logLine(config.LogFormat, "error", "standard input closed (--watch-stdin): hard stop", "internal")
			os.Exit(runner.ExitStdinClosed)
		}
	}
}

// setGCDefaults: without GOGC in the environment, collect less often (GC dominates the CPU profile
// of a load run) under a memory limit of 1 GiB or half the physical memory, whichever is smaller.
func setGCDefaults() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(400)
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(1 << 30)
	if physical := physicalMemory(); physical > 0 {
		limit = min(limit, physical/2)
	}
	debug.SetMemoryLimit(limit)
}

// startProfiles writes a CPU profile to $BULWARK_ENGINE_CPUPROFILE and a heap profile (after a GC,
// at the end of the run) to $BULWARK_ENGINE_MEMPROFILE when they are set; the returned function
// finishes them. For the engine's owners: `go tool pprof <binary> <path>`.
func startProfiles() func() {
	var cpu *os.File
	if path := os.Getenv("BULWARK_ENGINE_CPUPROFILE"); path != "" {
		if file, err := os.Create(path); err == nil && pprof.StartCPUProfile(file) == nil {
			cpu = file
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if path := os.Getenv("BULWARK_ENGINE_MEMPROFILE"); path != "" {
			if file, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(file, 0)
				file.Close()
			}
		}
	}
}

func usageError(message, format string) {
	logLine(format, "error", message, "usage")
}

// logLine writes one log line the way the runner does, for the few lines main writes itself.
func logLine(format, level, message, kind string) {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if format == "text" {
		fmt.Fprintf(os.Stderr, "%s %-5s %s [engine/%s]\n", now, strings.ToUpper(level), message, kind)
		return
	}
	fmt.Fprintf(os.Stderr, `{"time":%q,"level":%q,"msg":%s,"source":"engine","kind":%q}`+"\n", now, level, jsonString(message), kind)
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func isTerminal(file *os.File) bool {
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
