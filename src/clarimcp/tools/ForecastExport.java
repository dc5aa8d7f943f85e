package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.clari.ExportLimits;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One forecast export, start to finish [spec]: wait for a free export slot (GET /admin/limits), submit,
 * poll the job until DONE, fetch the results. Clari allows a few concurrent exports per org and a
 * monthly quota, and refuses a submit beyond either with one code (400 export_monthly_quota_reached);
 * the limits tell which: a full slot is waited out within the {@link PollBudget}, a spent quota stops at once.
 * The {@link Session} adds what this process remembers across calls: a local budget of export POSTs per
 * hour (the org's quota is monthly and shared), and how long the last job took, to poll near its end.
 * {@link Shared} lets identical calls in flight share one job, {@link Recent} answers a repeat from memory.
 */
record ForecastExport(ClariClient client, PollBudget budget, Tool.Context ctx, Session session, int maxPerHour) {
    /** Job ids go into a URL path; Clari's are hex strings, so anything else is refused. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Set<String> FAILED = Set.of("FAILED", "CANCELLED", "CANCELED", "ABORTED");
    /** Clari's one code for both a spent monthly quota and a full concurrent limit [spec]: /admin/limits tells which. */
    static final String LIMIT_REACHED = "export_monthly_quota_reached";

    /** The results of a finished export of forecastId with body, the named top-level arrays handed out as they are parsed. */
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
                    // "No slot" or "no quota": the limits tell which. A slot taken (or freed since): wait and submit again.
                    limits = limits();
                    if (limits == null) {
                        throw new Tool.Failure("Clari refused the export: the org's monthly export quota or all its concurrent export "
                                + "slots are used (400 " + LIMIT_REACHED + "); this token cannot read /admin/limits to tell which "
                                + "(a Clari admin's can). Retry in a few minutes; if it persists, the monthly quota is spent");
                    }
                    if (limits.quotaExhausted()) throw quotaSpent(limits);
                }
            }
            if (!budget.next()) {
                throw new Tool.Failure("No Clari export slot became free within " + budget.used + " checks (~"
                        + budget.waitedSeconds() + " s): other exports are using the org's concurrent limit; retry later, "
                        + "or raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS to wait longer");
            }
            String slots = limits == null ? "" : " (" + ExportLimits.ofTotal(limits.availableConcurrent(), limits.concurrentLimit()) + " free)";
            // No total: the polling budget is a ceiling, not the number of steps this wait will take.
            ctx.progress(budget.used, null, "Waiting for a free Clari export slot" + slots);
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
        int before = budget.used;
        long pending = 0; // since the submit, when a check last saw the job unfinished; 0 = none did
        while (budget.next()) {
            String status = status(client.exportJob(jobId));
            long at = session.clock.getAsLong() - submitted;
            ctx.progress(budget.used, null, "Export job " + status); // no total: see submitWhenFree
            if (status.equals("DONE")) {
                session.jobEnded(pending, at);
                ctx.log("info", "export job done after " + (budget.used - before) + " status checks in "
                        + TimeUnit.NANOSECONDS.toMillis(at) + " ms");
                return;
            }
            if (FAILED.contains(status)) {
                throw new Tool.Failure("Clari export job " + jobId + " ended " + status + "; retry later or check the forecast in Clari");
            }
            pending = at;
        }
        throw new Tool.Failure("Clari's export job " + jobId + " did not finish after " + budget.used + " checks (~"
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

    /**
     * The checks one get_forecast call may make while it waits (for a free export slot, then for its
     * job): CLARI_POLL_MAX_ATTEMPTS in all, waits growing from {@link #FIRST_WAIT_MS} up to
     * CLARI_POLL_INTERVAL_SECONDS. One budget for both kinds of wait, so the variable bounds the whole call.
     * A job's wait may start with one long wait, until when this session's jobs are expected to end
     * ({@link Session}): a job's length repeats (same org, same forecast), so one check then and short
     * ones after keep the time lost beyond the job small, with few checks, for short and long jobs alike.
     */
    static final class PollBudget {
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

        /**
         * Sleeps the next wait and counts one check; false, without sleeping, when the budget is spent. A wait ends
         * early when the call's time ends first: the next request then reports the call's deadline with the true
         * elapsed time. An interrupt (cancellation) ends the call here.
         */
        boolean next() throws InterruptedException {
            if (used >= max) return false;
            long ms = firstWait > 0 ? firstWait : wait;
            if (firstWait == 0) wait = Math.min(ceiling, Math.round(wait * GROWTH));
            firstWait = 0; // after a long first wait, back to short waits: the job is due
            long slept = Math.max(0, Math.min(ms, timeLeft.get().toMillis()));
            Thread.sleep(slept);
            waited += slept;
            used++;
            return true;
        }

        /** Whole seconds waited so far, rounded. */
        long waitedSeconds() {
            return Math.round(waited / 1000.0);
        }
    }

    /**
     * Identical exports in flight share one Clari job: the first call starts the work on a thread of
     * its own, and every identical call that arrives before it ends waits for the same result. A
     * cancelled caller only stops waiting; the work is stopped when its last waiter is gone. Progress,
     * logs and HTTP exchanges of the work reach every caller still waiting. {@link Recent} extends the
     * sharing in time: an identical call soon after gets the answer already given.
     */
    static final class Shared<T> {
        /** The export itself, given a context that reports to every waiting caller. */
        @FunctionalInterface
        interface Work<T> {
            T run(Tool.Context waiters) throws Tool.Failure, InterruptedException;
        }

        private final class Entry implements Tool.Context {
            final CompletableFuture<T> result = new CompletableFuture<>();
            final List<Tool.Context> waiters = new CopyOnWriteArrayList<>();
            Thread worker;

            @Override
            public void progress(double progress, Double total, String message) {
                for (Tool.Context w : waiters) w.progress(progress, total, message);
            }

            @Override
            public void log(String level, String message) {
                for (Tool.Context w : waiters) w.log(level, message);
            }

            @Override
            public void httpExchange(String method, String pathTemplate, int status) {
                for (Tool.Context w : waiters) w.httpExchange(method, pathTemplate, status);
            }
        }

        private final Map<String, Entry> inFlight = new HashMap<>(); // guarded by this

        /** The result of the work for key, run once however many identical calls wait for it. */
        T run(String key, Tool.Context ctx, Work<T> work) throws Tool.Failure, InterruptedException {
            Entry entry;
            synchronized (this) {
                entry = inFlight.computeIfAbsent(key, k -> new Entry());
                entry.waiters.add(ctx); // before the work starts: its first progress reaches this caller
                if (entry.worker == null) entry.worker = Thread.ofVirtual().name("forecast-export").start(work(key, entry, work));
            }
            try {
                return entry.result.get();
            } catch (InterruptedException e) {
                leave(key, entry, ctx);
                throw e;
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case Tool.Failure t -> throw new Tool.Failure(t.getMessage()); // thrown on this caller's stack
                    case InterruptedException i -> throw new Tool.Failure("the shared export was stopped; retry");
                    case RuntimeException r -> throw r;
                    case Error err -> throw err;
                    default -> throw new IllegalStateException("export failed", e.getCause());
                }
            } finally {
                entry.waiters.remove(ctx);
            }
        }

        private Runnable work(String key, Entry entry, Work<T> work) {
            return () -> {
                T json = null;
                Throwable failure = null;
                try {
                    json = work.run(entry);
                } catch (Throwable t) {
                    failure = t;
                }
                synchronized (this) {
                    inFlight.remove(key, entry); // before completing: a call arriving now starts a fresh export
                }
                if (failure == null) entry.result.complete(json);
                else entry.result.completeExceptionally(failure);
            };
        }

        /** A cancelled caller leaves; the last one out stops the work (its Clari job is left to finish on its own). */
        private synchronized void leave(String key, Entry entry, Tool.Context ctx) {
            entry.waiters.remove(ctx);
            if (entry.waiters.isEmpty() && !entry.result.isDone()) {
                inFlight.remove(key, entry);
                entry.worker.interrupt();
            }
        }
    }

    /**
     * Answers given recently, by key, at most max of them (the oldest dropped first), each valid for the
     * freshness the caller asks of it. Holds rendered answers, so its memory is bounded by max x the result cap.
     */
    static final class Recent<V> {
        /** A remembered answer and how long ago it was made. */
        record Hit<V>(V value, long ageNanos) {}

        private record Kept<V>(V value, long atNanos) {}

        private final LongSupplier clock;
        private final Map<String, Kept<V>> kept; // guarded by this

        Recent(int max, LongSupplier nanoClock) {
            this.clock = nanoClock;
            this.kept = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Kept<V>> eldest) {
                    return size() > max;
                }
            };
        }

        /** The answer for key if it was made less than maxAgeNanos ago, else null (and it is forgotten). */
        synchronized Hit<V> get(String key, long maxAgeNanos) {
            Kept<V> k = kept.get(key);
            if (k == null) return null;
            long age = clock.getAsLong() - k.atNanos();
            if (age < maxAgeNanos) return new Hit<>(k.value(), age);
            kept.remove(key);
            return null;
        }

        synchronized void put(String key, V value) {
            kept.put(key, new Kept<>(value, clock.getAsLong()));
        }
    }
}
