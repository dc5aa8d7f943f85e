package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * One get_forecast answer in two forms built from the same cells: the text (aligned tables) and
 * structuredContent (columns + rows arrays). Every note, the row cap, the scope ids and each table appear in
 * both, so a client that shows only one of them (Claude Code reads structuredContent, Claude Desktop the text)
 * loses nothing; numbers are raw in JSON and formatted in the text.
 */
final class ForecastAnswer {
    /** Rows shown; the hierarchy of a large org beyond this belongs in Clari itself (scope_id narrows it). */
    static final int MAX_ROWS = 200;
    /** Adjustments listed; more in one forecast is rare and the table shows the adjusted values anyway. */
    static final int MAX_ADJUSTMENTS = 20;

    /** How a cell is shown in the text; the JSON keeps the raw value. */
    private enum Format { TEXT, MONEY, PERCENT, RATIO, HIDDEN }

    private record Col(String header, Format format, Function<Line, Json> cell) {}

    /** A table line: a row's (or the total's) values now and then, and its metrics. */
    private record Line(String name, String role, Integer level, String scopeId, Map<String, BigDecimal> now,
            Map<String, BigDecimal> then, ForecastTable.Metrics metrics) {}

    /**
     * The answer. source says how it was read (sync, export or sync+export); crmRefused that Clari refused the CRM
     * totals. compareArg is the compare_to given (or null); today decides whether the period is over (accuracy).
     */
    static Tool.Result render(String forecastId, String requested, String source, boolean crmRefused, ForecastTable t,
            String compareArg, LocalDate today) {
        int shown = Math.min(MAX_ROWS, t.rows().size());
        Tool.Result r = render(forecastId, requested, source, crmRefused, t, compareArg, today, shown);
        // The text cap (Text.MAX_CHARS) must not cut silently what the structured part still has: fewer rows in both.
        for (int i = 0; i < 4 && r.text().length() > Text.MAX_CHARS && shown > 1; i++) {
            shown = Math.max(1, (int) (shown * (Text.MAX_CHARS * 0.9 / r.text().length())));
            r = render(forecastId, requested, source, crmRefused, t, compareArg, today, shown);
        }
        return r;
    }

