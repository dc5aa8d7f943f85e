package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

class GetForecastTest {
    /** Field names the sandbox exports, and the forecast category each sums (null: quota). */
    private static final Map<String, String> CATEGORY = Map.of(
            "Commit", "Commit", "Best Case", "Best Case", "Pipeline", "Pipeline", "Closed", "Closed");

    @Test
    @Timeout(30)
    void currentQuarter_rowsMatchTheSeededOrg_totalsAreTheTopLevelRow() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            GetForecast tool = new GetForecast(s);
            ToolResult r = tool.call(obj("{\"time_period\":\"" + q + "\"}"), ToolContext.NONE);

            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);
            assertEquals(q, st.str("timePeriod"));
            assertEquals(List.of("Commit", "Best Case", "Pipeline", "Closed", "Quota"), strings(st.arr("fields")));
            assertEquals(org.users().size(), ((Json.Num) st.get("rowCount")).longValueExact());
            List<Json> rows = st.arr("rows").items();
            assertEquals(org.users().size(), rows.size());
            for (Json j : rows) {
                Json.Obj row = (Json.Obj) j;
                SandboxOrg.User u = org.user(row.str("userId"));
                assertEquals(u.name(), row.str("name"));
                Json.Obj values = row.obj("values");
                for (Map.Entry<String, String> f : CATEGORY.entrySet()) {
                    assertEquals(org.categoryTotal(u.userId(), q, f.getValue()), num(values, f.getKey()), u.name() + " " + f.getKey());
                }
                assertEquals(u.quota(), num(values, "Quota"));
                int depth = u.parentUserId() == null ? 0 : org.user(u.parentUserId()).parentUserId() == null ? 1 : 2;
                assertEquals(depth, ((Json.Num) row.get("level")).longValueExact(), u.name());
            }
            assertEquals(org.cro().userId(), ((Json.Obj) rows.get(0)).str("userId"), "the CRO leads, teams follow");
            Json.Obj totals = st.obj("totals");
            assertEquals(org.categoryTotal(org.cro().userId(), q, "Commit"), num(totals, "Commit"));
            assertEquals(org.cro().quota(), num(totals, "Quota"));
            assertEquals("top-level rows", st.str("totalsOver"));

            assertTrue(r.text().contains("Total (top-level rows)"), r.text());
            assertTrue(r.text().contains(Text.money(BigDecimal.valueOf(org.categoryTotal(org.cro().userId(), q, "Commit")))), r.text());
            assertTrue(r.text().contains("a manager's row already covers the team"), r.text());
            assertFalse(r.text().contains("not the requested"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void submitBody_isTheDocumentedShape_andDefaultsToTheConfiguredForecast() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new GetForecast(s).call(obj("{\"time_period\":\"2026_Q2\",\"currency\":\"EUR\",\"scope_id\":\"1905::MGR\"}"), ToolContext.NONE);
            RecordedRequest post = s.sb().requests().stream().filter(q -> q.method().equals("POST")).findFirst().orElseThrow();
            assertEquals("/v4/export/forecast/forecast", post.path());
            Json.Obj body = obj(post.body());
            assertEquals("2026_Q2", body.str("timePeriod"));
            assertEquals(List.of("forecast", "quota", "forecast_updated", "adjustment", "crm_total", "crm_closed"), strings(body.arr("typesToExport")));
            assertEquals("1905::MGR", body.str("scopeId"));
            assertEquals("EUR", body.str("currency"));
            assertEquals("NONE", body.str("schedule"));
            assertEquals(Json.Bool.FALSE, body.get("includeHistorical"));
            assertEquals("JSON", body.str("exportFormat"));
            assertTrue(s.sb().requests().stream().noneMatch(q -> q.method().equals("PATCH") || q.method().equals("DELETE")));
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
            s.sb().knobs().nestJobStatus(true).jobDuration(Duration.ofMillis(600));
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
        }
    }

    @Test
    @Timeout(30)
    void failedJob_isAToolErrorWithAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().failJobs(true).jobDuration(Duration.ofMillis(300));
            String msg = toolError(() -> new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE));
            assertTrue(msg.matches("Clari export job \\S+ ended FAILED; retry later or check the forecast in Clari"), msg);
        }
    }

    @Test
    @Timeout(30)
    void jobThatNeverFinishes_stopsAfterTheConfiguredChecks_withAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "3")) {
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
            s.sb().knobs().jobDuration(Duration.ofMillis(900));
            Recording ctx = new Recording();
            new GetForecast(s).call(Json.Obj.EMPTY, ctx);
            int polls = statusPolls(s);
            assertTrue(polls >= 2, "a 0.9 s job needs more than one check at 0.25 s");
            assertEquals(polls, ctx.progress.size());
            for (int i = 0; i < polls; i++) {
                assertEquals(i + 1, ctx.progress.get(i).progress());
                assertEquals(12.0, ctx.progress.get(i).total(), "total = CLARI_POLL_MAX_ATTEMPTS (default 12)");
                assertTrue(ctx.progress.get(i).message().matches("Export job (SCHEDULED|STARTED|DONE)"), ctx.progress.get(i).message());
            }
            assertEquals("Export job DONE", ctx.progress.get(polls - 1).message());
        }
    }

    @Test
    @Timeout(30)
    void twoSecondJob_withDefaultInterval_isCheckedAFewTimesOnly() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_INTERVAL_SECONDS", null)) {
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
            s.sb().knobs().rateLimitNext(1, 1).jobDuration(Duration.ofMillis(300));
            ToolResult r = new GetForecast(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
            assertEquals(2, s.sb().requests().stream().filter(q -> q.path().equals("/v4/admin/limits")).count(),
                    "the limits check (the first request) was rate-limited and retried");
            assertEquals(1, s.sb().requests().stream().filter(q -> q.method().equals("POST")).count());
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
    void unknownForecast_isAToolErrorFromClari() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String msg = toolError(() -> new GetForecast(s).call(obj("{\"forecast_id\":\"nope\"}"), ToolContext.NONE));
            assertFalse(msg.isBlank());
            assertFalse(msg.contains(s.sb().token()));
        }
    }

    @Test
    @Timeout(30)
    void cancellation_interruptsThePolling() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "1000")) {
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
