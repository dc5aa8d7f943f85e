package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.clari.ClariConfig;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The checks one get_forecast call may make while it waits (for a free export slot, then for its
 * job): CLARI_POLL_MAX_ATTEMPTS in all, waits growing from {@link #FIRST_WAIT_MS} up to
 * CLARI_POLL_INTERVAL_SECONDS. One budget for both kinds of wait, so the variable bounds the whole call.
 * A job's wait may start with one long wait, until when this session's jobs are expected to end
 * (ForecastExport.Session): a job's length repeats (same org, same forecast), so one check then and short
 * ones after keep the time lost beyond the job small, with few checks, for short and long jobs alike.
 */
final class PollBudget {
    /** First wait: small exports are often done within a second, and a slot often frees as fast. */
    static final long FIRST_WAIT_MS = 250;
    /** Each wait is this much longer than the previous one, up to the configured interval. */
    private static final double GROWTH = 1.6;

    private final int max;
    private final long ceiling;
    private long wait;
    /** A first wait longer than the ceiling (from the previous job), or 0. */
    private long firstWait;
    private int used;
    private long waited;
    /** What is left of the tool call's time (CLARI_CALL_TIMEOUT_SECONDS): no wait outlasts it. */
    private final Supplier<Duration> timeLeft;

    /** Throws, naming the fix, when a poll setting is bad: only forecast exports wait, so only they stop. */
    PollBudget(ClariConfig config, Supplier<Duration> timeLeft) throws Tool.Failure {
        if (config.pollProblem() != null) throw new Tool.Failure("Server configuration problem: " + config.pollProblem());
        this.timeLeft = timeLeft;
        this.max = config.pollMaxAttempts();
        this.ceiling = Math.max(1, config.pollInterval().toMillis());
        restart(0);
    }

    /**
     * Starts the waits again from the shortest (the budget already spent stays spent); when expectedMs (when
     * the job is expected to end; 0 = unknown) is known, the first wait lasts until then, never longer than
     * the rest of the budget could wait anyway.
     */
    void restart(long expectedMs) {
        wait = Math.min(FIRST_WAIT_MS, ceiling);
        long longest = ceiling * (max - used);
        firstWait = Math.min(longest, expectedMs);
        if (firstWait <= wait) firstWait = 0;
    }

    /** Sleeps the next wait and counts one check; false, without sleeping, when the budget is spent. */
    boolean next() throws InterruptedException {
        if (used >= max) return false;
        if (firstWait > 0) { // then back to short waits: the job is due
            sleep(firstWait);
            firstWait = 0;
            used++;
            return true;
        }
        sleep(wait);
        used++;
        wait = Math.min(ceiling, Math.round(wait * GROWTH));
        return true;
    }

    /**
     * Sleeps ms, or less when the call's time ends first: the next request then reports the call's deadline
     * with the true elapsed time. An interrupt (cancellation) ends the call here.
     */
    private void sleep(long ms) throws InterruptedException {
        long slept = Math.max(0, Math.min(ms, timeLeft.get().toMillis()));
        Thread.sleep(slept);
        waited += slept;
    }

    int used() {
        return used;
    }

    int max() {
        return max;
    }

    /** Whole seconds waited so far, rounded. */
    long waitedSeconds() {
        return Math.round(waited / 1000.0);
    }
}
