package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.clari.ExportLimits;
import clarimcp.json.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One forecast export, start to finish [spec]: wait for a free export slot (GET /admin/limits), submit,
 * poll the job until DONE, fetch the results. Clari allows a few concurrent exports per org and a
 * monthly quota, and refuses a submit beyond either with one code (400 export_monthly_quota_reached);
 * the limits tell which: a full slot is waited out within the {@link PollBudget}, a spent quota stops at once.
 * The {@link Session} adds what this process remembers across calls: a local budget of export POSTs per
 * hour (the org's quota is monthly and shared), and how long the last job took, to poll near its end.
 */
final class ForecastExport {
    /** Job ids go into a URL path; Clari's are hex strings, so anything else is refused. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Set<String> FAILED = Set.of("FAILED", "CANCELLED", "CANCELED", "ABORTED");
    /** Clari's one code for both a spent monthly quota and a full concurrent limit [spec]: /admin/limits tells which. */
    static final String LIMIT_REACHED = "export_monthly_quota_reached";

    private final ClariClient client;
    private final PollBudget budget;
    private final Tool.Context ctx;
    private final Session session;
    private final int maxPerHour;

    ForecastExport(ClariClient client, PollBudget budget, Tool.Context ctx, Session session, int maxPerHour) {
        this.client = client;
        this.budget = budget;
        this.ctx = ctx;
        this.session = session;
        this.maxPerHour = maxPerHour;
    }

    /** The results of a finished export of forecastId with body. */
    Json run(String forecastId, Json.Obj body) throws ClariException, Tool.Failure, InterruptedException {
        return run(forecastId, body, Map.of());
    }

    /** As {@link #run(String, Json.Obj)}, the named top-level arrays of the results handed out as they are parsed. */
    Json run(String forecastId, Json.Obj body, Map<String, ? extends Consumer<? super Json>> handlers)
            throws ClariException, Tool.Failure, InterruptedException {
        String jobId = submitWhenFree(forecastId, body);
        budget.restart(TimeUnit.NANOSECONDS.toMillis(session.expectedJobNanos()));
        awaitJob(jobId);
        return client.exportResults(jobId, handlers);
    }

    /** Submits once a slot is free; waits (with progress) while none is, stops when the quota is spent. */
    private String submitWhenFree(String forecastId, Json.Obj body)
            throws ClariException, Tool.Failure, InterruptedException {
        while (true) {
            ExportLimits limits = limits();
            if (limits != null && limits.quotaExhausted()) throw quotaSpent(limits);
            if (limits == null || !limits.noFreeSlot()) {
                session.spend(maxPerHour); // before the POST: a refused one may still count against Clari's quota
                try {
                    return jobId(client.submitForecastExport(forecastId, body));
                } catch (ClariException e) {
                    if (!LIMIT_REACHED.equals(e.code())) throw e;
                    ExportLimits after = limits(); // "no slot" or "no quota": the limits tell which
                    if (after == null) {
                        throw new Tool.Failure("Clari refused the export: the org's monthly export quota or all its concurrent export "
                                + "slots are used (400 " + LIMIT_REACHED + "); this token cannot read /admin/limits to tell which "
                                + "(a Clari admin's can). Retry in a few minutes; if it persists, the monthly quota is spent");
                    }
                    if (after.quotaExhausted()) throw quotaSpent(after);
                    limits = after; // a slot is taken (or was freed since): wait and submit again
                }
            }
            if (!budget.next()) {
                throw new Tool.Failure("No Clari export slot became free within " + budget.used() + " checks (~"
                        + budget.waitedSeconds() + " s): other exports are using the org's concurrent limit; retry later, "
                        + "or raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS to wait longer");
            }
            String slots = limits == null ? "" : " (" + ExportLimits.ofTotal(limits.availableConcurrent(), limits.concurrentLimit()) + " free)";
            // No total: the polling budget is a ceiling, not the number of steps this wait will take.
            ctx.progress(budget.used(), null, "Waiting for a free Clari export slot" + slots);
        }
    }

    /** The export limits, or null when they cannot be read (then the submit itself decides). */
    private ExportLimits limits() throws InterruptedException {
        try {
            return ExportLimits.from(client.adminLimits());
        } catch (ClariException | IllegalArgumentException unavailable) {
            return null; // e.g. 403 for a token without admin rights: go ahead and submit
        }
    }

    private static Tool.Failure quotaSpent(ExportLimits l) {
        return new Tool.Failure("Clari's monthly export quota is used up (" + ExportLimits.ofTotal(l.availableMonthly(), l.monthlyQuota())
                + " exports left): get_forecast cannot run until it resets; get_pipeline_changes and get_deal_risk do not use it");
    }

    private static String jobId(Json submitted) throws Tool.Failure {
        String jobId = submitted instanceof Json.Obj o ? Lenient.id(o.get("jobId")) : null;
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new Tool.Failure("Clari accepted the export but sent no usable jobId; retry later");
        }
        return jobId;
    }

    /** Polls the job until DONE, telling the session when it ended; throws when it fails or the budget runs out. */
    private void awaitJob(String jobId) throws ClariException, InterruptedException, Tool.Failure {
        long submitted = session.clock.getAsLong();
        int before = budget.used();
        long pending = 0; // since the submit, when a check last saw the job unfinished; 0 = none did
        while (budget.next()) {
            String status = status(client.exportJob(jobId));
            long at = session.clock.getAsLong() - submitted;
            ctx.progress(budget.used(), null, "Export job " + status); // no total: see submitWhenFree
            if (status.equals("DONE")) {
                session.jobEnded(pending, at);
                ctx.log("info", "export job done after " + (budget.used() - before) + " status checks in "
                        + TimeUnit.NANOSECONDS.toMillis(at) + " ms");
                return;
            }
            if (FAILED.contains(status)) {
                throw new Tool.Failure("Clari export job " + jobId + " ended " + status + "; retry later or check the forecast in Clari");
            }
            pending = at;
        }
        throw new Tool.Failure("Clari's export job " + jobId + " did not finish after " + budget.used() + " checks (~"
                + budget.waitedSeconds() + " s); raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS, or retry later");
    }

    /** The job status, flat ({"status"}) or nested ({"job":{"status"}}); UNKNOWN when absent. */
    static String status(Json job) {
        if (!(job instanceof Json.Obj o)) return "UNKNOWN";
        Json s = o.get("status");
        if (s == null && o.get("job") instanceof Json.Obj nested) s = nested.get("status");
        String text = Lenient.text(s);
        return text == null || text.isEmpty() ? "UNKNOWN" : text.toUpperCase(Locale.ROOT);
    }

    /**
     * What one server process remembers across get_forecast calls: the export POSTs of the last hour
     * (CLARI_MAX_EXPORTS_PER_HOUR caps them, so a looping or prompt-injected model cannot spend the org's
     * monthly quota) and when the last export job is expected to end. Thread-safe.
     */
    static final class Session {
        /** The window of CLARI_MAX_EXPORTS_PER_HOUR. */
        static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);
        /** After a job seen done at its first check: the next first check comes at this share of that time. */
        static final double SHRINK = 0.9;
        private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

        private final LongSupplier clock;
        private final ArrayDeque<Long> posts = new ArrayDeque<>(); // guarded by this; nanoTime of each POST, oldest first
        private long expectedJobNanos; // guarded by this; 0 until a job finished

        Session(LongSupplier nanoClock) {
            this.clock = nanoClock;
        }

        /** Counts one export POST, or refuses it when max were made in the last hour, saying when one frees. */
        synchronized void spend(int max) throws Tool.Failure {
            long now = clock.getAsLong();
            while (!posts.isEmpty() && now - posts.peekFirst() >= HOUR_NANOS) posts.removeFirst();
            if (posts.size() < max) {
                posts.addLast(now);
                return;
            }
            if (max == 0) {
                throw new Tool.Failure("get_forecast may start no Clari export job: CLARI_MAX_EXPORTS_PER_HOUR is 0 "
                        + "(only the synchronous read of the latest week is allowed); raise it to allow exports");
            }
            long frees = HOUR_NANOS - (now - posts.peekFirst());
            long minutes = Math.max(1, (frees + 59_999_999_999L) / 60_000_000_000L);
            throw new Tool.Failure("Local export budget reached: " + posts.size() + " Clari export jobs started in the last hour "
                    + "(CLARI_MAX_EXPORTS_PER_HOUR=" + max + "; each spends one of the org's monthly exports). The next frees in ~"
                    + minutes + " min (" + HH_MM.format(Instant.now().plusNanos(frees)) + " UTC); raise CLARI_MAX_EXPORTS_PER_HOUR to allow more");
        }

        /**
         * A job ended between pending (the last check that saw it unfinished, 0 if none did) and done (the check
         * that saw it DONE), both since its submit. The next job is expected at the middle of that span, or,
         * when the first check already saw it done, a little before that check (so a shorter job is not missed
         * for long): an estimate that closes in on the job's length from either side, without our own
         * overshoot feeding back into it.
         */
        synchronized void jobEnded(long pending, long done) {
            expectedJobNanos = pending > 0 ? pending + (done - pending) / 2 : Math.round(done * SHRINK);
        }

        /** When this session's next job is expected to end, since its submit; 0 while unknown. */
        synchronized long expectedJobNanos() {
            return expectedJobNanos;
        }
    }
}
