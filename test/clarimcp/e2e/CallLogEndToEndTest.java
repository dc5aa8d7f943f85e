package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call log of the real launcher: one JSON line per tools/call in CLARI_LOG_FILE (created rw-------),
 * with the argument hash, HTTP counts and outcome, debug lines per exchange, and neither the token
 * nor any argument value in any output.
 */
@Timeout(60)
class CallLogEndToEndTest {
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}";

    @Test
    void logFile_oneLinePerCall_checkedField_byField(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("calls.log");
        try (ClariSandbox sb = ClariSandbox.start()) {
            sb.knobs().jobDuration(Duration.ofMillis(300));
            String secretArg = sb.org().opportunities().get(0).id();
            Map<String, String> env = Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString(),
                    "CLARI_FORECAST_ID", "forecast", "CLARI_POLL_INTERVAL_SECONDS", "0.2",
                    "CLARI_LOG_FILE", log.toString(), "CLARI_LOG_LEVEL", "debug");
            Json.Obj riskArgs = Json.obj("opp_ids", ObjBuilder.strings(List.of(secretArg)));
            try (Launcher l = Launcher.start(env)) {
                l.request(INIT, Json.of(0), 10_000, null);
                call(l, 1, "get_admin_limits", Json.Obj.EMPTY);
                call(l, 2, "get_deal_risk", riskArgs);
                call(l, 3, "get_forecast", Json.Obj.EMPTY);
                call(l, 4, "get_pipeline_changes", Json.obj("start_date", "2026-13-01")); // tool error
                call(l, 5, "no_such_tool", Json.Obj.EMPTY); // protocol error
                assertEquals(0, l.closeAndWait(10_000));
                assertFalse(l.stdout().contains(sb.token()) || l.stderr().contains(sb.token()), "token on stdout/stderr");
                assertFalse(l.stderr().contains("tool_call"), "the call log went to the file, not stderr");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(text.contains(sb.token()), "token in the log");
            assertFalse(text.contains(secretArg), "an argument value in the log");

            List<Json.Obj> calls = new ArrayList<>();
            List<Json.Obj> http = new ArrayList<>();
            for (String line : text.split("\n")) {
                Json.Obj o = (Json.Obj) JsonParser.parse(line);
                Instant.parse(o.str("ts"));
                (o.str("event").equals("tool_call") ? calls : http).add(o);
            }
            assertEquals(List.of("get_admin_limits", "get_deal_risk", "get_forecast", "get_pipeline_changes", "null"),
                    calls.stream().map(c -> String.valueOf(c.get("tool") instanceof Json.Str s ? s.value() : null)).toList());
            assertEquals(List.of("ok", "ok", "ok", "tool_error", "protocol_error"), calls.stream().map(c -> c.str("outcome")).toList());
            assertEquals(sha256(riskArgs), calls.get(1).str("argsSha256"));
            assertEquals(sha256(Json.Obj.EMPTY), calls.get(0).str("argsSha256"));
            assertEquals(parse("{\"200\":1}"), calls.get(0).get("httpStatuses"));
            assertEquals(1L, num(calls.get(0), "httpRequests"));
            Json.Obj forecast = calls.get(2);
            long requests = num(forecast, "httpRequests");
            assertEquals(1, requests, "the synchronous read: one request, no job");
            assertEquals(parse("{\"200\":1}"), forecast.get("httpStatuses"));
            assertEquals(0L, num(calls.get(3), "httpRequests"));

            long forecastExchanges = http.stream().filter(h -> "get_forecast".equals(h.str("tool"))).count();
            assertEquals(requests, forecastExchanges, "one debug line per exchange");
            assertTrue(http.stream().anyMatch(h -> "/forecast/{forecastId}".equals(h.str("path"))), "paths are templates");
            assertEquals(sb.requests().size(), http.size(), "every request the sandbox saw is in the log, once");
        }
    }

    @Test
    void noLogFile_callLinesGoToStderr_warningLevelSilencesThem() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Map<String, String> env = Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString());
            try (Launcher l = Launcher.start(env)) {
                l.request(INIT, Json.of(0), 10_000, null);
                call(l, 1, "get_admin_limits", Json.Obj.EMPTY);
                assertEquals(0, l.closeAndWait(10_000));
                List<String> lines = l.stderr().lines().filter(s -> s.contains("\"tool_call\"")).toList();
                assertEquals(1, lines.size(), l.stderr());
                assertEquals("get_admin_limits", ((Json.Obj) JsonParser.parse(lines.get(0))).str("tool"));
            }
            Map<String, String> quiet = new java.util.HashMap<>(env);
            quiet.put("CLARI_LOG_LEVEL", "warning");
            try (Launcher l = Launcher.start(quiet)) {
                l.request(INIT, Json.of(0), 10_000, null);
                call(l, 1, "get_admin_limits", Json.Obj.EMPTY);
                assertEquals(0, l.closeAndWait(10_000));
                assertEquals("", l.stderr());
            }
        }
    }

    @Test
    void unwritableLogFile_isReported_andTheServerStillServes(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("CLARI_API_TOKEN", "x", "CLARI_LOG_FILE", dir.resolve("missing/dir/calls.log").toString(),
                "CLARI_LOG_LEVEL", "loud");
        try (Launcher l = Launcher.start(env)) {
            l.request(INIT, Json.of(0), 10_000, null);
            assertEquals(0, l.closeAndWait(10_000));
            assertTrue(l.stderr().contains("cannot write CLARI_LOG_FILE"), l.stderr());
            assertTrue(l.stderr().contains("CLARI_LOG_LEVEL must be one of debug, info, notice, warning, error"), l.stderr());
        }
    }

    private static void call(Launcher l, int id, String tool, Json.Obj args) throws Exception {
        Json.Obj msg = Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", Json.obj("name", tool, "arguments", args));
        l.request(JsonWriter.write(msg), Json.of(id), 30_000, null);
    }

    private static String sha256(Json args) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(JsonWriter.writeCanonical(args).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d);
    }

    private static Json parse(String s) throws Exception {
        return JsonParser.parse(s);
    }

    private static long num(Json.Obj o, String key) {
        return ((Json.Num) o.get(key)).longValueExact();
    }
}
