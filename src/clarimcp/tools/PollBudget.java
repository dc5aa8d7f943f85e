package clarimcp.tools;

import clarimcp.clari.ClariConfig;
import clarimcp.mcp.ToolException;

/**
 * The checks one get_forecast call may make while it waits (for a free export slot, then for its
 * job): CLARI_POLL_MAX_ATTEMPTS in all, waits growing from {@link #FIRST_WAIT_MS} up to
 * CLARI_POLL_INTERVAL_SECONDS. One budget for both kinds of wait, so the variable bounds the whole call.
 */
final class PollBudget {
    /** First wait: small exports are often done within a second, and a slot often frees as fast. */
    static final long FIRST_WAIT_MS = 250;
    /** Each wait is this much longer than the previous one, up to the configured interval. */
    private static final double GROWTH = 1.6;

    private final int max;
    private final long ceiling;
    private long wait;
    private int used;
    private long waited;

    /** Throws, naming the fix, when a poll setting is bad: only forecast exports wait, so only they stop. */
    PollBudget(ClariConfig config) throws ToolException {
        if (config.pollProblem() != null) throw new ToolException("Server configuration problem: " + config.pollProblem());
        this.max = config.pollMaxAttempts();
        this.ceiling = Math.max(1, config.pollInterval().toMillis());
        restart();
    }

    /** Starts the waits again from the shortest (the budget already spent stays spent). */
    void restart() {
        wait = Math.min(FIRST_WAIT_MS, ceiling);
    }

    /** Sleeps the next wait and counts one check; false, without sleeping, when the budget is spent. */
    boolean next() throws InterruptedException {
        if (used >= max) return false;
        Thread.sleep(wait); // an interrupt (cancellation) ends the call here
        waited += wait;
        used++;
        wait = Math.min(ceiling, Math.round(wait * GROWTH));
        return true;
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
