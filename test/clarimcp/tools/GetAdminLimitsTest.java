package clarimcp.tools;

import clarimcp.clari.ExportLimits;
import clarimcp.mcp.Tool;
import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
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
            Fixtures.Checked tool = new Fixtures.Checked(GetAdminLimits.tool(s));
            Tool.Result r = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals("""
                    Clari export limits
                    Concurrent export jobs free now: 3 of 3 (0 running)
                    Monthly export quota left: 1000 of 1000 (0 submitted)
                    get_forecast can start an export now.
                    """, r.text());
            assertConforms(tool.outputSchema(), r.structured());
            assertEquals(obj("{\"concurrent\":{\"limit\":3,\"available\":3,\"running\":0},"
                    + "\"monthly\":{\"quota\":1000,\"available\":1000,\"submitted\":0},\"canExportNow\":true,"
                    + "\"notes\":[\"get_forecast can start an export now.\"]}"), r.structured());
            TwoForms.assertSameFacts(r, "1000", "can start an export now");
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
            Tool.Result r = new Fixtures.Checked(GetAdminLimits.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertTrue(r.text().contains("Concurrent export jobs free now: 0 of 1 (1 running)\n"), r.text());
            assertTrue(r.text().contains("Monthly export quota left: 999 of 1000 (1 submitted)\n"), r.text());
            assertTrue(r.text().endsWith("No export slot is free: get_forecast will wait for one (within its polling budget).\n"));
            assertEquals(Json.Bool.FALSE, r.structured().get("canExportNow"));
            assertEquals(obj("{\"limit\":1,\"available\":0,\"running\":1}"), r.structured().obj("concurrent"));
            TwoForms.assertSameFacts(r, "No export slot is free", "999");
        }
    }

    @Test
    void quotaSpent_saysGetForecastCannotRun() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().monthlyQuota(0);
            Tool.Result r = new Fixtures.Checked(GetAdminLimits.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertTrue(r.text().contains("Monthly export quota left: 0 of 0 (0 submitted)\n"), r.text());
            assertTrue(r.text().endsWith("The monthly quota is used up: get_forecast cannot run until it resets.\n"));
            assertEquals(Json.Bool.FALSE, r.structured().get("canExportNow"));
            TwoForms.assertSameFacts(r, "The monthly quota is used up");
        }
    }

    /** No source shows a partial answer; unknown parts are named in both forms, and never said to be free. */
    @Test
    void emptyAnswer_everyCountUnknown_namedInBothForms_andNotCalledFree() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().hostile().transform(body -> Json.Obj.EMPTY);
            Fixtures.Checked tool = new Fixtures.Checked(GetAdminLimits.tool(s));
            Tool.Result r = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals("""
                    Clari export limits
                    Concurrent export jobs free now: unknown
                    Monthly export quota left: unknown
                    NOTE: Clari's answer lacked (or had unreadable) concurrentLimit, availableConcurrentLimit, runningJobIds, \
                    monthlyQuota, availableMonthlyQuota, submittedJobIds; a count it does not give never blocks get_forecast
                    get_forecast will try an export: Clari did not say whether a slot and quota are free.
                    """, r.text());
            assertConforms(tool.outputSchema(), r.structured());
            assertEquals(obj("{\"concurrent\":{},\"monthly\":{},\"canExportNow\":true}"), Json.obj("concurrent", r.structured().get("concurrent"), "monthly", r.structured().get("monthly"),
                    "canExportNow", r.structured().get("canExportNow")), "unknown never blocks, but is not called free");
            TwoForms.assertSameFacts(r, "availableConcurrentLimit", "will try an export");
        }
    }

    @Test
    void unreadableParts_areLeftOutOfBoth_andNamed() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().hostile().transform(body -> obj("{\"jobs\":{\"concurrentLimit\":3,\"availableConcurrentLimit\":\"two\","
                    + "\"runningJobIds\":[\"j1\"],\"monthlyQuota\":-5,\"availableMonthlyQuota\":12,\"submittedJobIds\":7}}"));
            Fixtures.Checked tool = new Fixtures.Checked(GetAdminLimits.tool(s));
            Tool.Result r = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertTrue(r.text().contains("Concurrent export jobs free now: unknown (1 running)\n"), r.text());
            assertTrue(r.text().contains("Monthly export quota left: 12\n"), r.text());
            assertTrue(r.text().contains("NOTE: Clari's answer lacked (or had unreadable) availableConcurrentLimit, monthlyQuota, "
                    + "submittedJobIds;"), r.text());
            assertConforms(tool.outputSchema(), r.structured());
            assertEquals(obj("{\"limit\":3,\"running\":1}"), r.structured().obj("concurrent"));
            assertEquals(obj("{\"available\":12}"), r.structured().obj("monthly"));
            assertEquals(Json.Bool.TRUE, r.structured().get("canExportNow"));
            TwoForms.assertSameFacts(r, "12", "monthlyQuota", "will try an export");
        }
    }

    @Test
    void forbidden_isAToolErrorNamingThePermission() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().limitsStatus(403);
            String msg = toolError(() -> new Fixtures.Checked(GetAdminLimits.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals("Clari denied access (403): the token's user lacks permission for admin limits", msg);
        }
    }

    @Test
    void anyArgument_isRefused_beforeClari() throws Exception {
        String msg = toolError(() -> new Fixtures.Checked(GetAdminLimits.tool(Fixtures.NO_CLARI)).call(obj("{\"x\":1}"), Fixtures.NONE));
        assertEquals("unknown argument 'x': this tool takes no arguments", msg);
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
        ExportLimits huge = ExportLimits.from(obj("{\"concurrentLimit\":1e999999999,\"monthlyQuota\":3e2}"));
        assertEquals(null, huge.concurrentLimit(), "an exponent beyond int is unreadable, not expanded");
        assertEquals(300, huge.monthlyQuota());
    }
}
