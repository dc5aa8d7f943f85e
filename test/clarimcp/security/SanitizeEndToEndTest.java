package clarimcp.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.SandboxOrg;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end through the built launcher: the sandbox decorates every name, stage, message and value it
 * serves with bidi overrides, isolates, zero-width characters, a BOM, a tag letter, variation selectors and
 * a control character, all invisible. What reaches the model (text and structuredContent of every tool)
 * must hold none of them, and the names must still read exactly as the org's real names.
 */
@Timeout(60)
class SanitizeEndToEndTest {
    @Test
    void hiddenCharactersFromClari_neverReachTheModel_andNamesStayReadable() throws Exception {
        try (SandboxEnv env = SandboxEnv.start(Duration.ofSeconds(10), 1 << 24)) {
            SandboxOrg org = env.sandbox.org();
            env.sandbox.hostile().transform(Hostile.DECORATE_TEXT);
            List<String> oppIds = org.opportunities().stream().limit(6).map(SandboxOrg.Opportunity::id).toList();

            // The premise: Clari's answers really carry the hidden characters.
            Json.Arr served = (Json.Arr) env.client.opportunities(oppIds);
            String servedText = JsonWriter.write(served);
            assertTrue(servedText.contains("\u202E") && servedText.contains("\u200B") && servedText.contains("\uFE0F"), servedText);

            try (Launcher server = Launcher.start(env.env())) {
                server.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"sanitize-test\",\"version\":\"1\"}}}",
                        Json.Num.of(0), 10_000, null);
                server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                List<Json.Obj> results = new ArrayList<>();
                int id = 1;
                for (String tool : List.of("get_forecast", "get_pipeline_changes", "get_deal_risk")) {
                    Json.Obj call = Json.Obj.builder().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call")
                            .put("params", Json.Obj.builder().put("name", tool).put("arguments", env.validArguments(tool)).build())
                            .build();
                    Json.Obj reply = server.request(JsonWriter.write(call), Json.Num.of(id++), 30_000, null);
                    Json.Obj result = reply.obj("result");
                    assertEquals(Json.Bool.FALSE, result.get("isError"), tool + ": " + JsonWriter.write(reply));
                    String text = ((Json.Obj) result.arr("content").items().get(0)).str("text");
                    assertEquals(List.of(), Hostile.hidden(new Json.Str(text), true), tool + " text");
                    assertEquals(List.of(), Hostile.hidden(result.obj("structuredContent"), false), tool + " structuredContent");
                    results.add(result.obj("structuredContent"));
                }
                assertEquals(0, server.closeAndWait(10_000));
                assertFalse(server.stdout().codePoints().anyMatch(cp -> cp != '\n' && Hostile.isHidden(cp)), "raw stdout");

                // Cleaned, not mangled: the names read exactly as the org's.
                List<String> dealNames = new ArrayList<>();
                for (Json d : results.get(2).arr("deals").items()) dealNames.add(((Json.Obj) d).str("name"));
                assertEquals(oppIds.stream().map(i -> org.opportunity(i).name()).toList(), dealNames);
                List<String> rowNames = new ArrayList<>();
                for (Json r : results.get(0).arr("rows").items()) rowNames.add(((Json.Str) ((Json.Arr) r).items().get(0)).value());
                assertTrue(rowNames.contains(org.cro().name()), rowNames.toString());
                assertTrue(results.get(1).arr("changes").size() > 0, "the window holds pipeline changes");
                for (Json c : results.get(1).arr("changes").items()) {
                    String actor = ((Json.Obj) c).str("actor");
                    assertTrue(actor == null || org.actors().stream().anyMatch(a -> a.name().equals(actor)), actor);
                }
            }
        }
    }
}
