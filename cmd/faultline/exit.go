package main

import "errors"

// exitCode is the process exit status. The README documents each value.
type exitCode int

const (
	exitOK          exitCode = 0   // every task succeeded (or was skipped)
	exitError       exitCode = 1   // nothing could be scanned: no credentials, unwritable files
	exitUsage       exitCode = 2   // bad command line or input, before any API call
	exitPartial     exitCode = 3   // collect, flows: some tasks failed; reach: blocked
	exitRisks       exitCode = 3   // scan --fail-on: an unmuted risk at or above it was written
	exitIncomplete  exitCode = 4   // scan: some tasks, account setups, uploads or events failed
	exitInterrupted exitCode = 130 // SIGINT or SIGTERM
)

// usageError is bad input: one line on stderr, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: sprintf(format, args...)}
}

// codedError carries an exit code other than usage.
type codedError struct {
	code exitCode
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func exitCodeOf(err error) exitCode {
	var u *usageError
	var c *codedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &c):
		return c.code
	}
	return exitError
}
