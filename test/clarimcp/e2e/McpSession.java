package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An initialized MCP session with the real launcher, for the end-to-end tests of the three tools:
 * tools/call as one method, plus the checks every such test shares (the read-only allowlist of
 * requests the sandbox saw, and that the token never shows on the server's streams).
 */
final class McpSession implements AutoCloseable {
    /** Newest protocol we speak: the one with structuredContent and progress messages. */
    static final String PROTOCOL = "2025-11-25";
    /** Generous bound for one tool call on a loaded 2-core machine; the tests' own @Timeout is the backstop. */
    static final long CALL_TIMEOUT_MS = 30_000;

    /**
     * Every request our server may make, and nothing else (method, then the raw path). Job and forecast
     * ids are single segments, so no pattern can match a path that climbs or adds segments.
     */
    static final List<Pattern> ALLOWED = List.of(
            Pattern.compile("GET /v4/forecast/[A-Za-z0-9_.:-]+"),
            Pattern.compile("POST /v4/export/forecast/[A-Za-z0-9_.:-]+"),
            Pattern.compile("GET /v4/export/jobs/[A-Za-z0-9_-]+"),
            Pattern.compile("GET /v4/export/jobs/[A-Za-z0-9_-]+/results"),
            Pattern.compile("GET /v4/opportunity"),
            Pattern.compile("GET /v4/audit/events"),
            Pattern.compile("GET /v4/admin/limits"));

    /** A tools/call answer: the result object, the notifications seen while waiting, and the wall time. */
    record Reply(Json.Obj result, List<Json.Obj> notifications, long millis) {
        boolean isError() {
            return Json.Bool.TRUE.equals(result.get("isError"));
        }

        String text() {
            return ((Json.Obj) result.arr("content").items().get(0)).str("text");
        }

        Json.Obj structured() {
            return result.obj("structuredContent");
        }

        /** The progress notifications for this call's token, in arrival order. */
        List<Json.Obj> progress() {
            return notifications.stream().filter(n -> "notifications/progress".equals(n.str("method"))).toList();
        }
    }

    final Launcher launcher;
    private long nextId = 1;

    private McpSession(Launcher launcher) {
        this.launcher = launcher;
    }

    /** The environment that points the server at the sandbox, plus extra NAME, VALUE pairs. */
    static Map<String, String> env(ClariSandbox sandbox, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "CLARI_API_TOKEN", sandbox.token(),
                "CLARI_BASE_URL", sandbox.baseUrl().toString(),
                "CLARI_FORECAST_ID", "forecast",
                // Off by default: most tests count the requests of repeated identical calls; the cache has its own.
                "CLARI_CACHE_SECONDS", "0"));
        for (int i = 0; i + 1 < extra.length; i += 2) env.put(extra[i], extra[i + 1]);
        return env;
    }

    /** Starts the launcher with env, initializes with {@link #PROTOCOL} and sends notifications/initialized. */
    static McpSession start(Map<String, String> env) throws Exception {
        Launcher l = Launcher.start(env);
        try {
            Json.Obj init = l.request(JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", 0,
                    "method", "initialize", "params", Json.obj("protocolVersion", PROTOCOL,
                            "capabilities", Json.Obj.EMPTY,
                            "clientInfo", Json.obj("name", "e2e", "version", "1")))), Json.of(0), CALL_TIMEOUT_MS, null);
            assertEquals(PROTOCOL, init.obj("result").str("protocolVersion"));
            l.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            return new McpSession(l);
        } catch (Exception | Error e) {
            l.close();
            throw e;
        }
    }

    /** The tools/call request line, with a progress token when one is given. */
    static String callLine(long id, String tool, Json.Obj args, String progressToken) {
        ObjBuilder params = new ObjBuilder().put("name", tool).put("arguments", args);
        if (progressToken != null) params.put("_meta", Json.obj("progressToken", progressToken));
        return JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", params.build()));
    }

    long newId() {
        return nextId++;
    }

    /** Calls a tool and returns its result (failing on a protocol error), timing the round trip. */
    Reply call(String tool, Json.Obj args, String progressToken) throws Exception {
        long id = newId();
        List<Json.Obj> notes = new ArrayList<>();
        long start = System.nanoTime();
        Json.Obj reply = launcher.request(callLine(id, tool, args, progressToken), Json.of(id), CALL_TIMEOUT_MS, notes);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertNull(reply.get("error"), () -> "protocol error: " + JsonWriter.write(reply));
        assertNotNull(reply.obj("result"), () -> "no result: " + JsonWriter.write(reply));
        return new Reply(reply.obj("result"), notes, millis);
    }

    Reply call(String tool, Json.Obj args) throws Exception {
        return call(tool, args, null);
    }

    /** Answers ping: the session is alive and the reader is not blocked. */
    void ping() throws Exception {
        long id = newId();
        Json.Obj pong = launcher.request("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}", Json.of(id), CALL_TIMEOUT_MS, null);
        assertEquals(Json.Obj.EMPTY, pong.get("result"));
    }

    /** Closes stdin, expects exit 0, and returns every message the server wrote (framing checked by Launcher). */
    List<Json.Obj> closeAndCollect() throws Exception {
        assertEquals(0, launcher.closeAndWait(CALL_TIMEOUT_MS), () -> "exit code; stderr: " + launcher.stderr());
        List<Json.Obj> all = new ArrayList<>();
        for (String line : launcher.stdout().split("\n")) {
            if (line.isEmpty()) continue;
            try {
                all.add((Json.Obj) JsonParser.parse(line.getBytes(StandardCharsets.UTF_8)));
            } catch (JsonException e) {
                throw new AssertionError("stdout line is not JSON: " + line, e);
            }
        }
        return all;
    }

    @Override
    public void close() {
        launcher.close();
    }

    /** Requests the sandbox recorded whose path is exactly /v4 + suffix (query ignored). */
    static List<RecordedRequest> requestsTo(ClariSandbox sandbox, String method, String pathPattern) {
        Pattern p = Pattern.compile("/v4" + pathPattern);
        return sandbox.requests().stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).matches()).toList();
    }

    /** Every recorded request is allowlisted, GETs carry no body, and the token shows in no recorded text. */
    static void assertOnlyAllowlisted(ClariSandbox sandbox) {
        for (RecordedRequest r : sandbox.requests()) {
            String line = r.method() + " " + r.path();
            assertTrue(ALLOWED.stream().anyMatch(p -> p.matcher(line).matches()), () -> "not allowlisted: " + line + "?" + r.query());
            if (r.method().equals("GET")) assertEquals("", r.body(), () -> "GET with a body: " + line);
            assertFalse(r.query().contains(sandbox.token()) || r.body().contains(sandbox.token()), "token in a request: " + line);
            assertEquals(RecordedRequest.MASK, r.header("apikey"), () -> "no apikey header on " + line);
        }
    }

    /** The secret appears on neither stream of the server. */
    void assertNeverShows(String secret) {
        assertFalse(launcher.stdout().contains(secret), "token on stdout");
        assertFalse(launcher.stderr().contains(secret), "token on stderr");
    }

    /** The oppId values of a recorded GET /opportunity, in order. */
    static List<String> oppIds(RecordedRequest r) {
        List<String> ids = new ArrayList<>();
        for (String pair : r.query().split("&")) {
            if (pair.startsWith("oppId=")) ids.add(java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
        }
        return ids;
    }
}
