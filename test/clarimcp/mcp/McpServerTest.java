package clarimcp.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour that a transcript cannot show: concurrency, cancellation, end of input, raw bytes. */
@Timeout(20)
class McpServerTest {
    static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}";

    private static String text(Json.Obj result) {
        return ((Json.Obj) result.arr("content").items().get(0)).str("text");
    }

    static String call(Object id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }

    static String ping(Object id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}";
    }

    static String cancel(Object id) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id + "}}";
    }

    @Test
    void cancelledCall_isInterruptedAndNeverAnswered_whileOtherRequestsAreServed() throws Exception {
        TestTools.Probe probe = new TestTools.Probe();
        try (Harness h = new Harness(TestTools.all(probe))) {
            h.send(INIT);
            h.await(1);
            h.send(call(7, "wait"));
            assertTrue(probe.started.await(5, TimeUnit.SECONDS), "the tool should be running");
            h.send(ping(8)); // answered while the call runs
            assertEquals(ping8(), h.await(2).get(1));
            h.send(cancel(7));
            assertTrue(probe.interrupted.await(5, TimeUnit.SECONDS), "cancellation must interrupt the tool");
            h.send(ping(9));
            List<String> lines = h.await(3);
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}", lines.get(2));
            h.eof();
            assertEquals(3, h.lines().size(), "the cancelled call must get no reply: " + h.lines());
        }
    }

    private static String ping8() {
        return "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}";
    }

    @Test
    void idInFlight_cannotBeReused_butIsFreeAfterwards() throws Exception {
        TestTools.Probe probe = new TestTools.Probe();
        try (Harness h = new Harness(TestTools.all(probe))) {
            h.send(INIT);
            h.await(1);
            h.send(call("\"x\"", "wait"));
            assertTrue(probe.started.await(5, TimeUnit.SECONDS));
            h.send(call("\"x\"", "echo"));
            assertTrue(h.await(2).get(1).contains("\"id\":\"x\",\"error\":{\"code\":-32600"), h.lines().toString());
            h.send(cancel("\"x\""));
            assertTrue(probe.interrupted.await(5, TimeUnit.SECONDS));
            // The cancelled call leaves the table as it ends; then the id may be used again.
            // (Each retry that comes too early is refused and adds a line: retry until a result, up to 5 s.)
            for (int i = 0; i < 250; i++) {
                h.send(call("\"x\"", "echo"));
                Thread.sleep(20);
                if (h.lines().stream().anyMatch(l -> l.contains("\"id\":\"x\",\"result\""))) break;
            }
            assertTrue(h.lines().stream().anyMatch(l -> l.contains("\"id\":\"x\",\"result\"")), h.lines().toString());
        }
    }

    @Test
    void endOfInput_endsServeAtOnce_evenWithACallInFlight() throws Exception {
        TestTools.Probe probe = new TestTools.Probe();
        try (Harness h = new Harness(TestTools.all(probe))) {
            h.send(INIT);
            h.await(1);
            h.send(call(1, "wait"));
            assertTrue(probe.started.await(5, TimeUnit.SECONDS));
            h.eof(); // fails if serve does not return within 5 s (the tool would sleep 30 s)
            assertTrue(probe.interrupted.await(5, TimeUnit.SECONDS), "in-flight work is abandoned at end of input");
            assertEquals(1, h.lines().size());
        }
    }

    @Test
    void manyConcurrentCalls_eachAnsweredOnce_onItsOwnLine() throws Exception {
        try (Harness h = new Harness(TestTools.all(new TestTools.Probe()))) {
            h.send(INIT);
            int n = 200;
            StringBuilder burst = new StringBuilder();
            for (int i = 1; i <= n; i++) burst.append(i % 2 == 0 ? call(i, "echo") : ping(i)).append('\n');
            h.sendRaw(burst.toString().getBytes(StandardCharsets.UTF_8));
            List<String> lines = h.await(n + 1);
            assertEquals(n + 1, lines.size());
            Set<String> ids = new HashSet<>();
            for (String line : lines.subList(1, lines.size())) {
                Json.Obj o = (Json.Obj) JsonParser.parse(line);
                assertTrue(ids.add(((Json.Num) o.get("id")).text()), "answered twice: " + line);
            }
            assertEquals(n, ids.size());
        }
    }

    @Test
    void internalError_detailGoesToStderrOnly() throws Exception {
        try (Harness h = new Harness(TestTools.all(new TestTools.Probe()))) {
            h.send(INIT);
            h.send(call(1, "boom"));
            String reply = h.await(2).get(1);
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"Internal error\"}}", reply);
            h.eof();
            assertTrue(h.stderr.toString(StandardCharsets.UTF_8).contains("secret detail"), "the stack trace belongs on stderr");
        }
    }

    @Test
    void errorsInATool_becomeIsErrorResults_andTheServerGoesOn() throws Exception {
        List<Tool> tools = new java.util.ArrayList<>(TestTools.all(new TestTools.Probe()));
        tools.addAll(TestTools.breaking());
        try (Harness h = new Harness(tools)) {
            h.send(INIT);
            h.send(call(1, "oom"));
            h.send(call(2, "deep"));
            h.send(call(3, "huge"));
            h.send(call(4, "echo"));
            List<String> replies = h.await(5).subList(1, 5);
            Map<String, Json.Obj> byId = new HashMap<>();
            for (String line : replies) {
                Json.Obj o = (Json.Obj) JsonParser.parse(line);
                byId.put(((Json.Num) o.get("id")).text(), o.obj("result"));
            }
            assertEquals(Json.Bool.TRUE, byId.get("1").get("isError"), byId.toString());
            assertTrue(text(byId.get("1")).startsWith("answer too large for this server's memory; narrow the request"), text(byId.get("1")));
            assertEquals(Json.Bool.TRUE, byId.get("2").get("isError"));
            assertEquals("internal error in deep (StackOverflowError); the details are in the server's log (stderr)", text(byId.get("2")));
            assertEquals(Json.Bool.TRUE, byId.get("3").get("isError"), "structuredContent over the cap is not sent");
            assertTrue(text(byId.get("3")).startsWith("answer too large: its structured part is over 1000000 characters"));
            assertFalse(byId.get("3").has("structuredContent"));
            assertEquals(Json.Bool.FALSE, byId.get("4").get("isError"), "served on after the errors");
            h.eof();
            assertTrue(h.stderr.toString(StandardCharsets.UTF_8).contains("OutOfMemoryError"), "reported on stderr");
        }
    }

    @Test
    void oversizedId_isRefusedWithAJsonRpcError_andServingGoesOn() throws Exception {
        try (Harness h = new Harness(TestTools.all(new TestTools.Probe()))) {
            h.send(INIT);
            String id = "\"" + "i".repeat(256 + 1) + "\"";
            h.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}");
            h.send("{\"jsonrpc\":\"2.0\",\"id\":\"" + "é".repeat(129) + "\",\"method\":\"ping\"}");
            h.send("{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(256) + "\",\"method\":\"ping\"}");
            List<String> lines = h.await(4);
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid request: id longer than 256 bytes\"}}",
                    lines.get(1));
            assertEquals(lines.get(1), lines.get(2), "258 bytes of UTF-8 in 129 characters");
            assertTrue(lines.get(3).contains("\"result\":{}"), "an id of exactly 256 bytes is served: " + lines.get(3));
        }
    }

    @Test
    void rawBytes_crlfToleratedInvalidUtf8RejectedOverlongLineRefused_andServingGoesOn() throws Exception {
        try (Harness h = new Harness(TestTools.all(new TestTools.Probe()))) {
            h.sendRaw((INIT + "\r\n").getBytes(StandardCharsets.UTF_8));
            assertTrue(h.await(1).get(0).contains("\"protocolVersion\":\"2025-11-25\""));
            h.sendRaw(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}", h.await(2).get(1));
            byte[] huge = new byte[Wire.MAX_LINE_BYTES + 10];
            java.util.Arrays.fill(huge, (byte) ' ');
            huge[huge.length - 1] = '\n';
            h.sendRaw(huge);
            assertTrue(h.await(3).get(2).contains("\"code\":-32600"), h.lines().toString());
            h.send(ping(5));
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}", h.await(4).get(3));
            h.eof();
            assertFalse(h.lines().stream().anyMatch(String::isEmpty));
        }
    }

    @Test
    void promptArguments_mustBeAnObjectOfStrings_blankCountsAsAbsent() {
        McpServer.Prompt p = new McpServer.Prompt("p", "P", "d", List.of(new McpServer.Prompt.Argument("a", "A", false)),
                args -> "a=" + args.get("a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.get(ObjBuilder.arr(Json.of("x"))));
        assertEquals("arguments must be an object of strings", e.getMessage());
        assertEquals("a=null", promptText(p.get(null)));
        assertEquals("a=null", promptText(p.get(Json.Null.NULL)));
        assertEquals("a=null", promptText(p.get(Json.obj("a", " "))));
        assertEquals("a=x", promptText(p.get(Json.obj("a", " x "))));
    }

    private static String promptText(Json.Obj result) {
        return ((Json.Obj) result.arr("messages").items().get(0)).obj("content").str("text");
    }
}
