package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.json.Json;
import clarimcp.tools.Deal.Change;
import clarimcp.tools.Deal.Field;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * get_deal_risk's answer, in its two forms: the text (Claude Desktop reads it) and structuredContent (Claude
 * Code shows the model only that), with the same facts: totals per forecast category, the matching deals
 * lowest score first under the same cap, change rows, the changed_since summary and every NOTE. Rows are
 * arrays under named columns, which keeps the JSON below the text's length.
 */
final class DealReport {
    /** Deals listed (the riskiest), in both forms: a table of 1000 would blow the text cap. */
    static final int MAX_ROWS = 100;
    /** Change rows listed (of the listed deals): 100 deals with five changes each would crowd the text cap. */
    static final int MAX_CHANGE_ROWS = 200;
    /** Ids per summary line (pushed out, into Commit, ...): enough for a follow-up call; the rest counted. */
    private static final int MAX_SUMMARY_IDS = 50;
    /** Unknown ids listed back (text and structuredContent alike); the rest are counted: 1,000 typos need no echo. */
    static final int MAX_LISTED_UNKNOWN = 10;
    /** Below this CRM score a deal's amount is "at risk" in the totals (the threshold). */
    static final BigDecimal RISK_SCORE = BigDecimal.valueOf(50);
    /** Shown order of the standard categories (Salesforce's, most certain first); others follow by name. */
    private static final List<String> CATEGORY_ORDER = List.of("closed", "commit", "best case", "pipeline", "omitted");
    private static final List<String> DEAL_COLUMNS =
            List.of("id", "score", "name", "amount", "stage", "closeDate", "forecastCategory", "owner", "reason");
    private static final List<String> CHANGE_COLUMNS = List.of("id", "field", "date", "from", "to");
    private static final String NARROW = "narrow with forecast_category, open_only, close_from/close_to, owner, min_amount or max_score";

    private DealReport() {}

    /**
     * The filters given; null members are absent. categories are lower case. With since (changed_since), a deal
     * that was in one of the categories then also matches: a Commit inspection must see the deals that left Commit.
     */
    record Filters(Set<String> categories, boolean openOnly, LocalDate closeFrom, LocalDate closeTo, String owner,
                   BigDecimal minAmount, BigDecimal maxScore, Instant since) {
        /**
         * Null when the deal matches; else the missing field's name when it lacks a filtered field (counted
         * apart, never a match nor a zero), or "" when a value fails.
         */
        String miss(Deal d) {
            if (categories != null) {
                String c = d.value(Field.FORECAST_CATEGORY);
                if (c == null) return "forecast category";
                if (!categories.contains(c.strip().toLowerCase(Locale.ROOT)) && !wasInCategories(d)) return "";
            }
            if (openOnly) {
                Boolean closed = d.closed();
                if (closed == null) return "stage and forecast category";
                if (closed) return "";
            }
            if (closeFrom != null || closeTo != null) {
                LocalDate c = d.closeDate();
                if (c == null) return "close date";
                if (closeFrom != null && c.isBefore(closeFrom) || closeTo != null && c.isAfter(closeTo)) return "";
            }
            if (owner != null) {
                if (d.ownerKeys().isEmpty()) return "owner";
                if (!d.ownerKeys().contains(owner)) return "";
            }
            if (minAmount != null) {
                if (d.amount() == null) return "amount";
                if (d.amount().compareTo(minAmount) < 0) return "";
            }
            if (maxScore != null) {
                if (d.score() == null) return "CRM score";
                if (d.score().compareTo(maxScore) > 0) return "";
            }
            return null;
        }

        /** Whether the deal's forecast category at since (the first later change's old value) is one of the categories. */
        boolean wasInCategories(Deal d) {
            if (since == null) return false;
            for (Change c : DealChanges.since(d, since)) {
                if (c.field() == Field.FORECAST_CATEGORY) return c.oldValue() != null && categories.contains(c.oldValue().strip().toLowerCase(Locale.ROOT));
            }
            return false;
        }

        boolean any() {
            return categories != null || openOnly || closeFrom != null || closeTo != null || owner != null
                    || minAmount != null || maxScore != null;
        }
    }

