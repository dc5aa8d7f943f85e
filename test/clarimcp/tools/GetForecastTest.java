package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolResult;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.tools.Fixtures.Recording;
import clarimcp.tools.Fixtures.Sandboxed;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetForecastTest {
    /** Field names the sandbox serves, and the forecast category each sums. */
    private static final Map<String, String> CATEGORY = Map.of(
            "Commit", "Commit", "Best Case", "Best Case", "Pipeline", "Pipeline", "Closed", "Closed");
    private static final String SYNC_PATH = "/v4/forecast/forecast";

    @Test
    @Timeout(30)
    void syncRead_oneRequest_rowsQuotaAdjustmentsHierarchyAndTotalsMatchTheOrg() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            GetForecast tool = new GetForecast(s);
            ToolResult r = tool.call(obj("{\"time_period\":\"" + q + "\"}"), ToolContext.NONE);

            List<RecordedRequest> sent = s.sb().requests();
            assertEquals(1, sent.size(), "one synchronous read, no job, no limits check: " + sent);
            assertEquals(SYNC_PATH, sent.get(0).path());
            assertEquals("GET", sent.get(0).method());

            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);
            assertEquals("sync", st.str("source"));
            assertEquals(q, st.str("timePeriod"));
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Pipeline", "Closed", "Quota"), strings(st.arr("fields")));
            assertEquals(List.of("forecast call", "manager adjustment", "forecast call", "CRM total", "CRM total", "quota"),
                    st.arr("columns").items().stream().map(c -> ((Json.Obj) c).str("kind")).toList());
            List<Json> rows = st.arr("rows").items();
            assertEquals(org.users().size(), rows.size());
            for (Json j : rows) {
                Json.Obj row = (Json.Obj) j;
                SandboxOrg.User u = org.user(row.str("userId"));
                assertEquals(u.name(), row.str("name"));
                assertEquals(u.hierarchyName(), row.str("role"), "the role is Clari's hierarchyName");
                Json.Obj values = row.obj("values");
                for (Map.Entry<String, String> f : CATEGORY.entrySet()) {
                    assertEquals(org.categoryTotal(u.userId(), q, f.getValue()), num(values, f.getKey()), u.name() + " " + f.getKey());
                }
                assertEquals(u.quota(), num(values, "Quota"), "quota read from quotaValue");
                SandboxOrg.Adjustment adj = org.commitAdjustment(u.userId(), q);
                if (adj == null) assertFalse(values.has("Commit (adj.)"), u.name());
                else assertEquals(adj.value(), num(values, "Commit (adj.)"), u.name() + " adjusted Commit, from adjustmentValue");
                int depth = u.parentUserId() == null ? 0 : org.user(u.parentUserId()).parentUserId() == null ? 1 : 2;
                assertEquals(depth, ((Json.Num) row.get("level")).longValueExact(), u.name() + ": tree from parentHierarchyId");
                if (depth > 0) assertEquals(u.parentUserId(), row.str("parentUserId"));
            }
            assertEquals(org.cro().userId(), ((Json.Obj) rows.get(0)).str("userId"), "the CRO leads, teams follow");
            List<Json> adjustments = st.arr("adjustments").items();
            assertEquals(2, adjustments.size());
            for (Json a : adjustments) {
                assertEquals(org.cro().name(), ((Json.Obj) a).str("adjustedBy"), "adjustedBy resolved to the user's name");
                assertEquals("Commit (adj.)", ((Json.Obj) a).str("column"));
            }
            Json.Obj totals = st.obj("totals");
            long croCommit = org.categoryTotal(org.cro().userId(), q, "Commit");
            assertEquals(croCommit, num(totals, "Commit"), "the CRO's roll-up, never a manager added to their team");
            assertEquals(croCommit, num(totals, "Commit (adj.)"), "the unadjusted top-level call stands in the adjusted total");
            assertEquals(org.cro().quota(), num(totals, "Quota"));
            assertEquals("top-level rows", st.str("totalsOver"));

            assertTrue(r.text().contains("Total (top-level rows)"), r.text());
            assertTrue(r.text().contains(Text.money(BigDecimal.valueOf(croCommit))), r.text());
            assertTrue(r.text().contains("Columns: Commit, Best Case = forecast calls; Commit (adj.) = manager adjustments; "
                    + "Pipeline, Closed = CRM totals; Quota = quota"), r.text());
            assertTrue(r.text().contains("by " + org.cro().name()), r.text());
            assertTrue(r.text().contains("no export job, no export quota spent"), r.text());
            assertFalse(r.text().contains("not the requested"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void syncRead_query_asksEveryTypeWithCrmTotals_asTheProductionClientsDo() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new GetForecast(s).call(obj("{\"time_period\":\"2026_Q2\",\"currency\":\"EUR\",\"scope_id\":\"1905::MGR\"}"), ToolContext.NONE);
            RecordedRequest get = s.sb().requests().get(0);
            assertEquals(SYNC_PATH, get.path());
            assertEquals("currency=EUR&scopeId=1905%3A%3AMGR&timePeriod=2026_Q2&typesToExport=forecast&typesToExport=quota"
                    + "&typesToExport=forecast_updated&typesToExport=adjustment&typesToExport=crm_total&typesToExport=crm_closed"
                    + "&exportFormat=JSON", get.query());
        }
    }

    @Test
    @Timeout(30)
    void syncRefusesCrmTotals_retriedOnceWithoutThem_andTheResultSaysWhichColumnsAreMissing() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncRefusesCrm(true);
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            List<RecordedRequest> sent = s.sb().requests();
            assertEquals(2, sent.size(), sent.toString());
            assertTrue(sent.get(0).query().contains("crm_total"));
            assertFalse(sent.get(1).query().contains("crm_"), sent.get(1).query());
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Quota"), strings(r.structured().arr("fields")));
            assertTrue(r.text().contains("NOTE: CRM totals are missing: Clari refused crm_total and crm_closed for this forecast "
                    + "(400 type_not_supported)"), r.text());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 405, 501})
    @Timeout(30)
    void noSyncRead_fallsBackToAnExport_withoutCrmTypes_andRemembersItForTheSession(int status) throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            s.sb().knobs().syncStatus(status).jobDuration(Duration.ofMillis(300));
            GetForecast tool = new GetForecast(s);
            ToolResult r = tool.call(obj("{\"time_period\":\"" + q + "\",\"currency\":\"EUR\",\"scope_id\":\"1905::MGR\"}"),
                    ToolContext.NONE);
            assertEquals(SYNC_PATH, s.sb().requests().get(0).path());
            RecordedRequest post = s.sb().requests().stream().filter(x -> x.method().equals("POST")).findFirst().orElseThrow();
            assertEquals("/v4/export/forecast/forecast", post.path());
            Json.Obj body = obj(post.body());
            assertEquals(q, body.str("timePeriod"));
            assertEquals(List.of("forecast", "quota", "forecast_updated", "adjustment"), strings(body.arr("typesToExport")),
                    "the export API refuses CRM totals: never asked");
            assertEquals("1905::MGR", body.str("scopeId"));
            assertEquals("EUR", body.str("currency"));
            assertEquals("NONE", body.str("schedule"));
            assertEquals(Json.Bool.FALSE, body.get("includeHistorical"));
            assertEquals("JSON", body.str("exportFormat"));

            Json.Obj st = r.structured();
            assertEquals("export", st.str("source"));
            SandboxOrg.User manager = org.byScope("1905::MGR");
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Quota"), strings(st.arr("fields")));
            assertEquals(manager.quota(), num(st.obj("totals"), "Quota"));
            assertEquals(org.commitAdjustment(manager.userId(), q).value(), num(st.obj("totals"), "Commit (adj.)"));
            assertTrue(r.text().contains("Read with a Clari export job"), r.text());

            s.sb().clearRequests();
            tool.call(Json.Obj.EMPTY, ToolContext.NONE);
            assertTrue(s.sb().requests().stream().noneMatch(x -> x.path().equals(SYNC_PATH)), "remembered: no second sync attempt");
            assertTrue(s.sb().requests().stream().allMatch(x -> x.method().equals("GET") || x.path().startsWith("/v4/export/forecast/")));
        }
    }

    @Test
    @Timeout(30)
    void identicalCallsInFlight_shareOneSynchronousRead() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().delay(Duration.ofMillis(800));
            GetForecast tool = new GetForecast(s);
            AtomicReference<Object> other = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    other.set(tool.call(Json.Obj.EMPTY, ToolContext.NONE));
                } catch (Throwable e) {
                    other.set(e);
                }
            });
            while (s.sb().requests().isEmpty()) Thread.sleep(10);   // the first read is on the wire
            ToolResult mine = tool.call(Json.Obj.EMPTY, ToolContext.NONE);
            assertTrue(t.join(Duration.ofSeconds(10)));
            assertEquals(mine.structured(), ((ToolResult) other.get()).structured());
            assertEquals(1, s.sb().requests().size(), "one GET /forecast for both calls");
        }
    }

    @Test
    @Timeout(30)
    void notOptedIn_saysSo_notATokenProblem_andAsksOnce() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().noOptin(true);
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertEquals("Clari says the token's user is not opted into forecast 'forecast' (or the scope asked for) (HTTP 401 no_optin): "
                    + "ask a Clari admin to give that user access; the token itself is valid", msg);
            assertEquals(1, s.sb().requests().size());
        }
    }

    @Test
    @Timeout(30)
    void unknownForecast_asArgument_namesItAndTheSetting() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String msg = toolError(() -> new GetForecast(s).call(obj("{\"forecast_id\":\"nope\"}"), ToolContext.NONE));
            assertEquals("Clari has no forecast 'nope' (400 no_such_forecast_config): pass as forecast_id the forecast tab id "
                    + "from the Clari URL (e.g. net_arr), or leave it out to use CLARI_FORECAST_ID", msg);
        }
    }

    @Test
    @Timeout(30)
    void unknownConfiguredForecast_throughTheExportToo_namesTheSetting() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_FORECAST_ID", "nope")) {
            s.sb().knobs().syncStatus(501);
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertEquals("CLARI_FORECAST_ID 'nope' is not a forecast Clari knows (400 no_such_forecast_config): "
                    + "set it to the forecast tab id from the Clari URL (e.g. net_arr)", msg);
            assertEquals(1, s.sb().requests().stream().filter(x -> x.method().equals("POST")).count());
        }
    }

    @Test
    @Timeout(30)
    void scope_rowsAreTheManagersTeam_totalsAreTheManagersRow() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            SandboxOrg.User manager = org.byScope("1905::MGR");
            String q = org.currentQuarter();
            ToolResult r = new GetForecast(s).call(obj("{\"scope_id\":\"1905::MGR\",\"time_period\":\"" + q + "\"}"), ToolContext.NONE);
            assertEquals(org.subtree(manager.userId()).size(), r.structured().arr("rows").size());
            assertEquals(org.categoryTotal(manager.userId(), q, "Best Case"), num(r.structured().obj("totals"), "Best Case"));
        }
    }

    @Test
    @Timeout(30)
    void unknownPeriod_clariFallsBack_andTheTextSaysSoFirst() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String current = s.sb().org().currentQuarter();
            ToolResult r = new GetForecast(s).call(obj("{\"time_period\":\"2019_Q1\"}"), ToolContext.NONE);
            String expected = "Clari returned " + current + ", not the requested 2019_Q1: it falls back to the current quarter "
                    + "when it does not recognise a parameter";
            assertTrue(r.text().contains(expected), r.text());
            assertTrue(r.text().indexOf(expected) < r.text().indexOf("Total ("), "the warning comes before the table");
            assertEquals("2019_Q1", r.structured().str("requestedTimePeriod"));
            assertEquals(current, r.structured().str("timePeriod"));
        }
    }

    @Test
    @Timeout(30)
    void nestedJobStatus_isUnderstood() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().nestJobStatus(true).jobDuration(Duration.ofMillis(600));
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
        }
    }

    @Test
    @Timeout(30)
    void failedJob_isAToolErrorWithAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().failJobs(true).jobDuration(Duration.ofMillis(300));
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertTrue(msg.matches("Clari export job \\S+ ended FAILED; retry later or check the forecast in Clari"), msg);
        }
    }

    @Test
    @Timeout(30)
    void jobThatNeverFinishes_stopsAfterTheConfiguredChecks_withAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "3")) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobsNeverFinish(true);
            Recording ctx = new Recording();
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ctx));
            assertTrue(msg.matches("Clari's export job \\S+ did not finish after 3 checks \\(~\\d+ s\\); raise "
                    + "CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS, or retry later"), msg);
            assertEquals(3, statusPolls(s));
            assertEquals(3, ctx.progress.size());
        }
    }

    @Test
    @Timeout(30)
    void progress_isReportedOncePerPoll_increasing_withStatus() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobDuration(Duration.ofMillis(900));
            Recording ctx = new Recording();
            new GetForecast(s).call(Json.Obj.EMPTY, ctx);
            int polls = statusPolls(s);
            assertTrue(polls >= 2, "a 0.9 s job needs more than one check at 0.25 s");
            assertEquals(polls, ctx.progress.size());
            for (int i = 0; i < polls; i++) {
                assertEquals(i + 1, ctx.progress.get(i).progress());
                // No total: the polling budget is a ceiling, not the steps left (a bar would jump to done).
                assertNull(ctx.progress.get(i).total(), "no total while polling");
                assertTrue(ctx.progress.get(i).message().matches("Export job (SCHEDULED|STARTED|DONE)"), ctx.progress.get(i).message());
            }
            assertEquals("Export job DONE", ctx.progress.get(polls - 1).message());
        }
    }

    @Test
    @Timeout(30)
    void twoSecondJob_withDefaultInterval_isCheckedAFewTimesOnly() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_INTERVAL_SECONDS", null)) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobDuration(Duration.ofSeconds(2));
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertFalse(r.isError());
            int polls = statusPolls(s);
            assertTrue(polls <= 8, "growing waits from 250 ms: " + polls + " polls");
        }
    }

    @Test
    @Timeout(30)
    void rateLimitedFirstRequest_isRetried_andSucceeds() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().rateLimitNext(1, 1);
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
            assertEquals(2, s.sb().requests().stream().filter(q -> q.path().equals(SYNC_PATH)).count(),
                    "the synchronous read was rate-limited and retried");
            assertEquals("sync", r.structured().str("source"), "a 429 is not a missing endpoint");
        }
    }

    @Test
    @Timeout(30)
    void noForecastIdAnywhere_saysHowToChooseOne() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_FORECAST_ID", null)) {
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertTrue(msg.contains("pass forecast_id") && msg.contains("set CLARI_FORECAST_ID"), msg);
            assertTrue(s.sb().requests().isEmpty());
        }
    }

    @Test
    @Timeout(30)
    void cancellation_interruptsThePolling() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "1000")) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobsNeverFinish(true);
            Recording ctx = new Recording();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    new GetForecast(s).call(Json.Obj.EMPTY, ctx);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            while (ctx.progress.isEmpty()) Thread.sleep(20);
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(5)), "the call ends soon after the interrupt");
            assertInstanceOf(InterruptedException.class, outcome.get());
        }
    }

    private static int statusPolls(Sandboxed s) {
        return (int) s.sb().requests().stream()
                .filter(q -> q.method().equals("GET") && q.path().matches("/v4/export/jobs/[^/]+")).count();
    }

    private static long num(Json.Obj values, String key) {
        return ((Json.Num) values.get(key)).longValueExact();
    }

    private static List<String> strings(Json.Arr a) {
        return a.items().stream().map(j -> ((Json.Str) j).value()).toList();
    }
}
