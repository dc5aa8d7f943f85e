package clarimcp.tools;

import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * get_deal_risk's deals and answer: each opportunity reduced to the facts shown, the filters, the totals per
 * forecast category, what moved since changed_since, and the answer in its two forms: the text (Claude Desktop
 * reads it) and structuredContent (Claude Code shows the model only that), with the same facts: totals, the
 * matching deals lowest score first under the same cap, change rows, the changed_since summary and every NOTE.
 * Rows are arrays under named columns, which keeps the JSON below the text's length.
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
    /** The fields whose changes are reported; owner changes are not part of a slip or a call. */
    static final Set<Field> TRACKED = EnumSet.of(Field.STAGE, Field.AMOUNT, Field.CLOSE_DATE, Field.FORECAST_CATEGORY);

    private DealReport() {}

    /** The fields shown: the label they are shown under, and the spellings accepted (compared without case or punctuation). */
    enum Field {
        NAME("name", "name", "opportunityname"),
        AMOUNT("amount", "amount"),
        STAGE("stage", "stage", "stagename"),
        CLOSE_DATE("closeDate", "closedate"),
        FORECAST_CATEGORY("forecastCategory", "forecastcategory", "forecastcategoryname"),
        OWNER("owner", "owner", "ownername", "opportunityowner");

        final String label;
        final Set<String> spellings;

        Field(String label, String... spellings) {
            this.label = label;
            this.spellings = Set.of(spellings);
        }

        /** The field an entry of opp.fields is, matched by id suffix (opportunity.closeDate) or alias; else null. */
        static Field of(Json.Obj f) {
            String id = Lenient.id(f.get("id")), byId = id == null ? "" : norm(id.substring(id.lastIndexOf('.') + 1));
            String byAlias = norm(Lenient.id(f.get("alias")));
            for (Field k : values()) if (k.spellings.contains(byId) || k.spellings.contains(byAlias)) return k;
            return null;
        }

        /** Without case or punctuation; "" (no field's spelling) for null. */
        private static String norm(String s) {
            return s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }
    }

    /**
     * One entry of a field's trendHistory [spec] ({@code {oldValue, newValue, date}}, date in epoch ms): {@code at} is
     * null when its date is unreadable; the numbers are set for amounts only (for the net change).
     */
    record Change(Field field, Instant at, String oldValue, String newValue, BigDecimal oldNumber, BigDecimal newNumber) {}

    /**
     * One opportunity as get_deal_risk uses it, reduced from Clari's answer [spec]: {@code {id, crmScore:{score,
     * message}, fields:[{id, alias, value, originalValue, trendHistory:[{oldValue, newValue, date (epoch ms)}]}]}}.
     * Only the shown facts are kept, nothing of the answer tree. Field ids other than {@code opportunity.amount}
     * are not published, so fields are recognised by id suffix or alias ({@link Field}), and values read leniently.
     */
    record Deal(String id, String name, BigDecimal score, String message, BigDecimal amount, Map<Field, String> values,
                Set<String> ownerKeys, List<Change> changes) {

        static Deal of(String id, Json.Obj opp) {
            Json crm = opp.get("crmScore");
            BigDecimal score = Lenient.number(crm instanceof Json.Obj o ? o.get("score") : crm);
            String message = crm instanceof Json.Obj o ? Lenient.text(o.get("message")) : null;
            Map<Field, String> values = new EnumMap<>(Field.class);
            BigDecimal amount = null;
            Set<String> ownerKeys = new HashSet<>();
            List<Change> changes = new ArrayList<>();
            for (Json.Obj f : Lenient.objects(opp.get("fields"))) {
                Field k = Field.of(f);
                if (k == null || values.containsKey(k)) continue;
                Json value = f.get("value") != null ? f.get("value") : f.get("originalValue");
                if (k == Field.AMOUNT) amount = Lenient.number(value);
                if (k == Field.OWNER) ownerKeys = ownerKeys(value);
                String shown = show(k, value);
                if (shown != null) values.put(k, shown);
                for (Json.Obj h : Lenient.objects(f.get("trendHistory"))) {
                    Instant at = epochMillis(Lenient.number(h.get("date")));
                    boolean money = k == Field.AMOUNT;
                    changes.add(new Change(k, at, show(k, h.get("oldValue")), show(k, h.get("newValue")),
                            money ? Lenient.number(h.get("oldValue")) : null, money ? Lenient.number(h.get("newValue")) : null));
                }
            }
            // Oldest first; undated last (Clari's order is not published).
            changes.sort(Comparator.comparing(Change::at, Comparator.nullsLast(Comparator.naturalOrder())));
            String name = values.containsKey(Field.NAME) ? values.get(Field.NAME) : Lenient.text(opp.get("name"));
            return new Deal(Sanitize.text(id), name, score, message, amount, values, Set.copyOf(ownerKeys), List.copyOf(changes));
        }

        /**
         * What an owner filter may match, lower case: the shown value and every string member of an owner object
         * (the sandbox's {value, id} is a guess; a real answer may carry name or email: both are accepted).
         */
        private static Set<String> ownerKeys(Json value) {
            Set<String> keys = new HashSet<>();
            String shown = Lenient.text(value);
            if (shown != null) keys.add(lower(shown));
            if (value instanceof Json.Obj o) {
                for (Json v : o.members().values()) if (v instanceof Json.Str s) keys.add(lower(s.value()));
            }
            return keys;
        }

        /**
         * Epoch milliseconds as an instant; null (undated) when absent, fractional or beyond a long: a hostile 1e25
         * must not wrap into a real-looking date (BigDecimal.longValue keeps the low bits). Any long of ms is an Instant.
         */
        static Instant epochMillis(BigDecimal ms) {
            try {
                return ms == null ? null : Instant.ofEpochMilli(ms.longValueExact());
            } catch (ArithmeticException undated) {
                return null;
            }
        }

        /** A value as shown: amounts as money, close dates in epoch ms as ISO dates, the rest as text. */
        private static String show(Field k, Json v) {
            return switch (k) {
                case AMOUNT -> Lenient.number(v) != null ? Text.money(Lenient.number(v)) : Lenient.text(v);
                case CLOSE_DATE -> Lenient.date(v);
                default -> Lenient.text(v);
            };
        }

        /**
         * Closed: a stage containing "closed" (Salesforce's Closed Won / Closed Lost; renamed closed stages are
         * not recognised) or forecast category Closed. Omitted alone is not closed: open deals can be omitted.
         * Null when neither field is known.
         */
        Boolean closed() {
            String stage = values.get(Field.STAGE), category = values.get(Field.FORECAST_CATEGORY);
            if (stage == null && category == null) return null;
            return stage != null && lower(stage).contains("closed") || is(category, "closed");
        }

        /** The deal's tracked changes dated at or after since, oldest first. */
        List<Change> since(Instant since) {
            return changes.stream().filter(c -> c.at() != null && !c.at().isBefore(since) && TRACKED.contains(c.field())).toList();
        }
    }

    /** A shown date (ISO date, or date-time: its first 10 characters), or null when absent or not one. */
    static LocalDate date(String shown) {
        if (shown == null || shown.length() < 10) return null;
        try {
            return LocalDate.parse(shown.substring(0, 10));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Stripped and lower case, for comparing categories and owners; null stays null. */
    private static String lower(String s) {
        return s == null ? null : s.strip().toLowerCase(Locale.ROOT);
    }

    private static boolean is(String value, String word) {
        return value != null && value.strip().equalsIgnoreCase(word);
    }

    /**
     * The filters given; null members are absent. categories are lower case. since (changed_since) also picks the
     * changes listed; with it, a deal that was in one of the categories then also matches: a Commit inspection must
     * see the deals that left Commit.
     */
    record Filters(Set<String> categories, boolean openOnly, LocalDate closeFrom, LocalDate closeTo, String owner,
                   BigDecimal minAmount, BigDecimal maxScore, Instant since) {
        /**
         * Null when the deal matches; else the missing field's name when it lacks a filtered field (counted
         * apart, never a match nor a zero), or "" when a value fails.
         */
        String miss(Deal d) {
            if (categories != null) {
                String c = d.values().get(Field.FORECAST_CATEGORY);
                if (c == null) return "forecast category";
                if (!categories.contains(lower(c)) && !wasInCategories(d)) return "";
            }
            if (openOnly) {
                Boolean closed = d.closed();
                if (closed == null) return "stage and forecast category";
                if (closed) return "";
            }
            if (closeFrom != null || closeTo != null) {
                LocalDate c = date(d.values().get(Field.CLOSE_DATE));
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
            for (Change c : d.since(since)) {
                if (c.field() == Field.FORECAST_CATEGORY) return c.oldValue() != null && categories.contains(lower(c.oldValue()));
            }
            return false;
        }

        boolean any() {
            return categories != null || openOnly || closeFrom != null || closeTo != null || owner != null
                    || minAmount != null || maxScore != null;
        }
    }

    /** One row of the totals: the deals, their amount, and the amount of those scored below RISK_SCORE. */
    private static List<Json> total(String label, List<Deal> deals) {
        BigDecimal amount = BigDecimal.ZERO, atRisk = BigDecimal.ZERO;
        for (Deal d : deals) {
            if (d.amount() == null) continue;
            amount = amount.add(d.amount());
            if (d.score() != null && d.score().compareTo(RISK_SCORE) < 0) atRisk = atRisk.add(d.amount());
        }
        return cells(label, deals.size(), amount, atRisk);
    }

    /** Standard categories in CATEGORY_ORDER, then others by name, then deals without one. */
    private static String sortKey(String lower) {
        int i = CATEGORY_ORDER.indexOf(lower);
        return i >= 0 ? "0" + i : lower.isEmpty() ? "2" : "1" + lower;
    }

    /** One line of the changed_since summary: what happened, and to which deals (the caller's ids). */
    record Line(String label, List<String> ids) {}

    /** The summary; {@code amountDeals} is how many deals had a readable amount change (the net's base). */
    record Summary(List<Line> lines, BigDecimal netAmount, int amountDeals, int undated) {}

    /** The calendar quarter holding a day: its id in Clari's style (2026_Q4), first and last day. */
    record Quarter(String id, LocalDate first, LocalDate last) {
        static Quarter of(LocalDate day) {
            LocalDate start = day.withDayOfMonth(1).withMonth((day.getMonthValue() - 1) / 3 * 3 + 1);
            return new Quarter(day.getYear() + "_Q" + ((day.getMonthValue() - 1) / 3 + 1), start, start.plusMonths(3).minusDays(1));
        }
    }

    /**
     * get_deal_risk's {@code changed_since}: what moved on the given deals, from each field's trendHistory [spec].
     * Clari cannot list deals, so "which deals slipped this week" is answered over the deals the caller names. Each
     * deal is judged by its value just before the window (the first change's old value) against its latest value
     * (the last change's new value); pushes are counted change by change.
     */
    static Summary summarize(List<Deal> deals, Instant since, LocalDate today) {
        Quarter q = Quarter.of(today);
        List<String> out = new ArrayList<>(), later = new ArrayList<>(), in = new ArrayList<>(), twice = new ArrayList<>();
        List<String> intoCommit = new ArrayList<>(), outOfCommit = new ArrayList<>();
        BigDecimal net = BigDecimal.ZERO;
        int amountDeals = 0, undated = 0;
        for (Deal d : deals) {
            for (Change c : d.changes()) if (c.at() == null && TRACKED.contains(c.field())) undated++;
            LocalDate first = null, last = null;
            int pushes = 0;
            String firstCategory = null, lastCategory = null;
            BigDecimal firstAmount = null, lastAmount = null;
            for (Change c : d.since(since)) {
                switch (c.field()) {
                    case CLOSE_DATE -> {
                        LocalDate from = date(c.oldValue()), to = date(c.newValue());
                        if (from == null || to == null) continue;
                        if (first == null) first = from;
                        last = to;
                        if (to.isAfter(from)) pushes++;
                    }
                    case FORECAST_CATEGORY -> {
                        if (firstCategory == null) firstCategory = c.oldValue();
                        lastCategory = c.newValue();
                    }
                    case AMOUNT -> {
                        if (c.oldNumber() == null || c.newNumber() == null) continue;
                        if (firstAmount == null) firstAmount = c.oldNumber();
                        lastAmount = c.newNumber();
                    }
                }
            }
            if (first != null && last.isAfter(first)) later.add(d.id());
            if (first != null && last.isBefore(first)) in.add(d.id());
            if (first != null && !first.isBefore(q.first()) && !first.isAfter(q.last()) && last.isAfter(q.last())) out.add(d.id());
            if (pushes >= 2) twice.add(d.id());
            boolean wasCommit = is(firstCategory, "commit"), isCommit = is(lastCategory, "commit");
            if (lastCategory != null && !wasCommit && isCommit) intoCommit.add(d.id());
            if (firstCategory != null && wasCommit && !isCommit) outOfCommit.add(d.id());
            if (firstAmount != null) {
                net = net.add(lastAmount.subtract(firstAmount));
                amountDeals++;
            }
        }
        return new Summary(List.of(new Line("close date pushed out of " + q.id(), out), new Line("close date pushed later", later),
                new Line("close date pulled in", in), new Line("close date pushed more than once", twice),
                new Line("moved into Commit", intoCommit), new Line("moved out of Commit", outOfCommit)), net, amountDeals, undated);
    }

    /**
     * The answer; when long values (a cell holds up to {@link Sanitize#MAX_CHARS}) would push the text past
     * {@link Text#MAX_CHARS}, fewer rows are listed in both forms, rather than the text alone being cut.
     */
    static Tool.Result render(List<Deal> deals, List<String> notFound, Filters filters, Json.Obj arguments, LocalDate today) {
        int rows = MAX_ROWS, changes = MAX_CHANGE_ROWS;
        while (true) {
            Tool.Result r = render(deals, notFound, filters, arguments, today, rows, changes);
            if (r.text().length() <= Text.MAX_CHARS || rows <= 1) {
                return Tool.Result.ok(Text.cap(r.text(), "pass fewer opp_ids or " + NARROW), r.structured()); // cut: only past one row
            }
            rows /= 2;
            changes /= 2;
        }
    }

    private static Tool.Result render(List<Deal> deals, List<String> notFound, Filters filters, Json.Obj arguments,
                                     LocalDate today, int maxRows, int maxChangeRows) {
        Instant since = filters.since();
        List<String> notes = new ArrayList<>();
        if (!notFound.isEmpty()) notes.add("Not found in Clari (" + notFound.size() + "): " + joined(notFound, MAX_LISTED_UNKNOWN));
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
            notes.add("Not matched, field missing (left out, not counted as matches): "
                    + missing.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        }
        if (filters.openOnly()) {
            notes.add("open_only: " + closed + " of the deals found are closed (stage containing 'Closed' or category Closed) and left out");
        }
        matched.sort(Comparator.comparing(Deal::score, Comparator.nullsLast(Comparator.naturalOrder()))); // stable: ties keep the caller's order
        Map<String, List<Deal>> byCategory = new TreeMap<>();
        int noAmount = 0, left = 0;
        for (Deal d : matched) {
            String c = d.values().get(Field.FORECAST_CATEGORY);
            byCategory.computeIfAbsent(sortKey(c == null ? "" : lower(c)), k -> new ArrayList<>()).add(d);
            if (d.amount() == null) noAmount++;
            if (filters.categories() != null && c != null && !filters.categories().contains(lower(c))) left++;
        }
        if (left > 0) notes.add(left + " deal(s) kept that were in forecast_category at changed_since and have left it since");
        if (noAmount > 0) notes.add(noAmount + " matching deal(s) have no amount: counted in Deals, not in the amounts");
        List<Deal> shown = matched.subList(0, Math.min(maxRows, matched.size()));
        if (shown.size() < matched.size()) {
            notes.add((matched.size() - shown.size()) + " more matching deal(s) not listed (the " + shown.size()
                    + " lowest scores are): " + NARROW + ", or pass fewer opp_ids");
        }

        List<List<Json>> changeRows = new ArrayList<>();
        for (Deal d : shown) {
            for (Change c : since != null ? d.since(since) : latestPerField(d)) {
                changeRows.add(cells(d.id(), c.field().label, LocalDate.ofInstant(c.at(), ZoneOffset.UTC).toString(), c.oldValue(),
                        c.newValue()));
            }
        }
        int moreChanges = Math.max(0, changeRows.size() - maxChangeRows);
        changeRows = changeRows.subList(0, changeRows.size() - moreChanges);
        if (moreChanges > 0) notes.add(moreChanges + " more change(s) not listed: narrow changed_since or the deals (" + NARROW + ")");
        Summary summary = since == null ? null : summarize(matched, since, today);
        if (summary != null) {
            Quarter q = Quarter.of(today);
            notes.add("Quarter " + q.id() + " = " + q.first() + ".." + q.last() + ": the calendar quarter of today (UTC); "
                    + "Clari's opportunity answer carries no fiscal calendar");
            if (summary.undated() > 0) notes.add(summary.undated() + " change(s) without a readable date left out of changed_since");
        }

        // The text: header, totals, notes, deals, changes.
        StringBuilder out = new StringBuilder();
        out.append(deals.size()).append(" deal(s) found in Clari");
        if (filters.any()) out.append("; ").append(matched.size()).append(" match ").append(describe(arguments));
        out.append('\n').append("Totals by forecast category (matching deals; at risk = CRM score below ").append(RISK_SCORE).append("):\n");
        List<List<Json>> totalRows = new ArrayList<>();
        for (List<Deal> ds : byCategory.values()) {   // labelled as the first deal of the category spells it
            String c = ds.getFirst().values().get(Field.FORECAST_CATEGORY);
            totalRows.add(total(c == null ? "(no category)" : c.strip(), ds));
        }
        totalRows.add(total("All", matched));
        out.append(table(List.of("Category", "Deals", "Amount", "At risk"), totalRows, 2, 3));
        for (String note : notes) out.append("NOTE: ").append(note).append('\n');
        List<List<Json>> rows = new ArrayList<>();
        for (Deal d : shown) {
            rows.add(cells(d.id(), d.score(), d.name(), d.amount(), d.values().get(Field.STAGE), d.values().get(Field.CLOSE_DATE),
                    d.values().get(Field.FORECAST_CATEGORY), d.values().get(Field.OWNER), d.message()));
        }
        if (!rows.isEmpty()) {
            out.append("Deals, lowest Clari CRM score first (deal health 0-100; low = at risk):\n");
            out.append(table(List.of("Id", "Score", "Name", "Amount", "Stage", "Close", "Category", "Owner", "Reason"), rows, 3));
        }
        List<List<Json>> summaryRows = new ArrayList<>();
        if (summary != null) {
            out.append("Changes since ").append(since).append(" (stage, amount, close date, forecast category) on the ")
                    .append(matched.size()).append(" matching deal(s):\n");
            for (Line line : summary.lines()) {
                out.append("- ").append(line.label()).append(" (").append(line.ids().size()).append(")")
                        .append(line.ids().isEmpty() ? "" : ": " + joined(line.ids(), MAX_SUMMARY_IDS)).append('\n');
                summaryRows.add(cells(line.label(), line.ids().size(), first(line.ids(), MAX_SUMMARY_IDS)));
            }
            BigDecimal net = summary.netAmount();
            out.append("- net amount change: ").append(net.signum() > 0 ? "+" : "").append(Text.money(net))
                    .append(" over ").append(summary.amountDeals()).append(" deal(s) with amount changes\n");
        }
        if (!changeRows.isEmpty()) {
            out.append(since != null ? "Changes, oldest first per deal:\n" : "Latest change per field:\n");
            out.append(table(List.of("Id", "Field", "Date", "From", "To"), changeRows));
        }

        // Empty tables are left out, as the text leaves them out: column names alone would outweigh a short text.
        Json.Obj changed = since == null && changeRows.isEmpty() ? null : Json.obj("since", since == null ? null : since.toString(),
                "columns", CHANGE_COLUMNS, "rows", changeRows, "more", moreChanges,
                "summary", summary == null ? null : Json.obj("columns", List.of("change", "deals", "ids"), "rows", summaryRows),
                "netAmountChange", summary == null ? null : plain(summary.netAmount()),
                "amountChangedDeals", summary == null ? null : summary.amountDeals());
        return Tool.Result.ok(out.toString(), Json.obj("found", deals.size(), "matched", matched.size(),
                "totals", Json.obj("columns", List.of("forecastCategory", "deals", "amount", "atRisk"), "rows", totalRows),
                "columns", rows.isEmpty() ? null : DEAL_COLUMNS, "rows", rows, "more", matched.size() - shown.size(),
                "changes", changed, "notFoundCount", notFound.size(), "notFound", first(notFound, MAX_LISTED_UNKNOWN),
                "notes", notes));
    }

    private static List<String> first(List<String> ids, int max) {
        return ids.subList(0, Math.min(max, ids.size()));
    }

    /** The first max ids, and when there are more, "… (first max listed)": the rest are counted where this is used. */
    private static String joined(List<String> ids, int max) {
        List<String> listed = first(ids, max);
        return String.join(", ", listed) + (listed.size() < ids.size() ? ", … (first " + listed.size() + " listed)" : "");
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

    /** A row's cells: strings as they are, numbers as written (never 1E+2: the text shows them so), absent as null. */
    private static List<Json> cells(Object... values) {
        return Arrays.stream(values).map(v -> v instanceof BigDecimal d ? plain(d) : Json.of(v)).toList();
    }

    private static Json plain(BigDecimal d) {
        return new Json.Num(d.toPlainString());
    }

    /** The text table of rows: null as "-", numbers as money in the given columns, else as written. */
    private static String table(List<String> headers, List<List<Json>> rows, int... moneyColumns) {
        List<List<String>> cells = new ArrayList<>();
        for (List<Json> row : rows) {
            List<String> line = new ArrayList<>();
            for (int c = 0; c < row.size(); c++) {
                int col = c;
                line.add(switch (row.get(c)) {
                    case Json.Num n when Arrays.stream(moneyColumns).anyMatch(m -> m == col) -> Text.money(n.decimal());
                    case Json.Num n -> n.text();
                    case Json.Str s -> s.value();
                    default -> "-";
                });
            }
            cells.add(line);
        }
        return Text.table(headers, cells);
    }
}
