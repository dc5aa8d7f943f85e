package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One forecast export, start to finish: wait for a free export slot (GET /admin/limits), submit,
 * poll the job until DONE, fetch the results. Clari allows a few concurrent exports per org and a
 * monthly quota; a full slot is waited out within the {@link PollBudget}, a spent quota stops at once.
 */
final class ForecastExport {
    /** Job ids go into a URL path; Clari's are hex strings, so anything else is refused. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Set<String> FAILED = Set.of("FAILED", "CANCELLED", "CANCELED", "ABORTED");
    /** What a 400 on submit says when the concurrent-job limit is the cause (the limits are re-read first). */
    private static final Pattern SLOT_REFUSAL = Pattern.compile("(?i).*\\b(concurren\\w*|limit)\\b.*");

    /** Clari refused the submit for the forecast itself: 404 (no such forecast) or 403 (hidden from the token's user). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(ClariException e) {
            super(e.getMessage(), null, false, false);
            this.status = e.status();
        }
    }

    private final ClariClient client;
    private final PollBudget budget;
    private final ToolContext ctx;

    ForecastExport(ClariClient client, PollBudget budget, ToolContext ctx) {
        this.client = client;
        this.budget = budget;
        this.ctx = ctx;
    }

    /** The results of a finished export of forecastId with body. */
    Json run(String forecastId, Json.Obj body) throws ClariException, Refused, ToolException, InterruptedException {
        String jobId = submitWhenFree(forecastId, body);
        budget.restart();
        awaitJob(jobId);
        return client.exportResults(jobId);
    }

    /** Submits once a slot is free; waits (with progress) while none is, stops when the quota is spent. */
    private String submitWhenFree(String forecastId, Json.Obj body)
            throws ClariException, Refused, ToolException, InterruptedException {
        while (true) {
            ExportLimits limits = limits();
            if (limits != null && limits.quotaExhausted()) throw quotaSpent(limits);
            if (limits == null || !limits.noFreeSlot()) {
                try {
                    return jobId(client.submitForecastExport(forecastId, body));
                } catch (ClariException e) {
                    if (e.status() == 403 || e.status() == 404) throw new Refused(e);
                    if (e.status() != 400) throw e;
                    ExportLimits after = limits(); // a 400 may mean "no slot" or "no quota": the limits tell which
                    if (after != null && after.quotaExhausted()) throw quotaSpent(after);
                    boolean slotTaken = after != null ? after.noFreeSlot() : SLOT_REFUSAL.matcher(e.getMessage()).matches()
                            && !e.getMessage().toLowerCase(Locale.ROOT).contains("quota");
                    if (!slotTaken) throw e;
                    limits = after;
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
