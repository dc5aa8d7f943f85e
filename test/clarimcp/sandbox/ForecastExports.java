package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The asynchronous forecast export: submit, status, results, and the job limits. A job's progress is
 * measured on the monotonic clock (so a fixed test Clock still lets jobs finish); the times it reports are
 * the sandbox Clock's submit instant plus that progress. SCHEDULED for the first third of the job
 * duration, STARTED until the end, then DONE (or FAILED); knobs are read at submit.
 */
final class ForecastExports {
    /** Known forecast tabs and the factor their money values are scaled by. */
    static final Map<String, Double> FORECASTS = Map.of("forecast", 1.0, "net_arr", 0.85, "renewals", 0.4);
    /** How long a finished export's file is kept, as reported in expiredTime. */
    static final Duration EXPIRY = Duration.ofDays(7);

    record Job(String id, String forecastId, String quarterId, String scopeUserId, String currency, Set<String> types,
               Instant submittedAt, long submittedNanos, Duration duration, boolean fail, boolean neverFinish) {
        String status(long nowNanos) {
            long elapsed = nowNanos - submittedNanos;
            if (elapsed < duration.toNanos() / 3) return "SCHEDULED";
            if (neverFinish || elapsed < duration.toNanos()) return "STARTED";
            return fail ? "FAILED" : "DONE";
        }

        boolean running(long nowNanos) {
            String s = status(nowNanos);
            return s.equals("SCHEDULED") || s.equals("STARTED");
        }
    }

    private final SandboxOrg org;
    private final Knobs knobs;
    private final LongSupplier nanos;
    private final Random ids = new Random();
    private final Map<String, Job> jobs = new LinkedHashMap<>();   // guarded by this; submit order

    ForecastExports(SandboxOrg org, Knobs knobs, LongSupplier nanos) {
        this.org = org;
        this.knobs = knobs;
        this.nanos = nanos;
    }

    synchronized Reply submit(String forecastId, byte[] body) {
        if (!FORECASTS.containsKey(forecastId)) return Reply.errors(404, "Forecast not found");
        Json.Obj request;
        try {
            Json parsed = body.length == 0 ? Json.Obj.EMPTY : JsonParser.parse(body);
            if (!(parsed instanceof Json.Obj o)) return Reply.errors(400, "Request body must be a JSON object");
            request = o;
        } catch (JsonException e) {
            return Reply.errors(400, "Malformed JSON body");
        }
        String scope = request.str("scopeId");
        User root = scope == null ? org.cro() : org.byScope(scope);
        if (root == null) return Reply.exportError(400, "Invalid scopeId");
        if (jobs.size() >= knobs.monthlyQuota()) return Reply.exportError(400, "Monthly export quota reached");
        long now = nanos.getAsLong();
        if (running(now).size() >= knobs.concurrentLimit()) return Reply.exportError(400, "Concurrent export limit reached");

        String period = request.str("timePeriod");
        String quarter = period != null && org.seededQuarters().contains(period) ? period : org.currentQuarter(); // Clari's silent default
        String currency = request.str("currency");
        currency = currency != null && currency.matches("[A-Z]{3}") ? currency : "USD";
        String id = newId();
        jobs.put(id, new Job(id, forecastId, quarter, root.userId(), currency, types(request.arr("typesToExport")),
                org.now(), now, knobs.jobDuration(), knobs.failJobs(), knobs.jobsNeverFinish()));
        return Reply.json(200, Json.Obj.builder().put("jobId", id).build());
    }

    synchronized Reply status(String jobId) {
        Job job = jobs.get(jobId);
        if (job == null) return Reply.errors(404, "Job not found");
        String status = job.status(nanos.getAsLong());
        Instant start = job.submittedAt().plus(job.duration().dividedBy(3));
        Instant end = job.submittedAt().plus(job.duration());
        boolean started = !status.equals("SCHEDULED");
        boolean ended = status.equals("DONE") || status.equals("FAILED");
        Json.Obj flat = Json.Obj.builder()
                .put("jobId", job.id()).put("status", status).put("module", "FORECAST")
                .put("startTime", started ? new Json.Str(Reply.timestamp(start)) : Json.Null.NULL)
                .put("endTime", ended ? new Json.Str(Reply.timestamp(end)) : Json.Null.NULL)
                .put("expiredTime", ended ? new Json.Str(Reply.timestamp(end.plus(EXPIRY))) : Json.Null.NULL)
                .put("fileType", "JSON").put("rowsTruncated", false).put("cellsTruncated", false)
                .put("currency", job.currency())
                .build();
        return Reply.json(200, knobs.nestJobStatus() ? Json.Obj.builder().put("job", flat).build() : flat);
    }

    Reply results(String jobId) {
        Job job;
        String status;
        synchronized (this) {
            job = jobs.get(jobId);
            if (job == null) return Reply.errors(404, "Job not found");
            status = job.status(nanos.getAsLong());
        }
        if (!status.equals("DONE")) return Reply.exportError(400, "Export job is not complete (status " + status + ")");
        return Reply.json(200, ForecastResults.build(org, job, FORECASTS.get(job.forecastId())));
    }

    /** {@code GET /admin/limits}; submittedJobIds lists every job submitted (the sandbox lives within a month). */
    synchronized Reply limits() {
        if (knobs.limitsStatus() != 0) return Reply.errors(knobs.limitsStatus(), "Limits unavailable");
        List<String> running = running(nanos.getAsLong());
        int concurrent = knobs.concurrentLimit();
        int quota = knobs.monthlyQuota();
        return Reply.json(200, Json.Obj.builder().put("jobs", Json.Obj.builder()
                .put("concurrentLimit", concurrent).put("monthlyQuota", quota)
                .put("runningJobIds", Json.Arr.ofStrings(running))
                .put("submittedJobIds", Json.Arr.ofStrings(new ArrayList<>(jobs.keySet())))
                .put("availableConcurrentLimit", Math.max(0, concurrent - running.size()))
                .put("availableMonthlyQuota", Math.max(0, quota - jobs.size()))
                .build()).build());
    }

    private List<String> running(long now) {
        return jobs.values().stream().filter(j -> j.running(now)).map(Job::id).toList();
    }

    /** The known field types asked for; none known (or no list) means all. */
    private static Set<String> types(Json.Arr requested) {
        Set<String> out = new LinkedHashSet<>();
        if (requested != null) {
            for (Json t : requested.items()) {
                if (t instanceof Json.Str s && ForecastResults.knownTypes().contains(s.value())) out.add(s.value());
            }
        }
        return out.isEmpty() ? ForecastResults.knownTypes() : Set.copyOf(out);
    }

    /** 24 hex characters, like Clari's job ids. */
    private String newId() {
        byte[] b = new byte[12];
        do {
            ids.nextBytes(b);
        } while (jobs.containsKey(HexFormat.of().formatHex(b)));
        return HexFormat.of().formatHex(b);
    }
}
