package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonParser;
import clarimcp.sandbox.Knobs;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.User;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * get_forecast through the built launcher over stdio against the Clari sandbox: the table against the
 * seeded org (quota, adjustments, hierarchy, totals) through the synchronous read and through the export,
 * a 2-second export job, progress, the silent period fallback, nested job status, failed and never-ending
 * jobs, and cancellation stopping the polling. One sandbox for the class and two servers: {@code session}
 * reads synchronously, {@code exports} met a sandbox without the synchronous read (404/405/501) on its first
 * call and remembers it, so it exports. Tests that need other settings start their own.
 */
@Timeout(60)
class ForecastEndToEndTest extends SandboxSessionTest {
    /** The status polls of any job (not its /results). */
    private static final String STATUS = "/export/jobs/[A-Za-z0-9_-]+";
    private static final String RESULTS = "/export/jobs/[A-Za-z0-9_-]+/results";

    private static SandboxOrg org;
    /** A server that exports: its first call (here) met GET /forecast answering 501. */
    private static McpSession exports;

    @BeforeAll
    static void start() throws Exception {
        startSession(); // CLARI_POLL_INTERVAL_SECONDS unset: the default 5
        org = sandbox.org();
        exports = McpSession.start(McpSession.env(sandbox));
        sandbox.knobs().syncStatus(501).jobDuration(Duration.ZERO);
        McpSession.Reply r = exports.call("get_forecast", Json.Obj.EMPTY);
        assertFalse(r.isError(), r.text());
        assertEquals("export", r.structured().str("source"));
    }

    @AfterAll
    static void stopExports() throws Exception {
        try (McpSession m = exports) {
            m.closeAndCollect();
            m.assertNeverShows(sandbox.token());
        }
    }

    @Override
    void resetKnobs(Knobs knobs) {
        // Never-ending jobs of earlier tests keep counting against the concurrent limit: lift it.
        knobs.reset().concurrentLimit(1000);
    }

    @Test
    @Timeout(30)
    void syncRead_currentWeek_oneGet_noExport_quotaAdjustmentsHierarchyTotals_structuredMatchesText() throws Exception {
        String quarter = org.currentQuarter();
        McpSession.Reply r = session.call("get_forecast", Json.obj("time_period", quarter), "fc-sync");
        assertFalse(r.isError(), r.text());
        assertEquals(1, sandbox.requests().size(), "one request: " + sandbox.requests());
        RecordedRequest get = sandbox.requests().getFirst();
        assertEquals("GET", get.method());
        assertEquals("/v4/forecast/forecast", get.path());
        assertTrue(get.query().contains("typesToExport=crm_total&typesToExport=crm_closed"), get.query());

        Json.Obj s = r.structured();
        assertEquals("sync", s.str("source"));
        assertEquals(List.of("User", "Role", "Level", "Scope id", "Commit", "Commit (adj.)", "Best Case", "Pipeline", "Closed", "Quota", "Attainment", "Gap to quota", "Coverage"), strings(s.arr("columns")));
        checkRows(s, quarter, true);
        assertEquals(org.cro().quota(), whole(zip(s.arr("columns"), s.arr("total")), "Quota"));
        assertTrue(r.text().contains("no export job, no export quota spent"), r.text());
        assertTrue(r.text().lines().anyMatch(l -> l.startsWith(org.managers().get(0).name() + " ") && l.contains("| Commit (adj.) |")), r.text());
        assertTrue(r.progress().isEmpty(), "no job, so no progress");
        textMatches(r);
    }

