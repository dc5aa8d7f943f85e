package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * get_forecast through the built launcher over stdio against the Clari sandbox: the table against the
 * seeded org, a 2-second export job, progress, the silent period fallback, nested job status, failed and
 * never-ending jobs, and cancellation stopping the polling. One sandbox and one server for the class;
 * tests that need other settings (poll limits) or must end the process (cancellation) start their own.
 */
@Timeout(60)
class ForecastEndToEndTest extends SandboxSessionTest {
    /** The status polls of any job (not its /results). */
    private static final String STATUS = "/export/jobs/[A-Za-z0-9_-]+";
    private static final String RESULTS = "/export/jobs/[A-Za-z0-9_-]+/results";

    private static SandboxOrg org;

    @BeforeAll
    static void start() throws Exception {
        startSession(); // CLARI_POLL_INTERVAL_SECONDS unset: the default 5
        org = sandbox.org();
    }

    @Override
    void resetKnobs(Knobs knobs) {
        // Never-ending jobs of earlier tests keep counting against the concurrent limit: lift it.
        knobs.reset().concurrentLimit(1000);
    }

    @Test
    @Timeout(30)
    void currentQuarter_rowsAndTotalsMatchTheOrg_structuredMatchesText_progressPerPoll() throws Exception {
        String quarter = org.currentQuarter();
        McpSession.Reply r = session.call("get_forecast", Json.Obj.builder().put("time_period", quarter).build(), "fc-1");
        assertFalse(r.isError(), r.text());

        Json.Obj s = r.structured();
        assertNotNull(s, "structuredContent is sent for " + McpSession.PROTOCOL);
        assertEquals("forecast", s.str("forecastId"));
        assertEquals(quarter, s.str("timePeriod"));
        assertEquals(List.of("Commit", "Best Case", "Pipeline", "Closed", "Quota"), strings(s.arr("fields")));
        List<Json.Obj> rows = objects(s.arr("rows"));
        assertEquals(org.users().size(), rows.size());
        assertEquals(Json.of(org.users().size()), s.get("rowCount"));
        for (Json.Obj row : rows) {
            User u = org.user(row.str("userId"));
            assertNotNull(u, row.str("userId"));
            assertEquals(u.name(), row.str("name"));
            assertEquals(u.role(), row.str("role"));
            assertEquals(u.parentUserId() == null ? 0 : org.cro().userId().equals(u.parentUserId()) ? 1 : 2,
                    row.get("level") instanceof Json.Num n ? (int) n.longValueExact() : -1, u.name());
            Json.Obj v = row.obj("values");
            assertEquals(org.categoryTotal(u.userId(), quarter, "Commit"), whole(v, "Commit"), u.name() + " Commit");
            assertEquals(org.categoryTotal(u.userId(), quarter, "Best Case"), whole(v, "Best Case"), u.name() + " Best Case");
            assertEquals(org.categoryTotal(u.userId(), quarter, "Pipeline"), whole(v, "Pipeline"), u.name() + " Pipeline");
            assertEquals(u.quota(), whole(v, "Quota"), u.name() + " Quota");
        }
        // The four segments: each manager's row rolls up their team.
        for (User m : org.managers()) {
            Json.Obj row = rows.stream().filter(x -> m.userId().equals(x.str("userId"))).findFirst().orElseThrow();
            assertEquals(org.cro().userId(), row.str("parentUserId"));
            assertEquals(org.categoryTotal(m.userId(), quarter, "Commit"), whole(row.obj("values"), "Commit"));
        }
        assertEquals("top-level rows", s.str("totalsOver"));
        assertEquals(org.categoryTotal(org.cro().userId(), quarter, "Commit"), whole(s.obj("totals"), "Commit"));

        // The text shows the same table: one line per structured row, cells in field order.
        List<String> lines = Arrays.asList(r.text().split("\n"));
        for (Json.Obj row : rows) {
            List<String> expected = new ArrayList<>(List.of(row.str("name"), row.str("role")));
            for (String f : strings(s.arr("fields"))) expected.add(money(row.obj("values").get(f)));
            assertTrue(lines.stream().anyMatch(l -> cells(l).equals(expected)), () -> "no text line " + expected + " in\n" + r.text());
        }

        // One progress notification per status poll, increasing, ending with the poll that saw DONE.
        int polls = McpSession.requestsTo(sandbox, "GET", STATUS).size();
        List<Json.Obj> progress = r.progress();
        assertEquals(polls, progress.size(), "progress notifications vs status polls");
        double last = 0;
        for (Json.Obj p : progress) {
            Json.Obj params = p.obj("params");
            assertEquals(Json.of("fc-1"), params.get("progressToken"));
            double value = ((Json.Num) params.get("progress")).doubleValue();
            assertTrue(value > last, "progress must increase");
            last = value;
        }
        assertEquals("Export job DONE", progress.getLast().obj("params").str("message"));
        assertEquals(1, McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").size());
        assertEquals(1, McpSession.requestsTo(sandbox, "GET", RESULTS).size());
    }

    @Test
    @Timeout(30)
    void twoSecondJob_defaultPollInterval_answeredAfterAFewGrowingPolls() throws Exception {
        sandbox.knobs().jobDuration(Duration.ofSeconds(2));
        McpSession.Reply r = session.call("get_forecast", Json.Obj.EMPTY, "fc-2s");
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
        McpSession.Reply r = session.call("get_forecast", Json.Obj.builder().put("time_period", "2019_Q3").build());
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
        McpSession.Reply r = session.call("get_forecast", Json.Obj.EMPTY);
        assertFalse(r.isError(), r.text());
        String quarter = org.currentQuarter();
        assertEquals(org.categoryTotal(org.cro().userId(), quarter, "Commit"), whole(r.structured().obj("totals"), "Commit"));
        assertEquals(1, McpSession.requestsTo(sandbox, "GET", RESULTS).size());
        // Only the 300 ms of the job were polled, not the 12-attempt budget an unread status would burn.
        assertTrue(McpSession.requestsTo(sandbox, "GET", STATUS).size() <= 3);
    }

    @Test
    @Timeout(30)
    void failedJob_isToolErrorWithAdvice_andNoResultsFetched() throws Exception {
        sandbox.knobs().failJobs(true).jobDuration(Duration.ofMillis(300));
        McpSession.Reply r = session.call("get_forecast", Json.Obj.EMPTY);
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("ended FAILED") && r.text().contains("retry later"), r.text());
        assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", RESULTS));
    }

    @Test
    @Timeout(30)
    void jobNeverFinishing_stopsAfterPollMaxAttempts_namingTheSetting() throws Exception {
        sandbox.knobs().jobsNeverFinish(true);
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
        sandbox.knobs().jobsNeverFinish(true);
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
