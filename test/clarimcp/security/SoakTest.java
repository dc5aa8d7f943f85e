package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrency soak through the built launcher: 200 tools/call requests in flight at once (numeric and
 * string ids), pings between them, and cancellations of 50 forecast calls that are provably still running
 * (their export jobs never finish, so only a cancellation ends them). Every line on stdout must be one
 * well-formed JSON-RPC message; every call and ping answered exactly once; cancelled calls never, and
 * their polling of Clari must stop.
 */
@Timeout(120)
class SoakTest {
    private static final int CALLS = 200;

    @Test
    void twoHundredConcurrentCalls_withPingsAndCancellations() throws Exception {
        try (SandboxEnv env = SandboxEnv.start(Duration.ofSeconds(10), 8 << 20)) {
            SandboxOrg org = env.sandbox.org();
            env.sandbox.knobs().jobsNeverFinish(true).syncStatus(501); // every forecast call exports (and polls)
            Map<String, String> vars = new HashMap<>(env.env());
            vars.put("CLARI_POLL_INTERVAL_SECONDS", "0.1");
            vars.put("CLARI_POLL_MAX_ATTEMPTS", "1000");
            Random random = new Random(7);
            List<String[]> forecastKeys = new ArrayList<>(); // distinct scope x period: identical calls would share one job
            for (String period : org.seededQuarters()) for (SandboxOrg.User u : org.users()) forecastKeys.add(new String[] {u.scopeId(), period});

            try (Wire wire = Wire.launcher(vars)) {
                Map<String, Json> replies = new HashMap<>();
                Set<String> answeredTwice = new LinkedHashSet<>();
                send(wire, "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"soak\",\"version\":\"1\"}}}");
                awaitAll(wire, Set.of("\"init\""), replies, answeredTwice, 15_000);
                send(wire, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

                Set<String> mustAnswer = new LinkedHashSet<>();
                Set<String> cancelled = new LinkedHashSet<>();
                int pings = 0;
                for (int i = 0; i < CALLS; i++) {
                    Json id = i % 2 == 0 ? Json.Num.of(i) : new Json.Str("call-" + i);
                    String tool;
                    Json.Obj args;
                    switch (i % 4) {
                        case 0 -> {
                            String[] key = forecastKeys.get(i / 4);
                            tool = "get_forecast";
                            args = Json.obj("scope_id", key[0], "time_period", key[1]);
                            cancelled.add(JsonWriter.write(id));
                        }
                        case 2 -> {
                            tool = "get_pipeline_changes";
                            args = env.validArguments(tool);
                            mustAnswer.add(JsonWriter.write(id));
                        }
                        default -> {
                            tool = "get_deal_risk";
                            List<String> ids = new ArrayList<>();
                            for (int k = 0, n = 1 + random.nextInt(5); k < n; k++) {
                                ids.add(org.opportunities().get(random.nextInt(org.opportunities().size())).id());
                            }
                            args = Json.obj("opp_ids", ObjBuilder.strings(ids));
                            mustAnswer.add(JsonWriter.write(id));
                        }
                    }
                    send(wire, JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                            "params", Json.obj("name", tool, "arguments", args))));
                    if (i % 4 == 3) mustAnswer.add(ping(wire, pings++));
                }
                assertEquals(CALLS / 4, cancelled.size());

                // Every forecast call has submitted its never-ending job and is polling: now cancel them all.
                long deadline = System.currentTimeMillis() + 30_000;
                while (count(env, "POST") < cancelled.size()) {
                    drain(wire, replies, answeredTwice, 50);
                    if (System.currentTimeMillis() > deadline) fail("only " + count(env, "POST") + " exports submitted");
                }
                int k = 0;
                for (String id : cancelled) {
                    send(wire, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                            + ",\"reason\":\"soak\"}}");
                    if (k++ % 5 == 0) {
                        mustAnswer.add(ping(wire, pings++));
                        send(wire, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"unknown-" + k + "\"}}");
                    }
                }
                awaitAll(wire, mustAnswer, replies, answeredTwice, 60_000);

                // Cancellation reached the calls: their polling of Clari stops.
                Thread.sleep(500);
                drain(wire, replies, answeredTwice, 0);
                long polls = count(env, "GET /v4/export/jobs/");
                Thread.sleep(1_500);
                assertEquals(polls, count(env, "GET /v4/export/jobs/"), "cancelled calls still poll Clari");

                assertTrue(wire.endInput(10_000), "server did not exit cleanly at end of input");
                drain(wire, replies, answeredTwice, 0);
                assertEquals("", wire.problems(), "framing");
                assertEquals(Set.of(), answeredTwice, "answered more than once");
                Set<String> leaked = new HashSet<>(replies.keySet());
                leaked.retainAll(cancelled);
                assertEquals(Set.of(), leaked, "cancelled calls answered");
                for (String id : mustAnswer) {
                    Json.Obj reply = (Json.Obj) replies.get(id);
                    assertTrue(reply.has("result"), JsonWriter.write(reply));
                    Json.Obj result = reply.obj("result");
                    if (result.has("isError")) assertEquals(Json.Bool.FALSE, result.get("isError"), JsonWriter.write(reply));
                }
                assertEquals(mustAnswer.size() + 1, replies.size(), "only calls, pings and initialize were answered");
            }
        }
    }

    private static void send(Wire wire, String line) throws Exception {
        wire.write((line + "\n").getBytes(UTF_8));
    }

    private static String ping(Wire wire, int n) throws Exception {
        String id = "\"ping-" + n + "\"";
        send(wire, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
        return id;
    }

    private static long count(SandboxEnv env, String prefix) {
        List<RecordedRequest> all = env.sandbox.requests();
        return all.stream().filter(r -> (r.method() + " " + r.path()).startsWith(prefix)).count();
    }

    private static void awaitAll(Wire wire, Set<String> ids, Map<String, Json> replies, Set<String> twice, long millis)
            throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (!replies.keySet().containsAll(ids)) {
            if (System.currentTimeMillis() > deadline) {
                Set<String> missing = new LinkedHashSet<>(ids);
                missing.removeAll(replies.keySet());
                fail("no reply for " + missing + "; stderr: " + wire.stderrText());
            }
            drain(wire, replies, twice, 100);
        }
    }

    /** Reads every line available within millis; checks each is one JSON-RPC message and files responses by id. */
    private static void drain(Wire wire, Map<String, Json> replies, Set<String> twice, long millis) throws Exception {
        for (byte[] line; (line = wire.next(millis)) != null && !Wire.isEof(line); millis = 0) {
            Json json = JsonParser.parse(line);
            assertTrue(json instanceof Json.Obj o && o.get("jsonrpc") instanceof Json.Str v && v.value().equals("2.0"),
                    new String(line, UTF_8));
            Json.Obj o = (Json.Obj) json;
            if (o.has("method")) continue; // progress and log notifications
            assertTrue(o.has("result") != o.has("error"), new String(line, UTF_8));
            String id = JsonWriter.write(o.get("id"));
            if (replies.putIfAbsent(id, o) != null) twice.add(id);
        }
    }
}
