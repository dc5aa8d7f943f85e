package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the forecast export result: {@code entries}, {@code users}, {@code fields}, {@code timePeriods},
 * {@code timeFrames}. Time frames are the quarter's weeks up to the anchor day (all of them for a past
 * quarter, the first one for a future quarter). For a rep, the latest week's Commit, Best Case and Pipeline
 * are the sums of their opportunities in that category closing in the quarter (see
 * {@link SandboxOrg#categoryTotal}); earlier weeks drift deterministically around it. Closed counts deals
 * closed by the end of each week. Managers' values roll up their subtree. Values are whole currency units,
 * scaled by the forecast tab's factor (1 for {@code forecast}); the currency code is relabelled, not converted.
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
    private static final Map<String, String> SYMBOLS = Map.of("USD", "$", "EUR", "€", "GBP", "£", "JPY", "¥", "CAD", "CA$", "AUD", "A$");

    /** A week of the quarter: {@code 2026_Q2_W01}. */
    record Week(String timeFrameId, LocalDate start, LocalDate end, int number) {}

    private ForecastResults() {}

    /** The types a request may select fields by ({@code typesToExport}); unknown types are ignored. */
    static Set<String> knownTypes() {
        return Set.of("forecast", "crm_total", "crm_closed", "quota");
    }

    static List<Week> weeks(String quarterId, LocalDate today) {
        LocalDate start = SandboxOrg.quarterStart(quarterId);
        LocalDate end = SandboxOrg.quarterEnd(quarterId);
        int count = (int) ((end.toEpochDay() - start.toEpochDay() + 1 + 3) / 7);   // a short tail joins the last week
        List<Week> out = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            LocalDate s = start.plusDays(7L * (k - 1));
            if (k > 1 && s.isAfter(today)) break;                               // weeks not yet begun
            LocalDate e = k == count ? end : s.plusDays(6);
            out.add(new Week(String.format("%s_W%02d", quarterId, k), s, e, k));
        }
        return out;
    }

    static Json build(SandboxOrg org, ForecastExports.Job job, double scale) {
        List<User> users = org.subtree(job.scopeUserId());
        List<Week> weeks = weeks(job.quarterId(), org.today());
        List<Field> fields = FIELDS.stream().filter(f -> job.types().contains(f.fieldType())).toList();

        Map<String, long[][]> values = new HashMap<>();                         // userId -> [field][week]
        for (User u : users) values.put(u.userId(), repValues(org, u, job.quarterId(), weeks, fields));
        for (User u : users.reversed()) {                                       // children before parents
            long[][] parent = u.parentUserId() == null ? null : values.get(u.parentUserId());
            if (parent == null) continue;                                       // the scope's root
            long[][] mine = values.get(u.userId());
            for (int f = 0; f < fields.size(); f++) {
                if (fields.get(f).category() == null) continue;                 // quota is already per user
                for (int w = 0; w < weeks.size(); w++) parent[f][w] += mine[f][w];
            }
        }

        Json currency = Json.Obj.builder().put("code", job.currency())
                .put("symbol", SYMBOLS.getOrDefault(job.currency(), job.currency())).build();
        List<Json> entries = new ArrayList<>();
        for (User u : users) {
            long[][] v = values.get(u.userId());
            for (int f = 0; f < fields.size(); f++) {
                for (int w = 0; w < weeks.size(); w++) {
                    long value = Math.round(v[f][w] * scale);
                    entries.add(Json.Obj.builder()
                            .put("userId", u.userId()).put("fieldId", fields.get(f).fieldId())
                            .put("timePeriodId", job.quarterId()).put("timeFrameId", weeks.get(w).timeFrameId())
                            .put("forecastValue", value).put("currency", currency).put("dataType", "CURRENCY")
                            .put("isUpdated", w > 0 && v[f][w] != v[f][w - 1]).build());
                }
            }
        }
        return Json.Obj.builder()
                .put("entries", new Json.Arr(entries))
                .put("users", new Json.Arr(users.stream().map(ForecastResults::user).toList()))
                .put("fields", new Json.Arr(fields.stream().<Json>map(f -> Json.Obj.builder().put("fieldId", f.fieldId())
                        .put("fieldName", f.fieldName()).put("fieldType", f.fieldType()).build()).toList()))
                .put("timePeriods", Json.Arr.of(Json.Obj.builder().put("timePeriodId", job.quarterId())
                        .put("startDate", SandboxOrg.quarterStart(job.quarterId()).toString())
                        .put("endDate", SandboxOrg.quarterEnd(job.quarterId()).toString()).build()))
                .put("timeFrames", new Json.Arr(weeks.stream().<Json>map(w -> Json.Obj.builder()
                        .put("timeFrameId", w.timeFrameId()).put("startDate", w.start().toString())
                        .put("endDate", w.end().toString()).put("weekNumber", w.number()).build()).toList()))
                .build();
    }

    /** A user's own values (reps own opportunities; managers start at zero, except quota). */
    private static long[][] repValues(SandboxOrg org, User u, String quarterId, List<Week> weeks, List<Field> fields) {
        long[][] v = new long[fields.size()][weeks.size()];
        int latest = weeks.size() - 1;
        for (int f = 0; f < fields.size(); f++) {
            Field field = fields.get(f);
            for (int w = 0; w <= latest; w++) {
                if (field.category() == null) {
                    v[f][w] = u.quota();
                } else if (field.category().equals("Closed")) {
                    LocalDate asOf = weeks.get(w).end().isAfter(org.today()) ? org.today() : weeks.get(w).end();
                    v[f][w] = sum(org, u, quarterId, "Closed", asOf);
                } else {
                    long now = sum(org, u, quarterId, field.category(), null);
                    // Deterministic drift, narrowing towards the latest week, from (user, field, week).
                    double h = new java.util.Random(u.userId().hashCode() * 31L + f * 1009L + w).nextDouble() - 0.5;
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

    private static Json user(User u) {
        return Json.Obj.builder().put("userId", u.userId()).put("name", u.name()).put("email", u.email())
                .put("crmUserId", u.crmUserId()).putIfPresent("parentUserId", u.parentUserId())
                .put("role", u.role()).put("scopeId", u.scopeId()).build();
    }
}
