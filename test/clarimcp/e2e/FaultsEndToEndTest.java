package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each fault knob of the Clari sandbox met through the built launcher: what the user sees (an isError
 * result with short, actionable text and no raw body) and what reached the sandbox (retries bounded,
 * the export POST never repeated after a 500, a redirect never followed).
 *
 * <p>Not covered here: {@code delay} beyond the client's 120 s request timeout (too slow for a test; the
 * client tests cover the timeout with a short one), and {@code hugeNext} is used once at the 64 MiB cap.
 */
@Timeout(60)
class FaultsEndToEndTest extends SandboxSessionTest {
    private static List<String> someIds;

    @BeforeAll
    static void start() throws Exception {
        startSession();
        someIds = sandbox.org().opportunities().stream().limit(3).map(Opportunity::id).toList();
    }

    private static McpSession.Reply dealRisk() throws Exception {
        return session.call("get_deal_risk", Json.obj("opp_ids", ObjBuilder.strings(someIds)));
    }

    private static List<RecordedRequest> opportunityCalls() {
        return McpSession.requestsTo(sandbox, "GET", "/opportunity");
    }

    private static void assertAnswered(McpSession.Reply r) {
        assertFalse(r.isError(), r.text());
        assertEquals(someIds.size(), ((Json.Num) r.structured().get("found")).longValueExact());
    }

    @Test
    @Timeout(30)
    void rateLimited_withRetryAfterOneSecond_isRetried_andAnswers() throws Exception {
        sandbox.knobs().rateLimitNext(1, 1);
        McpSession.Reply r = dealRisk();
        assertAnswered(r);
        assertEquals(2, opportunityCalls().size(), "one 429, then one retry");
    }

