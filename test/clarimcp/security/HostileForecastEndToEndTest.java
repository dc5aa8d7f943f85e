package clarimcp.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, "quadratic CPU that cancel does not stop", through the built launcher: a forecast answer whose
 * fields all carry one name (making names unique was quadratic: 100,000 took over a minute, and a core stayed
 * at 100% after notifications/cancelled). Now the answer comes back capped, and a cancelled call stops using
 * the CPU: the server's CPU time (from /proc) in the second after the cancel is a small part of that second.
 */
@Timeout(120)
class HostileForecastEndToEndTest {
    private static final int DUPLICATES = 100_000;
    private static SandboxEnv env;
    private static Launcher server;

    @BeforeAll
    static void start() throws Exception {
        env = SandboxEnv.start(Duration.ofSeconds(30), 64 << 20);
        server = Launcher.start(env.env());
        server.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"hostile-forecast\",\"version\":\"1\"}}}", Json.Num.of(0), 30_000, null);
        server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterAll
    static void stop() throws Exception {
        try (SandboxEnv e = env; Launcher l = server) {
            assertEquals(0, l.closeAndWait(10_000), l.stderr());
        }
    }

    @AfterEach
    void reset() {
        env.sandbox.hostile().reset();
        env.sandbox.clearRequests();
    }

    /** The forecast answer (the one with entries) with n more fields, all named "Commit", each with a value for every user. */
    private static void duplicateFields(int n) {
        env.sandbox.hostile().transform(json -> {
            if (!(json instanceof Json.Obj o) || o.arr("entries") == null || o.arr("users") == null) return json;
            String user = ((Json.Obj) o.arr("users").items().get(0)).str("userId");
            String period = ((Json.Obj) o.arr("entries").items().get(0)).str("timePeriodId");
            String frame = ((Json.Obj) o.arr("entries").items().get(0)).str("timeFrameId");
            List<Json> fields = new ArrayList<>(o.arr("fields").items());
            List<Json> entries = new ArrayList<>(o.arr("entries").items());
            for (int i = 0; i < n; i++) {
                fields.add(Json.obj("fieldId", "dup" + i, "fieldName", "Commit", "fieldType", "forecast"));
                entries.add(Json.obj("userId", user, "fieldId", "dup" + i, "timePeriodId", period,
                        "timeFrameId", frame, "forecastValue", i));
            }
            ObjBuilder b = new ObjBuilder();
            o.members().forEach((k, v) -> b.put(k, k.equals("fields") ? new Json.Arr(fields) : k.equals("entries") ? new Json.Arr(entries) : v));
            return b.build();
        });
    }

    private static String callLine(int id) {
        return JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", Json.obj("name", "get_forecast", "arguments", Json.Obj.EMPTY)));
    }

    @Test
    void hundredThousandDuplicateFieldNames_answerCapped_withinSeconds() throws Exception {
        duplicateFields(DUPLICATES);
        long start = System.nanoTime();
        Json.Obj reply = server.request(callLine(1), Json.Num.of(1), 60_000, null);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        Json.Obj result = reply.obj("result");
        String text = ((Json.Obj) result.arr("content").items().get(0)).str("text");
        assertEquals(Json.Bool.FALSE, result.get("isError"), text);
        assertTrue(text.contains("Commit (2)"), "duplicate names made unique: " + text.substring(0, Math.min(2000, text.length())));
        assertTrue(text.contains("forecast fields with values (at most 24)"), "the column cap is said: " + text.substring(0, Math.min(2000, text.length())));
        assertTrue(seconds < 30, "a bound, not a benchmark: quadratic naming took over a minute; took " + seconds + " s");
    }

    @Test
    void cancelledCall_stopsUsingTheCpu() throws Exception {
        Path stat = Path.of("/proc/" + server.pid() + "/stat");
        assumeTrue(Files.isReadable(stat), "needs /proc (Linux) to read the server's CPU time");
        duplicateFields(3 * DUPLICATES); // about 40 MB: seconds of work, so the cancel lands while it runs
        server.send(callLine(2));
        Thread.sleep(1_500); // the sandbox builds and sends the answer; the server starts reading it
        server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":2}}");
        Thread.sleep(300);
        long before = cpuTicks(stat);
        Thread.sleep(1_000);
        long used = cpuTicks(stat) - before;
        // 100 ticks a second on Linux: a core kept busy would use about 100; a stopped call leaves GC and timers.
        assertTrue(used < 40, "CPU ticks in the second after the cancel: " + used);
        Json.Obj pong = server.request("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}", Json.Num.of(3), 10_000, null);
        assertEquals(Json.Obj.EMPTY, pong.get("result"));
        assertTrue(server.stdout().lines().noneMatch(l -> l.contains("\"id\":2,")), "a cancelled call gets no reply");
    }

    /** utime + stime of the process (fields 14 and 15 of /proc/PID/stat, after the command in parentheses). */
    private static long cpuTicks(Path stat) throws Exception {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
