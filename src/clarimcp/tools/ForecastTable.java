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
 * Joins a forecast export's lookup lists (entries, users, fields, timeFrames, timePeriods) into
 * one row per user and one column per field.
 *
 * <p>Semantics, chosen to be truthful: an export holds one snapshot per week (time frame), so a
 * cell is the value of the <em>latest</em> time frame for that user and field, never a sum over
 * weeks. Rows follow the reporting hierarchy (a manager, then the team below). In Clari a
 * manager's row already covers the team below it, so totals add up only the top-level rows; when
 * the export carries no reporting lines at all, every row is top-level and the text says that the
 * total may double-count.
 */
record ForecastTable(String period, String currency, boolean mixedCurrency, List<String> fields,
        List<Row> rows, Map<String, BigDecimal> totals, boolean hierarchyKnown) {

    /** One user: display name, role or scope, depth below the nearest shown manager, and cells by field name. */
    record Row(String userId, String name, String role, String parentId, int level, Map<String, BigDecimal> values) {}

    /** Longest chain of managers followed; deeper (or cyclic) reporting lines are cut there. */
    private static final int MAX_LEVELS = 32;

    static ForecastTable from(Json results) {
        Json.Obj root = results instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        List<Json.Obj> periods = Lenient.objects(root.get("timePeriods"));
        String period = periods.isEmpty() ? null : Lenient.id(periods.get(0).get("timePeriodId"));

        Map<String, Integer> frameRank = frameRanks(Lenient.objects(root.get("timeFrames")));
        Map<String, String> fieldNames = new LinkedHashMap<>();
        for (Json.Obj f : Lenient.objects(root.get("fields"))) {
            String id = Lenient.id(f.get("fieldId"));
            if (id != null) fieldNames.putIfAbsent(id, nameOr(Lenient.text(f.get("fieldName")), Sanitize.text(id)));
        }

        // userId -> fieldId -> latest cell
        Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
        Set<String> currencies = new LinkedHashSet<>();
        Set<String> usedFields = new HashSet<>();
        for (Json.Obj e : Lenient.objects(root.get("entries"))) {
            String user = Lenient.id(e.get("userId"));
            String field = Lenient.id(e.get("fieldId"));
            BigDecimal value = Lenient.number(e.get("forecastValue"));
            String entryPeriod = Lenient.id(e.get("timePeriodId"));
            if (user == null || field == null || value == null) continue;
            if (period != null && entryPeriod != null && !period.equals(entryPeriod)) continue;
            Json cur = e.get("currency");
            String code = Lenient.text(cur instanceof Json.Obj c ? c.get("code") : cur);
            if (code != null) currencies.add(code);
            int rank = frameRank.getOrDefault(Lenient.id(e.get("timeFrameId")), -1);
            Map<String, Cell> byField = cells.computeIfAbsent(user, k -> new HashMap<>());
            Cell old = byField.get(field);
            if (old == null || rank >= old.rank) byField.put(field, new Cell(rank, value));
            usedFields.add(field);
            fieldNames.putIfAbsent(field, Sanitize.text(field));
        }

        // Columns: Clari's field order, only fields with a value; names made unique for JSON keys.
        Map<String, String> columns = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (Map.Entry<String, String> f : fieldNames.entrySet()) {
            if (!usedFields.contains(f.getKey())) continue;
            String name = f.getValue();
            for (int n = 2; !taken.add(name); n++) name = f.getValue() + " (" + n + ")";
            columns.put(f.getKey(), name);
        }

        Map<String, Json.Obj> users = new LinkedHashMap<>();
        for (Json.Obj u : Lenient.objects(root.get("users"))) {
            String id = Lenient.id(Lenient.first(u, "userId", "id"));
            if (id != null) users.putIfAbsent(id, u);
        }
        boolean hierarchyKnown = users.values().stream().anyMatch(u -> parentOf(u) != null);

        // Order: users list order (then users only seen in entries), parents before their teams.
        List<String> order = new ArrayList<>();
        for (String id : users.keySet()) if (cells.containsKey(id)) order.add(id);
        for (String id : cells.keySet()) if (!users.containsKey(id)) order.add(id);
        Map<String, String> shownParent = new HashMap<>();
        Map<String, List<String>> children = new LinkedHashMap<>();
        List<String> roots = new ArrayList<>();
        for (String id : order) {
            String p = nearestShownAncestor(id, users, cells.keySet());
            if (p == null) {
                roots.add(id);
            } else {
                shownParent.put(id, p);
                children.computeIfAbsent(p, k -> new ArrayList<>()).add(id);
            }
        }
        List<Row> rows = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        for (String r : roots) place(r, 0, users, cells, columns, shownParent, children, placed, rows);
        for (String id : order) place(id, 0, users, cells, columns, shownParent, children, placed, rows); // cycles

        Map<String, BigDecimal> totals = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.level() != 0) continue;
            row.values().forEach((k, v) -> totals.merge(k, v, BigDecimal::add));
        }
        String currency = currencies.isEmpty() ? null : String.join(", ", currencies);
        return new ForecastTable(period, currency, currencies.size() > 1, List.copyOf(columns.values()),
                rows, totals, hierarchyKnown);
    }

    private record Cell(int rank, BigDecimal value) {}

    private static void place(String id, int level, Map<String, Json.Obj> users, Map<String, Map<String, Cell>> cells,
            Map<String, String> columns, Map<String, String> shownParent, Map<String, List<String>> children,
            Set<String> placed, List<Row> rows) {
        if (level > MAX_LEVELS || !placed.add(id)) return;
        Json.Obj u = users.getOrDefault(id, Json.Obj.EMPTY);
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        Map<String, Cell> byField = cells.get(id);
        columns.forEach((fieldId, name) -> {
            Cell c = byField.get(fieldId);
            if (c != null) values.put(name, c.value());
        });
        String name = nameOr(Lenient.text(Lenient.first(u, "name", "userName", "email")), Sanitize.text(id));
        String role = Lenient.text(Lenient.first(u, "role", "roleName", "scopeName", "scopeId"));
        rows.add(new Row(id, name, role, level == 0 ? null : shownParent.get(id), level, values));
        for (String child : children.getOrDefault(id, List.of())) {
            place(child, level + 1, users, cells, columns, shownParent, children, placed, rows);
        }
    }

    /** The closest manager up the reporting line that has a row of its own, or null. */
    private static String nearestShownAncestor(String id, Map<String, Json.Obj> users, Set<String> shown) {
        Set<String> seen = new HashSet<>(Set.of(id));
        String p = parentOf(users.get(id));
        for (int i = 0; p != null && i < MAX_LEVELS && seen.add(p); i++) {
            if (shown.contains(p)) return p;
            p = parentOf(users.get(p));
        }
        return null;
    }

    /** The manager's user id, under whichever key the export uses; null when none. */
    private static String parentOf(Json.Obj user) {
        if (user == null) return null;
        Json p = Lenient.first(user, "parentUserId", "managerUserId", "managerId", "parentId", "parent", "manager");
        if (p instanceof Json.Obj o) p = Lenient.first(o, "userId", "id");
        String id = Lenient.id(p);
        return id == null || id.isEmpty() ? null : id;
    }

    private static String nameOr(String name, String fallback) {
        return name == null || name.isEmpty() ? fallback : name;
    }

    /**
     * Time frame id -> rank (higher = later): by startDate when every frame has one (ISO dates sort
     * as text), else by weekNumber when every frame has a numeric one, else in list order.
     */
    private static Map<String, Integer> frameRanks(List<Json.Obj> frames) {
        List<Json.Obj> sorted = new ArrayList<>(frames);
        if (frames.stream().allMatch(f -> Lenient.text(f.get("startDate")) != null)) {
            sorted.sort(java.util.Comparator.comparing(f -> Lenient.text(f.get("startDate"))));
        } else if (frames.stream().allMatch(f -> Lenient.number(f.get("weekNumber")) != null)) {
            sorted.sort(java.util.Comparator.comparing(f -> Lenient.number(f.get("weekNumber"))));
        }
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            String id = Lenient.id(sorted.get(i).get("timeFrameId"));
            if (id != null) rank.put(id, i);
        }
        return rank;
    }
}