    /** One forecast category's totals over the matching deals. */
    private static final class Total {
        final String label;
        int count;
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal atRisk = BigDecimal.ZERO;

        Total(String label) {
            this.label = label;
        }

        void add(Deal d) {
            count++;
            if (d.amount() == null) return;
            amount = amount.add(d.amount());
            if (d.score() != null && d.score().compareTo(RISK_SCORE) < 0) atRisk = atRisk.add(d.amount());
        }

        List<Json> row() {
            return List.of(Json.of(label), Json.of(count), num(amount), num(atRisk));
        }
    }

    /** Standard categories in CATEGORY_ORDER, then others by name, then deals without one. */
    private static String sortKey(String lower) {
        int i = CATEGORY_ORDER.indexOf(lower);
        return i >= 0 ? "0" + i : lower.isEmpty() ? "2" : "1" + lower;
    }

    /**
     * The answer; when long values (a cell holds up to {@link Sanitize#MAX_CHARS}) would push the text past
     * {@link Text#MAX_CHARS}, fewer rows are listed in both forms, rather than the text alone being cut.
     */
    static Tool.Result render(List<Deal> deals, List<String> notFound, Filters filters, Json.Obj arguments, Instant since,
                             LocalDate today) {
        int rows = MAX_ROWS, changes = MAX_CHANGE_ROWS;
        while (true) {
            Tool.Result r = render(deals, notFound, filters, arguments, since, today, rows, changes);
            if (r.text().length() <= Text.MAX_CHARS || rows <= 1) {
                return Tool.Result.ok(Text.cap(r.text(), "pass fewer opp_ids or " + NARROW), r.structured()); // cut: only past one row
            }
            rows /= 2;
            changes /= 2;
        }
    }

