package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Joins the five lists of a forecast read (entries, users, fields, timeFrames, timePeriods [tap][gitlab])
 * into one row per user and one column per field, optionally with the value of an earlier week beside each.
 *
 * <p>Semantics, chosen to be truthful: a read may hold one snapshot per week (time frame), so a cell is the
 * value of the <em>latest</em> time frame for that user and field, never a sum over weeks; "then" is the value
 * in the compared week exactly. Weeks are the timeFrames ranked by startDate (no weekNumber [note]). Each value
 * is read from the key of its type [tap]: forecastValue (a forecast call), quotaValue (quota), aggregationTotal
 * (a CRM total); a manager's adjustmentValue (with adjustedBy, adjustedOn) gets a column "X (adj.)" beside the
 * call it adjusts, whether Clari sends it on the call's entry or on an entry of its own (no source says which).
 * Rows follow the hierarchy: a user's manager is the user whose hierarchyId is their parentHierarchyId
 * [gitlab][tap], and hierarchyName is the role. A manager's row already covers the team below it, so totals
 * add up only the top-level rows; without hierarchy keys every row is top-level and the text says that the
 * total may double-count.
 *
 * <p>Where we land (attainment, gap, coverage) needs three columns, found by this rule: quota is the column
 * whose values came in quotaValue [tap] (or fieldType "quota"); closed is a column of fieldType "crm_closed" or
 * named like Closed/Won (not Lost); pipeline is a column named like Pipeline, else of fieldType "crm_total".
 * The fieldType values and names are guesses [note: fieldType seen, values unpublished]; absent columns mean
 * absent figures, never zeros.
 */
