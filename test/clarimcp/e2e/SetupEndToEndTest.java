package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Setup problems and the CLI through the real launcher: configuration problems reported at start and in
 * every tool result without delaying initialize, a forecast id Clari rejects reported once with the fix,
 * and the CLI modes printing on stdout with their exit codes.
 */
@Timeout(60)
class SetupEndToEndTest {
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}";

    @Test
    void badBaseUrl_reportedAtStart_andInEveryToolResult() throws Exception {
        try (Launcher l = Launcher.start(Map.of("CLARI_API_TOKEN", "t", "CLARI_BASE_URL", "http://clari.example.com/v4"))) {
            l.request(INIT, Json.of(0), 10_000, null);
            for (int id = 1; id <= 2; id++) {
                Json.Obj r = call(l, id, "get_admin_limits", Json.Obj.EMPTY);
                assertEquals(Json.Bool.TRUE, r.get("isError"));
                assertTrue(text(r).startsWith("Server configuration problem: CLARI_BASE_URL uses http to a non-loopback host"), text(r));
            }
            assertEquals(0, l.closeAndWait(10_000));
            assertTrue(l.stderr().startsWith("clari-revops-mcp: configuration problem: CLARI_BASE_URL uses http"), l.stderr());
        }
    }

    @Test
    void forecastIdClariRejects_isReportedOnceOnStderr_andInEachResultWithTheFix() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Map<String, String> env = Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString(),
                    "CLARI_FORECAST_ID", "no_such_tab", "CLARI_LOG_LEVEL", "warning");
            try (Launcher l = Launcher.start(env)) {
                l.request(INIT, Json.of(0), 10_000, null);
                String fix = "CLARI_FORECAST_ID 'no_such_tab' is not a forecast Clari knows (400 no_such_forecast_config): "
                        + "set it to the forecast tab id from the Clari URL (e.g. net_arr)";
                assertEquals(fix, text(call(l, 1, "get_forecast", Json.Obj.EMPTY)));
                assertEquals(fix, text(call(l, 2, "get_forecast", Json.Obj.EMPTY)));
                Json.Obj explicit = call(l, 3, "get_forecast", Json.obj("forecast_id", "other_tab"));
                assertEquals("Clari has no forecast 'other_tab' (400 no_such_forecast_config): pass as forecast_id the forecast tab id "
                        + "from the Clari URL (e.g. net_arr), or leave it out to use CLARI_FORECAST_ID", text(explicit),
                        "an argument is not a setup problem");
                assertEquals(0, l.closeAndWait(10_000));
                assertEquals("clari-revops-mcp: configuration problem: " + fix + "\n", l.stderr(), "once");
            }
        }
    }

    @Test
    void cliModes_printOnStdout_withExitCodes() throws Exception {
        assertEquals(new Cli(0, "clari-revops-mcp 0.1.0\n", ""), cli(Map.of(), "--version"));
        Cli help = cli(Map.of(), "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("CLARI_API_TOKEN"), help.out());
        try (ClariSandbox sb = ClariSandbox.start()) {
            Map<String, String> env = Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString());
            Cli ok = cli(env, "call", "get_admin_limits", "{}");
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().startsWith("Clari export limits\n"), ok.out());
            Cli toolError = cli(env, "call", "get_deal_risk", "{\"opp_ids\":[]}");
            assertEquals(new Cli(1, "'opp_ids' must hold 1 to 1000 items (got 0)\n"), toolError.withoutErr());
            Cli check = cli(env, "--check");
            assertEquals(0, check.exit(), check.out());
            assertTrue(check.out().endsWith("all checks passed\n"), check.out());
            for (Cli c : List.of(ok, toolError, check)) {
                assertFalse(c.out().contains(sb.token()) || c.err().contains(sb.token()));
            }
        }
    }

    /** A CLI run of the launcher: exit code, stdout, stderr. */
    record Cli(int exit, String out, String err) {
        Cli(int exit, String out) {
            this(exit, out, null);
        }

        Cli withoutErr() {
            return new Cli(exit, out, null);
        }
    }

    /** Runs the launcher with exactly this environment (plus PATH) and stdin closed. */
    static Cli cli(Map<String, String> env, String... args) throws Exception {
        Path dir = Files.createTempDirectory("cli");
        try {
            ProcessBuilder pb = new ProcessBuilder();
            pb.command().add(Launcher.path().toString());
            pb.command().addAll(List.of(args));
            pb.environment().clear();
            pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().putAll(env);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the launcher did not exit");
            }
            return new Cli(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
        } finally {
            for (String f : new String[] {"out", "err"}) Files.deleteIfExists(dir.resolve(f));
            Files.delete(dir);
        }
    }

    private static Json.Obj call(Launcher l, int id, String tool, Json.Obj args) throws Exception {
        Json.Obj msg = Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", Json.obj("name", tool, "arguments", args));
        return l.request(JsonWriter.write(msg), Json.of(id), 30_000, null).obj("result");
    }

    private static String text(Json.Obj result) {
        return ((Json.Obj) result.arr("content").items().get(0)).str("text");
    }
}