    private static Tool.Result render(List<Deal> deals, List<String> notFound, Filters filters, Json.Obj arguments, Instant since,
                                     LocalDate today, int maxRows, int maxChangeRows) {
        List<String> notes = new ArrayList<>();
        List<String> listed = notFound.subList(0, Math.min(MAX_LISTED_UNKNOWN, notFound.size()));
        if (!notFound.isEmpty()) {
            notes.add("Not found in Clari (" + notFound.size() + "): " + String.join(", ", listed)
                    + (listed.size() < notFound.size() ? ", … (first " + listed.size() + " listed)" : ""));
        }
        List<Deal> matched = new ArrayList<>();
        Map<String, Integer> missing = new TreeMap<>();
        int closed = 0;
        for (Deal d : deals) {
            String miss = filters.miss(d);
            if (Boolean.TRUE.equals(d.closed())) closed++;
            if (miss == null) matched.add(d);
            else if (!miss.isEmpty()) missing.merge(miss, 1, Integer::sum);
        }
        if (!missing.isEmpty()) {
            List<String> parts = new ArrayList<>();
            missing.forEach((field, n) -> parts.add(field + " " + n));
            notes.add("Not matched, field missing (left out, not counted as matches): " + String.join(", ", parts));
        }
        if (filters.openOnly()) {
            notes.add("open_only: " + closed + " of the deals found are closed (stage containing 'Closed' or category Closed) and left out");
        }
        matched.sort(Comparator.comparing(Deal::score, Comparator.nullsLast(Comparator.naturalOrder()))); // stable: ties keep the caller's order
        Map<String, Total> totals = new TreeMap<>();
        Total all = new Total("All");
        int noAmount = 0;
        for (Deal d : matched) {
            String c = d.value(Field.FORECAST_CATEGORY);
            String lower = c == null ? "" : c.strip().toLowerCase(Locale.ROOT);
            totals.computeIfAbsent(sortKey(lower), k -> new Total(c == null ? "(no category)" : c.strip())).add(d);
            all.add(d);
            if (d.amount() == null) noAmount++;
        }
        long left = filters.categories() == null ? 0 : matched.stream().filter(d -> d.value(Field.FORECAST_CATEGORY) != null
                && !filters.categories().contains(d.value(Field.FORECAST_CATEGORY).strip().toLowerCase(Locale.ROOT))).count();
        if (left > 0) notes.add(left + " deal(s) kept that were in forecast_category at changed_since and have left it since");
        if (noAmount > 0) notes.add(noAmount + " matching deal(s) have no amount: counted in Deals, not in the amounts");
        List<Deal> shown = matched.subList(0, Math.min(maxRows, matched.size()));
        if (shown.size() < matched.size()) {
            notes.add((matched.size() - shown.size()) + " more matching deal(s) not listed (the " + shown.size()
                    + " lowest scores are): " + NARROW + ", or pass fewer opp_ids");
        }

        List<List<Json>> changeRows = new ArrayList<>();
        for (Deal d : shown) {
            List<Change> cs = since != null ? DealChanges.since(d, since) : latestPerField(d);
            for (Change c : cs) {
                changeRows.add(List.of(Json.of(d.id()), Json.of(c.field().label), str(c.date()), str(c.oldValue()), str(c.newValue())));
            }
        }
        int moreChanges = Math.max(0, changeRows.size() - maxChangeRows);
        changeRows = changeRows.subList(0, changeRows.size() - moreChanges);
        if (moreChanges > 0) notes.add(moreChanges + " more change(s) not listed: narrow changed_since or the deals (" + NARROW + ")");
        DealChanges.Summary summary = since == null ? null : DealChanges.summarize(matched, since, today);
        if (summary != null) {
            LocalDate[] q = DealChanges.quarter(today);
            notes.add("Quarter " + DealChanges.quarterId(today) + " = " + q[0] + ".." + q[1] + ": the calendar quarter of today (UTC); "
                    + "Clari's opportunity answer carries no fiscal calendar");
            if (summary.undated() > 0) notes.add(summary.undated() + " change(s) without a readable date left out of changed_since");
        }

        // The text: header, totals, notes, deals, changes.
        StringBuilder out = new StringBuilder();
        out.append(deals.size()).append(" deal(s) found in Clari");
        if (filters.any()) out.append("; ").append(matched.size()).append(" match ").append(describe(arguments));
        out.append('\n').append("Totals by forecast category (matching deals; at risk = CRM score below ").append(RISK_SCORE).append("):\n");
        List<List<Json>> totalRows = new ArrayList<>();
        totals.values().forEach(t -> totalRows.add(t.row()));
        totalRows.add(all.row());
        out.append(Text.table(List.of("Category", "Deals", "Amount", "At risk"), cells(totalRows, 2, 3)));
        for (String note : notes) out.append("NOTE: ").append(note).append('\n');
        List<List<Json>> rows = new ArrayList<>();
        for (Deal d : shown) {
            rows.add(List.of(Json.of(d.id()), num(d.score()), str(d.name()), num(d.amount()), str(d.value(Field.STAGE)),
                    str(d.value(Field.CLOSE_DATE)), str(d.value(Field.FORECAST_CATEGORY)), str(d.value(Field.OWNER)), str(d.message())));
        }
        if (!rows.isEmpty()) {
            out.append("Deals, lowest Clari CRM score first (deal health 0-100; low = at risk):\n");
            out.append(Text.table(List.of("Id", "Score", "Name", "Amount", "Stage", "Close", "Category", "Owner", "Reason"), cells(rows, 3)));
        }
        List<List<Json>> summaryRows = new ArrayList<>();
        if (summary != null) {
            out.append("Changes since ").append(since).append(" (stage, amount, close date, forecast category) on the ")
                    .append(matched.size()).append(" matching deal(s):\n");
            for (DealChanges.Line line : summary.lines()) {
                List<String> ids = line.ids().subList(0, Math.min(MAX_SUMMARY_IDS, line.ids().size()));
                out.append("- ").append(line.label()).append(" (").append(line.ids().size()).append(")")
                        .append(ids.isEmpty() ? "" : ": " + String.join(", ", ids))
                        .append(ids.size() < line.ids().size() ? ", … (first " + ids.size() + " listed)" : "").append('\n');
                summaryRows.add(List.of(Json.of(line.label()), Json.of(line.ids().size()), Json.Arr.ofStrings(ids)));
            }
            out.append("- net amount change: ").append(signed(summary.netAmount())).append(" over ").append(summary.amountDeals())
                    .append(" deal(s) with amount changes\n");
        }
        if (!changeRows.isEmpty()) {
            out.append(since != null ? "Changes, oldest first per deal:\n" : "Latest change per field:\n");
            out.append(Text.table(List.of("Id", "Field", "Date", "From", "To"), cells(changeRows)));
        }

        Json.Builder changes = Json.Obj.builder();
        if (since != null) changes.put("since", since.toString());
        changes.put("columns", Json.Arr.ofStrings(CHANGE_COLUMNS)).put("rows", arrays(changeRows)).put("more", moreChanges);
        if (summary != null) {
            changes.put("summary", table(List.of("change", "deals", "ids"), summaryRows))
                    .put("netAmountChange", num(summary.netAmount())).put("amountChangedDeals", summary.amountDeals());
        }
        // Empty tables are left out, as the text leaves them out: column names alone would outweigh a short text.
        Json.Builder structured = Json.Obj.builder().put("found", deals.size()).put("matched", matched.size())
                .put("totals", table(List.of("forecastCategory", "deals", "amount", "atRisk"), totalRows));
        if (!rows.isEmpty()) structured.put("columns", Json.Arr.ofStrings(DEAL_COLUMNS));
        structured.put("rows", arrays(rows)).put("more", matched.size() - shown.size());
        if (since != null || !changeRows.isEmpty()) structured.put("changes", changes.build());
        structured.put("notFoundCount", notFound.size()).put("notFound", Json.Arr.ofStrings(listed)).put("notes", Json.Arr.ofStrings(notes));
        return Tool.Result.ok(out.toString(), structured.build());
    }

