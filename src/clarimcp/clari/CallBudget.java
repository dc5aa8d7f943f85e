package clarimcp.clari;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one tool call may spend on Clari, all its requests together (retries, paging, batches, polls):
 * wall-clock time from the call's start and bytes read. Per-response limits alone let one call wait for
 * hours (each timed-out GET retried) or hold ten maximal answers at once. Thread-safe: a call's batches
 * may run in parallel. Messages give the true elapsed time and name the setting that changes the limit.
 */
final class CallBudget {
    private final long startNanos = System.nanoTime();
    private final Duration limit;
    private final long maxBytes;
    private final AtomicLong read = new AtomicLong();

    CallBudget(Duration limit, long maxBytes) {
        this.limit = limit;
        this.maxBytes = maxBytes;
    }

    /** A budget nothing can exhaust, for the client no tool call owns (tests, --check). */
    static CallBudget unlimited() {
        return new CallBudget(Duration.ofNanos(Long.MAX_VALUE), Long.MAX_VALUE);
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Time left before the deadline; zero or negative once it has passed. */
    Duration remaining() {
        return limit.minus(elapsed());
    }

    /** Bytes the next response may still hold. */
    long bytesLeft() {
        return Math.max(0, maxBytes - read.get());
    }

    /** Counts a response body (error bodies too: they cost memory and time as well). */
    void spend(long bytes) {
        read.addAndGet(bytes);
    }

    /** Throws the deadline error when no time is left. */
    void checkTime(String what) throws ClariException {
        if (remaining().isNegative() || remaining().isZero()) throw overTime(what);
    }

    ClariException overTime(String what) {
        return new ClariException(0, "no complete answer from Clari for " + what + " within this call's limit of "
                + ClariErrors.seconds(limit) + " s (stopped after " + ClariErrors.seconds(elapsed())
                + " s): try again later, ask for less, or raise CLARI_CALL_TIMEOUT_SECONDS");
    }

    ClariException overBytes() {
        return new ClariException(0, "Clari's answers for this call exceeded " + (maxBytes >> 20 > 0 ? (maxBytes >> 20) + " MB"
                : maxBytes + " bytes") + " in all (CLARI_CALL_MAX_MB); ask for less (a shorter period, fewer ids or fewer export types)");
    }
}