    private static Tool.Result render(String forecastId, String requested, String source, boolean crmRefused,
            ForecastTable t, String compareArg, LocalDate today, int shown) {
        List<String> warnings = new ArrayList<>(); // shown above the table: they change how it reads
        if (requested != null && t.period() != null && !requested.equals(t.period())) {
            warnings.add("Clari returned " + t.period() + ", not the requested " + requested
                    + ": it falls back to the current quarter when it does not recognise a parameter");
        }
        if (requested != null && t.period() == null) {
            warnings.add("Clari did not say which period it returned; it may not be " + requested);
        }
        if (crmRefused) {
            warnings.add("CRM totals are missing: Clari refused crm_total and crm_closed for this forecast (400 type_not_supported)");
        }
        if (shown < t.rows().size()) warnings.add("showing " + shown + " of " + t.rows().size() + " rows; the total still covers all of them; "
                + "pass scope_id (a manager's name or scope id) to narrow");
        if (t.fieldsWithValues() > ForecastTable.MAX_COLUMNS) {
            warnings.add("showing " + t.columns().size() + " columns of " + t.fieldsWithValues() + " forecast fields with values (at most "
                    + ForecastTable.MAX_COLUMNS + ")");
        }
        if (t.then() != null) {
            List<String> still = t.columns().stream().map(ForecastTable.Column::name)
                    .filter(c -> !moved(t, c) && t.rows().stream().anyMatch(r -> r.then().containsKey(c))).toList();
            if (!still.isEmpty()) warnings.add("unchanged for every row since then: " + String.join(", ", still));
        }
        if (t.mixedCurrency()) warnings.add("values are in several currencies (" + t.currency() + "); totals mix them");
        String totalsOver = t.hierarchyKnown() ? "top-level rows" : "all rows";
        List<String> notes = new ArrayList<>(warnings);
        notes.add(t.hierarchyKnown()
                ? "Total adds only top-level rows: a manager's row already covers the team indented below it"
                : "Clari sent no hierarchy (hierarchyId/parentHierarchyId), so Total adds every row; it double-counts if some rows are managers' roll-ups");
        ForecastTable.Landing land = t.landing();
        if (land.quota() != null && land.closed() != null) {
            notes.add("Where we land: Attainment = " + land.closed() + " / " + land.quota() + "; Gap to quota = " + land.quota() + " - "
                    + land.closed() + (land.pipeline() == null ? "" : "; Coverage = " + land.pipeline() + " / (" + land.quota() + " - "
                    + land.closed() + "), shown only while quota exceeds closed") + ". Columns chosen by name and type (a guess)");
        } else {
            notes.add("Attainment, gap and coverage need a quota and a closed column; this answer has "
                    + (land.quota() == null ? "no quota" : "no closed") + " column" + (source.equals("export") ? " (exports carry no CRM totals)" : ""));
        }
        notes.add(switch (source) {
            case "sync" -> "Read with one synchronous request (GET /forecast): the latest week, no export job, no export quota spent";
            case "sync+export" -> "Read with one synchronous request (GET /forecast: the latest week, with CRM totals) and one export job "
                    + "with every week of the quarter (counts against the monthly export quota; exports carry no CRM totals, so those have no 'then')";
            default -> "Read with a Clari export job (counts against the monthly export quota; the synchronous read is not available here)"
                    + "; CRM totals are not available from exports";
        });

        List<Col> cols = columns(t);
        List<Line> lines = t.rows().subList(0, shown).stream().map(r -> new Line(r.name(), r.role(), r.level(), r.scopeId(),
                r.values(), r.then(), t.metrics(r.values()))).toList();
        Line total = new Line("Total (" + totalsOver + ")", null, null, null, t.totals(), t.thenTotals(), t.metrics(t.totals()));

        StringBuilder out = new StringBuilder();
        out.append("Forecast '").append(forecastId).append("', ").append(t.period() == null ? "period not stated" : t.period());
        if (t.currency() != null) out.append(", ").append(t.currency());
        out.append(" (latest weekly snapshot per user and field)\n");
        // The structured form, in its key order; null values are left out (Json.of).
        Map<String, Object> s = new LinkedHashMap<>(Json.obj("forecastId", forecastId, "timePeriod", t.period(),
                "requestedTimePeriod", requested, "currency", t.currency(), "source", source).members());
        String movement = null;
        if (t.then() != null) {
            movement = "Movement (compare_to " + compareArg + "): now = week " + t.now().label() + ", then = week " + t.then().label()
                    + "; change = now - then";
            out.append(movement).append('\n');
            notes.addFirst(movement);
            s.putAll(Json.obj("compareTo", compareArg, "nowWeek", t.now().label(), "thenWeek", t.then().label()).members());
        }
        for (String w : warnings) out.append("NOTE: ").append(w).append('\n');

        if (t.then() != null) {
            List<List<Json>> movers = t.movers().stream()
                    .map(m -> List.of(Json.of(m.user()), Json.of(m.column()), num(m.then()), num(m.now()), num(m.change()))).toList();
            List<String> headers = List.of("User", "Column", "Then", "Now", "Change");
            List<Format> formats = List.of(Format.TEXT, Format.TEXT, Format.MONEY, Format.MONEY, Format.MONEY);
            out.append(movers.isEmpty() ? "No value changed between the two weeks.\n"
                    : "Biggest movers (largest change first, at most " + ForecastTable.MAX_MOVERS + "):\n" + text(headers, formats, movers, List.of()));
            s.put("movers", Json.obj("columns", headers, "rows", movers));
        }

        List<List<Json>> cells = new ArrayList<>();
        for (Line l : lines) cells.add(cols.stream().map(c -> c.cell().apply(l)).toList());
        List<Json> totalCells = cols.stream().map(c -> c.cell().apply(total)).toList();
        List<String> headers = cols.stream().map(Col::header).toList();
        List<Format> formats = cols.stream().map(Col::format).toList();
        if (t.rows().isEmpty()) {
            out.append("No forecast values in this answer.\n");
        } else {
            List<List<Json>> all = new ArrayList<>(cells);
            all.add(totalCells);
            out.append(text(headers, formats, all, lines)).append(legend(t.columns())).append('\n');
        }
        s.putAll(Json.obj("columns", headers, "rows", cells, "total", totalCells, "rowCount", t.rows().size(),
                "legend", legend(t.columns())).members());

        if (t.then() != null && t.periodOver(today) && land.closed() != null) {
            accuracy(t, lines, out, s, notes);
        }
        List<List<Json>> adjustments = t.adjustments().stream().limit(MAX_ADJUSTMENTS)
                .map(a -> List.of(Json.of(a.user()), Json.of(a.column()), num(a.value()), str(a.by()), str(a.on()))).toList();
        if (!adjustments.isEmpty()) {
            List<String> h = List.of("Adjusted", "Column", "Value", "By", "On");
            List<Format> f = List.of(Format.TEXT, Format.TEXT, Format.MONEY, Format.TEXT, Format.TEXT);
            out.append("Manager adjustments:\n").append(text(h, f, adjustments, List.of()));
            if (t.adjustments().size() > MAX_ADJUSTMENTS) {
                String more = (t.adjustments().size() - MAX_ADJUSTMENTS) + " more adjustments not listed";
                out.append("... ").append(more).append('\n');
                notes.add(more);
            }
            s.put("adjustments", Json.obj("columns", h, "rows", adjustments));
        }
        for (String n : notes.subList(warnings.size() + (movement == null ? 0 : 1), notes.size())) out.append(n).append('\n');
        s.put("notes", notes);
        return Tool.Result.ok(Text.cap(out.toString(), "pass scope_id to narrow the hierarchy"), (Json.Obj) Json.of(s));
    }