    @Test
    @Timeout(30)
    void syncReadRefusingCrmTotals_isRetriedOnceWithout_andTheAnswerSaysSo() throws Exception {
        sandbox.knobs().syncRefusesCrm(true);
        McpSession.Reply r = session.call("get_forecast", Json.Obj.EMPTY);
        assertFalse(r.isError(), r.text());
        List<RecordedRequest> gets = McpSession.requestsTo(sandbox, "GET", "/forecast/forecast");
        assertEquals(2, gets.size());
        assertFalse(gets.get(1).query().contains("crm_"), gets.get(1).query());
        assertEquals(List.of("User", "Role", "Level", "Scope id", "Commit", "Commit (adj.)", "Best Case", "Quota"), strings(r.structured().arr("columns")));
        assertTrue(r.text().contains("NOTE: CRM totals are missing"), r.text());
        assertEquals(List.of(), McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast"));
    }

    @Test
    @Timeout(30)
    void documentedErrors_areReportedTruthfully() throws Exception {
        sandbox.knobs().noOptin(true);
        McpSession.Reply optin = session.call("get_forecast", Json.Obj.EMPTY);
        assertTrue(optin.isError());
        assertTrue(optin.text().contains("not opted into forecast 'forecast'") && optin.text().contains("ask a Clari admin"), optin.text());
        assertFalse(optin.text().contains("rejected the API token"), optin.text());
        sandbox.knobs().noOptin(false);
        McpSession.Reply unknown = session.call("get_forecast", Json.obj("forecast_id", "no_such_tab"));
        assertTrue(unknown.isError());
        assertTrue(unknown.text().contains("'no_such_tab'") && unknown.text().contains("no_such_forecast_config")
                && unknown.text().contains("CLARI_FORECAST_ID"), unknown.text());
        sandbox.clearRequests();
        McpSession.Reply viaExport = exports.call("get_forecast", Json.obj("forecast_id", "no_such_tab"));
        assertTrue(viaExport.text().contains("no_such_forecast_config"), viaExport.text());
        sandbox.knobs().monthlyQuota(0);
        McpSession.Reply quota = exports.call("get_forecast", Json.Obj.EMPTY);
        assertTrue(quota.isError());
        assertTrue(quota.text().startsWith("Clari's monthly export quota is used up"), quota.text());
        assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", "/forecast/[^/]+"), "the exports server never retries the sync read");
    }

    @Test
    @Timeout(30)
    void export_currentQuarter_rowsAndTotalsMatchTheOrg_structuredMatchesText_progressPerPoll() throws Exception {
        String quarter = org.currentQuarter();
        sandbox.knobs().jobDuration(Duration.ofSeconds(1));
        McpSession.Reply r = exports.call("get_forecast", Json.obj("time_period", quarter), "fc-1");
        assertFalse(r.isError(), r.text());
        Json.Obj s = r.structured();
        assertEquals("export", s.str("source"));
        assertEquals(List.of("User", "Role", "Level", "Scope id", "Commit", "Commit (adj.)", "Best Case", "Quota"), strings(s.arr("columns")), "no CRM totals from exports");
        checkRows(s, quarter, false);
        textMatches(r);
        RecordedRequest submit = McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").getFirst();
        Json.Obj body = (Json.Obj) JsonParser.parse(submit.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(ObjBuilder.strings(List.of("forecast", "quota", "forecast_updated", "adjustment")), body.get("typesToExport"));

        // One progress notification per status poll, increasing, ending with the poll that saw DONE.
        int polls = McpSession.requestsTo(sandbox, "GET", STATUS).size();
        List<Json.Obj> progress = r.progress();
        assertEquals(polls, progress.size(), "progress notifications vs status polls");
        double last = 0;
        for (Json.Obj p : progress) {
            Json.Obj params = p.obj("params");
            assertEquals(Json.of("fc-1"), params.get("progressToken"));
            double value = ((Json.Num) params.get("progress")).decimal().doubleValue();
            assertTrue(value > last, "progress must increase");
            last = value;
        }
        assertEquals("Export job DONE", progress.getLast().obj("params").str("message"));
        assertEquals(1, McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").size());
        assertEquals(1, McpSession.requestsTo(sandbox, "GET", RESULTS).size());
    }

    /** Rows, values, hierarchy, adjustments and totals against the seeded org; the text shows the same table. */
    private static void checkRows(Json.Obj s, String quarter, boolean crm) {
        assertNotNull(s, "structuredContent is sent for " + McpSession.PROTOCOL);
        assertEquals("forecast", s.str("forecastId"));
        assertEquals(quarter, s.str("timePeriod"));
        List<Json.Obj> rows = rows(s);
        assertEquals(org.users().size(), rows.size());
        assertEquals(Json.of(org.users().size()), s.get("rowCount"));
        for (Json.Obj v : rows) {
            User u = org.users().stream().filter(x -> x.name().equals(v.str("User"))).findFirst().orElseThrow();
            assertEquals(u.hierarchyName(), v.str("Role"));
            int level = u.parentUserId() == null ? 0 : org.cro().userId().equals(u.parentUserId()) ? 1 : 2;
            assertEquals(level, v.get("Level") instanceof Json.Num n ? (int) n.longValueExact() : -1, u.name());
            assertEquals(level < 2 ? u.scopeId() : null, v.str("Scope id"), u.name());
            assertEquals(org.categoryTotal(u.userId(), quarter, "Commit"), whole(v, "Commit"), u.name() + " Commit");
            assertEquals(org.categoryTotal(u.userId(), quarter, "Best Case"), whole(v, "Best Case"), u.name() + " Best Case");
            if (crm) assertEquals(org.categoryTotal(u.userId(), quarter, "Pipeline"), whole(v, "Pipeline"), u.name() + " Pipeline");
            assertEquals(u.quota(), whole(v, "Quota"), u.name() + " Quota");
            SandboxOrg.Adjustment adj = org.commitAdjustment(u.userId(), quarter);
            if (adj != null) assertEquals(adj.value(), whole(v, "Commit (adj.)"), u.name() + " adjusted Commit");
            else assertFalse(v.has("Commit (adj.)"), u.name());
        }
        Json.Obj total = zip(s.arr("columns"), s.arr("total"));
        assertEquals("Total (top-level rows)", total.str("User"));
        assertEquals(org.categoryTotal(org.cro().userId(), quarter, "Commit"), whole(total, "Commit"));
        assertEquals(org.categoryTotal(org.cro().userId(), quarter, "Commit"), whole(total, "Commit (adj.)"),
                "the CRO is not adjusted: the adjusted total is the CRO's call");
    }

    /** The text shows the same table: one line per structured row, money cells formatted; every note; JSON <= 1.25x the text. */
    private static void textMatches(McpSession.Reply r) {
        Json.Obj s = r.structured();
        List<String> lines = Arrays.asList(r.text().split("\n"));
        List<String> cols = strings(s.arr("columns"));
        for (Json row : s.arr("rows").items()) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < cols.size(); i++) {
                Json c = ((Json.Arr) row).items().get(i);
                if (cols.get(i).equals("Level")) continue;
                expected.add(c instanceof Json.Str str ? str.value() : cols.get(i).equals("Attainment") ? pct(c) : cols.get(i).equals("Coverage") ? ratio(c)
                        : cols.get(i).equals("Role") || cols.get(i).equals("Scope id") ? "" : money(c));
            }
            assertTrue(lines.stream().anyMatch(l -> cells(l).equals(expected)), () -> "no text line " + expected + " in\n" + r.text());
        }
        for (String n : strings(s.arr("notes"))) assertTrue(r.text().contains(n), n);
        int json = clarimcp.json.JsonWriter.write(s).length();
        System.out.printf("e2e: get_forecast (%s, %d rows): structuredContent %d chars, text %d chars, ratio %.2f%n",
                s.str("source"), s.arr("rows").size(), json, r.text().length(), json / (double) r.text().length());
        assertTrue(json <= 1.25 * r.text().length(), "structured " + json + " vs text " + r.text().length());
    }

    @Test
    @Timeout(30)
    void compareToLastWeek_byManagerName_asThePromptAsks_movementLandingAndScopeThroughTheLauncher() throws Exception {
        String quarter = org.currentQuarter();
        Json.Obj served = (Json.Obj) org.forecastResults(quarter, true);
        List<Json.Obj> frames = served.arr("timeFrames").items().stream().map(j -> (Json.Obj) j)
                .sorted(java.util.Comparator.comparing((Json.Obj f) -> f.str("startDate"))).toList();
        Assumptions.assumeTrue(frames.size() >= 2, "the first week of a quarter has no last week");
        String nowW = frames.getLast().str("timeFrameId"), thenW = frames.get(frames.size() - 2).str("timeFrameId");
        User manager = org.managers().get(2);
        McpSession.Reply r = session.call("get_forecast", Json.obj("compare_to", "last_week", "scope_id", manager.name()));
        assertFalse(r.isError(), r.text());
        Json.Obj s = r.structured();
        assertEquals("sync+export", s.str("source"));
        List<Json.Obj> rows = rows(s);
        assertEquals(org.subtree(manager.userId()).size(), rows.size());
        long biggest = 0;
        for (Json.Obj v : rows) {
            User u = org.users().stream().filter(x -> x.name().equals(v.str("User"))).findFirst().orElseThrow();
            long now = served(served, u.userId(), "commit", nowW), then = served(served, u.userId(), "commit", thenW);
            assertEquals(now, whole(v, "Commit"), u.name());
            assertEquals(then, whole(v, "Commit then"), u.name());
            assertEquals(now - then, whole(v, "Commit change"), u.name());
            biggest = Math.max(biggest, Math.abs(now - then));
            long quota = u.quota(), closed = served(served, u.userId(), "closed", nowW);
            assertEquals(quota - closed, whole(v, "Gap to quota"), u.name());
            assertTrue(v.has("Attainment"), u.name());
        }
        assertEquals(manager.scopeId(), rows.getFirst().str("Scope id"));
        String text = r.text();
        int movers = text.indexOf("Biggest movers");
        assertTrue(movers >= 0 && movers < text.indexOf("| Role"), text);
        Json.Arr first = (Json.Arr) s.obj("movers").arr("rows").items().getFirst();
        assertTrue(biggest <= Math.abs(((Json.Num) first.items().get(4)).decimal().longValueExact()), "the biggest mover leads");
        textMatches(r);
    }

    @Test
    @Timeout(30)
    void pastQuarter_compareTo_accuracyAgainstTheFinalClosed_andNoLandingFiguresWithoutAClosedColumn() throws Exception {
        String pq = org.seededQuarters().getFirst();
        Json.Obj served = (Json.Obj) org.forecastResults(pq, true);
        List<Json.Obj> frames = served.arr("timeFrames").items().stream().map(j -> (Json.Obj) j)
                .sorted(java.util.Comparator.comparing((Json.Obj f) -> f.str("startDate"))).toList();
        String first = frames.getFirst().str("timeFrameId"), last = frames.getLast().str("timeFrameId");
        McpSession.Reply r = session.call("get_forecast", Json.obj("time_period", pq, "compare_to", "quarter_start"));
        assertFalse(r.isError(), r.text());
        Json.Obj acc = r.structured().obj("accuracy");
        int graded = 0;
        for (Json j : acc.arr("rows").items()) {
            Json.Obj row = zip(acc.arr("columns"), (Json.Arr) j);
            User u = org.users().stream().filter(x -> x.name().equals(row.str("User"))).findFirst().orElseThrow();
            long closed = served(served, u.userId(), "closed", last), call = served(served, u.userId(), "commit", first);
            assertEquals(closed, whole(row, "Closed (final)"), u.name());
            assertEquals(call, whole(row, "Commit then"), u.name());
            if (closed > 0) {
                graded++;
                assertEquals(java.math.BigDecimal.ONE.subtract(java.math.BigDecimal.valueOf(Math.abs(call - closed))
                        .divide(java.math.BigDecimal.valueOf(closed), 3, RoundingMode.HALF_EVEN)), ((Json.Num) row.get("Commit accuracy")).decimal());
            } else {
                assertFalse(row.has("Commit accuracy"), "no accuracy against nothing closed");
            }
        }
        assertTrue(graded > 0);
        assertTrue(r.text().contains("Forecast accuracy: " + pq + " is over"), r.text());
        textMatches(r);

        // The exports server reads no CRM totals: no closed column, so no attainment, gap or coverage, and it says why.
        sandbox.knobs().jobDuration(Duration.ZERO);
        McpSession.Reply e = exports.call("get_forecast", Json.Obj.EMPTY);
        assertFalse(strings(e.structured().arr("columns")).contains("Attainment"), e.text());
        assertFalse(strings(e.structured().arr("columns")).contains("Gap to quota"), e.text());
        assertTrue(e.text().contains("Attainment, gap and coverage need a quota and a closed column; this answer has no closed column "
                + "(exports carry no CRM totals)"), e.text());
    }

    private static long served(Json.Obj results, String userId, String fieldId, String week) {
        for (Json j : results.arr("entries").items()) {
            Json.Obj e = (Json.Obj) j;
            if (userId.equals(e.str("userId")) && fieldId.equals(e.str("fieldId")) && week.equals(e.str("timeFrameId"))) {
                Json v = e.has("forecastValue") ? e.get("forecastValue") : e.has("quotaValue") ? e.get("quotaValue") : e.get("aggregationTotal");
                return ((Json.Num) v).longValueExact();
            }
        }
        throw new AssertionError("no served entry " + userId + "/" + fieldId + "/" + week);
    }

    private static List<Json.Obj> rows(Json.Obj s) {
        return s.arr("rows").items().stream().map(j -> zip(s.arr("columns"), (Json.Arr) j)).toList();
    }

    private static Json.Obj zip(Json.Arr columns, Json.Arr row) {
        ObjBuilder b = new ObjBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (!(row.items().get(i) instanceof Json.Null)) b.put(((Json.Str) columns.items().get(i)).value(), row.items().get(i));
        }
        return b.build();
    }

