package clarimcp.tools;

import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.util.ArrayList;
import java.util.List;

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
        // Two small objects, like the text's two lines: compact enough to stay within 1.25 x the text (issue 12).
        return Schema.object(false, Schema.props()
                .put("concurrent", Schema.object(false, Schema.props().put("limit", count)
                        .put("available", Schema.type("integer", "export jobs that may start now")).put("running", count).build()))
                .put("monthly", Schema.object(false, Schema.props().put("quota", count)
                        .put("available", Schema.type("integer", "exports left this month")).put("submitted", count).build()))
                .put("canExportNow", Schema.type("boolean", "false when no slot is free or the quota is spent"))
                .put("notes", Schema.array(Schema.type("string")))
                .build(), "concurrent", "monthly", "canExportNow", "notes");
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
        List<String> notes = new ArrayList<>();
        List<String> missing = missing(l);
        if (!missing.isEmpty()) {
            notes.add("Clari's answer lacked (or had unreadable) " + String.join(", ", missing)
                    + "; a count it does not give never blocks get_forecast");
        }
        if (l.quotaExhausted()) {
            notes.add("The monthly quota is used up: get_forecast cannot run until it resets.");
        } else if (l.noFreeSlot()) {
            notes.add("No export slot is free: get_forecast will wait for one (within its polling budget).");
        } else if (l.availableConcurrent() == null || l.availableMonthly() == null) {
            notes.add("get_forecast will try an export: Clari did not say whether a slot and quota are free.");
        } else {
            notes.add("get_forecast can start an export now.");
        }
        StringBuilder out = new StringBuilder("Clari export limits\n");
        out.append("Concurrent export jobs free now: ").append(ExportLimits.ofTotal(l.availableConcurrent(), l.concurrentLimit()));
        if (l.running() != null) out.append(" (").append(l.running()).append(" running)");
        out.append("\nMonthly export quota left: ").append(ExportLimits.ofTotal(l.availableMonthly(), l.monthlyQuota()));
        if (l.submitted() != null) out.append(" (").append(l.submitted()).append(" submitted)");
        out.append('\n');
        // The same facts in both forms: the counts, then the notes (a lacking count, the verdict), in the text's order.
        for (String n : notes.subList(0, notes.size() - 1)) out.append("NOTE: ").append(n).append('\n');
        out.append(notes.getLast()).append('\n');
        Json.Builder concurrent = Json.Obj.builder();
        put(concurrent, "limit", l.concurrentLimit());
        put(concurrent, "available", l.availableConcurrent());
        put(concurrent, "running", l.running());
        Json.Builder monthly = Json.Obj.builder();
        put(monthly, "quota", l.monthlyQuota());
        put(monthly, "available", l.availableMonthly());
        put(monthly, "submitted", l.submitted());
        return ToolResult.ok(out.toString(), Json.Obj.builder().put("concurrent", concurrent.build()).put("monthly", monthly.build())
                .put("canExportNow", canExport).put("notes", Json.Arr.ofStrings(notes)).build());
    }

    /** Clari's names [spec] of the parts its answer lacked or we could not read, in the answer's order. */
    private static List<String> missing(ExportLimits l) {
        List<String> out = new ArrayList<>();
        if (l.concurrentLimit() == null) out.add("concurrentLimit");
        if (l.availableConcurrent() == null) out.add("availableConcurrentLimit");
        if (l.running() == null) out.add("runningJobIds");
        if (l.monthlyQuota() == null) out.add("monthlyQuota");
        if (l.availableMonthly() == null) out.add("availableMonthlyQuota");
        if (l.submitted() == null) out.add("submittedJobIds");
        return out;
    }

    private static void put(Json.Builder b, String key, Integer value) {
        if (value != null) b.put(key, value.longValue());
    }
}
