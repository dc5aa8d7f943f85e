package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * get_forecast: one row per user with the latest value of each forecast field. The current week comes from
 * the synchronous GET /forecast/{id} [tap][gitlab] (one request, no job, no export quota); an export job
 * (submit, poll, fetch [spec]) is the fallback when that read is missing (404/405/501, remembered for the
 * session) and the way to history (compare_to: see {@link #read}). Table semantics are in {@link ForecastTable}.
 */
public final class GetForecast {
    /**
     * The tool's arguments. forecast_id's pattern is CLARI_FORECAST_ID's (ClariConfig.FORECAST_ID; a test holds them
     * equal). scope_id: one line without the characters of URLs and JSON (never sent to Clari unless a scope id, yet
     * refused early like any URL-shaped value). JSON inside a Java text block: every JSON backslash is written twice.
     */
    static final Json.Obj INPUT = Schema.parse("""
            {"type": "object", "additionalProperties": false, "properties": {
              "forecast_id": {"type": "string", "pattern": "^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}$",
                "description": "Forecast tab id from the Clari URL, e.g. net_arr; default CLARI_FORECAST_ID"},
              "time_period": {"type": "string", "pattern": "^[0-9]{4}_Q[1-4]$", "description": "Fiscal quarter, e.g. 2026_Q2; default: current"},
              "scope_id": {"type": "string", "pattern": "^[^\\"/?#&=%{}<>\\\\\\\\\\\\x00-\\\\x1f\\\\x7f]{1,200}$",
                "description": "A manager's team: scope id (e.g. 1905::MGR), or the manager's name or email as in the forecast"},
              "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO code, e.g. USD"},
              "compare_to": {"type": "string", "pattern": "^(last_week|quarter_start|[0-9]{4}-[0-9]{2}-[0-9]{2})$",
                "description": "Movement since: last_week, quarter_start or a date YYYY-MM-DD (its week); one export job. For a past quarter, also forecast accuracy"}}}""");
    /** A fiscal quarter as time_period takes it (prompts check theirs by it too). */
    static final Pattern TIME_PERIOD = Pattern.compile(INPUT.obj("properties").obj("time_period").str("pattern"));
    /** A scope id as Clari writes them ("1905::MGR" [spec]); any other scope_id is a name or email. */
    static final Pattern SCOPE_ID = Pattern.compile("^[A-Za-z0-9_.:-]{1,100}$");
    /** People listed when a scope_id name is unknown or ambiguous: enough to pick from, not the whole org. */
    static final int MAX_CANDIDATES = 20;
    /** The types an export accepts [spec][tap]: never crm_total or crm_closed, which it refuses (400 type_not_supported). */
    static final List<String> EXPORT_TYPES = List.of("forecast", "quota", "forecast_updated", "adjustment");
    /** CRM totals: asked of the synchronous read only (a guess from the spec's "available from the Forecast API"). */
    static final List<String> CRM_TYPES = List.of("crm_total", "crm_closed");
    /** Statuses that say the synchronous read does not exist for this org (no source documents them: a guess). */
    private static final Set<Integer> NO_SYNC_READ = Set.of(404, 405, 501);

    /** A forecast read, aggregated; how it was read (sync, export or sync+export); whether Clari refused the CRM totals. */
    record Read(ForecastTable.Reader data, String source, boolean crmRefused) {}

    /** Answers kept for CLARI_CACHE_SECONDS: a forecast call's distinct questions fit; each is at most one capped result. */
    static final int MAX_CACHED = 32;
    static Tool tool(Clari clari) {
        return Tools.tool("get_forecast", "Clari forecast", "Clari forecast for a period: each user's calls, adjustments, CRM "
                + "totals, quota, attainment, gap, coverage by hierarchy (managers show scope ids). Current week: one sync read, "
                + "no quota. compare_to (movement, past-quarter accuracy) or a missing sync read runs an export: one monthly "
                + "export.", INPUT, OUTPUT,
                // Not idempotent: a call may spend one of the org's monthly exports (Schema.READ_ONLY says idempotent).
                Json.obj("readOnlyHint", true, "destructiveHint", false, "idempotentHint", false, "openWorldHint", true),
                new GetForecast(clari)::call);
    }

    private static final Json.Obj OUTPUT = Schema.parse("""
            {"type": "object", "required": ["forecastId", "source", "columns", "rows", "total", "rowCount", "notes"],
             "properties": {
              "forecastId": {"type": "string"},
              "timePeriod": {"type": "string", "description": "the period Clari returned"},
              "requestedTimePeriod": {"type": "string"},
              "currency": {"type": "string"},
              "source": {"type": "string", "description": "sync: one GET /forecast, no export quota; export: an export job; sync+export: both"},
              "compareTo": {"type": "string"}, "nowWeek": {"type": "string"}, "thenWeek": {"type": "string"},
              "columns": {"type": "array", "items": {"type": "string", "description": "of each row: User, Role, Level (0 = top; a manager covers the rows below), Scope id (managers), then values; 'X then' = the compared week, 'X change' = now - then"}},
              "rows": {"type": "array", "items": {"type": "array", "items": {"type": ["string", "number", "null"]}}},
              "total": {"type": "array", "items": {"type": ["string", "number", "null"]}},
              "rowCount": {"type": "integer", "description": "rows in the answer before the row cap"},
              "legend": {"type": "string"},
              "movers": {"type": "object", "required": ["columns", "rows"], "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array", "items": {"type": ["string", "number", "null"]}}}}},
              "accuracy": {"type": "object", "required": ["columns", "rows"], "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array", "items": {"type": ["string", "number", "null"]}}}}},
              "adjustments": {"type": "object", "required": ["columns", "rows"], "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array", "items": {"type": ["string", "number", "null"]}}}}},
              "notes": {"type": "array", "items": {"type": "string"}},
              "ageSeconds": {"type": "integer", "description": "present when answered from memory: seconds since it was read from Clari"}}}""");

    private final Clari clari;
    /** Identical calls within CLARI_CACHE_SECONDS get the answer already given, with its age; nothing is sent. */
    private final ForecastExport.Recent<Tool.Result> recent = new ForecastExport.Recent<>(MAX_CACHED, System::nanoTime);
    /** The export budget per hour and the last job's duration, for the life of the process. */
    private final ForecastExport.Session session = new ForecastExport.Session(System::nanoTime);
    /** Identical calls in flight share one read (this tool object lives as long as the process). */
    private final ForecastExport.Shared<Read> reads = new ForecastExport.Shared<>();
    /** Set once GET /forecast/{id} answered 404/405/501: later calls of this session go straight to an export. */
    private final AtomicBoolean syncUnavailable = new AtomicBoolean();

    GetForecast(Clari clari) {
        this.clari = clari;
    }

    Tool.Result call(Json.Obj args, Tool.Context ctx) throws Tool.Failure, ClariException, InterruptedException {
        boolean configured = args.str("forecast_id") == null; // CLARI_FORECAST_ID then: a rejection is a setup problem
        String period = args.str("time_period"), scopeArg = args.str("scope_id"), currency = args.str("currency");
        ForecastTable.Compare compare = ForecastTable.Compare.of(args.str("compare_to"));
        ClariConfig config = clari.config();
        // Both forms already passed the one rule, ClariConfig.FORECAST_ID: the schema's pattern, or ClariConfig's load.
        String forecastId = configured ? config.forecastId() : args.str("forecast_id");
        if (forecastId == null) {
            throw new Tool.Failure("No forecast chosen: pass forecast_id (the forecast tab id in the Clari URL, e.g. net_arr) or set CLARI_FORECAST_ID");
        }
        // A scope id as Clari writes them ("1905::MGR" [spec]) goes to Clari; anything else (a name, an email) is
        // looked up in the hierarchy of the whole forecast, read once, and the table cut to that manager's team.
        boolean byName = scopeArg != null && !(SCOPE_ID.matcher(scopeArg).matches() && scopeArg.contains("::"));
        Map<String, String> ask = new TreeMap<>();
        if (period != null) ask.put("timePeriod", period);
        if (scopeArg != null && !byName) ask.put("scopeId", scopeArg);
        if (currency != null) ask.put("currency", currency);
        boolean history = compare != null;
        String readKey = forecastId + "\n" + ask + (history ? "\nhistory" : "");
        // The answer also depends on compare_to and a scope given by name (resolved here, not sent to Clari).
        String answerKey = readKey + "\n" + (compare == null ? "" : compare.arg()) + "\n" + (byName ? scopeArg : "");
        long fresh = TimeUnit.SECONDS.toNanos(config.cacheSeconds());
        ForecastExport.Recent.Hit<Tool.Result> hit = fresh > 0 ? recent.get(answerKey, fresh) : null;
        if (hit != null) return ForecastAnswer.fromMemory(hit.value(), TimeUnit.NANOSECONDS.toSeconds(hit.ageNanos()), config.cacheSeconds());
        Read read = reads.run(readKey, ctx, waiters -> read(forecastId, configured, ask, history, config, waiters));
        String scopeUser = byName ? read.data().resolveUser(scopeArg, MAX_CANDIDATES) : null;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        ForecastTable table = read.data().table(compare, scopeUser, today);
        Tool.Result result = ForecastAnswer.render(forecastId, period, read.source(), read.crmRefused(), table,
                compare == null ? null : compare.arg(), today);
        if (fresh > 0) recent.put(answerKey, result);
        return result;
    }

    /**
     * Reads the forecast once for all identical calls in flight: the latest week from GET /forecast/{id} (with CRM
     * totals), and an export job when that read is missing or history is asked for (includeHistorical: every week).
     * Both bodies are parsed streaming: each entry goes straight into the Reader, never into a tree [13.1]; a
     * malformed body throws, and the Reader (half-filled) is dropped with it. Clari's refusals become tool errors.
     */
    private Read read(String forecastId, boolean configured, Map<String, String> ask, boolean history, ClariConfig config,
            Tool.Context ctx) throws Tool.Failure, InterruptedException {
        ClariClient client = clari.client(ctx);
        ForecastTable.Reader data = new ForecastTable.Reader();
        try {
            boolean sync = false, crmRefused = false;
            if (!syncUnavailable.get()) {
                try {
                    crmRefused = latestWeek(client, forecastId, ask, data);
                    sync = true;
                } catch (ClariException e) {
                    if (!NO_SYNC_READ.contains(e.status())) throw e;
                    syncUnavailable.set(true);
                    ctx.log("info", "GET /forecast answered " + e.status() + ": using export jobs for this session");
                }
            }
            if (history || !sync) {
                Map<String, Object> body = new LinkedHashMap<>(ask);
                body.putAll(Json.obj("typesToExport", EXPORT_TYPES, "schedule", "NONE", "includeHistorical", history,
                        "exportFormat", "JSON").members());
                var budget = new ForecastExport.PollBudget(config, client::timeLeft);
                var export = new ForecastExport(client, budget, ctx, session, config.maxExportsPerHour());
                data.rest(export.run(forecastId, (Json.Obj) Json.of(body), Map.of("entries", data)));
            }
            return new Read(data, sync ? (history ? "sync+export" : "sync") : "export", crmRefused);
        } catch (CancellationException e) {
            throw new InterruptedException("cancelled"); // the Reader saw the interrupt while entries streamed in
        } catch (ClariException e) {
            if ("no_such_forecast_config".equals(e.code())) {
                if (!configured) {
                    throw new Tool.Failure("Clari has no forecast '" + forecastId + "' (400 no_such_forecast_config): pass as forecast_id "
                            + "the forecast tab id from the Clari URL (e.g. net_arr), or leave it out to use CLARI_FORECAST_ID");
                }
                String problem = "CLARI_FORECAST_ID '" + forecastId + "' is not a forecast Clari knows (400 no_such_forecast_config): "
                        + "set it to the forecast tab id from the Clari URL (e.g. net_arr)";
                clari.reportConfigProblem(problem);
                throw new Tool.Failure(problem);
            }
            throw new Tool.Failure(e.getMessage()); // here, not in Tools: the read is shared by the calls waiting on it
        }
    }

    /**
     * GET /forecast/{id} with CRM totals, streamed into data; a type_not_supported refusal is retried once without
     * them (true then: CRM totals refused). A 400 hands out no entries, so data holds one read only.
     */
    private static boolean latestWeek(ClariClient client, String forecastId, Map<String, String> ask, ForecastTable.Reader data)
            throws ClariException, InterruptedException {
        Map<String, List<String>> query = new LinkedHashMap<>();
        ask.forEach((k, v) -> query.put(k, List.of(v)));
        query.put("typesToExport", Stream.concat(EXPORT_TYPES.stream(), CRM_TYPES.stream()).toList());
        query.put("exportFormat", List.of("JSON"));
        try {
            data.rest(client.forecast(forecastId, query, Map.of("entries", data)));
            return false;
        } catch (ClariException e) {
            if (e.status() != 400 || !"type_not_supported".equals(e.code())) throw e;
        }
        query.put("typesToExport", EXPORT_TYPES);
        data.rest(client.forecast(forecastId, query, Map.of("entries", data)));
        return true;
    }
}
