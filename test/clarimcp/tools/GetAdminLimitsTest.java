package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolResult;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.tools.Fixtures.Sandboxed;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GetAdminLimitsTest {
    @Test
    void freshOrg_allSlotsAndQuotaFree_oneRead_structuredMatchesSchema() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            GetAdminLimits tool = new GetAdminLimits(s);
            ToolResult r = tool.call(Json.Obj.EMPTY, ToolContext.NONE);
            assertEquals("""
                    Clari export limits
                    Concurrent export jobs free now: 3 of 3 (0 running)
                    Monthly export quota left: 1000 of 1000 (0 submitted)
                    get_forecast can start an export now.
                    """, r.text());
            assertConforms(tool.outputSchema(), r.structured());
            assertEquals(obj("{\"concurrentLimit\":3,\"availableConcurrentLimit\":3,\"runningJobs\":0,\"monthlyQuota\":1000,"
                    + "\"availableMonthlyQuota\":1000,\"submittedJobs\":0,\"canExportNow\":true}"), r.structured());
            List<RecordedRequest> sent = s.sb().requests();
            assertEquals(1, sent.size());
            assertEquals("GET", sent.get(0).method());
            assertEquals("/v4/admin/limits", sent.get(0).path());
        }
    }

    @Test
    void slotTaken_saysGetForecastWillWait() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().concurrentLimit(1).jobsNeverFinish(true);
            s.client().submitForecastExport("forecast", Json.Obj.EMPTY);
            ToolResult r = new GetAdminLimits(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertTrue(r.text().contains("Concurrent export jobs free now: 0 of 1 (1 running)\n"), r.text());
            assertTrue(r.text().contains("Monthly export quota left: 999 of 1000 (1 submitted)\n"), r.text());
            assertTrue(r.text().endsWith("No export slot is free: get_forecast will wait for one (within its polling budget).\n"));
            assertEquals(Json.Bool.FALSE, r.structured().get("canExportNow"));
        }
    }

    @Test
    void quotaSpent_saysGetForecastCannotRun() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().monthlyQuota(0);
            ToolResult r = new GetAdminLimits(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertTrue(r.text().contains("Monthly export quota left: 0 of 0 (0 submitted)\n"), r.text());
            assertTrue(r.text().endsWith("The monthly quota is used up: get_forecast cannot run until it resets.\n"));
            assertEquals(Json.Bool.FALSE, r.structured().get("canExportNow"));
        }
    }

    @Test
    void forbidden_isAToolErrorNamingThePermission() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().limitsStatus(403);
            String msg = toolError(() -> new GetAdminLimits(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertEquals("Clari denied access (403): the token's user lacks permission for admin limits", msg);
        }
    }

    @Test
    void anyArgument_isRefused_beforeClari() throws Exception {
        String msg = toolError(() -> new GetAdminLimits(Fixtures.NO_CLARI).call(obj("{\"x\":1}"), ToolContext.NONE));
        assertEquals("get_admin_limits takes no arguments", msg);
    }

    @Test
    void limitsShapes_areReadLeniently() {
        ExportLimits flat = ExportLimits.from(obj("{\"availableConcurrentLimit\":\"2\",\"monthlyQuota\":10.0}"));
        assertEquals(2, flat.availableConcurrent());
        assertEquals(10, flat.monthlyQuota());
        ExportLimits junk = ExportLimits.from(obj("{\"jobs\":{\"availableConcurrentLimit\":-1,\"availableMonthlyQuota\":1.5}}"));
        assertEquals(null, junk.availableConcurrent());
        assertEquals(null, junk.availableMonthly());
        assertTrue(!junk.noFreeSlot() && !junk.quotaExhausted(), "unknown never blocks an export");
        assertEquals("unknown", ExportLimits.ofTotal(null, 3));
    }
}
