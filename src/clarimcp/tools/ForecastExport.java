package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One forecast export, start to finish [spec]: wait for a free export slot (GET /admin/limits), submit,
 * poll the job until DONE, fetch the results. Clari allows a few concurrent exports per org and a
 * monthly quota, and refuses a submit beyond either with one code (400 export_monthly_quota_reached);
 * the limits tell which: a full slot is waited out within the {@link PollBudget}, a spent quota stops at once.
 */
final class ForecastExport {
    /** Job ids go into a URL path; Clari's are hex strings, so anything else is refused. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Set<String> FAILED = Set.of("FAILED", "CANCELLED", "CANCELED", "ABORTED");
    /** Clari's one code for both a spent monthly quota and a full concurrent limit [spec]: /admin/limits tells which. */
    static final String LIMIT_REACHED = "export_monthly_quota_reached";

    private final ClariClient client;
    private final PollBudget budget;
    private final ToolContext ctx;

    ForecastExport(ClariClient client, PollBudget budget, ToolContext ctx) {
        this.client = client;
        this.budget = budget;
        this.ctx = ctx;
    }

    /** The results of a finished export of forecastId with body. */
    Json run(String forecastId, Json.Obj body) throws ClariException, ToolException, InterruptedException {
        return run(forecastId, body, Map.of());
    }

    /** As {@link #run(String, Json.Obj)}, the named top-level arrays of the results handed out as they are parsed. */
    Json run(String forecastId, Json.Obj body, Map<String, ? extends Consumer<? super Json>> handlers)
            throws ClariException, ToolException, InterruptedException {
        String jobId = submitWhenFree(forecastId, body);
        budget.restart();
        awaitJob(jobId);
        return client.exportResults(jobId, handlers);
    }

    /** Submits once a slot is free; waits (with progress) while none is, stops when the quota is spent. */
    private String submitWhenFree(String forecastId, Json.Obj body)
            throws ClariException, ToolException, InterruptedException {
        while (true) {
            ExportLimits limits = limits();
            if (limits != null && limits.quotaExhausted()) throw quotaSpent(limits);
            if (limits == null || !limits.noFreeSlot()) {
                try {
                    return jobId(client.submitForecastExport(forecastId, body));
                } catch (ClariException e) {
                    if (!LIMIT_REACHED.equals(e.code())) throw e;
                    ExportLimits after = limits(); // "no slot" or "no quota": the limits tell which
                    if (after == null) {
                        throw new ToolException("Clari refused the export: the org's monthly export quota or all its concurrent export "
                                + "slots are used (400 " + LIMIT_REACHED + "); this token cannot read /admin/limits to tell which "
                                + "(a Clari admin's can). Retry in a few minutes; if it persists, the monthly quota is spent");
                    }
                    if (after.quotaExhausted()) throw quotaSpent(after);
                    limits = after; // a slot is taken (or was freed since): wait and submit again
                }
            }
            if (!budget.next()) {
                throw new ToolException("No Clari export slot became free within " + budget.used() + " checks (~"
                        + budget.waitedSeconds() + " s): other exports are using the org's concurrent limit; retry later, "
                        + "or raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS to wait longer");
            }
            String slots = limits == null ? "" : " (" + ExportLimits.ofTotal(limits.availableConcurrent(), limits.concurrentLimit()) + " free)";
            ctx.progress(budget.used(), (double) budget.max(), "Waiting for a free Clari export slot" + slots);
        }
    }

    /** The export limits, or null when they cannot be read (then the submit itself decides). */
    private ExportLimits limits() throws InterruptedException {
        try {
            return ExportLimits.from(client.adminLimits());
        } catch (ClariException | IllegalArgumentException unavailable) {
            return null; // e.g. 403 for a token without admin rights: go ahead and submit
        }
    }

    private static ToolException quotaSpent(ExportLimits l) {
        return new ToolException("Clari's monthly export quota is used up (" + ExportLimits.ofTotal(l.availableMonthly(), l.monthlyQuota())
                + " exports left): get_forecast cannot run until it resets; get_pipeline_changes and get_deal_risk do not use it");
    }

    private static String jobId(Json submitted) throws ToolException {
        String jobId = submitted instanceof Json.Obj o ? Lenient.id(o.get("jobId")) : null;
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new ToolException("Clari accepted the export but sent no usable jobId; retry later");
        }
        return jobId;
    }

    /** Polls the job until DONE; throws when it fails or the budget runs out. */
    private void awaitJob(String jobId) throws ClariException, InterruptedException, ToolException {
        while (budget.next()) {
            String status = status(client.exportJob(jobId));
            ctx.progress(budget.used(), (double) budget.max(), "Export job " + status);
            if (status.equals("DONE")) return;
            if (FAILED.contains(status)) {
                throw new ToolException("Clari export job " + jobId + " ended " + status + "; retry later or check the forecast in Clari");
            }
        }
        throw new ToolException("Clari's export job " + jobId + " did not finish after " + budget.used() + " checks (~"
                + budget.waitedSeconds() + " s); raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS, or retry later");
    }

    /** The job status, flat ({"status"}) or nested ({"job":{"status"}}); UNKNOWN when absent. */
    static String status(Json job) {
        if (!(job instanceof Json.Obj o)) return "UNKNOWN";
        Json s = o.get("status");
        if (s == null && o.get("job") instanceof Json.Obj nested) s = nested.get("status");
        String text = Lenient.text(s);
        return text == null || text.isEmpty() ? "UNKNOWN" : text.toUpperCase(Locale.ROOT);
    }
}
