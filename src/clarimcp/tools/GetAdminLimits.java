package clarimcp.tools;

import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;

/**
 * get_admin_limits: the org's export quota and concurrent-job availability (GET /admin/limits), so
 * a user can check before a large export. One cheap read; no job is started.
 */
public final class GetAdminLimits implements Tool {
    private final ClariAccess clari;

    public GetAdminLimits(ClariAccess clari) {
        this.clari = clari;
    }

    @Override
    public String name() {
        return "get_admin_limits";
    }

    @Override
    public String title() {
        return "Clari export limits";
    }

    @Override
    public String description() {
        return "Clari export limits of the org: concurrent export jobs free now and exports left in the monthly quota "
                + "(get_forecast uses one per call). Check before many or large forecast exports.";
    }

    @Override
    public Json.Obj inputSchema() {
        return Schema.object(true, Schema.props().build());
    }

    @Override
    public Json.Obj outputSchema() {
        Json.Obj count = Schema.type("integer");
        return Schema.object(false, Schema.props()
                .put("concurrentLimit", count)
                .put("availableConcurrentLimit", Schema.type("integer", "export jobs that may start now"))
                .put("runningJobs", count)
                .put("monthlyQuota", count)
                .put("availableMonthlyQuota", Schema.type("integer", "exports left this month"))
                .put("submittedJobs", count)
                .put("canExportNow", Schema.type("boolean", "false when no slot is free or the quota is spent"))
                .build(), "canExportNow");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        if (!arguments.members().isEmpty()) throw new ToolException("get_admin_limits takes no arguments");
        ExportLimits l;
        try {
            l = ExportLimits.from(clari.client(ctx).adminLimits());
        } catch (ClariException e) {
            throw new ToolException(e.getMessage());
        }
        boolean canExport = !l.noFreeSlot() && !l.quotaExhausted();
        StringBuilder out = new StringBuilder("Clari export limits\n");
        out.append("Concurrent export jobs free now: ").append(ExportLimits.ofTotal(l.availableConcurrent(), l.concurrentLimit()));
        if (l.running() != null) out.append(" (").append(l.running()).append(" running)");
        out.append("\nMonthly export quota left: ").append(ExportLimits.ofTotal(l.availableMonthly(), l.monthlyQuota()));
        if (l.submitted() != null) out.append(" (").append(l.submitted()).append(" submitted)");
        out.append('\n');
        if (l.quotaExhausted()) {
            out.append("The monthly quota is used up: get_forecast cannot run until it resets.\n");
        } else if (l.noFreeSlot()) {
            out.append("No export slot is free: get_forecast will wait for one (within its polling budget).\n");
        } else {
            out.append("get_forecast can start an export now.\n");
        }
        Json.Builder s = Json.Obj.builder();
        put(s, "concurrentLimit", l.concurrentLimit());
        put(s, "availableConcurrentLimit", l.availableConcurrent());
        put(s, "runningJobs", l.running());
        put(s, "monthlyQuota", l.monthlyQuota());
        put(s, "availableMonthlyQuota", l.availableMonthly());
        put(s, "submittedJobs", l.submitted());
        s.put("canExportNow", canExport);
        return ToolResult.ok(out.toString(), s.build());
    }

    private static void put(Json.Builder b, String key, Integer value) {
        if (value != null) b.put(key, value.longValue());
    }
}