    /** A remembered answer, saying first (text) and in notes and ageSeconds (structured) how old it is. */
    static Tool.Result fromMemory(Tool.Result r, long ageSeconds, int cacheSeconds) {
        String note = "Answered from memory: read from Clari " + ageSeconds + " s ago (an identical call within CLARI_CACHE_SECONDS="
                + cacheSeconds + "); no request sent";
        if (r.structured() == null) return Tool.Result.ok("NOTE: " + note + "\n" + r.text(), null);
        Map<String, Object> s = new LinkedHashMap<>(r.structured().members());
        List<Object> notes = new ArrayList<>(List.of(note));
        if (r.structured().arr("notes") != null) notes.addAll(r.structured().arr("notes").items());
        s.remove("notes"); // then last, as in every answer, before ageSeconds
        s.put("notes", notes);
        s.put("ageSeconds", ageSeconds);
        return Tool.Result.ok("NOTE: " + note + "\n" + r.text(), (Json.Obj) Json.of(s));
    }

    /** The call of each forecast-call column at the compared week against the final closed value (a past quarter's last week). */
    private static void accuracy(ForecastTable t, List<Line> lines, StringBuilder out, Map<String, Object> s,
            List<String> notes) {
        String closed = t.landing().closed();
        List<ForecastTable.Column> calls = t.columns().stream().filter(c -> c.kind() == ForecastTable.Kind.CALL).toList();
        List<String> headers = new ArrayList<>(List.of("User", closed + " (final)"));
        List<Format> formats = new ArrayList<>(List.of(Format.TEXT, Format.MONEY));
        for (ForecastTable.Column c : calls) {
            headers.addAll(List.of(c.name() + " then", c.name() + " accuracy"));
            formats.addAll(List.of(Format.MONEY, Format.PERCENT));
        }
        List<List<Json>> rows = new ArrayList<>();
        for (Line l : lines) {
            BigDecimal actual = l.now().get(closed);
            if (actual == null) continue;
            List<Json> row = new ArrayList<>(List.of(new Json.Str(l.name()), num(actual)));
            for (ForecastTable.Column c : calls) {
                row.add(num(l.then().get(c.name())));
                row.add(num(ForecastTable.accuracy(l.then().get(c.name()), actual)));
            }
            rows.add(row);
        }
        String how = "Forecast accuracy: " + t.period() + " is over, so " + closed + " of its last week (" + t.now().label()
                + ") is final; each call of the week " + t.then().label() + " against it: accuracy = 1 - |call - closed| / closed";
        notes.add(how);
        out.append(how).append('\n').append(text(headers, formats, rows, List.of()));
        s.put("accuracy", Json.obj("columns", headers, "rows", rows));
    }

