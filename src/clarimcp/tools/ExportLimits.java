package clarimcp.tools;

import clarimcp.json.Json;
import java.math.BigDecimal;

/**
 * Clari's export limits as GET /admin/limits reports them under "jobs" (documented shape:
 * concurrentLimit, monthlyQuota, runningJobIds, submittedJobIds, availableConcurrentLimit,
 * availableMonthlyQuota). Read leniently: a missing or unreadable number is null, and null never
 * blocks an export (only a known zero does).
 */
record ExportLimits(Integer concurrentLimit, Integer availableConcurrent, Integer monthlyQuota, Integer availableMonthly,
        Integer running, Integer submitted) {

    /** The limits in a /admin/limits answer; the counts may also sit at the top level. */
    static ExportLimits from(Json answer) {
        Json.Obj top = answer instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        Json.Obj jobs = top.obj("jobs") != null ? top.obj("jobs") : top;
        return new ExportLimits(count(jobs.get("concurrentLimit")), count(jobs.get("availableConcurrentLimit")),
                count(jobs.get("monthlyQuota")), count(jobs.get("availableMonthlyQuota")),
                size(jobs.get("runningJobIds")), size(jobs.get("submittedJobIds")));
    }

    /** True only when Clari says no export is left this month. */
    boolean quotaExhausted() {
        return availableMonthly != null && availableMonthly <= 0;
    }

    /** True only when Clari says every concurrent export slot is taken. */
    boolean noFreeSlot() {
        return availableConcurrent != null && availableConcurrent <= 0;
    }

    /** "1 of 3", "1", or "unknown". */
    static String ofTotal(Integer available, Integer total) {
        if (available == null) return "unknown";
        return total == null ? available.toString() : available + " of " + total;
    }

    /** A non-negative whole number that fits an int, else null. */
    private static Integer count(Json v) {
        BigDecimal d = Lenient.number(v);
        if (d == null || d.signum() < 0 || d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) return null;
        try {
            return d.intValueExact();
        } catch (ArithmeticException fraction) {
            return null;
        }
    }

    private static Integer size(Json v) {
        return v instanceof Json.Arr a ? a.size() : null;
    }
}
