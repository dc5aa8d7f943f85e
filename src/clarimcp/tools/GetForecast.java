package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * get_forecast: runs Clari's forecast export (submit, poll, fetch) and answers one row per user
 * with the latest value of each forecast field. Table semantics are in {@link ForecastTable}.
 */
public final class GetForecast implements Tool {
    /** As CLARI_FORECAST_ID accepts; never starting with '.', so never the path segments "." or "..". */
    static final Pattern FORECAST_ID = Pattern.compile("^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,127}$");
    static final Pattern TIME_PERIOD = Pattern.compile("^\\d{4}_Q[1-4]$");
    static final Pattern SCOPE_ID = Pattern.compile("^[A-Za-z0-9_.:-]{1,100}$");
    static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    /** Every type Clari exports for a forecast: the calls, quota, adjustments and CRM totals. */
    private static final List<String> TYPES = List.of("forecast", "quota", "forecast_updated", "adjustment", "crm_total", "crm_closed");
    /** Rows shown; the hierarchy of a large org beyond this belongs in Clari itself. */
    static final int MAX_ROWS = 200;

    private final ClariAccess clari;
    /** Identical calls in flight share one export job (this tool object lives as long as the process). */
    private final SharedExports exports = new SharedExports();

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
        return "Clari forecast for one period: each user's latest Commit, Best Case, Pipeline, Closed, Quota... "
                + "in reporting order, with totals over the top-level rows. Runs a Clari export job (usually seconds; "
                + "counts against the monthly export quota).";
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
                .put("fields", Schema.array(Schema.type("string")))
                .put("rows", Schema.array(row))
                .put("rowCount", Schema.type("integer"))
                .put("totals", numbers)
                .put("totalsOver", Schema.type("string"))
                .put("notes", Schema.array(Schema.type("string")))
                .build(), "forecastId", "fields", "rows", "rowCount", "totals", "totalsOver", "notes");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
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
        if (forecastId == null) forecastId = config.forecastId();
        if (forecastId == null || forecastId.isBlank()) {
            throw new ToolException("No forecast chosen: pass forecast_id (the forecast tab id in the Clari URL, e.g. net_arr) or set CLARI_FORECAST_ID");
        }
        if (!FORECAST_ID.matcher(forecastId).matches()) {
            throw new ToolException("CLARI_FORECAST_ID must be a forecast tab id like net_arr (letters, digits, _ . : -)");
        }
        Json.Obj body = Json.Obj.builder()
                .putIfPresent("timePeriod", period)
                .put("typesToExport", Json.Arr.ofStrings(TYPES))
                .putIfPresent("scopeId", scope)
                .putIfPresent("currency", currency)
                .put("schedule", "NONE")
                .put("includeHistorical", false)
                .put("exportFormat", "JSON")
                .build();
        String id = forecastId;
        Json results = exports.run(id + "\n" + JsonWriter.writeCanonical(body), ctx,
                waiters -> export(id, configured, body, config, waiters));
        return render(forecastId, period, ForecastTable.from(results));
    }

    /** Runs the export (once for all identical calls in flight); Clari's refusals become tool errors. */
    private Json export(String forecastId, boolean configured, Json.Obj body, ClariConfig config, ToolContext ctx)
            throws ToolException, InterruptedException {
        ClariClient client = clari.client(ctx);
        try {
            return new ForecastExport(client, new PollBudget(config), ctx).run(forecastId, body);
        } catch (ForecastExport.Refused e) {
            if (!configured) throw new ToolException(e.getMessage());
            String problem = "CLARI_FORECAST_ID '" + forecastId + "' was rejected by Clari ("
                    + (e.status == 404 ? "404: no such forecast" : "403: not visible to the token's user")
                    + "): set it to the forecast tab id from the Clari URL (e.g. net_arr) of a forecast the token's user can open";
            clari.reportConfigProblem(problem);
            throw new ToolException(problem);
        } catch (ClariException e) {
            throw new ToolException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ToolException("Clari refused the request: " + e.getMessage());
        }
    }

    private static ToolResult render(String forecastId, String requested, ForecastTable t) {
        List<String> warnings = new ArrayList<>(); // shown above the table: they change how it reads
        if (requested != null && t.period() != null && !requested.equals(t.period())) {
            warnings.add("Clari returned " + Sanitize.text(t.period()) + ", not the requested " + requested
                    + ": it falls back to the current quarter when it does not recognise a parameter");
        }
        if (requested != null && t.period() == null) {
            warnings.add("Clari did not say which period it returned; it may not be " + requested);
        }
        int shown = Math.min(MAX_ROWS, t.rows().size());
        if (shown < t.rows().size()) warnings.add("showing " + shown + " of " + t.rows().size() + " rows; Total still covers all of them");
        if (t.mixedCurrency()) warnings.add("values are in several currencies (" + t.currency() + "); totals mix them");
        String totalsOver = t.hierarchyKnown() ? "top-level rows" : "all rows";
        String totalsNote = t.hierarchyKnown()
                ? "Total adds only top-level rows: a manager's row already covers the team indented below it"
                : "Clari sent no reporting lines, so Total adds every row; it double-counts if some rows are managers' roll-ups";

        StringBuilder out = new StringBuilder();
        out.append("Forecast '").append(forecastId).append("', ").append(t.period() == null ? "period not stated" : Sanitize.text(t.period()));
        if (t.currency() != null) out.append(", ").append(t.currency());
        out.append(" (latest weekly snapshot per user and field)\n");
        for (String w : warnings) out.append("NOTE: ").append(w).append('\n');
        if (t.rows().isEmpty()) {
            out.append("No forecast values in this export.\n");
        } else {
            List<String> headers = new ArrayList<>(List.of("User", "Role"));
            headers.addAll(t.fields());
            List<List<String>> lines = new ArrayList<>();
            for (ForecastTable.Row r : t.rows().subList(0, shown)) {
                lines.add(cells("  ".repeat(Math.min(r.level(), 10)) + r.name(), r.role(), t.fields(), r.values()));
            }
            lines.add(cells("Total (" + totalsOver + ")", "", t.fields(), t.totals()));
            out.append(Text.table(headers, lines)).append(totalsNote).append('\n');
        }
        List<String> notes = new ArrayList<>(warnings);
        notes.add(totalsNote);

        Json.Builder s = Json.Obj.builder().put("forecastId", forecastId)
                .putIfPresent("timePeriod", t.period() == null ? null : Sanitize.text(t.period()))
                .putIfPresent("requestedTimePeriod", requested)
                .putIfPresent("currency", t.currency())
                .put("fields", Json.Arr.ofStrings(t.fields()));
        List<Json> rows = new ArrayList<>();
        for (ForecastTable.Row r : t.rows().subList(0, shown)) {
            rows.add(Json.Obj.builder().put("userId", Sanitize.text(r.userId())).put("name", r.name())
                    .putIfPresent("role", r.role())
                    .putIfPresent("parentUserId", r.parentId() == null ? null : Sanitize.text(r.parentId()))
                    .put("level", r.level()).put("values", numbers(r.values())).build());
        }
        s.put("rows", new Json.Arr(rows)).put("rowCount", t.rows().size()).put("totals", numbers(t.totals()))
                .put("totalsOver", totalsOver).put("notes", Json.Arr.ofStrings(notes));
        return ToolResult.ok(Text.cap(out.toString(), "pass scope_id to narrow the hierarchy"), s.build());
    }

    private static List<String> cells(String name, String role, List<String> fields, java.util.Map<String, BigDecimal> values) {
        List<String> row = new ArrayList<>(List.of(name, role == null ? "" : role));
        for (String f : fields) row.add(values.containsKey(f) ? Text.money(values.get(f)) : "-");
        return row;
    }

    private static Json.Obj numbers(java.util.Map<String, BigDecimal> values) {
        Json.Builder b = Json.Obj.builder();
        values.forEach((k, v) -> b.put(k, new Json.Num(v.toPlainString())));
        return b.build();
    }
}