    /** The main table's columns: who, then each value column now (and then, change where the compared week has values), then metrics. */
    private static List<Col> columns(ForecastTable t) {
        List<Col> cols = new ArrayList<>();
        cols.add(new Col("User", Format.TEXT, l -> new Json.Str(l.name())));
        cols.add(new Col("Role", Format.TEXT, l -> str(l.role())));
        cols.add(new Col("Level", Format.HIDDEN, l -> Json.of((Object) l.level())));
        cols.add(new Col("Scope id", Format.TEXT, l -> str(l.scopeId())));
        for (ForecastTable.Column c : t.columns()) {
            String name = c.name();
            cols.add(new Col(name, Format.MONEY, l -> num(l.now().get(name))));
            if (!moved(t, name)) continue;
            cols.add(new Col(name + " then", Format.MONEY, l -> num(l.then().get(name))));
            cols.add(new Col(name + " change", Format.MONEY, l -> {
                BigDecimal now = l.now().get(name), then = l.then().get(name);
                return now == null || then == null ? Json.Null.NULL : num(now.subtract(then));
            }));
        }
        ForecastTable.Landing land = t.landing();
        if (land.quota() != null && land.closed() != null) {
            cols.add(new Col("Attainment", Format.PERCENT, l -> num(l.metrics().attainment())));
            cols.add(new Col("Gap to quota", Format.MONEY, l -> num(l.metrics().gap())));
            if (land.pipeline() != null) cols.add(new Col("Coverage", Format.RATIO, l -> num(l.metrics().coverage())));
        }
        return cols;
    }

    /** True when some row's value in column differs between the compared week and now: only then are "then" and "change" shown. */
    private static boolean moved(ForecastTable t, String column) {
        if (t.then() == null) return false;
        for (ForecastTable.Row r : t.rows()) {
            BigDecimal then = r.then().get(column), now = r.values().get(column);
            if (then != null && (now == null || now.compareTo(then) != 0)) return true;
        }
        return false;
    }

    /** An aligned text table of the same cells; names indented by level (from lines, where given); HIDDEN columns left out. */
    private static String text(List<String> headers, List<Format> formats, List<List<Json>> rows, List<Line> lines) {
        List<String> h = new ArrayList<>();
        for (int c = 0; c < headers.size(); c++) if (formats.get(c) != Format.HIDDEN) h.add(headers.get(c));
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> line = new ArrayList<>();
            for (int c = 0; c < headers.size(); c++) {
                if (formats.get(c) == Format.HIDDEN) continue;
                String cell = format(rows.get(i).get(c), formats.get(c));
                if (c == 0 && i < lines.size()) cell = "  ".repeat(Math.min(lines.get(i).level(), 10)) + cell;
                line.add(cell);
            }
            out.add(line);
        }
        return Text.table(h, out);
    }

    private static String format(Json v, Format f) {
        if (!(v instanceof Json.Num n)) return v instanceof Json.Str s ? s.value().replace(" | ", " / ") : f == Format.TEXT ? "" : "-";
        BigDecimal d = n.decimal();
        return switch (f) {
            case PERCENT -> d.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
            case RATIO -> d.setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "x";
            case MONEY -> Text.money(d);
            case TEXT, HIDDEN -> n.text();
        };
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

    private static Json num(BigDecimal v) {
        return v == null ? Json.Null.NULL : new Json.Num(v.toPlainString());
    }

    private static Json str(String v) {
        return v == null ? Json.Null.NULL : new Json.Str(v);
    }
}