    private static String pct(Json v) {
        return v instanceof Json.Num n ? n.decimal().movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%" : "-";
    }

    private static String ratio(Json v) {
        return v instanceof Json.Num n ? n.decimal().setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "x" : "-";
    }

    @Test
    @Timeout(30)
    void twoSecondJob_defaultPollInterval_answeredAfterAFewGrowingPolls() throws Exception {
        sandbox.knobs().jobDuration(Duration.ofSeconds(2));
        McpSession.Reply r = exports.call("get_forecast", Json.Obj.EMPTY, "fc-2s");
        assertFalse(r.isError(), r.text());
        assertEquals(org.currentQuarter(), r.structured().str("timePeriod"));
        List<String> statuses = r.progress().stream().map(p -> p.obj("params").str("message")).toList();
        int polls = McpSession.requestsTo(sandbox, "GET", STATUS).size();
        System.out.printf("e2e: get_forecast against a 2 s export job (poll interval 5 s): %d ms, %d status polls %s%n",
                r.millis(), polls, statuses);
        // Polled before the job could have ended (so not one flat 5 s wait), and not hammered: the first
        // poll is at 0.25 s and waits grow by 1.6x, so DONE is seen on the 4th poll (2.3 s after submit).
        assertEquals(polls, statuses.size());
        assertTrue(polls >= 2 && polls <= 5, "status polls: " + polls);
        assertFalse(statuses.subList(0, polls - 1).contains("Export job DONE"), statuses.toString());
        assertEquals("Export job DONE", statuses.getLast());
    }

