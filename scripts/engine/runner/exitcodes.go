package runner

// Exit codes of bulwark-engine (bulwark maps them to its own 0/1/2/3/130):
//
//	 0  passed
//	10  thresholds failed
//	11  thresholds failed and the test was stopped early by abortOnFail
//	20  script error: compile, init context, invalid options, unsupported module, bad threshold
//	21  setup() failed or timed out
//	22  teardown() or handleSummary() failed
//	23  the script called exec.test.abort()
//	30  interrupted by SIGINT/SIGTERM (summary written)
//	31  stdin closed with --watch-stdin (hard stop, no summary)
//	40  usage: bad flags, unreadable bundle
//	41  internal error
//
// The error itself is always on stderr as an error line with its kind and, for script errors, at.
const (
	ExitPassed           = 0
	ExitThresholdsFailed = 10
	ExitAbortedOnFail    = 11
	ExitScriptError      = 20
	ExitSetupFailed      = 21
	ExitTeardownFailed   = 22
	ExitScriptAborted    = 23
	ExitInterrupted      = 30
	ExitStdinClosed      = 31
	ExitUsage            = 40
	ExitInternal         = 41
)
