package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * get_forecast: one row per user with the latest value of each forecast field. The current week comes from
 * the synchronous GET /forecast/{id} [tap][gitlab] (one request, no job, no export quota); an export job
 * (submit, poll, fetch [spec]) is the fallback when that read is missing (404/405/501, remembered for the
 * session) and the way to history (a later feature: see {@link #read}). Table semantics are in {@link ForecastTable}.
 */
public final class GetForecast implements Tool {
    /** As CLARI_FORECAST_ID accepts; never starting with '.', so never the path segments "." or "..". */
    static final Pattern FORECAST_ID = Pattern.compile("^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}$");
    static final Pattern TIME_PERIOD = Pattern.compile("^\\d{4}_Q[1-4]$");
    static final Pattern SCOPE_ID = Pattern.compile("^[A-Za-z0-9_.:-]{1,100}$");
    static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    /** The types an export accepts [spec][tap]: never crm_total or crm_closed, which it refuses (400 type_not_supported). */
    static final List<String> EXPORT_TYPES = List.of("forecast", "quota", "forecast_updated", "adjustment");
    /** CRM totals: asked of the synchronous read only (a guess from the spec's "available from the Forecast API"). */
    static final List<String> CRM_TYPES = List.of("crm_total", "crm_closed");
    /** Statuses that say the synchronous read does not exist for this org (no source documents them: a guess). */
    private static final Set<Integer> NO_SYNC_READ = Set.of(404, 405, 501);
    /** Rows shown; the hierarchy of a large org beyond this belongs in Clari itself. */
    static final int MAX_ROWS = 200;
    /** Adjustments listed in the text; the structured result has them all. */
    static final int MAX_ADJUSTMENT_LINES = 20;
    /** Answers kept for CLARI_CACHE_SECONDS: a forecast call's distinct questions fit; each is at most one capped result. */
    static final int MAX_CACHED = 32;
    /** Not idempotent: a call may spend one of the org's monthly exports (Schema.READ_ONLY says idempotent). */
    static final Json.Obj ANNOTATIONS = Json.Obj.builder()
            .put("readOnlyHint", true)
            .put("destructiveHint", false)
            .put("idempotentHint", false)
            .put("openWorldHint", true)
            .build();

    /** A forecast read: the five lists, how they were read, and whether Clari refused the CRM totals. */
    record Read(Json results, boolean sync, boolean crmRefused) {}

    private final ClariAccess clari;
    /** Identical calls in flight share one read (this tool object lives as long as the process). */
    private final SharedExports<Read> reads = new SharedExports<>();
    /** Set once GET /forecast/{id} answered 404/405/501: later calls of this session go straight to an export. */
    private final AtomicBoolean syncUnavailable = new AtomicBoolean();
    /** Identical calls within CLARI_CACHE_SECONDS get the answer already given, with its age; nothing is sent. */
    private final SharedExports.Recent<ToolResult> recent = new SharedExports.Recent<>(MAX_CACHED, System::nanoTime);
    /** The export budget per hour and the last job's duration, for the life of the process. */
    private final ForecastExport.Session session = new ForecastExport.Session(System::nanoTime);

    public GetForecast(ClariAccess clari) {
        this.clari = clari;
    }

    @Override
    public String name() {
        return "get_forecast";
    }

    @Override
    public String title() {
        return "Clari forecast";
    }

    @Override
    public String description() {
        return "Clari forecast for one period: each user's latest calls, adjustments, CRM totals and quota by hierarchy, "
                + "with totals. The current week is one synchronous read (spends no export); history, or the fallback "
                + "when that read fails, starts an export job (spends one of the org's monthly exports).";
    }

    @Override
    public Json.Obj inputSchema() {
        return Schema.object(true, Schema.props()
                .put("forecast_id", Schema.string("Forecast tab id from the Clari URL, e.g. net_arr; default CLARI_FORECAST_ID", FORECAST_ID.pattern()))
                .put("time_period", Schema.string("Fiscal quarter, e.g. 2026_Q2; default: current", TIME_PERIOD.pattern()))
                .put("scope_id", Schema.string("Clari scope (a manager's team), e.g. 1905::MGR", SCOPE_ID.pattern()))
                .put("currency", Schema.string("ISO code, e.g. USD", CURRENCY.pattern()))
                .build());
    }

    @Override
    public Json.Obj outputSchema() {
        Json.Obj numbers = Schema.mapOf(Schema.type("number"));
        Json.Obj row = Schema.object(false, Schema.props()
                .put("userId", Schema.type("string"))
                .put("name", Schema.type("string"))
                .put("role", Schema.type("string"))
                .put("parentUserId", Schema.type("string"))
                .put("level", Schema.type("integer", "0 = top level; a manager's row covers the rows below it"))
                .put("values", numbers)
                .build(), "userId", "name", "level", "values");
        return Schema.object(false, Schema.props()
                .put("forecastId", Schema.type("string"))
                .put("timePeriod", Schema.type("string", "the period Clari returned"))
                .put("requestedTimePeriod", Schema.type("string"))
                .put("currency", Schema.type("string"))
                .put("source", Schema.type("string", "sync: one GET /forecast request, no export quota; export: an export job"))
                .put("fields", Schema.array(Schema.type("string")))
                .put("columns", Schema.array(Schema.object(false, Schema.props()
                        .put("name", Schema.type("string"))
                        .put("kind", Schema.type("string", "forecast call, manager adjustment, CRM total or quota"))
                        .build(), "name", "kind")))
                .put("adjustments", Schema.array(Schema.object(false, Schema.props()
                        .put("user", Schema.type("string"))
                        .put("column", Schema.type("string"))
                        .put("value", Schema.type("number"))
                        .put("adjustedBy", Schema.type("string"))
                        .put("adjustedOn", Schema.type("string"))
                        .build(), "user", "column", "value")))
                .put("rows", Schema.array(row))
                .put("rowCount", Schema.type("integer"))
                .put("totals", numbers)
                .put("totalsOver", Schema.type("string"))
                .put("notes", Schema.array(Schema.type("string")))
                .put("ageSeconds", Schema.type("integer", "present when answered from memory: seconds since it was read from Clari"))
                .build(), "forecastId", "source", "fields", "columns", "rows", "rowCount", "totals", "totalsOver", "notes");
    }

    @Override
    public Json.Obj annotations() {
        return ANNOTATIONS;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        Args args = new Args(arguments, Set.of("forecast_id", "time_period", "scope_id", "currency"));
        String forecastId = args.optionalString("forecast_id", FORECAST_ID, "a Clari forecast tab id like net_arr");
        boolean configured = forecastId == null; // then CLARI_FORECAST_ID names it, and a rejection is a setup problem
        String period = args.optionalString("time_period", TIME_PERIOD, "a fiscal quarter like 2026_Q2");
        String scope = args.optionalString("scope_id", SCOPE_ID, "a Clari scope id like 1905::MGR");
        String currency = args.optionalString("currency", CURRENCY, "a three-letter ISO code like USD");
        ClariConfig config = clari.config();
        if (config.pollProblem() != null) throw new ToolException("Server configuration problem: " + config.pollProblem());
        if (forecastId == null) forecastId = config.forecastId();
        if (forecastId == null || forecastId.isBlank()) {
            throw new ToolException("No forecast chosen: pass forecast_id (the forecast tab id in the Clari URL, e.g. net_arr) or set CLARI_FORECAST_ID");
        }
        if (!FORECAST_ID.matcher(forecastId).matches()) {
            throw new ToolException("CLARI_FORECAST_ID must be a forecast tab id like net_arr (letters, digits, _ . : -)");
        }
        String id = forecastId;
        Map<String, String> ask = new TreeMap<>();
        if (period != null) ask.put("timePeriod", period);
        if (scope != null) ask.put("scopeId", scope);
        if (currency != null) ask.put("currency", currency);
        String key = id + "\n" + ask;
        long fresh = TimeUnit.SECONDS.toNanos(config.cacheSeconds());
        SharedExports.Recent.Hit<ToolResult> hit = fresh > 0 ? recent.get(key, fresh) : null;
        if (hit != null) return fromMemory(hit.value(), TimeUnit.NANOSECONDS.toSeconds(hit.ageNanos()), config.cacheSeconds());
        Read read = reads.run(key, ctx, waiters -> read(id, configured, ask, false, config, waiters));
        ToolResult result = render(forecastId, period, read, ForecastTable.from(read.results()));
        if (fresh > 0) recent.put(key, result);
        return result;
    }

    /** A remembered answer, saying first (text) and in notes and ageSeconds (structured) how old it is. */
    static ToolResult fromMemory(ToolResult r, long ageSeconds, int cacheSeconds) {
        String note = "Answered from memory: read from Clari " + ageSeconds + " s ago (an identical call within CLARI_CACHE_SECONDS="
                + cacheSeconds + "); no request sent";
        if (r.structured() == null) return ToolResult.ok("NOTE: " + note + "\n" + r.text(), null);
        Json.Builder s = Json.Obj.builder();
        r.structured().members().forEach((k, v) -> {
            if (!k.equals("notes")) s.put(k, v);
        });
        List<Json> notes = new ArrayList<>(List.of(new Json.Str(note)));
        if (r.structured().arr("notes") != null) notes.addAll(r.structured().arr("notes").items());
        s.put("notes", new Json.Arr(notes)).put("ageSeconds", ageSeconds);
        return ToolResult.ok("NOTE: " + note + "\n" + r.text(), s.build());
    }

    /**
     * Reads the forecast once for all identical calls in flight: the latest week from GET /forecast/{id},
     * else (or when history is asked for) an export job. Clari's refusals become tool errors.
     */
    private Read read(String forecastId, boolean configured, Map<String, String> ask, boolean history, ClariConfig config,
            ToolContext ctx) throws ToolException, InterruptedException {
        ClariClient client = clari.client(ctx);
        try {
            if (!history && !syncUnavailable.get()) {
                try {
                    return latestWeek(client, forecastId, ask);
                } catch (ClariException e) {
                    if (!NO_SYNC_READ.contains(e.status())) throw e;
                    syncUnavailable.set(true);
                    ctx.log("info", "GET /forecast answered " + e.status() + ": using export jobs for this session");
                }
            }
            Json.Builder body = Json.Obj.builder();
            ask.forEach(body::put);
            body.put("typesToExport", Json.Arr.ofStrings(EXPORT_TYPES)).put("schedule", "NONE")
                    .put("includeHistorical", history).put("exportFormat", "JSON");
            ForecastExport export = new ForecastExport(client, new PollBudget(config), ctx, session, config.maxExportsPerHour());
            return new Read(export.run(forecastId, body.build()), false, false);
        } catch (ClariException e) {
            if ("no_such_forecast_config".equals(e.code())) {
                if (!configured) {
                    throw new ToolException("Clari has no forecast '" + forecastId + "' (400 no_such_forecast_config): pass as forecast_id "
                            + "the forecast tab id from the Clari URL (e.g. net_arr), or leave it out to use CLARI_FORECAST_ID");
                }
                String problem = "CLARI_FORECAST_ID '" + forecastId + "' is not a forecast Clari knows (400 no_such_forecast_config): "
                        + "set it to the forecast tab id from the Clari URL (e.g. net_arr)";
                clari.reportConfigProblem(problem);
                throw new ToolException(problem);
            }
            throw new ToolException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ToolException("Clari refused the request: " + e.getMessage());
        }
    }

    /** GET /forecast/{id} with CRM totals; a type_not_supported refusal is retried once without them. */
    private static Read latestWeek(ClariClient client, String forecastId, Map<String, String> ask)
            throws ClariException, InterruptedException {
        Map<String, List<String>> query = new LinkedHashMap<>();
        ask.forEach((k, v) -> query.put(k, List.of(v)));
        List<String> types = new ArrayList<>(EXPORT_TYPES);
        types.addAll(CRM_TYPES);
        query.put("typesToExport", types);
        query.put("exportFormat", List.of("JSON"));
        try {
            return new Read(client.forecast(forecastId, query), true, false);
        } catch (ClariException e) {
            if (e.status() != 400 || !"type_not_supported".equals(e.code())) throw e;
        }
        query.put("typesToExport", EXPORT_TYPES);
        return new Read(client.forecast(forecastId, query), true, true);
    }

    private static ToolResult render(String forecastId, String requested, Read read, ForecastTable t) {
        List<String> warnings = new ArrayList<>(); // shown above the table: they change how it reads
        if (requested != null && t.period() != null && !requested.equals(t.period())) {
            warnings.add("Clari returned " + Sanitize.text(t.period()) + ", not the requested " + requested
                    + ": it falls back to the current quarter when it does not recognise a parameter");
        }
        if (requested != null && t.period() == null) {
            warnings.add("Clari did not say which period it returned; it may not be " + requested);
        }
        if (read.crmRefused()) {
            warnings.add("CRM totals are missing: Clari refused crm_total and crm_closed for this forecast (400 type_not_supported)");
        }
        int shown = Math.min(MAX_ROWS, t.rows().size());
        if (shown < t.rows().size()) warnings.add("showing " + shown + " of " + t.rows().size() + " rows; Total still covers all of them");
        if (t.mixedCurrency()) warnings.add("values are in several currencies (" + t.currency() + "); totals mix them");
        String source = read.sync()
                ? "Read with one synchronous request (GET /forecast): the latest week, no export job, no export quota spent"
                : "Read with a Clari export job (counts against the monthly export quota; the synchronous read is not available here)"
                        + "; CRM totals are not available from exports";
        String totalsOver = t.hierarchyKnown() ? "top-level rows" : "all rows";
        String totalsNote = t.hierarchyKnown()
                ? "Total adds only top-level rows: a manager's row already covers the team indented below it"
                : "Clari sent no hierarchy (hierarchyId/parentHierarchyId), so Total adds every row; it double-counts if some rows are managers' roll-ups";

        StringBuilder out = new StringBuilder();
        out.append("Forecast '").append(forecastId).append("', ").append(t.period() == null ? "period not stated" : Sanitize.text(t.period()));
        if (t.currency() != null) out.append(", ").append(t.currency());
        out.append(" (latest weekly snapshot per user and field)\n");
        for (String w : warnings) out.append("NOTE: ").append(w).append('\n');
        if (t.rows().isEmpty()) {
            out.append("No forecast values in this answer.\n");
        } else {
            List<String> headers = new ArrayList<>(List.of("User", "Role"));
            headers.addAll(t.fields());
            List<List<String>> lines = new ArrayList<>();
            for (ForecastTable.Row r : t.rows().subList(0, shown)) {
                lines.add(cells("  ".repeat(Math.min(r.level(), 10)) + r.name(), r.role(), t.fields(), r.values()));
            }
            lines.add(cells("Total (" + totalsOver + ")", "", t.fields(), t.totals()));
            out.append(Text.table(headers, lines)).append(legend(t.columns())).append('\n').append(totalsNote).append('\n');
            int n = 0;
            for (ForecastTable.Adjusted a : t.adjustments()) {
                if (n++ == MAX_ADJUSTMENT_LINES) {
                    out.append("... and ").append(t.adjustments().size() - MAX_ADJUSTMENT_LINES).append(" more adjustments\n");
                    break;
                }
                out.append("Adjusted: ").append(a.user()).append(' ').append(a.column()).append(" = ").append(Text.money(a.value()))
                        .append(a.by() == null ? "" : " by " + a.by()).append(a.on() == null ? "" : " on " + a.on()).append('\n');
            }
        }
        out.append(source).append('\n');
        List<String> notes = new ArrayList<>(warnings);
        notes.add(totalsNote);
        notes.add(source);

        Json.Builder s = Json.Obj.builder().put("forecastId", forecastId)
                .putIfPresent("timePeriod", t.period() == null ? null : Sanitize.text(t.period()))
                .putIfPresent("requestedTimePeriod", requested)
                .putIfPresent("currency", t.currency())
                .put("source", read.sync() ? "sync" : "export")
                .put("fields", Json.Arr.ofStrings(t.fields()));
        List<Json> columns = new ArrayList<>();
        for (ForecastTable.Column c : t.columns()) columns.add(Json.Obj.builder().put("name", c.name()).put("kind", c.kind().label).build());
        List<Json> adjustments = new ArrayList<>();
        for (ForecastTable.Adjusted a : t.adjustments()) {
            adjustments.add(Json.Obj.builder().put("user", a.user()).put("column", a.column()).put("value", new Json.Num(a.value().toPlainString()))
                    .putIfPresent("adjustedBy", a.by()).putIfPresent("adjustedOn", a.on()).build());
        }
        List<Json> rows = new ArrayList<>();
        for (ForecastTable.Row r : t.rows().subList(0, shown)) {
            rows.add(Json.Obj.builder().put("userId", Sanitize.text(r.userId())).put("name", r.name())
                    .putIfPresent("role", r.role())
                    .putIfPresent("parentUserId", r.parentId() == null ? null : Sanitize.text(r.parentId()))
                    .put("level", r.level()).put("values", numbers(r.values())).build());
        }
        s.put("columns", new Json.Arr(columns)).put("adjustments", new Json.Arr(adjustments))
                .put("rows", new Json.Arr(rows)).put("rowCount", t.rows().size()).put("totals", numbers(t.totals()))
                .put("totalsOver", totalsOver).put("notes", Json.Arr.ofStrings(notes));
        return ToolResult.ok(Text.cap(out.toString(), "pass scope_id to narrow the hierarchy"), s.build());
    }

    /** "Columns: Commit, Best Case = forecast calls; Commit (adj.) = manager adjustments; Quota = quota". */
    private static String legend(List<ForecastTable.Column> columns) {
        StringJoiner out = new StringJoiner("; ", "Columns: ", "");
        for (ForecastTable.Kind k : ForecastTable.Kind.values()) {
            List<String> names = columns.stream().filter(c -> c.kind() == k).map(ForecastTable.Column::name).toList();
            if (!names.isEmpty()) out.add(String.join(", ", names) + " = " + (k == ForecastTable.Kind.QUOTA ? k.label : k.label + "s"));
        }
        return out.toString();
    }

    private static List<String> cells(String name, String role, List<String> fields, Map<String, BigDecimal> values) {
        List<String> row = new ArrayList<>(List.of(name, role == null ? "" : role));
        for (String f : fields) row.add(values.containsKey(f) ? Text.money(values.get(f)) : "-");
        return row;
    }

    private static Json.Obj numbers(Map<String, BigDecimal> values) {
        Json.Builder b = Json.Obj.builder();
        values.forEach((k, v) -> b.put(k, new Json.Num(v.toPlainString())));
        return b.build();
    }
}
