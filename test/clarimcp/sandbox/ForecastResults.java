package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.SandboxOrg.Adjustment;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The five lists of a forecast read, as both {@code GET /forecast/{id}} and an export job's results serve
 * them [tap][gitlab]: {@code entries}, {@code users}, {@code fields}, {@code timePeriods}, {@code timeFrames}.
 * Every key served is listed in test/resources/clari-fields.txt with its source (ClariFieldsTest pins it).
 *
 * <p>Entries: one per user, field and week. The value sits in a key that depends on the field's type [tap]:
 * forecast calls in {@code forecastValue} (with {@code adjustmentValue}, {@code adjustedBy}, {@code adjustedOn}
 * when a manager adjusted the call and "adjustment" was asked for), quota in {@code quotaValue}, CRM totals in
 * {@code aggregationTotal}. Guesses (no source shows them): the fieldType values, that an adjustment sits on
 * the entry of the call it adjusts, that updatedBy/updatedOn come only with "forecast_updated", the
 * timeFrameId format. For a rep, the latest week's Commit, Best Case and Pipeline are the sums of their
 * opportunities in that category closing in the quarter; earlier weeks drift deterministically around it. In a
 * quarter that is over (its deals all closed), Commit and Best Case of each week are what had closed by then plus a
 * drifting share of what was still to close, ending on the final closed amount: so forecast accuracy has calls to grade.
 * Closed counts deals closed by the end of each week. A manager's values are the roll-up of their subtree
 * (so a manager must never be added to their own team). Values are whole currency units, scaled by the
 * forecast tab's factor; the currency code is relabelled, not converted.
 */
final class ForecastResults {
    /** A forecast field; category is the opportunity forecast category it sums, null for quota. */
    record Field(String fieldId, String fieldName, String fieldType, String category) {}

    static final List<Field> FIELDS = List.of(
            new Field("commit", "Commit", "forecast", "Commit"),
            new Field("best_case", "Best Case", "forecast", "Best Case"),
            new Field("pipeline", "Pipeline", "crm_total", "Pipeline"),
            new Field("closed", "Closed", "crm_closed", "Closed"),
            new Field("quota", "Quota", "quota", null));
    /** typesToExport values Clari knows [spec]; "adjustment" and "forecast_updated" add keys to forecast entries. */
    static final Set<String> TYPES = Set.of("forecast", "quota", "forecast_updated", "adjustment", "crm_total", "crm_closed");
    /** What Clari exports when typesToExport is absent [spec]. */
    static final Set<String> DEFAULT_TYPES = Set.of("forecast", "forecast_updated");
    private static final Map<String, String> SYMBOLS = Map.of("USD", "$", "EUR", "€", "GBP", "£", "JPY", "¥", "CAD", "CA$", "AUD", "A$");

    /** What to read: allWeeks = every week of the quarter so far (includeHistorical), else the latest week only. */
    record Request(String forecastId, String quarterId, String scopeUserId, String currency, Set<String> types, boolean allWeeks) {}

    /** A week of the quarter; its id format is a guess (GitLab notes ids repeat across quarters). */
    record Week(String timeFrameId, LocalDate start, LocalDate end) {}

    private ForecastResults() {}

