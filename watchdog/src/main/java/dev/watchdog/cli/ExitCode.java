package dev.watchdog.cli;

/**
 * What the CLI's exit code means, the same for every command: scripts branch on it. 1 and 2 are
 * a command's own answers (a rolled-back release, a problem found); the rest say why it had none.
 */
final class ExitCode {

    static final int OK = 0;
    /** {@code release wait}: rolled back or failed; {@code check}, {@code test}: a problem found. */
    static final int FAILED = 1;
    /** {@code release wait}: no verdict yet when the wait ended. */
    static final int UNDECIDED = 2;
    /** The watchdog's API could not be reached, or refused the request. */
    static final int API = 3;
    /** {@code release wait}: no rule had anything to judge by the end of the bake (no data): not healthy. */
    static final int UNJUDGED = 4;
    /** Called wrong: an unknown option, a missing argument, a value that does not parse (sysexits EX_USAGE). */
    static final int USAGE = 64;
    /** A fault of the watchdog's own (sysexits EX_SOFTWARE): one line on stderr, the stack trace at DEBUG. */
    static final int INTERNAL = 70;

    /** For the help of commands that talk to the API. */
    static final String[] API_CODES = {
        "0:done", "3:the watchdog could not be reached, or refused (HTTP 4xx/5xx)", "64:usage error", "70:internal error"};

    private ExitCode() {}
}