    @Test
    @Timeout(30)
    void unknownPeriod_clariFallsBackToCurrentQuarter_answerSaysSo() throws Exception {
        sandbox.knobs().jobDuration(Duration.ZERO);
        McpSession.Reply r = exports.call("get_forecast", Json.obj("time_period", "2019_Q3"));
        assertFalse(r.isError(), r.text());
        String current = org.currentQuarter();
        assertEquals(current, r.structured().str("timePeriod"));
        assertEquals("2019_Q3", r.structured().str("requestedTimePeriod"));
        assertTrue(r.text().contains("NOTE: Clari returned " + current + ", not the requested 2019_Q3"), r.text());
        assertTrue(strings(r.structured().arr("notes")).stream().anyMatch(n -> n.contains("falls back to the current quarter")));
        // The tool did ask for the period: the fallback is Clari's (the sandbox's), not ours.
        RecordedRequest submit = McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").getFirst();
        Json.Obj body = (Json.Obj) JsonParser.parse(submit.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("2019_Q3", body.str("timePeriod"));
    }

    @Test
    @Timeout(30)
    void nestedJobStatus_isUnderstood() throws Exception {
        sandbox.knobs().nestJobStatus(true).jobDuration(Duration.ofMillis(300));
        McpSession.Reply r = exports.call("get_forecast", Json.Obj.EMPTY);
        assertFalse(r.isError(), r.text());
        String quarter = org.currentQuarter();
        assertEquals(org.categoryTotal(org.cro().userId(), quarter, "Commit"), whole(zip(r.structured().arr("columns"), r.structured().arr("total")), "Commit"));
        assertEquals(1, McpSession.requestsTo(sandbox, "GET", RESULTS).size());
        // Only the 300 ms of the job were polled, not the 12-attempt budget an unread status would burn.
        assertTrue(McpSession.requestsTo(sandbox, "GET", STATUS).size() <= 3);
    }

    @Test
    @Timeout(30)
    void failedJob_isToolErrorWithAdvice_andNoResultsFetched() throws Exception {
        sandbox.knobs().failJobs(true).jobDuration(Duration.ofMillis(300));
        McpSession.Reply r = exports.call("get_forecast", Json.Obj.EMPTY);
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("ended FAILED") && r.text().contains("retry later"), r.text());
        assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", RESULTS));
    }

