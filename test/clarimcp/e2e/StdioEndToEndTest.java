package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The built launcher over real pipes: lifecycle, listing, ping, framing, exit at end of input. */
@Timeout(60)
class StdioEndToEndTest {
    static final String CANARY = "canary-token-3f9a1c7e-must-never-appear";

    @Test
    void session_initializeListPing_thenExitZeroAtEndOfInput() throws Exception {
        try (Launcher l = Launcher.start(Map.of("CLARI_API_TOKEN", CANARY, "CLARI_BASE_URL", "http://127.0.0.1:9/v4"))) {
            Json.Obj init = l.request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}", Json.of(1), 10_000, null);
            Json.Obj result = init.obj("result");
            assertEquals("2025-11-25", result.str("protocolVersion"));
            assertEquals("clari-revops-mcp", result.obj("serverInfo").str("name"));
            l.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            Json.Obj list = l.request("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", Json.of(2), 10_000, null);
            Json.Arr tools = list.obj("result").arr("tools");
            for (Json t : tools.items()) {
                Json.Obj tool = (Json.Obj) t;
                assertTrue(tool.str("name").matches("[a-zA-Z0-9_-]{1,64}"), tool.str("name"));
                assertEquals(Json.Bool.TRUE, tool.obj("annotations").get("readOnlyHint"), tool.str("name") + " must be read-only");
            }
            Json.Obj prompts = l.request("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\"}", Json.of(3), 10_000, null);
            assertEquals(List.of("forecast_call_prep", "commit_inspection", "pipeline_review"), prompts.obj("result").arr("prompts").items()
                    .stream().map(p -> ((Json.Obj) p).str("name")).toList());
            Json.Obj prep = l.request("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\",\"params\":{\"name\":\"commit_inspection\","
                    + "\"arguments\":{\"opp_ids\":\"006A000000Abc12 006A000000Abc13\"}}}", Json.of(4), 10_000, null);
            assertTrue(prep.obj("result").toString().contains("006A000000Abc13"), prep.toString());
            Json.Obj pong = l.request("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}", Json.of("p"), 10_000, null);
            assertEquals(Json.Obj.EMPTY, pong.get("result"));
            assertEquals(0, l.closeAndWait(10_000));
            assertFalse(l.stdout().contains(CANARY));
            assertFalse(l.stderr().contains(CANARY));
        }
    }

    @Test
    void missingToken_isReportedOnStderr_butInitializeStillAnswers() throws Exception {
        try (Launcher l = Launcher.start(Map.of())) {
            Json.Obj init = l.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}",
                    Json.of(0), 10_000, null);
            assertEquals("2024-11-05", init.obj("result").str("protocolVersion"));
            assertEquals(0, l.closeAndWait(10_000));
            assertTrue(l.stderr().contains("CLARI_API_TOKEN"), l.stderr());
        }
    }

    @Test
    void unknownOption_exitsTwoWithMessageOnStderr_andNothingOnStdout() throws Exception {
        try (Launcher l = Launcher.start(Map.of(), "--bogus")) {
            assertEquals(2, l.closeAndWait(10_000));
            assertEquals("", l.stdout());
            assertTrue(l.stderr().contains("--bogus"));
        }
    }
}
