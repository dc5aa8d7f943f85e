package clarimcp.tools;

import clarimcp.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the five lists of a forecast read (entries, users, fields, timeFrames, timePeriods [tap][gitlab])
 * into one row per user and one column per field.
 *
 * <p>Semantics, chosen to be truthful: a read may hold one snapshot per week (time frame), so a cell is the
 * value of the <em>latest</em> time frame for that user and field, never a sum over weeks. Each value is read
 * from the key of its type [tap]: forecastValue (a forecast call), quotaValue (quota), aggregationTotal (a CRM
 * total); a manager's adjustmentValue (with adjustedBy, adjustedOn) gets a column "X (adj.)" beside the call it
 * adjusts, whether Clari sends it on the call's entry or on an entry of its own (no source says which).
 * Rows follow the hierarchy: a user's manager is the user whose hierarchyId is their parentHierarchyId
 * [gitlab][tap], and hierarchyName is the role. A manager's row already covers the team below it, so totals
 * add up only the top-level rows; without hierarchy keys every row is top-level and the text says that the
 * total may double-count.
 */
record ForecastTable(String period, String currency, boolean mixedCurrency, List<Column> columns,
        List<Row> rows, Map<String, BigDecimal> totals, boolean hierarchyKnown, List<Adjusted> adjustments) {

    /** What a column holds, for its label: forecast calls, manager adjustments, CRM totals or quota. */
    enum Kind {
        CALL("forecast call"), ADJUSTMENT("manager adjustment"), CRM_TOTAL("CRM total"), QUOTA("quota");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    record Column(String name, Kind kind) {}

    /** One user: display name, role (hierarchyName), depth below the nearest shown manager, and cells by column name. */
    record Row(String userId, String name, String role, String parentId, int level, Map<String, BigDecimal> values) {}

    /** One manager adjustment: whose call (row name), which column, by whom (a name when the id is a listed user), when. */
    record Adjusted(String user, String column, BigDecimal value, String by, String on) {}

    /** Longest chain of managers followed; deeper (or cyclic) reporting lines are cut there. */
    private static final int MAX_LEVELS = 32;
    /** Value keys by type [tap], in the order one is looked for. */
    private static final List<String> VALUE_KEYS = List.of("forecastValue", "quotaValue", "aggregationTotal");

    static ForecastTable from(Json results) {
        Json.Obj root = results instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        List<Json.Obj> periods = Lenient.objects(root.get("timePeriods"));
        String period = periods.isEmpty() ? null : Lenient.id(periods.get(0).get("timePeriodId"));

        Map<String, Integer> frameRank = frameRanks(Lenient.objects(root.get("timeFrames")));
        Map<String, String> fieldNames = new LinkedHashMap<>();
        Map<String, String> fieldTypes = new HashMap<>();
        for (Json.Obj f : Lenient.objects(root.get("fields"))) {
            String id = Lenient.id(f.get("fieldId"));
            if (id == null) continue;
            fieldNames.putIfAbsent(id, nameOr(Lenient.text(f.get("fieldName")), Sanitize.text(id)));
            String type = Lenient.text(f.get("fieldType"));
            if (type != null) fieldTypes.putIfAbsent(id, type);
        }

        // userId -> fieldId -> latest cell; adjustments kept apart, for the "(adj.)" columns
        Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
        Map<String, Map<String, Cell>> adjusted = new LinkedHashMap<>();
        Map<String, String> valueKeys = new HashMap<>();   // fieldId -> the key its values came in
        Set<String> currencies = new LinkedHashSet<>();
        for (Json.Obj e : Lenient.objects(root.get("entries"))) {
            String user = Lenient.id(e.get("userId"));
            String field = Lenient.id(e.get("fieldId"));
            String entryPeriod = Lenient.id(e.get("timePeriodId"));
            if (user == null || field == null) continue;
            if (period != null && entryPeriod != null && !period.equals(entryPeriod)) continue;
            int rank = frameRank.getOrDefault(Lenient.id(e.get("timeFrameId")), -1);
            boolean used = false;
            for (String key : VALUE_KEYS) {
                BigDecimal value = Lenient.number(e.get(key));
                if (value == null) continue;
                latest(cells, user, field, new Cell(rank, value, null, null));
                valueKeys.putIfAbsent(field, key);
                used = true;
                break;
            }
            BigDecimal adj = Lenient.number(e.get("adjustmentValue"));
            if (adj != null) {
                latest(adjusted, user, field, new Cell(rank, adj, Lenient.id(e.get("adjustedBy")), Lenient.date(e.get("adjustedOn"))));
                used = true;
            }
            if (!used) continue;
            Json cur = e.get("currency");
            String code = Lenient.text(cur instanceof Json.Obj c ? c.get("code") : cur);
            if (code != null) currencies.add(code);
            fieldNames.putIfAbsent(field, Sanitize.text(field));
        }
        // An adjustment older than the call it adjusts was superseded by a later week's call.
        adjusted.forEach((user, byField) -> byField.entrySet().removeIf(a -> {
            Cell call = cells.getOrDefault(user, Map.of()).get(a.getKey());
            return call != null && call.rank > a.getValue().rank;
        }));
        Set<String> adjustedFields = new HashSet<>();
        adjusted.values().forEach(m -> adjustedFields.addAll(m.keySet()));

        // Columns: Clari's field order, only fields with a value, each adjustment right after its call; unique names.
        Map<String, Column> columns = new LinkedHashMap<>();   // "c:" + fieldId for a value, "a:" + fieldId for its adjustment
        Set<String> taken = new HashSet<>();
        for (Map.Entry<String, String> f : fieldNames.entrySet()) {
            String id = f.getKey();
            if (valueKeys.containsKey(id)) columns.put("c:" + id, new Column(unique(f.getValue(), taken), kind(valueKeys.get(id), fieldTypes.get(id))));
            if (adjustedFields.contains(id)) columns.put("a:" + id, new Column(unique(f.getValue() + " (adj.)", taken), Kind.ADJUSTMENT));
        }

        Map<String, Json.Obj> users = new LinkedHashMap<>();
        Map<String, String> nodeOwner = new HashMap<>();   // hierarchyId -> the first user on that node
        for (Json.Obj u : Lenient.objects(root.get("users"))) {
            String id = Lenient.id(u.get("userId"));
            if (id == null || users.putIfAbsent(id, u) != null) continue;
            String node = Lenient.id(u.get("hierarchyId"));
            if (node != null) nodeOwner.putIfAbsent(node, id);
        }
        Map<String, String> parent = new HashMap<>();
        users.forEach((id, u) -> {
            String p = nodeOwner.get(Lenient.id(u.get("parentHierarchyId")));
            if (p != null && !p.equals(id)) parent.put(id, p);
        });
        Set<String> withValues = new LinkedHashSet<>(cells.keySet());
        withValues.addAll(adjusted.keySet());

        // Order: users list order (then users only seen in entries), parents before their teams.
        List<String> order = new ArrayList<>();
        for (String id : users.keySet()) if (withValues.contains(id)) order.add(id);
        for (String id : withValues) if (!users.containsKey(id)) order.add(id);
        Map<String, String> shownParent = new HashMap<>();
        Map<String, List<String>> children = new LinkedHashMap<>();
        List<String> roots = new ArrayList<>();
        for (String id : order) {
            String p = nearestShownAncestor(id, parent, withValues);
            if (p == null) {
                roots.add(id);
            } else {
                shownParent.put(id, p);
                children.computeIfAbsent(p, k -> new ArrayList<>()).add(id);
            }
        }
        Tree tree = new Tree(users, cells, adjusted, columns, shownParent, children, new HashSet<>(), new ArrayList<>());
        for (String r : roots) tree.place(r, 0);
        for (String id : order) tree.place(id, 0); // cycles

        Map<String, BigDecimal> totals = new LinkedHashMap<>();
        for (Row row : tree.rows) {
            if (row.level() != 0) continue;
            columns.forEach((key, col) -> {
                BigDecimal v = row.values().get(col.name());
                // An unadjusted top-level call counts as it stands in the adjusted total.
                Column call = col.kind() == Kind.ADJUSTMENT ? columns.get(callKey(key)) : null;
                if (v == null && call != null) v = row.values().get(call.name());
                if (v != null) totals.merge(col.name(), v, BigDecimal::add);
            });
        }
        List<Adjusted> adjustments = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Row row : tree.rows) names.put(row.userId(), row.name());
        for (Row row : tree.rows) {
            adjusted.getOrDefault(row.userId(), Map.of()).forEach((field, c) -> adjustments.add(new Adjusted(row.name(),
                    columns.get("a:" + field).name(), c.value, c.by == null ? null : names.getOrDefault(c.by, Sanitize.text(c.by)), c.on)));
        }
        String currency = currencies.isEmpty() ? null : String.join(", ", currencies);
        return new ForecastTable(period, currency, currencies.size() > 1, List.copyOf(columns.values()),
                tree.rows, totals, !parent.isEmpty(), adjustments);
    }

    List<String> fields() {
        return columns.stream().map(Column::name).toList();
    }

    private record Cell(int rank, BigDecimal value, String by, String on) {}

    /** The key of the call an adjustment column ("a:" + fieldId) adjusts. */
    private static String callKey(String adjustmentKey) {
        return "c:" + adjustmentKey.substring(2);
    }

    private static void latest(Map<String, Map<String, Cell>> cells, String user, String field, Cell cell) {
        Map<String, Cell> byField = cells.computeIfAbsent(user, k -> new HashMap<>());
        Cell old = byField.get(field);
        if (old == null || cell.rank >= old.rank) byField.put(field, cell);
    }

    /** The kind from the key the value came in [tap]; for forecastValue, a CRM or quota fieldType still says so. */
    private static Kind kind(String valueKey, String fieldType) {
        if (valueKey.equals("quotaValue")) return Kind.QUOTA;
        if (valueKey.equals("aggregationTotal")) return Kind.CRM_TOTAL;
        String t = fieldType == null ? "" : fieldType.toLowerCase(java.util.Locale.ROOT);
        return t.equals("quota") ? Kind.QUOTA : t.startsWith("crm") ? Kind.CRM_TOTAL : Kind.CALL;
    }

    private static String unique(String name, Set<String> taken) {
        String out = name;
        for (int n = 2; !taken.add(out); n++) out = name + " (" + n + ")";
        return out;
    }

    /** Places rows depth-first, each manager followed by the team below. */
    private record Tree(Map<String, Json.Obj> users, Map<String, Map<String, Cell>> cells, Map<String, Map<String, Cell>> adjusted,
            Map<String, Column> columns, Map<String, String> shownParent, Map<String, List<String>> children,
            Set<String> placed, List<Row> rows) {

        void place(String id, int level) {
            if (level > MAX_LEVELS || !placed.add(id)) return;
            Json.Obj u = users.getOrDefault(id, Json.Obj.EMPTY);
            Map<String, BigDecimal> values = new LinkedHashMap<>();
            Map<String, Cell> calls = cells.getOrDefault(id, Map.of());
            Map<String, Cell> adj = adjusted.getOrDefault(id, Map.of());
            columns.forEach((key, col) -> {
                Cell c = (key.startsWith("a:") ? adj : calls).get(key.substring(2));
                if (c != null) values.put(col.name(), c.value());
            });
            String name = nameOr(Lenient.text(Lenient.first(u, "name", "email")), Sanitize.text(id));
            Json scope = u.get("scopeId");
            String role = Lenient.text(Lenient.first(u, "hierarchyName"));
            if (role == null && scope instanceof Json.Str) role = Lenient.text(scope);   // scopeId may not be a string [gitlab]
            rows.add(new Row(id, name, role, level == 0 ? null : shownParent.get(id), level, values));
            for (String child : children.getOrDefault(id, List.of())) place(child, level + 1);
        }
    }

    /** The closest manager up the hierarchy that has a row of its own, or null. */
    private static String nearestShownAncestor(String id, Map<String, String> parent, Set<String> shown) {
        Set<String> seen = new HashSet<>(Set.of(id));
        String p = parent.get(id);
        for (int i = 0; p != null && i < MAX_LEVELS && seen.add(p); i++) {
            if (shown.contains(p)) return p;
            p = parent.get(p);
        }
        return null;
    }

    private static String nameOr(String name, String fallback) {
        return name == null || name.isEmpty() ? fallback : name;
    }

    /**
     * Time frame id -> rank (higher = later): by startDate when every frame has one (ISO dates sort as
     * text; Clari lists frames unordered [gitlab]), else in list order.
     */
    private static Map<String, Integer> frameRanks(List<Json.Obj> frames) {
        List<Json.Obj> sorted = new ArrayList<>(frames);
        if (frames.stream().allMatch(f -> Lenient.text(f.get("startDate")) != null)) {
            sorted.sort(java.util.Comparator.comparing(f -> Lenient.text(f.get("startDate"))));
        }
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            String id = Lenient.id(sorted.get(i).get("timeFrameId"));
            if (id != null) rank.put(id, i);
        }
        return rank;
    }
}
