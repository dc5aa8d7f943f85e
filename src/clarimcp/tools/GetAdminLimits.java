package clarimcp.tools;

import clarimcp.clari.ExportLimits;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * get_admin_limits: the org's export quota and concurrent-job availability (GET /admin/limits), so
 * a user can check before a large export. One cheap read; no job is started.
 */
public final class GetAdminLimits {
    static Tool tool(Clari clari) {
        return Tools.tool("get_admin_limits", "Clari export limits", "Clari export limits of the org: concurrent export jobs free "
                + "now and exports left in the monthly quota (get_forecast uses one per call). Check before many or large "
                + "forecast exports.", Schema.parse("""
                {"type": "object", "properties": {}, "additionalProperties": false}"""),
                // Two small objects, like the text's two lines: compact enough to stay within 1.25 x the text (issue 12).
                Schema.parse("""
                {"type": "object", "required": ["concurrent", "monthly", "canExportNow", "notes"], "properties": {
                  "concurrent": {"type": "object", "properties": {"limit": {"type": "integer"},
                    "available": {"type": "integer", "description": "export jobs that may start now"}, "running": {"type": "integer"}}},
                  "monthly": {"type": "object", "properties": {"quota": {"type": "integer"},
                    "available": {"type": "integer", "description": "exports left this month"}, "submitted": {"type": "integer"}}},
                  "canExportNow": {"type": "boolean", "description": "false when no slot is free or the quota is spent"},
                  "notes": {"type": "array", "items": {"type": "string"}}}}"""),
                Schema.READ_ONLY, (args, ctx) -> answer(ExportLimits.from(clari.client(ctx).adminLimits())));
    }

    private static Tool.Result answer(ExportLimits l) {
        boolean canExport = !l.noFreeSlot() && !l.quotaExhausted();
        List<String> notes = new ArrayList<>();
        if (!l.missing().isEmpty()) {
            notes.add("Clari's answer lacked (or had unreadable) " + String.join(", ", l.missing())
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
        return Tool.Result.ok(out.toString(), Json.obj(
                "concurrent", Json.obj("limit", l.concurrentLimit(), "available", l.availableConcurrent(), "running", l.running()),
                "monthly", Json.obj("quota", l.monthlyQuota(), "available", l.availableMonthly(), "submitted", l.submitted()),
                "canExportNow", canExport, "notes", notes));
    }
}