    /** The latest dated change of each field (none for a field without dated history). */
    private static List<Change> latestPerField(Deal d) {
        Map<Field, Change> latest = new LinkedHashMap<>();
        for (Change c : d.changes()) if (c.at() != null) latest.put(c.field(), c); // oldest first: the last one wins
        return List.copyOf(latest.values());
    }

    /** The filters as the caller gave them, e.g. forecast_category=Commit,Best Case; open_only=true. */
    private static String describe(Json.Obj arguments) {
        List<String> parts = new ArrayList<>();
        arguments.members().forEach((k, v) -> {
            if (k.equals("opp_ids") || k.equals("changed_since") || v instanceof Json.Null) return;
            String shown = v instanceof Json.Arr a
                    ? String.join(",", a.items().stream().map(Lenient::text).map(t -> t == null ? "?" : t.strip()).toList())
                    : Lenient.text(v);
            parts.add(k + "=" + shown);
        });
        return String.join("; ", parts);
    }

    private static Json.Obj table(List<String> columns, List<List<Json>> rows) {
        return Json.Obj.builder().put("columns", Json.Arr.ofStrings(columns)).put("rows", arrays(rows)).build();
    }

    private static Json.Arr arrays(List<List<Json>> rows) {
        return new Json.Arr(rows.stream().map(r -> (Json) new Json.Arr(r)).toList());
    }

    /** Text cells of rows: null as "-", numbers as money in the given columns, else as written. */
    private static List<List<String>> cells(List<List<Json>> rows, int... moneyColumns) {
        List<List<String>> out = new ArrayList<>();
        for (List<Json> row : rows) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < row.size(); c++) {
                Json v = row.get(c);
                int col = c;
                boolean money = java.util.Arrays.stream(moneyColumns).anyMatch(m -> m == col);
                cells.add(switch (v) {
                    case Json.Num n -> money ? Text.money(n.decimal()) : n.text();
                    case Json.Str s -> s.value();
                    default -> "-";
                });
            }
            out.add(cells);
        }
        return out;
    }

    private static Json str(String s) {
        return s == null ? Json.Null.NULL : Json.of(s);
    }

    private static Json num(BigDecimal d) {
        return d == null ? Json.Null.NULL : new Json.Num(d.toPlainString()); // never 1E+2: the text shows it as written
    }

    private static String signed(BigDecimal d) {
        return (d.signum() > 0 ? "+" : "") + Text.money(d);
    }
}
