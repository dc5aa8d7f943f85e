package clarimcp.clari;

import clarimcp.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Clari's export limits as GET /admin/limits reports them under "jobs" [spec] (concurrentLimit, monthlyQuota,
 * runningJobIds, submittedJobIds, availableConcurrentLimit, availableMonthlyQuota). Read leniently: a missing or
 * unreadable count is null, and null never blocks an export (only a known zero does).
 */
public record ExportLimits(Integer concurrentLimit, Integer availableConcurrent, Integer monthlyQuota, Integer availableMonthly,
        Integer running, Integer submitted) {
    /** Longest number text read: any count fits well within it, and a longer one is not a count. */
    private static final int MAX_NUMBER_CHARS = 64;

    /** The limits in a /admin/limits answer; the counts may also sit at the top level. */
    public static ExportLimits from(Json answer) {
        Json.Obj top = answer instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        Json.Obj jobs = top.obj("jobs") != null ? top.obj("jobs") : top;
        return new ExportLimits(count(jobs.get("concurrentLimit")), count(jobs.get("availableConcurrentLimit")),
                count(jobs.get("monthlyQuota")), count(jobs.get("availableMonthlyQuota")),
                size(jobs.get("runningJobIds")), size(jobs.get("submittedJobIds")));
    }

    /** True only when Clari says no export is left this month. */
    public boolean quotaExhausted() {
        return availableMonthly != null && availableMonthly <= 0;
    }

    /** True only when Clari says every concurrent export slot is taken. */
    public boolean noFreeSlot() {
        return availableConcurrent != null && availableConcurrent <= 0;
    }

    /** Clari's names [spec] of the counts this reading lacks (absent or unreadable), in the answer's order. */
    public List<String> missing() {
        List<String> out = new ArrayList<>();
        if (concurrentLimit == null) out.add("concurrentLimit");
        if (availableConcurrent == null) out.add("availableConcurrentLimit");
        if (running == null) out.add("runningJobIds");
        if (monthlyQuota == null) out.add("monthlyQuota");
        if (availableMonthly == null) out.add("availableMonthlyQuota");
        if (submitted == null) out.add("submittedJobIds");
        return out;
    }

    /** "1 of 3", "1", or "unknown". */
    public static String ofTotal(Integer available, Integer total) {
        if (available == null) return "unknown";
        return total == null ? available.toString() : available + " of " + total;
    }

    /**
     * A non-negative whole number that fits an int, from a JSON number or a numeric string (1, 1.0, "2"), else null.
     * BigDecimal reads an exponent lazily, and intValueExact refuses a huge one without expanding it.
     */
    private static Integer count(Json v) {
        String text = v instanceof Json.Num n ? n.text() : v instanceof Json.Str s ? s.value().strip() : null;
        if (text == null || text.length() > MAX_NUMBER_CHARS) return null;
        try {
            int n = new BigDecimal(text).intValueExact();
            return n < 0 ? null : n;
        } catch (NumberFormatException | ArithmeticException unreadable) {
            return null;
        }
    }

    private static Integer size(Json v) {
        return v instanceof Json.Arr a ? a.size() : null;
    }
}