    @Test
    @Timeout(30)
    void jobNeverFinishing_stopsAfterPollMaxAttempts_namingTheSetting() throws Exception {
        sandbox.knobs().jobsNeverFinish(true).syncStatus(405);
        try (McpSession s = McpSession.start(McpSession.env(sandbox,
                "CLARI_POLL_MAX_ATTEMPTS", "3", "CLARI_POLL_INTERVAL_SECONDS", "0.2"))) {
            McpSession.Reply r = s.call("get_forecast", Json.Obj.EMPTY);
            assertTrue(r.isError(), r.text());
            assertTrue(r.text().contains("did not finish after 3 checks") && r.text().contains("CLARI_POLL_MAX_ATTEMPTS"), r.text());
            assertEquals(3, McpSession.requestsTo(sandbox, "GET", STATUS).size());
            assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", RESULTS));
            s.assertNeverShows(sandbox.token());
        }
    }

    @Test
    @Timeout(30)
    void cancelledCall_stopsPolling_neverAnswers_whilePingStillDoes() throws Exception {
        sandbox.knobs().jobsNeverFinish(true).syncStatus(404);
        try (McpSession s = McpSession.start(McpSession.env(sandbox))) {
            long id = s.newId();
            s.launcher.send(McpSession.callLine(id, "get_forecast", Json.Obj.EMPTY, "cancel-me"));
            Json.Obj first;
            do {
                first = s.launcher.next(McpSession.CALL_TIMEOUT_MS);
                assertFalse(Json.of(id).equals(first.get("id")), "the never-ending call answered");
            } while (!"notifications/progress".equals(first.str("method")));
            assertEquals(Json.of("cancel-me"), first.obj("params").get("progressToken"));

            s.launcher.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                    + ",\"reason\":\"user pressed stop\"}}");
            s.ping();
            // A settle time absorbs a poll already on the wire when the cancel arrived; uncancelled, the next
            // polls would follow the first by 0.4 s, 1.04 s and 2.06 s, so one of them lands in the 1.5 s below.
            Thread.sleep(300);
            int pollsAtCancel = McpSession.requestsTo(sandbox, "GET", STATUS).size();
            Thread.sleep(1_500);
            assertEquals(pollsAtCancel, McpSession.requestsTo(sandbox, "GET", STATUS).size(), "polling went on after cancel");

            List<Json.Obj> all = s.closeAndCollect();
            assertTrue(all.stream().noneMatch(m -> Json.of(id).equals(m.get("id"))), "the cancelled call was answered");
            s.assertNeverShows(sandbox.token());
        }
    }

    @Test
    @Timeout(30)
    void identicalCallWithinCacheSeconds_answeredFromMemory_withItsAge_noRequestSent() throws Exception {
        try (McpSession s = McpSession.start(McpSession.env(sandbox, "CLARI_CACHE_SECONDS", "300"))) {
            Json.Obj args = Json.obj("time_period", org.currentQuarter());
            McpSession.Reply first = s.call("get_forecast", args);
            assertFalse(first.isError(), first.text());
            int sent = sandbox.requests().size();
            assertEquals(1, sent, "the first call reads Clari: " + sandbox.requests());
            assertFalse(first.text().contains("from memory"), first.text());

            McpSession.Reply again = s.call("get_forecast", args);
            assertFalse(again.isError(), again.text());
            assertEquals(sent, sandbox.requests().size(), "no request for the identical call: " + sandbox.requests());
            assertTrue(again.text().matches("(?s)NOTE: Answered from memory: read from Clari \\d+ s ago \\(an identical call within "
                    + "CLARI_CACHE_SECONDS=300\\); no request sent\n.*"), again.text());
            assertTrue(again.text().endsWith(first.text()), "the same answer below the note");
            assertTrue(again.structured().get("ageSeconds") instanceof Json.Num, "age in the structured form too");
            assertTrue(strings(again.structured().arr("notes")).getFirst().startsWith("Answered from memory: read from Clari "));
            assertEquals(first.structured().get("rows"), again.structured().get("rows"));

            McpSession.Reply other = s.call("get_forecast", Json.obj("time_period", org.currentQuarter(),
                    "currency", "USD"));
            assertFalse(other.isError(), other.text());
            assertEquals(sent + 1, sandbox.requests().size(), "a different question reads Clari again");
            s.assertNeverShows(sandbox.token());
        }
    }

    @Test
    @Timeout(30)
    void exportBudgetPerHour_enforced_secondExportRefusedWithoutAPost() throws Exception {
        sandbox.knobs().syncStatus(501).jobDuration(Duration.ZERO);
        try (McpSession s = McpSession.start(McpSession.env(sandbox, "CLARI_MAX_EXPORTS_PER_HOUR", "1"))) {
            McpSession.Reply first = s.call("get_forecast", Json.Obj.EMPTY);
            assertFalse(first.isError(), first.text());
            assertEquals("export", first.structured().str("source"));
            McpSession.Reply second = s.call("get_forecast", Json.Obj.EMPTY);
            assertTrue(second.isError(), second.text());
            assertTrue(second.text().startsWith("Local export budget reached: 1 Clari export jobs started in the last hour "
                    + "(CLARI_MAX_EXPORTS_PER_HOUR=1; each spends one of the org's monthly exports). The next frees in ~60 min ("),
                    second.text());
            assertTrue(second.text().endsWith(" UTC); raise CLARI_MAX_EXPORTS_PER_HOUR to allow more"), second.text());
            assertEquals(1, McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").size(), "one export POST in all");
        }
    }

    @Test
    @Timeout(30)
    void toolsList_getForecastIsNotIdempotent_othersAre_descriptionSaysWhatSpendsQuota() throws Exception {
        long id = session.newId();
        Json.Obj list = session.launcher.request("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}", Json.of(id),
                McpSession.CALL_TIMEOUT_MS, null);
        int seen = 0;
        for (Json t : list.obj("result").arr("tools").items()) {
            Json.Obj tool = (Json.Obj) t;
            boolean forecast = tool.str("name").equals("get_forecast");
            assertEquals(Json.Bool.of(!forecast), tool.obj("annotations").get("idempotentHint"), tool.str("name"));
            assertEquals(Json.Bool.TRUE, tool.obj("annotations").get("readOnlyHint"), tool.str("name"));
            if (forecast) {
                seen++;
                String d = tool.str("description");
                assertTrue(d.contains("Current week: one sync read, no quota") && d.contains("runs an export: one monthly export"), d);
            }
        }
        assertEquals(1, seen);
    }

    // --- helpers ---

    private static List<Json.Obj> objects(Json.Arr a) {
        return a.items().stream().map(j -> (Json.Obj) j).toList();
    }

    private static List<String> strings(Json.Arr a) {
        return a.items().stream().map(j -> ((Json.Str) j).value()).toList();
    }

    /** A whole-unit value of a values/totals object; fails when absent or fractional. */
    private static long whole(Json.Obj values, String field) {
        Json v = values.get(field);
        assertTrue(v instanceof Json.Num, field + " missing in " + values);
        return ((Json.Num) v).decimal().longValueExact();
    }

    /** As the text shows money: thousands separators, whole units ("-" when absent). */
    private static String money(Json v) {
        if (!(v instanceof Json.Num n)) return "-";
        return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n.decimal().setScale(0, RoundingMode.UNNECESSARY));
    }

    /** The cells of a text table line, trimmed (indentation and padding dropped). */
    private static List<String> cells(String line) {
        return Arrays.stream(line.split(" \\| ", -1)).map(String::strip).toList();
    }
}
