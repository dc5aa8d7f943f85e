package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.SandboxOrg;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 through the built launcher against a hostile sandbox: the per-call budget (a trickling server ends
 * at the call's deadline with the true elapsed time; the bytes of several answers count together), the
 * oversized request id, a token split by invisible characters in Clari's error text and in its names, the
 * invisible carriers the first sanitisers let through, forged table columns, and an OutOfMemoryError in a
 * call (a small heap through _JAVA_OPTIONS), each followed by a call that still works. The limits are set
 * low through their variables (CLARI_CALL_TIMEOUT_SECONDS=3, CLARI_CALL_MAX_MB=1) so this takes seconds.
 */
@Timeout(120)
class CallBudgetEndToEndTest {
    private static final Pattern STOPPED = Pattern.compile("within this call's limit of 3 s \\(stopped after (\\d+(\\.\\d+)?) s\\)");
    private static SandboxEnv env;
    private static Launcher server;
    private static int nextId = 1;

    @BeforeAll
    static void start() throws Exception {
        env = SandboxEnv.start(Duration.ofSeconds(10), 1 << 24);
        server = launch(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        try (SandboxEnv e = env; Launcher l = server) {
            assertEquals(0, l.closeAndWait(10_000), l.stderr());
            assertFalse(l.stdout().contains(e.sandbox.token()) || l.stderr().contains(e.sandbox.token()), "token shown");
        }
    }

    @AfterEach
    void reset() {
        env.sandbox.hostile().reset();
        env.sandbox.knobs().reset();
        env.sandbox.clearRequests();
    }

    private static Launcher launch(Map<String, String> extra) throws Exception {
        Map<String, String> e = new HashMap<>(env.env());
        e.put("CLARI_CALL_TIMEOUT_SECONDS", "3");
        e.put("CLARI_CALL_MAX_MB", "1");
        e.putAll(extra);
        Launcher l = Launcher.start(e);
        l.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"budget-test\",\"version\":\"1\"}}}", Json.Num.of(0), 30_000, null);
        l.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return l;
    }

    private static Json.Obj call(Launcher l, String tool, Json.Obj args) throws Exception {
        int id = nextId++;
        Json.Obj line = Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", Json.obj("name", tool, "arguments", args));
        Json.Obj reply = l.request(JsonWriter.write(line), Json.Num.of(id), 60_000, null);
        assertTrue(reply.get("result") instanceof Json.Obj, () -> "a result, not a protocol error: " + JsonWriter.write(reply));
        return reply.obj("result");
    }

    private static String text(Json.Obj result) {
        return ((Json.Obj) result.arr("content").items().get(0)).str("text");
    }

    private static void assertWorks(Launcher l) throws Exception {
        Json.Obj r = call(l, "get_admin_limits", Json.Obj.EMPTY);
        assertEquals(Json.Bool.FALSE, r.get("isError"), () -> text(r));
    }

    @Test
    void tricklingServer_endsAtTheCallsDeadline_withTheTrueElapsedTime() throws Exception {
        env.sandbox.hostile().trickleNext(1, Duration.ofMillis(100)); // a ~150-byte answer would take ~15 s
        long start = System.nanoTime();
        Json.Obj r = call(server, "get_admin_limits", Json.Obj.EMPTY);
        double measured = (System.nanoTime() - start) / 1e9;
        assertEquals(Json.Bool.TRUE, r.get("isError"));
        Matcher m = STOPPED.matcher(text(r));
        assertTrue(m.find(), text(r));
        double said = Double.parseDouble(m.group(1));
        assertTrue(said >= 3 && said <= measured, "said " + said + " s, measured " + measured + " s around the call");
        assertTrue(text(r).endsWith("raise CLARI_CALL_TIMEOUT_SECONDS"), text(r));
        assertWorks(server);
    }

    @Test
    void waitsBetweenPolls_endAtTheCallsDeadline_notAtTheNextRequest() throws Exception {
        // Waits growing to 60 s: without the cut, the wait running at 3 s would end at ~3.95 s (0.25+0.4+0.64+1.02+1.64).
        try (Launcher slow = launch(Map.of("CLARI_POLL_INTERVAL_SECONDS", "60", "CLARI_POLL_MAX_ATTEMPTS", "50"))) {
            env.sandbox.knobs().syncStatus(501).jobsNeverFinish(true);
            Json.Obj r = call(slow, "get_forecast", Json.Obj.EMPTY);
            assertEquals(Json.Bool.TRUE, r.get("isError"));
            Matcher m = STOPPED.matcher(text(r));
            assertTrue(m.find(), text(r));
            double said = Double.parseDouble(m.group(1));
            assertTrue(said >= 3 && said < 3.6, "the wait was cut at the call's deadline; said " + said + " s: " + text(r));
            assertEquals(0, slow.closeAndWait(10_000), slow.stderr());
        }
    }

    @Test
    void bytesOfSeveralAnswers_countTogether_perCall() throws Exception {
        // Two 503s of 700 KB each: either fits the 1 MB budget alone, the second crosses it; GETs retry on 503.
        byte[] big = ("{\"message\":\"" + "x".repeat(700_000) + "\"}").getBytes(UTF_8);
        env.sandbox.hostile().rawNext(2, 503, "application/json", big);
        Json.Obj r = call(server, "get_admin_limits", Json.Obj.EMPTY);
        assertEquals(Json.Bool.TRUE, r.get("isError"));
        assertEquals("Clari's answers for this call exceeded 1 MB in all (CLARI_CALL_MAX_MB); ask for less "
                + "(a shorter period, fewer ids or fewer export types)", text(r));
        assertEquals(2, env.sandbox.requests().size(), "the second answer was cut, nothing more was asked");
        env.sandbox.hostile().rawNext(1, 503, "application/json", big);
        assertWorks(server); // a new call, a new budget: 700 KB, then the real answer
    }

    @Test
    void oversizedId_isAJsonRpcError_andTheServerGoesOn() throws Exception {
        server.send("{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(300) + "\",\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"get_admin_limits\",\"arguments\":{}}}");
        Json.Obj reply = server.next(30_000);
        assertEquals(Json.Null.NULL, reply.get("id"));
        assertEquals("Invalid request: id longer than 256 bytes", reply.obj("error").str("message"));
        assertTrue(env.sandbox.requests().isEmpty(), "the call never ran");
        assertWorks(server);
    }

    /** The token with invisible characters inside it: the second half after a zero-width space, a Mongolian selector... */
    private static String split(String token) {
        int h = token.length() / 2;
        return token.substring(0, h) + "\u200B\u180E\u3164" + token.substring(h);
    }

    @Test
    void tokenSplitByInvisibleCharacters_inClarisErrorText_comesBackMasked() throws Exception {
        String token = env.sandbox.token();
        // {"message": ...}: Clari's error body shape on exports and on a bad token [spec] (shared/notes/clari-api.md).
        byte[] body = JsonWriter.write(Json.obj("message", "apikey " + split(token) + " is not valid here")).getBytes(UTF_8);
        env.sandbox.hostile().rawNext(1, 400, "application/json", body);
        Json.Obj r = call(server, "get_admin_limits", Json.Obj.EMPTY);
        assertEquals(Json.Bool.TRUE, r.get("isError"));
        assertTrue(text(r).endsWith("(HTTP 400): apikey *** is not valid here"), text(r));
    }

    @Test
    void tokenInNames_invisibleCarriers_andPipes_neverReachTheModelAsSuch() throws Exception {
        String token = env.sandbox.token();
        SandboxOrg org = env.sandbox.org();
        // Every display string gains the split token, the new invisible carriers and a forged " | " column.
        env.sandbox.hostile().transform(json -> Hostile.everyValue(v -> v instanceof Json.Str s && !s.value().isEmpty()
                && !s.value().matches("[A-Za-z0-9_:.-]+") ? new Json.Str(s.value() + Hostile.CARRIERS + " | 999,999 | "
                + split(token)) : v).apply(json));
        Json.Obj r = call(server, "get_deal_risk", env.validArguments("get_deal_risk"));
        assertEquals(Json.Bool.FALSE, r.get("isError"), () -> text(r));
        String all = text(r) + JsonWriter.write(r.obj("structuredContent"));
        assertFalse(all.contains(token), "token in the answer");
        assertEquals(List.of(), Hostile.hidden(new Json.Str(text(r)), true), "text");
        assertEquals(List.of(), Hostile.hidden(r.obj("structuredContent"), false), "structuredContent");
        String name = org.opportunity(env.validArguments("get_deal_risk").arr("opp_ids").items().get(0) instanceof Json.Str s
                ? s.value() : "").name();
        assertTrue(text(r).contains(name + " \\| 999,999 \\| ***"), "the pipe is escaped in the table: " + text(r));
        assertFalse(text(r).contains(name + " | 999,999 |"), "no forged column");
    }

    @Test
    void outOfMemoryInACall_isAnsweredAsAnError_andTheServerGoesOn() throws Exception {
        // A 48 MB heap (through _JAVA_OPTIONS, which the JVM reads: see SECURITY.md) meets a 30 MB answer.
        try (Launcher small = launch(Map.of("_JAVA_OPTIONS", "-Xmx48m", "CLARI_CALL_MAX_MB", "64"))) {
            env.sandbox.knobs().hugeNext(1, 30L << 20);
            Json.Obj r = call(small, "get_deal_risk", env.validArguments("get_deal_risk"));
            assertEquals(Json.Bool.TRUE, r.get("isError"));
            assertTrue(text(r).startsWith("answer too large for this server's memory; narrow the request"), text(r));
            assertWorks(small);
            assertEquals(0, small.closeAndWait(10_000), small.stderr());
            assertTrue(small.stderr().contains("OutOfMemoryError"), "reported on stderr");
        }
    }
}
