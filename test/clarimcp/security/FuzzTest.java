package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutation fuzzing of the whole server (framing, JSON, JSON-RPC, MCP, the real tools against the Clari
 * sandbox) from recorded valid sessions: the client lines of every golden transcript plus a session that
 * calls each tool with real arguments. See {@link Mutator} for the mutations and {@link FuzzRun} for what
 * is checked. Deterministic: case i of seed s is the same input on every machine; a failure prints both.
 *
 * <p>{@code make test} runs {@link #CASES} cases in process (three quarters on the latest protocol, a
 * quarter on 2025-03-26 where batches exist) and {@link #LAUNCHER_CASES} through the built launcher;
 * {@code make fuzz} runs many more (system properties clarimcp.fuzz.cases, .launcherCases, .seed, .first).
 * Time is bounded per case ({@link FuzzRun#CASE_DEADLINE_MS}); the suite's default timeout bounds the
 * whole run under make test, and test/fuzz.sh raises it for long runs.
 */
class FuzzTest {
    static final int CASES = Integer.getInteger("clarimcp.fuzz.cases", 5000);
    static final int LAUNCHER_CASES = Integer.getInteger("clarimcp.fuzz.launcherCases", 500);
    static final long SEED = Long.getLong("clarimcp.fuzz.seed", 20_261_125L);
    static final int FIRST = Integer.getInteger("clarimcp.fuzz.first", 0);

    private static SandboxEnv env;
    private static Mutator mutator;

    @BeforeAll
    static void start() throws Exception {
        env = SandboxEnv.start(Duration.ofSeconds(10), 8 << 20);
        List<String> seeds = seeds(env);
        mutator = new Mutator(seeds, seeds.stream().filter(s -> env.toolNames().stream().anyMatch(t -> s.contains("\"" + t + "\""))).toList());
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void inProcess_latestProtocol() throws Exception {
        fuzz(Wire.inProcess(env.tools.values()), "2025-11-25", SEED, CASES - CASES / 4);
    }

    @Test
    void inProcess_batchProtocol() throws Exception {
        fuzz(Wire.inProcess(env.tools.values()), "2025-03-26", SEED + 1, CASES / 4);
    }

    @Test
    void throughTheLauncher() throws Exception {
        fuzz(Wire.launcher(env.env()), "2025-11-25", SEED + 2, LAUNCHER_CASES);
    }

    private static void fuzz(Wire wire, String version, long seed, int cases) throws Exception {
        try (wire) {
            FuzzRun run = new FuzzRun(wire, version, seed);
            int chunk = 500; // the sandbox records every request; clear it now and then
            for (int i = FIRST; i < FIRST + cases; i += chunk) {
                run.run(mutator, i, Math.min(chunk, FIRST + cases - i));
                env.sandbox.clearRequests();
            }
            run.finish();
        }
    }

    /** Inputs the fuzzer once turned into bugs, kept as fixed cases (each fails fast if the bug returns). */
    @Test
    @Timeout(30)
    void knownCases() throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"get_pipeline_changes\","
                + "\"arguments\":{\"start_date\":\"2026-01-01\",\"end_date\":\"2026-01-02\",\"limit\":%s}}}";
        List<String> lines = List.of(
                // NumberFormatException (exponent overflow) became -32603
                String.format(call, 1, "1e9999999999"),
                // a million digits: BigDecimal parsing is quadratic, the thread would spin for seconds
                String.format(call, 2, "1" + "0".repeat(1_000_000)),
                String.format(call, 3, "1e-999999999"));
        try (Wire wire = Wire.inProcess(env.tools.values())) {
            FuzzRun run = new FuzzRun(wire, "2025-11-25", 0);
            for (List<Json> replies : run.runFixed(lines)) {
                Json.Obj result = ((Json.Obj) replies.get(0)).obj("result");
                assertEquals(Json.Bool.TRUE, result.get("isError"), JsonWriter.write(result));
                assertEquals("'limit' must be an integer from 1 to 200",
                        ((Json.Obj) result.arr("content").items().get(0)).str("text"));
            }
            run.finish();
        }
    }

    /** Client lines of the golden transcripts, and a session that calls every tool with real arguments. */
    static List<String> seeds(SandboxEnv env) throws IOException {
        List<String> out = new ArrayList<>();
        Path dir = Path.of(System.getProperty("clarimcp.resources", "test/resources"), "transcripts");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                for (String line : Files.readAllLines(f, UTF_8)) if (line.startsWith("> ")) out.add(line.substring(2));
            }
        }
        assertFalse(out.isEmpty(), "no transcripts in " + dir);
        int id = 100;
        List<String> calls = new ArrayList<>();
        for (String tool : env.toolNames()) {
            Json.Obj params = Json.obj("name", tool, "arguments", env.validArguments(tool));
            calls.add(JsonWriter.write(request(id++, "tools/call", params)));
            Json.Obj withProgress = Json.obj("name", tool, "arguments", env.validArguments(tool),
                    "_meta", Json.obj("progressToken", "p" + id));
            calls.add(JsonWriter.write(request(new Json.Str("c" + id++), "tools/call", withProgress)));
        }
        out.addAll(calls);
        out.add(JsonWriter.write(request(id++, "tools/list", null)));
        out.add(JsonWriter.write(request(id++, "logging/setLevel", Json.obj("level", "debug"))));
        out.add("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":100,\"reason\":\"user\"}}");
        out.add("[" + String.join(",", calls.subList(0, 2)) + ",{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"ping\"}]");
        return out;
    }

    private static Json.Obj request(Object id, String method, Json.Obj params) {
        ObjBuilder b = new ObjBuilder().put("jsonrpc", "2.0")
                .put("id", id instanceof Integer n ? Json.Num.of(n) : (Json) id).put("method", method);
        return b.putIfPresent("params", params).build();
    }
}