record ForecastTable(String period, String periodEnd, String currency, boolean mixedCurrency, List<Column> columns,
        int fieldsWithValues, List<Row> rows, Map<String, BigDecimal> totals, Map<String, BigDecimal> thenTotals,
        boolean hierarchyKnown, List<Adjusted> adjustments, Week now, Week then, Landing landing, List<Mover> movers) {

    /** What a column holds, for its label: forecast calls, manager adjustments, CRM totals or quota. */
    enum Kind {
        CALL("forecast call"), ADJUSTMENT("manager adjustment"), CRM_TOTAL("CRM total"), QUOTA("quota");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    record Column(String name, Kind kind, String fieldName, String fieldType) {}

    /**
     * One user: display name, role (hierarchyName), the scope id of a manager (to drill down), depth below the
     * nearest shown manager, cells by column name now and in the compared week.
     */
    record Row(String userId, String name, String role, String parentId, String scopeId, int level,
            Map<String, BigDecimal> values, Map<String, BigDecimal> then) {}

    /** One manager adjustment: whose call (row name), which column, by whom (a name when the id is a listed user), when. */
    record Adjusted(String user, String column, BigDecimal value, String by, String on) {}

    /** A week (time frame) as Clari lists it. */
    record Week(String id, String start, String end) {
        String label() {
            return start == null ? id : start + (end == null ? "" : ".." + end);
        }
    }

    /** A change of one cell between the compared week and now. */
    record Mover(String user, String column, BigDecimal then, BigDecimal now) {
        BigDecimal change() {
            return now.subtract(then);
        }
    }

    /** The columns that hold closed, pipeline and quota (names, null when absent): see the class comment. */
    record Landing(String closed, String pipeline, String quota) {}

    /** Attainment (closed / quota), gap (quota - closed), coverage (pipeline / (quota - closed)); each null without its inputs. */
    record Metrics(BigDecimal attainment, BigDecimal gap, BigDecimal coverage) {}

    /** Longest chain of managers followed; deeper (or cyclic) reporting lines are cut there. */
    private static final int MAX_LEVELS = 32;
    /** Value columns kept: a table wider than this is unreadable, and a hostile answer may send 100,000 fields. */
    static final int MAX_COLUMNS = 24;
    /** Movers listed: the model needs the few largest changes, the table has the rest. */
    static final int MAX_MOVERS = 10;
    /** Entries between two checks for a cancelled call (a check per entry would cost more than the entry). */
    private static final int CANCEL_CHECK_EVERY = 1024;
    /** Value keys by type [tap], in the order one is looked for. */
    private static final List<String> VALUE_KEYS = List.of("forecastValue", "quotaValue", "aggregationTotal");
    private static final Pattern CLOSED = Pattern.compile("\\b(closed|won)\\b");
    private static final Pattern PIPELINE = Pattern.compile("pipeline");

    /** How compare_to names the week to compare with: the week before the latest, the first, or the week of a date. */
    record Compare(String arg, LocalDate date) {
        /** compare_to as the schema let it through (null when absent); a Tool.Failure for a date off the calendar. */
        static Compare of(String arg) throws Tool.Failure {
            if (arg == null) return null;
            if (!Character.isDigit(arg.charAt(0))) return new Compare(arg, null);
            try {
                return new Compare(arg, LocalDate.parse(arg));
            } catch (DateTimeParseException e) {
                throw new Tool.Failure("'compare_to' " + arg + " is not a calendar date (YYYY-MM-DD)");
            }
        }
    }

    /**
     * Aggregates forecast reads as they arrive: each entry (handed out one at a time by a streaming parse, or
     * from a tree) becomes one number per user, field and week; the small lists are kept as they are. Entries
     * may come before timeFrames (key order is not documented), so the latest week is known only at the end:
     * a cell keeps one number per week (at most the ~13 of a quarter), never the entry itself.
     */
    static final class Reader implements Consumer<Json> {
        /** userId -> fieldId -> (period + "\n" + timeFrameId) -> value; adjustments apart. */
        private final Map<String, Map<String, Map<String, Cell>>> calls = new LinkedHashMap<>();
        private final Map<String, Map<String, Map<String, Cell>>> adjusted = new LinkedHashMap<>();
        private final Map<String, String> valueKeys = new HashMap<>();   // fieldId -> the key its values came in
        private final Set<String> entryFields = new LinkedHashSet<>();
        private final Set<String> currencies = new LinkedHashSet<>();
        private final Map<String, Json.Obj> users = new LinkedHashMap<>();
        private final Map<String, Json.Obj> fields = new LinkedHashMap<>();
        private final Map<String, Json.Obj> frames = new LinkedHashMap<>();
        private Json.Obj period;
        private long seen;

        /** One entry; throws CancellationException when the calling thread was interrupted (a cancelled call). */
        @Override
        public void accept(Json entry) {
            if (++seen % CANCEL_CHECK_EVERY == 0 && Thread.currentThread().isInterrupted()) throw new CancellationException("cancelled");
            if (!(entry instanceof Json.Obj e)) return;
            String user = Lenient.id(e.get("userId"));
            String field = Lenient.id(e.get("fieldId"));
            if (user == null || field == null) return;
            String when = String.valueOf(Lenient.id(e.get("timePeriodId"))) + "\n" + Lenient.id(e.get("timeFrameId"));
            boolean used = false;
            for (String key : VALUE_KEYS) {
                BigDecimal value = Lenient.number(e.get(key));
                if (value == null) continue;
                put(calls, user, field, when, new Cell(value, null, null));
                valueKeys.putIfAbsent(field, key);
                used = true;
                break;
            }
            BigDecimal adj = Lenient.number(e.get("adjustmentValue"));
            if (adj != null) {
                put(adjusted, user, field, when, new Cell(adj, Lenient.id(e.get("adjustedBy")), Lenient.date(e.get("adjustedOn"))));
                used = true;
            }
            if (!used) return;
            entryFields.add(field);
            Json cur = e.get("currency");
            String code = Lenient.text(cur instanceof Json.Obj c ? c.get("code") : cur);
            if (code != null) currencies.add(code);
        }

        /** A read's document: its entries (none left when they were streamed) and the small lists; the first period wins. */
        void rest(Json doc) {
            Json.Obj root = doc instanceof Json.Obj o ? o : Json.Obj.EMPTY;
            for (Json.Obj e : Lenient.objects(root.get("entries"))) accept(e);
            index(root.get("users"), "userId", users);
            index(root.get("fields"), "fieldId", fields);
            index(root.get("timeFrames"), "timeFrameId", frames);
            List<Json.Obj> periods = Lenient.objects(root.get("timePeriods"));
            if (period == null && !periods.isEmpty()) period = periods.get(0);
        }

        /** The objects of a list by their id (the first of each id kept). */
        private static void index(Json list, String idKey, Map<String, Json.Obj> into) {
            for (Json.Obj o : Lenient.objects(list)) {
                String id = Lenient.id(o.get(idKey));
                if (id != null) into.putIfAbsent(id, o);
            }
        }

        /**
         * The user a scope_id given as a name or email means (exact scope id first, then name or email, ignoring
         * case); a Tool.Failure listing candidates (capped) when none or several match.
         */
        String resolveUser(String wanted, int maxCandidates) throws Tool.Failure {
            List<String> matches = new ArrayList<>();
            for (Map.Entry<String, Json.Obj> u : users.entrySet()) {
                if (wanted.equals(Lenient.id(u.getValue().get("scopeId")))) return u.getKey(); // wins over any name
                String name = Lenient.text(u.getValue().get("name"));
                String email = Lenient.text(u.getValue().get("email"));
                if (wanted.equalsIgnoreCase(name) || wanted.equalsIgnoreCase(email)) matches.add(u.getKey());
            }
            if (matches.size() == 1) return matches.getFirst();
            Set<String> parents = new HashSet<>();
            for (Json.Obj u : users.values()) parents.add(Lenient.id(u.get("parentHierarchyId")));
            List<String> candidates = new ArrayList<>();
            for (Map.Entry<String, Json.Obj> u : users.entrySet()) {
                boolean manager = parents.contains(Lenient.id(u.getValue().get("hierarchyId")));
                if (matches.isEmpty() ? manager : matches.contains(u.getKey())) candidates.add(describe(u.getValue()));
            }
            int total = candidates.size();
            String list = String.join("; ", candidates.subList(0, Math.min(maxCandidates, total)))
                    + (total > maxCandidates ? "; and " + (total - maxCandidates) + " more" : "");
            throw new Tool.Failure(matches.isEmpty()
                    ? "No one named '" + Sanitize.text(wanted) + "' in this forecast; pass as scope_id a manager's name, email or scope id: "
                            + (list.isEmpty() ? "(Clari listed no managers)" : list)
                    : "'" + Sanitize.text(wanted) + "' matches " + total + " people; pass one's email or scope id as scope_id: " + list);
        }

        private static String describe(Json.Obj u) {
            String name = nameOr(Lenient.text(u.get("name")), Sanitize.text(String.valueOf(Lenient.id(u.get("userId")))));
            String email = Lenient.text(u.get("email"));
            String scope = Lenient.text(u.get("scopeId"));
            return name + (email == null ? "" : " <" + email + ">") + (scope == null ? "" : " (scope " + scope + ")");
        }

        /**
         * The table: now = each cell's latest week; with compare, then = the compared week (a Tool.Failure listing
         * the weeks available when the answer lacks it); with scopeUser, only that user and the team below.
         */
        ForecastTable table(Compare compare, String scopeUser, LocalDate today) throws Tool.Failure, InterruptedException {
            checkCancelled();
            String periodId = period == null ? null : Lenient.id(period.get("timePeriodId"));
            String periodEnd = period == null ? null : Lenient.text(period.get("endDate"));
            List<Week> weeks = weeks();
            Map<String, Integer> rank = new HashMap<>();
            for (int i = 0; i < weeks.size(); i++) rank.put(weeks.get(i).id(), i);
            Week now = weeks.isEmpty() ? null : weeks.getLast();
            Week then = compare == null ? null : thenWeek(compare, weeks, periodId);

            // Columns: Clari's field order (then fields seen only in entries), only fields with a value, each adjustment
            // right after its call; unique names (one counter per name: linear however many duplicates); capped.
            Map<String, Column> columns = new LinkedHashMap<>();   // "c:" + fieldId for a value, "a:" + fieldId for its adjustment
            Set<String> adjustedFields = new HashSet<>();
            adjusted.values().forEach(m -> adjustedFields.addAll(m.keySet()));
            Set<String> fieldOrder = new LinkedHashSet<>(fields.keySet());
            fieldOrder.addAll(entryFields);
            Names names = new Names(new HashSet<>(), new HashMap<>());
            int withValues = 0;
            for (String id : fieldOrder) {
                checkCancelled();
                if (!entryFields.contains(id)) continue;
                withValues++;
                if (columns.size() >= MAX_COLUMNS) continue;
                Json.Obj f = fields.getOrDefault(id, Json.Obj.EMPTY);
                String name = nameOr(Lenient.text(f.get("fieldName")), Sanitize.text(id));
                String type = Lenient.text(f.get("fieldType"));
                if (valueKeys.containsKey(id)) columns.put("c:" + id, new Column(names.unique(name), kind(valueKeys.get(id), type), name, type));
                if (adjustedFields.contains(id)) columns.put("a:" + id, new Column(names.unique(name + " (adj.)"), Kind.ADJUSTMENT, name, type));
            }

            Map<String, String> nodeOwner = new HashMap<>();   // hierarchyId -> the first user on that node
            users.forEach((id, u) -> {
                String node = Lenient.id(u.get("hierarchyId"));
                if (node != null) nodeOwner.putIfAbsent(node, id);
            });
            Map<String, String> parent = new HashMap<>();
            users.forEach((id, u) -> {
                String p = nodeOwner.get(Lenient.id(u.get("parentHierarchyId")));
                if (p != null && !p.equals(id)) parent.put(id, p);
            });
            Set<String> withRows = new LinkedHashSet<>(calls.keySet());
            withRows.addAll(adjusted.keySet());
            Set<String> scope = scopeUser == null ? null : Set.of(scopeUser);
            if (scope != null) withRows.removeIf(id -> !scope.contains(id) && nearestAncestor(id, parent, scope) == null);

            // Order: users list order (then users only seen in entries), parents before their teams.
            List<String> order = new ArrayList<>();
            for (String id : users.keySet()) if (withRows.contains(id)) order.add(id);
            for (String id : withRows) if (!users.containsKey(id)) order.add(id);
            Map<String, String> shownParent = new HashMap<>();
            Map<String, List<String>> children = new LinkedHashMap<>();
            for (String id : order) {
                checkCancelled();
                String p = nearestAncestor(id, parent, withRows);
                if (p != null) {
                    shownParent.put(id, p);
                    children.computeIfAbsent(p, k -> new ArrayList<>()).add(id);
                }
            }
            Set<String> managers = new HashSet<>(parent.values());
            Tree tree = new Tree(this, periodId, rank, then, columns, shownParent, children, managers, new HashSet<>(), new ArrayList<>());
            for (String id : order) if (!shownParent.containsKey(id)) tree.place(id, 0); // the roots first
            for (String id : order) tree.place(id, 0); // cycles

            Map<String, BigDecimal> totals = new LinkedHashMap<>();
            Map<String, BigDecimal> thenTotals = new LinkedHashMap<>();
            for (Row row : tree.rows) {
                if (row.level() != 0) continue;
                columns.forEach((key, col) -> {
                    // An unadjusted top-level call counts as it stands in the adjusted total.
                    Column call = col.kind() == Kind.ADJUSTMENT ? columns.get("c:" + key.substring(2)) : null;
                    add(totals, col.name(), row.values(), call);
                    add(thenTotals, col.name(), row.then(), call);
                });
            }
            List<Adjusted> adjustments = new ArrayList<>();
            Map<String, String> rowNames = new HashMap<>();
            for (Row row : tree.rows) rowNames.put(row.userId(), row.name());
            for (Row row : tree.rows) {
                checkCancelled();
                Map<String, Map<String, Cell>> byField = adjusted.getOrDefault(row.userId(), Map.of());
                for (Map.Entry<String, Column> col : columns.entrySet()) {
                    if (!col.getKey().startsWith("a:") || !row.values().containsKey(col.getValue().name())) continue;
                    Cell c = latest(byField.get(col.getKey().substring(2)), periodId, rank).getValue();
                    adjustments.add(new Adjusted(row.name(), col.getValue().name(), c.value,
                            c.by == null ? null : rowNames.getOrDefault(c.by, Sanitize.text(c.by)), c.on));
                }
            }
            List<Mover> movers = new ArrayList<>(); // none without a compared week: every row's then is empty
            for (Row row : tree.rows) {
                row.then().forEach((col, was) -> {
                    BigDecimal is = row.values().get(col);
                    if (is != null && is.compareTo(was) != 0) movers.add(new Mover(row.name(), col, was, is));
                });
            }
            movers.sort(Comparator.comparing((Mover m) -> m.change().abs()).reversed());
            String currency = currencies.isEmpty() ? null : String.join(", ", currencies);
            List<Column> cols = List.copyOf(columns.values());
            return new ForecastTable(periodId == null ? null : Sanitize.text(periodId), periodEnd, currency, currencies.size() > 1, cols,
                    withValues, tree.rows, totals, thenTotals, !parent.isEmpty(), adjustments, now, then, landing(cols),
                    List.copyOf(movers.subList(0, Math.min(MAX_MOVERS, movers.size()))));
        }

        /** The timeFrames ranked by startDate when every one has it (ISO dates sort as text; Clari lists them unordered [gitlab]), else in list order. */
        private List<Week> weeks() {
            List<Week> out = new ArrayList<>();
            frames.forEach((id, f) -> out.add(new Week(id, Lenient.text(f.get("startDate")), Lenient.text(f.get("endDate")))));
            if (out.stream().allMatch(w -> w.start() != null)) out.sort(Comparator.comparing(Week::start));
            return out;
        }

        private static Week thenWeek(Compare compare, List<Week> weeks, String periodId) throws Tool.Failure {
            Week found = null;
            if (compare.arg().equals("last_week")) {
                found = weeks.size() < 2 ? null : weeks.get(weeks.size() - 2);
            } else if (compare.arg().equals("quarter_start")) {
                found = weeks.isEmpty() ? null : weeks.getFirst();
            } else {
                String day = compare.date().toString();
                for (Week w : weeks) {
                    if (w.start() != null && w.end() != null && w.start().compareTo(day) <= 0 && day.compareTo(w.end()) <= 0) found = w;
                }
            }
            if (found != null) return found;
            List<String> listed = weeks.stream().map(Week::label).toList();
            throw new Tool.Failure("Clari's answer" + (periodId == null ? "" : " for " + Sanitize.text(periodId)) + " has no week for compare_to '"
                    + compare.arg() + "'; weeks available: " + (listed.isEmpty() ? "none" : String.join(", ", listed))
                    + ". Pass a date within one of them, or another time_period");
        }
    }

    private static void add(Map<String, BigDecimal> totals, String name, Map<String, BigDecimal> values, Column call) {
        BigDecimal v = values.get(name);
        if (v == null && call != null) v = values.get(call.name());
        if (v != null) totals.merge(name, v, BigDecimal::add);
    }

    /** Attainment, gap and coverage of one row's (or the totals') values, each only where its inputs exist. */
    Metrics metrics(Map<String, BigDecimal> values) {
        BigDecimal quota = landing.quota() == null ? null : values.get(landing.quota());
        BigDecimal closed = landing.closed() == null ? null : values.get(landing.closed());
        BigDecimal pipeline = landing.pipeline() == null ? null : values.get(landing.pipeline());
        if (quota == null || closed == null) return new Metrics(null, null, null);
        BigDecimal gap = quota.subtract(closed);
        BigDecimal attainment = quota.signum() > 0 ? closed.divide(quota, 3, RoundingMode.HALF_EVEN) : null;
        BigDecimal coverage = pipeline != null && gap.signum() > 0 ? pipeline.divide(gap, 2, RoundingMode.HALF_EVEN) : null;
        return new Metrics(attainment, gap, coverage);
    }

    /** Forecast accuracy of a call against the final closed value: 1 - |call - closed| / closed; null when closed is not positive. */
    static BigDecimal accuracy(BigDecimal call, BigDecimal closed) {
        if (call == null || closed == null || closed.signum() <= 0) return null;
        return BigDecimal.ONE.subtract(call.subtract(closed).abs().divide(closed, 3, RoundingMode.HALF_EVEN));
    }

    /** True when the period ended before today (its timePeriods endDate), so the latest week's closed value is final. */
    boolean periodOver(LocalDate today) {
        return periodEnd != null && today != null && periodEnd.compareTo(today.toString()) < 0;
    }

    private record Cell(BigDecimal value, String by, String on) {}

    /** Unique column names in one pass: a counter per name, so n duplicates cost O(n), not O(n²). */
    private record Names(Set<String> taken, Map<String, Integer> next) {
        String unique(String name) {
            if (taken.add(name)) return name;
            int n = next.getOrDefault(name, 2);
            while (!taken.add(name + " (" + n + ")")) n++;
            next.put(name, n + 1);
            return name + " (" + n + ")";
        }
    }

    private static void checkCancelled() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException("cancelled");
    }

    private static void put(Map<String, Map<String, Map<String, Cell>>> cells, String user, String field, String when, Cell cell) {
        cells.computeIfAbsent(user, k -> new HashMap<>()).computeIfAbsent(field, k -> new HashMap<>()).put(when, cell);
    }

    /** The cell of the latest ranked week within the period (entries of another period are not this period's). */
    private static Map.Entry<String, Cell> latest(Map<String, Cell> byWeek, String periodId, Map<String, Integer> rank) {
        if (byWeek == null) return null;
        Map.Entry<String, Cell> best = null;
        int bestRank = Integer.MIN_VALUE;
        for (Map.Entry<String, Cell> e : byWeek.entrySet()) {
            String p = e.getKey().substring(0, e.getKey().indexOf('\n'));
            if (periodId != null && !p.equals("null") && !p.equals(periodId)) continue;
            int r = rankOf(e.getKey(), rank);
            if (best == null || r >= bestRank) {
                best = e;
                bestRank = r;
            }
        }
        return best;
    }

    /** The cell of exactly that week within the period, or null. */
    private static Cell at(Map<String, Cell> byWeek, String periodId, Week week) {
        if (byWeek == null || week == null) return null;
        Cell c = byWeek.get(periodId + "\n" + week.id());
        return c != null ? c : byWeek.get("null\n" + week.id());
    }

    /** The kind from the key the value came in [tap]; for forecastValue, a CRM or quota fieldType still says so. */
    private static Kind kind(String valueKey, String fieldType) {
        if (valueKey.equals("quotaValue")) return Kind.QUOTA;
        if (valueKey.equals("aggregationTotal")) return Kind.CRM_TOTAL;
        String t = fieldType == null ? "" : fieldType.toLowerCase(Locale.ROOT);
        return t.equals("quota") ? Kind.QUOTA : t.startsWith("crm") ? Kind.CRM_TOTAL : Kind.CALL;
    }

    /** Closed, pipeline and quota columns by the rule in the class comment (adjustment columns never count). */
    private static Landing landing(List<Column> columns) {
        String quota = null, closed = null, pipeline = null, crmTotal = null;
        for (Column c : columns) {
            if (c.kind() == Kind.ADJUSTMENT) continue;
            String name = c.fieldName().toLowerCase(Locale.ROOT);
            String type = c.fieldType() == null ? "" : c.fieldType().toLowerCase(Locale.ROOT);
            if (c.kind() == Kind.QUOTA) {
                if (quota == null) quota = c.name();
            } else if (type.equals("crm_closed") || (CLOSED.matcher(name).find() && !name.contains("lost"))) {
                if (closed == null) closed = c.name();
            } else if (PIPELINE.matcher(name).find()) {
                if (pipeline == null) pipeline = c.name();
            } else if (type.equals("crm_total") && crmTotal == null) {
                crmTotal = c.name();
            }
        }
        return new Landing(closed, pipeline != null ? pipeline : crmTotal, quota);
    }

    /** Places rows depth-first, each manager followed by the team below. */
    private record Tree(Reader in, String periodId, Map<String, Integer> rank, Week then, Map<String, Column> columns,
            Map<String, String> shownParent, Map<String, List<String>> children, Set<String> managers, Set<String> placed, List<Row> rows) {

        void place(String id, int level) throws InterruptedException {
            if (level > MAX_LEVELS || !placed.add(id)) return;
            checkCancelled();
            Json.Obj u = in.users.getOrDefault(id, Json.Obj.EMPTY);
            Map<String, BigDecimal> values = new LinkedHashMap<>();
            Map<String, BigDecimal> before = new LinkedHashMap<>();
            Map<String, Map<String, Cell>> calls = in.calls.getOrDefault(id, Map.of());
            Map<String, Map<String, Cell>> adj = in.adjusted.getOrDefault(id, Map.of());
            for (Map.Entry<String, Column> col : columns.entrySet()) {
                String key = col.getKey();
                Map<String, Cell> byWeek = (key.startsWith("a:") ? adj : calls).get(key.substring(2));
                Map.Entry<String, Cell> c = latest(byWeek, periodId, rank);
                if (c != null && key.startsWith("a:")) {
                    // An adjustment older than the call it adjusts was superseded by a later week's call.
                    Map.Entry<String, Cell> call = latest(calls.get(key.substring(2)), periodId, rank);
                    if (call != null && rankOf(call.getKey(), rank) > rankOf(c.getKey(), rank)) c = null;
                }
                if (c != null) values.put(col.getValue().name(), c.getValue().value());
                Cell t = at(byWeek, periodId, then);
                if (t != null) before.put(col.getValue().name(), t.value());
            }
            String name = nameOr(Lenient.text(Lenient.first(u, "name", "email")), Sanitize.text(id));
            Json scope = u.get("scopeId");
            String role = Lenient.text(Lenient.first(u, "hierarchyName"));
            if (role == null && scope instanceof Json.Str) role = Lenient.text(scope);   // scopeId may not be a string [gitlab]
            String scopeId = managers.contains(id) ? Lenient.text(scope) : null;
            rows.add(new Row(id, name, role, level == 0 ? null : shownParent.get(id), scopeId, level, values, before));
            for (String child : children.getOrDefault(id, List.of())) place(child, level + 1);
        }
    }

    /** The rank of a cell key's week (period + "\n" + timeFrameId); -1 for a week Clari did not list. */
    private static int rankOf(String key, Map<String, Integer> rank) {
        return rank.getOrDefault(key.substring(key.indexOf('\n') + 1), -1);
    }

    /** The closest manager up id's reporting lines who is in among (one with a row of its own, or the scope), or null. */
    private static String nearestAncestor(String id, Map<String, String> parent, Set<String> among) {
        Set<String> seen = new HashSet<>(Set.of(id));
        String p = parent.get(id);
        for (int i = 0; p != null && i < MAX_LEVELS && seen.add(p); i++) {
            if (among.contains(p)) return p;
            p = parent.get(p);
        }
        return null;
    }

    private static String nameOr(String name, String fallback) {
        return name == null || name.isEmpty() ? fallback : name;
    }
}
