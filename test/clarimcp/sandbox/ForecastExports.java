package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
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
 * The forecast reads: the synchronous latest week ({@code GET /forecast/{id}} [tap][gitlab]) and the
 * asynchronous export (submit, status, results, and the job limits [spec]). A job's progress is measured on
 * the monotonic clock (so a fixed test Clock still lets jobs finish); the times it reports are the sandbox
 * Clock's submit instant plus that progress. SCHEDULED for the first third of the job duration, STARTED until
 * the end, then DONE (or FAILED); knobs are read at submit. Errors have Clari's documented codes and bodies [spec].
 */
final class ForecastExports {
    /** Known forecast tabs and the factor their money values are scaled by. */
    static final Map<String, Double> FORECASTS = Map.of("forecast", 1.0, "net_arr", 0.85, "renewals", 0.4);
    /** How long a finished export's file is kept, as reported in expiredTime. */
    static final Duration EXPIRY = Duration.ofDays(7);
    /** Types the export API refuses with 400 type_not_supported [spec]. */
    static final Set<String> CRM_TYPES = Set.of("crm_total", "crm_closed");

    record Job(String id, ForecastResults.Request request, Instant submittedAt, long submittedNanos, Duration duration,
               boolean fail, boolean neverFinish) {
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

    /**
     * {@code GET /forecast/{id}?timePeriod&typesToExport(repeated)&exportFormat[&scopeId&currency]}: the latest
     * week, no job, no quota [tap][gitlab]. That it takes scopeId and currency and serves CRM totals is a guess.
     */
    Reply latestWeek(String forecastId, String rawQuery) {
        if (knobs.syncStatus() != 0) return Reply.errors(knobs.syncStatus(), knobs.syncStatus() == 404 ? "Not Found" : "Not Implemented");
        Map<String, List<String>> q = Reply.params(rawQuery);
        List<String> types = q.getOrDefault("typesToExport", List.of());
        if (knobs.syncRefusesCrm() && types.stream().anyMatch(CRM_TYPES::contains)) return typeNotSupported(types);
        return read(forecastId, Reply.param(q, "timePeriod"), types, Reply.param(q, "scopeId"), Reply.param(q, "currency"), false);
    }

    synchronized Reply submit(String forecastId, byte[] body) {
        Json.Obj request;
        try {
            Json parsed = body.length == 0 ? Json.Obj.EMPTY : JsonParser.parse(body);
            if (!(parsed instanceof Json.Obj o)) return badRequest("Request body must be a JSON object");
            request = o;
        } catch (JsonException e) {
            return badRequest("Malformed JSON body");
        }
        List<String> types = new ArrayList<>();
        if (request.arr("typesToExport") != null) {
            for (Json t : request.arr("typesToExport").items()) types.add(t instanceof Json.Str str ? str.value() : String.valueOf(t));
        }
        if (types.stream().anyMatch(CRM_TYPES::contains)) return typeNotSupported(types);
        Reply refused = refusal(forecastId, types, request.str("scopeId"));
        if (refused != null) return refused;
        long now = nanos.getAsLong();
        if (jobs.size() >= knobs.monthlyQuota() || running(now).size() >= knobs.concurrentLimit()) {
            return Reply.clariError(400, "exports", "export_monthly_quota_reached", "The monthly quota limit of "
                    + knobs.monthlyQuota() + " or concurrent limit of " + knobs.concurrentLimit() + " has been reached.");
        }
        String id = newId();
        jobs.put(id, new Job(id, request(forecastId, request.str("timePeriod"), types, request.str("scopeId"), request.str("currency"),
                request.get("includeHistorical") instanceof Json.Bool b && b.value()),
                org.now(), now, knobs.jobDuration(), knobs.failJobs(), knobs.jobsNeverFinish()));
        return Reply.json(200, Json.obj("jobId", id));
    }

    /** The latest week or every week, after the checks the two reads share. */
    private Reply read(String forecastId, String period, List<String> types, String scope, String currency, boolean allWeeks) {
        Reply refused = refusal(forecastId, types, scope);
        if (refused != null) return refused;
        return Reply.json(200, ForecastResults.build(org, request(forecastId, period, types, scope, currency, allWeeks),
                FORECASTS.get(forecastId)));
    }

    /** The documented refusals both reads share [spec], or null. */
    private Reply refusal(String forecastId, List<String> types, String scope) {
        if (!FORECASTS.containsKey(forecastId)) {
            return Reply.clariError(400, "fcw", "no_such_forecast_config", "Forecast " + forecastId + " does not exist in the ForecastTemplate.");
        }
        if (knobs.noOptin()) {
            return Reply.clariError(401, "fcw", "no_optin", "User is not opted in to forecast " + forecastId + ".");
        }
        List<String> unknown = types.stream().filter(t -> !ForecastResults.TYPES.contains(t)).toList();
        if (!unknown.isEmpty()) return badRequest("The following typesToExport values are invalid: " + unknown);
        if (scope != null && org.byScope(scope) == null) return badRequest("Invalid scopeId " + scope);
        return null;
    }

    private ForecastResults.Request request(String forecastId, String period, List<String> types, String scope, String currency,
            boolean allWeeks) {
        String quarter = period != null && org.seededQuarters().contains(period) ? period : org.currentQuarter(); // Clari's silent default [gitlab]
        User root = scope == null ? org.cro() : org.byScope(scope);
        String code = currency != null && currency.matches("[A-Z]{3}") ? currency : "USD";
        Set<String> asked = types.isEmpty() ? ForecastResults.DEFAULT_TYPES : Set.copyOf(types);
        return new ForecastResults.Request(forecastId, quarter, root.userId(), code, asked, allWeeks);
    }

    private static Reply typeNotSupported(List<String> types) {
        return Reply.clariError(400, "fcw", "type_not_supported", "The following typesToExport values are not supported: "
                + types.stream().filter(CRM_TYPES::contains).toList() + ". CRM totals and closed are available from the Forecast API.");
    }

    private static Reply badRequest(String message) {
        return Reply.clariError(400, "fcw", "bad_request", message);
    }

    synchronized Reply status(String jobId) {
        Job job = jobs.get(jobId);
        if (job == null) return invalidJob("Job " + jobId + " does not exist.");
        String status = job.status(nanos.getAsLong());
        Instant start = job.submittedAt().plus(job.duration().dividedBy(3));
        Instant end = job.submittedAt().plus(job.duration());
        boolean started = !status.equals("SCHEDULED");
        boolean ended = status.equals("DONE") || status.equals("FAILED");
        Json none = Json.Null.NULL;   // not yet known: the spec shows only finished values
        Json.Obj flat = new ObjBuilder()   // every key and its type as the spec's example [spec]
                .put("jobId", job.id()).put("userId", org.cro().userId()).put("orgId", 101).put("title", "Forecast Export")
                .put("module", "FORECAST")
                .put("startTime", started ? new Json.Num(Long.toString(start.toEpochMilli())) : none)
                .put("endTime", ended ? new Json.Num(Long.toString(end.toEpochMilli())) : none)
                .put("expiredTime", ended ? new Json.Num(Long.toString(end.plus(EXPIRY).toEpochMilli())) : none)
                .put("version", 1).put("fileName", "clari_export_" + job.request().forecastId() + "_" + job.request().quarterId() + ".json")
                .put("fileType", "JSON").put("status", status).put("viewed", false)
                .put("cellsTruncated", false).put("rowsTruncated", false).put("downloads", 0)
                .put("deliveryStatusMap", Json.Obj.EMPTY)
                .put("currency", job.request().currency())
                .build();
        return Reply.json(200, knobs.nestJobStatus() ? Json.obj("job", flat) : flat);
    }

    Reply results(String jobId) {
        Job job;
        String status;
        synchronized (this) {
            job = jobs.get(jobId);
            if (job == null) return invalidJob("Job " + jobId + " does not exist.");
            status = job.status(nanos.getAsLong());
        }
        if (!status.equals("DONE")) return invalidJob("Cannot retrieve data for job because it has not finished executing.");
        int reps = knobs.syntheticReps();
        if (reps > 0) return new Reply(200, Map.of("Content-Type", Reply.JSON_TYPE), synthetic(job.request(), reps));
        return Reply.json(200, ForecastResults.build(org, job.request(), FORECASTS.get(job.request().forecastId())));
    }

    /** The synthetic results an export of quarterId would serve with syntheticReps(reps), asked as get_forecast asks. */
    byte[] syntheticFor(String forecastId, String quarterId, int reps) {
        return synthetic(request(forecastId, quarterId, List.of("forecast", "quota", "forecast_updated", "adjustment"), null, null, false),
                reps);
    }

    /** The last synthetic body, kept: generating tens of MB per request would time the sandbox, not the client. */
    private volatile Object[] lastSynthetic = {null, null};

    private byte[] synthetic(ForecastResults.Request request, int reps) {
        Object[] last = lastSynthetic;
        String key = request + "/" + reps;
        if (key.equals(last[0])) return (byte[]) last[1];
        byte[] body = ForecastResults.synthetic(org, request, reps);
        lastSynthetic = new Object[] {key, body};
        return body;
    }

    private static Reply invalidJob(String message) {
        return Reply.clariError(400, "exports", "invalid_jobId", message);
    }

    /** {@code GET /admin/limits}; submittedJobIds lists every job submitted (the sandbox lives within a month). */
    synchronized Reply limits() {
        if (knobs.limitsStatus() != 0) return Reply.errors(knobs.limitsStatus(), "Limits unavailable");
        List<String> running = running(nanos.getAsLong());
        int concurrent = knobs.concurrentLimit();
        int quota = knobs.monthlyQuota();
        return Reply.json(200, Json.obj("jobs", Json.obj("concurrentLimit", concurrent, "monthlyQuota", quota,
                "runningJobIds", ObjBuilder.strings(running),
                "submittedJobIds", ObjBuilder.strings(new ArrayList<>(jobs.keySet())),
                "availableConcurrentLimit", Math.max(0, concurrent - running.size()),
                "availableMonthlyQuota", Math.max(0, quota - jobs.size()))));
    }

    private List<String> running(long now) {
        return jobs.values().stream().filter(j -> j.running(now)).map(Job::id).toList();
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
