package clarimcp.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One call-log record per tools/call, from the server: outcome, timing, HTTP counts, argument hash, never arguments. */
@Timeout(20)
class CallLogTest {
    private static final Json.Obj NO_ARGS = TestTools.NO_ARGS;

    /** A tool that reports HTTP exchanges from several threads, as get_deal_risk does. */
    private static final Tool HTTP = TestTools.simple("http", null, (a, c) -> {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int status = i == 3 ? 429 : 200;
            threads.add(Thread.ofVirtual().start(() -> c.httpExchange("GET", "/opportunity", status)));
        }
        for (Thread t : threads) t.join();
        return Tool.Result.ok("ok", null);
    });

    @Test
    void eachOutcome_isOneRecord_withCountsAndHash() throws Exception {
        List<CallLog.Call> calls = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch waiting = new CountDownLatch(1);
        Tool wait = TestTools.simple("wait", null, (a, c) -> {
            waiting.countDown();
            Thread.sleep(30_000);
            return Tool.Result.ok("late", null);
        });
        List<Tool> tools = new ArrayList<>(TestTools.all(new TestTools.Probe()).stream().filter(t -> !t.name().equals("wait")).toList());
        tools.add(HTTP);
        tools.add(wait);
        try (Server s = new Server(tools, calls::add)) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"http\",\"arguments\":{\"b\":[1,2],\"a\":\"secret-arg\"}}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"fail\"}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"boom\"}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"no-such-tool\",\"arguments\":{}}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"wait\"}}");
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}");
            s.awaitRecords(calls, 5);
        }
        Map<String, CallLog.Call> byTool = new java.util.HashMap<>();
        for (CallLog.Call c : calls) byTool.put(String.valueOf(c.tool()), c);
        CallLog.Call http = byTool.get("http");
        assertEquals(CallLog.Outcome.OK, http.outcome());
        assertEquals(4, http.httpRequests());
        assertEquals(Map.of(200, 3, 429, 1), http.statuses());
        assertEquals(CallLog.Meter.sha256(parse("{\"a\":\"secret-arg\",\"b\":[1,2]}")), http.argumentsSha256(), "key order does not matter");
        assertTrue(http.durationMillis() >= 0);
        assertFalse(http.start().isAfter(Instant.now()));
        assertEquals(CallLog.Outcome.TOOL_ERROR, byTool.get("fail").outcome());
        assertEquals(CallLog.Meter.sha256(Json.Obj.EMPTY), byTool.get("fail").argumentsSha256(), "absent arguments hash as {}");
        assertEquals(CallLog.Outcome.PROTOCOL_ERROR, byTool.get("boom").outcome());
        assertEquals(CallLog.Outcome.PROTOCOL_ERROR, byTool.get("null").outcome(), "an unknown tool is logged without its name");
        assertEquals(CallLog.Outcome.CANCELLED, byTool.get("wait").outcome());
        assertEquals(0, byTool.get("wait").httpRequests());
    }

    @Test
    void jsonLines_areOneObjectPerLine_levelsGateThem_noArguments() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CallLog.Meter m = new CallLog.Meter(new CallLog.JsonLines(out, CallLog.Level.DEBUG), "get_x", parse("{\"id\":\"secret-arg\"}"));
        m.exchange("GET", "/export/jobs/{jobId}", 200);
        m.exchange("GET", "/export/jobs/{jobId}", 0);
        m.finish(CallLog.Outcome.TOOL_ERROR);
        m.finish(CallLog.Outcome.OK); // a second finish writes nothing
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length);
        Json.Obj http = (Json.Obj) JsonParser.parse(lines[0]);
        assertEquals("debug", http.str("level"));
        assertEquals("http", http.str("event"));
        assertEquals("/export/jobs/{jobId}", http.str("path"));
        Json.Obj call = (Json.Obj) JsonParser.parse(lines[2]);
        assertEquals(List.of("ts", "level", "event", "tool", "argsSha256", "durationMs", "httpRequests", "httpStatuses", "outcome"),
                List.copyOf(call.members().keySet()));
        assertEquals("info", call.str("level"));
        assertEquals("tool_call", call.str("event"));
        assertEquals("get_x", call.str("tool"));
        assertEquals("tool_error", call.str("outcome"));
        assertEquals(parse("{\"0\":1,\"200\":1}"), call.get("httpStatuses"));
        assertEquals(2, ((Json.Num) call.get("httpRequests")).longValueExact());
        Instant.parse(call.str("ts"));
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("secret-arg"));

        bytes.reset();
        CallLog.Meter quiet = new CallLog.Meter(new CallLog.JsonLines(out, CallLog.Level.INFO), "get_x", null);
        quiet.exchange("GET", "/admin/limits", 200);
        quiet.finish(CallLog.Outcome.OK);
        assertEquals(1, bytes.toString(StandardCharsets.UTF_8).split("\n").length, "info: no exchange lines");
        bytes.reset();
        CallLog.Meter silent = new CallLog.Meter(new CallLog.JsonLines(out, CallLog.Level.WARNING), "get_x", null);
        silent.finish(CallLog.Outcome.OK);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "warning: no call lines");
    }

    @Test
    void hash_isSha256OfCanonicalJson() {
        // echo -n '{"a":1}' | sha256sum
        assertEquals("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862", CallLog.Meter.sha256(parse("{\"a\":1}")));
    }

    private static Json parse(String s) {
        try {
            return JsonParser.parse(s);
        } catch (clarimcp.json.JsonException e) {
            throw new AssertionError(e);
        }
    }

    /** A server after initialize, with a call log. */
    private static final class Server implements AutoCloseable {
        private final PipedOutputStream client = new PipedOutputStream();
        private final Thread serving;

        Server(List<Tool> tools, CallLog log) throws Exception {
            PipedInputStream in = new PipedInputStream(client, 1 << 16);
            McpServer server = new McpServer(tools, List.of(), new McpServer.ServerInfo("t", "T", "1", "i"),
                    new Wire.Writer(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), log);
            serving = Thread.ofVirtual().start(() -> {
                try {
                    server.serve(in);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
        }

        void send(String line) throws Exception {
            client.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            client.flush();
        }

        void awaitRecords(List<CallLog.Call> calls, int n) throws InterruptedException {
            for (int i = 0; i < 500 && calls.size() < n; i++) Thread.sleep(10);
            assertEquals(n, calls.size(), "records: " + calls);
        }

        @Override
        public void close() throws java.io.IOException {
            client.close();
            try {
                serving.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