    static List<Week> weeks(String quarterId, LocalDate today) {
        LocalDate start = SandboxOrg.quarterStart(quarterId);
        LocalDate end = SandboxOrg.quarterEnd(quarterId);
        int count = (int) ((end.toEpochDay() - start.toEpochDay() + 1 + 3) / 7);   // a short tail joins the last week
        List<Week> out = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            LocalDate s = start.plusDays(7L * (k - 1));
            if (k > 1 && s.isAfter(today)) break;                               // weeks not yet begun
            LocalDate e = k == count ? end : s.plusDays(6);
            out.add(new Week("W" + k, s, e));
        }
        return out;
    }

    static Json build(SandboxOrg org, Request req, double scale) {
        List<User> users = org.subtree(req.scopeUserId());
        List<Week> all = weeks(req.quarterId(), org.today());
        int firstShown = req.allWeeks() ? 0 : all.size() - 1;
        List<Field> fields = FIELDS.stream().filter(f -> req.types().contains(f.fieldType())).toList();

        Map<String, long[][]> values = new HashMap<>();                         // userId -> [field][week]
        for (User u : users) values.put(u.userId(), repValues(org, u, req.quarterId(), all, fields));
        for (User u : users.reversed()) {                                       // children before parents
            long[][] parent = u.parentUserId() == null ? null : values.get(u.parentUserId());
            if (parent == null) continue;                                       // the scope's root
            long[][] mine = values.get(u.userId());
            for (int f = 0; f < fields.size(); f++) {
                if (fields.get(f).category() == null) continue;                 // quota is already per user
                for (int w = 0; w < all.size(); w++) parent[f][w] += mine[f][w];
            }
        }

        Json currency = Json.obj("code", req.currency(),
                "symbol", SYMBOLS.getOrDefault(req.currency(), req.currency()));
        long updatedOn = org.today().atStartOfDay(java.time.ZoneOffset.UTC).toInstant().minusSeconds(6 * 3600).toEpochMilli();
        List<Json> entries = new ArrayList<>();
        for (User u : users) {
            long[][] v = values.get(u.userId());
            Adjustment adj = org.commitAdjustment(u.userId(), req.quarterId());
            for (int f = 0; f < fields.size(); f++) {
                Field field = fields.get(f);
                for (int w = firstShown; w < all.size(); w++) {
                    long value = Math.round(v[f][w] * scale);
                    boolean updated = w > 0 && v[f][w] != v[f][w - 1];
                    ObjBuilder e = new ObjBuilder()
                            .put("userId", u.userId()).put("fieldId", field.fieldId())
                            .put("timePeriodId", req.quarterId()).put("timeFrameId", all.get(w).timeFrameId())
                            .put(valueKey(field), value);
                    boolean latest = w == all.size() - 1;
                    if (field.fieldId().equals("commit") && adj != null && latest && req.types().contains("adjustment")) {
                        e.put("adjustmentValue", Math.round(adj.value() * scale)).put("adjustedBy", adj.adjustedBy())
                                .put("adjustedOn", adj.adjustedOn().toEpochMilli());
                    }
                    e.put("isUpdated", updated);
                    if (updated && field.fieldType().equals("forecast") && req.types().contains("forecast_updated")) {
                        e.put("updatedBy", u.userId()).put("updatedOn", updatedOn - 7L * 86_400_000 * (all.size() - 1 - w));
                    }
                    entries.add(e.put("currency", currency).build());
                }
            }
        }
        if (req.allWeeks()) Collections.shuffle(entries, new Random(entries.size()));   // export results are unordered [gitlab]
        LocalDate qStart = SandboxOrg.quarterStart(req.quarterId());
        return Json.obj("entries", new Json.Arr(entries),
                "users", new Json.Arr(users.stream().map(u -> user(org, u)).toList()),
                "fields", new Json.Arr(fields.stream().<Json>map(f -> Json.obj("fieldId", f.fieldId(),
                        "fieldName", f.fieldName(), "fieldType", f.fieldType())).toList()),
                "timePeriods", ObjBuilder.arr(Json.obj("timePeriodId", req.quarterId(),
                        "startDate", qStart.toString(),
                        "endDate", SandboxOrg.quarterEnd(req.quarterId()).toString(),
                        "label", "Q" + req.quarterId().charAt(6) + " " + qStart.getYear(),
                        "year", Integer.toString(qStart.getYear()),
                        "crmId", "026" + req.quarterId().replace("_", ""),
                        "type", "QUARTER")),
                "timeFrames", new Json.Arr(all.subList(firstShown, all.size()).stream().<Json>map(w -> Json.obj("timeFrameId", w.timeFrameId(), "startDate", w.start().toString(),
                        "endDate", w.end().toString())).toList()));
    }

    /**
     * The results of req with reps synthetic reps added under the seeded managers and every week of the
     * quarter, written as text (a tree of tens of MB would cost the sandbox more than the client it measures).
     * Same keys and types as {@link #build} [tap][gitlab]; the values are synthetic and do not roll up.
     */
    static byte[] synthetic(SandboxOrg org, Request req, int reps) {
        List<Week> weeks = weeks(req.quarterId(), org.today());
        List<Field> fields = FIELDS.stream().filter(f -> req.types().contains(f.fieldType())).toList();
        List<User> users = new ArrayList<>(org.users());
        List<User> managers = org.managers();
        for (int i = 0; i < reps; i++) {
            User m = managers.get(i % managers.size());
            String id = String.format("00590%08d", i);
            users.add(new User(id, "Synthetic Rep " + i, "rep" + i + "@example.com", "005S" + id, m.userId(),
                    OrgSeed.REP_ROLE, id + "::REP", m.segment(), 100_000L + i % 500 * 1_000L));
        }
        String currency = "{\"code\":\"" + req.currency() + "\",\"symbol\":\"" + SYMBOLS.getOrDefault(req.currency(), req.currency()) + "\"}";
        StringBuilder sb = new StringBuilder(reps * 4_000 + 100_000).append("{\"entries\":[");
        long n = 0;
        for (User u : users) {
            for (Field f : fields) {
                for (int w = 0; w < weeks.size(); w++) {
                    if (n++ > 0) sb.append(',');
                    long value = f.category() == null ? u.quota() : 10_000L * (Math.floorMod(u.userId().hashCode() + w * 7 + f.fieldId().length(), 90) + 1);
                    sb.append("{\"userId\":\"").append(u.userId()).append("\",\"fieldId\":\"").append(f.fieldId())
                            .append("\",\"timePeriodId\":\"").append(req.quarterId()).append("\",\"timeFrameId\":\"")
                            .append(weeks.get(w).timeFrameId()).append("\",\"").append(valueKey(f)).append("\":").append(value)
                            .append(",\"isUpdated\":").append(w > 0 && w % 3 == 0);
                    if (w > 0 && w % 3 == 0 && f.fieldType().equals("forecast") && req.types().contains("forecast_updated")) {
                        sb.append(",\"updatedBy\":\"").append(u.userId()).append("\",\"updatedOn\":").append(1_775_000_000_000L + w * 86_400_000L);
                    }
                    sb.append(",\"currency\":").append(currency).append('}');
                }
            }
        }
        sb.append("],\"users\":").append(clarimcp.json.JsonWriter.write(new Json.Arr(users.stream().map(u -> user(org, u, users)).toList())));
        sb.append(",\"fields\":").append(clarimcp.json.JsonWriter.write(new Json.Arr(fields.stream().<Json>map(f -> Json.obj("fieldId", f.fieldId(), "fieldName", f.fieldName(), "fieldType", f.fieldType())).toList())));
        LocalDate qStart = SandboxOrg.quarterStart(req.quarterId());
        sb.append(",\"timePeriods\":").append(clarimcp.json.JsonWriter.write(ObjBuilder.arr(Json.obj("timePeriodId", req.quarterId(), "startDate", qStart.toString(),
                "endDate", SandboxOrg.quarterEnd(req.quarterId()).toString(), "label", "Q" + req.quarterId().charAt(6) + " " + qStart.getYear(),
                "year", Integer.toString(qStart.getYear()), "crmId", "026" + req.quarterId().replace("_", ""),
                "type", "QUARTER"))));
        sb.append(",\"timeFrames\":").append(clarimcp.json.JsonWriter.write(new Json.Arr(weeks.stream().<Json>map(w -> Json.obj("timeFrameId", w.timeFrameId(), "startDate", w.start().toString(), "endDate", w.end().toString())).toList())));
        return sb.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A user as {@link #user(SandboxOrg, User)} lists them, the parent looked up among users (synthetic ones included). */
    private static Json user(SandboxOrg org, User u, List<User> users) {
        return org.user(u.userId()) != null ? user(org, u) : Json.obj("userId", u.userId(), "name", u.name(),
                "email", u.email(), "crmId", u.crmUserId(), "hierarchyId", u.hierarchyId(),
                "hierarchyName", u.hierarchyName(), "parentHierarchyId", u.parentHierarchyId(),
                "parentHierarchyName", org.user(u.parentUserId()).hierarchyName(), "scopeId", u.scopeId());
    }

    /** The entry key holding a field's value [tap]. */
    static String valueKey(Field f) {
        return switch (f.fieldType()) {
            case "quota" -> "quotaValue";
            case "crm_total", "crm_closed" -> "aggregationTotal";
            default -> "forecastValue";
        };
    }

    /** A user's own values (reps own opportunities; managers start at zero, except quota). */
    private static long[][] repValues(SandboxOrg org, User u, String quarterId, List<Week> weeks, List<Field> fields) {
        long[][] v = new long[fields.size()][weeks.size()];
        int latest = weeks.size() - 1;
        boolean over = latest >= 0 && weeks.get(latest).end().isBefore(org.today());
        for (int f = 0; f < fields.size(); f++) {
            Field field = fields.get(f);
            for (int w = 0; w <= latest; w++) {
                if (field.category() == null) {
                    v[f][w] = u.quota();
                } else if (field.category().equals("Closed")) {
                    LocalDate asOf = weeks.get(w).end().isAfter(org.today()) ? org.today() : weeks.get(w).end();
                    v[f][w] = sum(org, u, quarterId, "Closed", asOf);
                } else if (over && !field.category().equals("Pipeline")) {
                    // A past quarter: each week's call was what had closed by then plus a drifting share of what was still
                    // to close (Best Case with upside), converging on the final closed amount in the last week.
                    long closedThen = sum(org, u, quarterId, "Closed", weeks.get(w).end());
                    long closedFinal = sum(org, u, quarterId, "Closed", null);
                    double h = new Random(u.userId().hashCode() * 31L + f * 1009L + w).nextDouble() - 0.5;
                    double upside = field.category().equals("Best Case") ? 1.25 : 1.0;
                    v[f][w] = w == latest ? closedFinal : Math.round((closedThen + (closedFinal - closedThen) * upside
                            * (1 + 0.8 * h * (latest - w) / Math.max(1, latest))) / 100) * 100;
                } else {
                    long now = sum(org, u, quarterId, field.category(), null);
                    // Deterministic drift, narrowing towards the latest week, from (user, field, week).
                    double h = new Random(u.userId().hashCode() * 31L + f * 1009L + w).nextDouble() - 0.5;
                    v[f][w] = w == latest ? now : Math.round(now * (1 + 0.4 * h * (latest - w) / Math.max(1, latest)) / 100) * 100;
                }
            }
        }
        return v;
    }

    /** Amounts of u's own opportunities in quarter and category, closing by asOf (null = any day). */
    private static long sum(SandboxOrg org, User u, String quarterId, String category, LocalDate asOf) {
        long total = 0;
        for (Opportunity o : org.opportunities()) {
            if (o.ownerId().equals(u.userId()) && o.quarterId().equals(quarterId) && o.forecastCategory().equals(category)
                    && (asOf == null || !o.closeDate().isAfter(asOf))) total += o.amount();
        }
        return total;
    }

    /** A user as Clari lists them [gitlab][tap]: the hierarchy by node ids, never a parent user id. */
    private static Json user(SandboxOrg org, User u) {
        User parent = u.parentUserId() == null ? null : org.user(u.parentUserId());
        return Json.obj("userId", u.userId(), "name", u.name(), "email", u.email(),
                "crmId", u.crmUserId(),
                "hierarchyId", u.hierarchyId(), "hierarchyName", u.hierarchyName(),
                "parentHierarchyId", u.parentHierarchyId(),
                "parentHierarchyName", parent == null ? null : parent.hierarchyName(),
                "scopeId", u.scopeId());
    }
}