    @Test
    @Timeout(30)
    void rateLimited_withRetryAfterBeyondTheWaitCap_isReportedAtOnce() throws Exception {
        sandbox.knobs().rateLimitNext(1, 600);
        McpSession.Reply r = dealRisk();
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("rate limit") && r.text().contains("600 s"), r.text());
        assertEquals(1, opportunityCalls().size(), "no blocking wait and no retry");
    }

    @Test
    @Timeout(30)
    void unavailableOnce_503_isRetried_andAnswers() throws Exception {
        sandbox.knobs().failNext(1, 503);
        assertAnswered(dealRisk());
        assertEquals(2, opportunityCalls().size());
    }

    @Test
    @Timeout(30)
    void serverErrorEveryTime_500_retriesBounded_thenClariIsUnavailable_withoutTheHtmlPage() throws Exception {
        sandbox.knobs().failNext(10, 500);
        McpSession.Reply r = dealRisk();
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("Clari is unavailable (HTTP 500)"), r.text());
        assertFalse(r.text().contains("<") || r.text().contains("upstream server"), "raw HTML page passed on: " + r.text());
        assertEquals(4, opportunityCalls().size(), "the first attempt and three retries");
    }

    @Test
    @Timeout(30)
    void serverErrors_syncReadRetried_thenReported_notTakenForAMissingEndpoint() throws Exception {
        sandbox.knobs().failNext(4, 500);
        McpSession.Reply r = session.call("get_forecast", Json.Obj.EMPTY);
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("Clari is unavailable (HTTP 500)"), r.text());
        assertFalse(r.text().contains("<") || r.text().contains("upstream server"), "raw HTML page passed on: " + r.text());
        assertEquals(4, McpSession.requestsTo(sandbox, "GET", "/forecast/forecast").size(), "the first try and three retries");
        assertEquals(List.of(), McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast"), "a 500 is no reason to export");
    }

    @Test
    @Timeout(30)
    void serverErrors_limitsReadRetriedThenSkipped_exportSubmitNotRetried_soNoSecondJobIsQueued() throws Exception {
        try (McpSession s = McpSession.start(McpSession.env(sandbox))) {
            sandbox.knobs().syncStatus(405).jobDuration(Duration.ZERO);
            assertFalse(s.call("get_forecast", Json.Obj.EMPTY).isError()); // this session now exports
            sandbox.clearRequests();
            // Five 500s: the GET /admin/limits before the submit takes four (first try and three retries) and is
            // then treated as unreadable; the POST meets the fifth and must not be repeated (a job may be queued).
            sandbox.knobs().failNext(5, 500);
            McpSession.Reply r = s.call("get_forecast", Json.Obj.EMPTY);
            assertTrue(r.isError(), r.text());
            assertTrue(r.text().contains("Clari is unavailable (HTTP 500)"), r.text());
            assertEquals(4, McpSession.requestsTo(sandbox, "GET", "/admin/limits").size());
            assertEquals(1, McpSession.requestsTo(sandbox, "POST", "/export/forecast/forecast").size());
            assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", "/export/jobs/.*"));
            assertEquals(List.of(), McpSession.requestsTo(sandbox, "GET", "/forecast/.*"), "the missing sync read is remembered");
            s.closeAndCollect();
            s.assertNeverShows(sandbox.token());
        }
    }

    @Test
    @Timeout(30)
    void malformedBody_isCleanToolError_withoutTheBody() throws Exception {
        sandbox.knobs().malformedNext(1);
        McpSession.Reply r = dealRisk();
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("was not JSON") && r.text().contains("CLARI_BASE_URL"), r.text());
        Opportunity first = sandbox.org().opportunity(someIds.getFirst());
        assertFalse(r.text().contains("crmScore") || r.text().contains(first.name()), "raw body passed on: " + r.text());
        assertEquals(1, opportunityCalls().size());
        assertAnswered(dealRisk()); // the next call is unaffected
    }

    @Test
    @Timeout(30)
    void slowClari_withinTheRequestTimeout_stillAnswers_withoutDuplicateRequests() throws Exception {
        sandbox.knobs().delay(Duration.ofMillis(700));
        assertAnswered(dealRisk());
        assertEquals(1, opportunityCalls().size());
    }

    @Test
    @Timeout(45)
    void hugeBody_beyondTheCap_isRefused() throws Exception {
        sandbox.knobs().hugeNext(1, 64L * 1024 * 1024 + 1);
        McpSession.Reply r = dealRisk();
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("exceeded 64 MB"), r.text());
        assertEquals(1, opportunityCalls().size(), "an oversized answer is not retried");
        session.ping();
    }

    @Test
    @Timeout(30)
    void redirect_toAnotherLoopbackListener_isNeverFollowed() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 8);
        elsewhere.createContext("/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        elsewhere.start();
        try {
            sandbox.knobs().redirectNext(1, "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/v4/opportunity?oppId=x");
            McpSession.Reply r = dealRisk();
            assertTrue(r.isError(), r.text());
            assertTrue(r.text().contains("redirect") && r.text().contains("CLARI_BASE_URL"), r.text());
            assertEquals(1, opportunityCalls().size());
            assertEquals(0, hits.get(), "the redirect target was contacted");
        } finally {
            elsewhere.stop(0);
        }
    }

    @Test
    @Timeout(30)
    void wrongToken_everyToolSays401CheckToken_andTheTokenNeverShows() throws Exception {
        String canary = "wrong-token-canary-7d41e0b2";
        try (McpSession s = McpSession.start(McpSession.env(sandbox, "CLARI_API_TOKEN", canary))) {
            List<McpSession.Reply> replies = List.of(
                    s.call("get_deal_risk", Json.obj("opp_ids", ObjBuilder.strings(someIds))),
                    s.call("get_pipeline_changes", Json.obj("start_date", sandbox.org().today().minusDays(1).toString(),
                            "end_date", sandbox.org().today().toString())),
                    s.call("get_forecast", Json.Obj.EMPTY));
            for (McpSession.Reply r : replies) {
                assertTrue(r.isError(), r.text());
                assertTrue(r.text().contains("(401)") && r.text().contains("CLARI_API_TOKEN"), r.text());
                assertFalse(r.text().contains(canary));
            }
            List<String> sent = sandbox.requests().stream().map(q -> q.method() + " " + q.path()).toList();
            assertEquals(sent.stream().distinct().toList(), sent, "a 401 is not retried");
            assertEquals(3, sent.size(), "opportunity, audit events, the forecast read: " + sent);
            s.closeAndCollect();
            s.assertNeverShows(canary);
        }
    }
}
