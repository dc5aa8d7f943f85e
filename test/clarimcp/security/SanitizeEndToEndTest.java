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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
                    Json.Obj call = Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                            "params", Json.obj("name", tool, "arguments", env.validArguments(tool)));
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
                // get_deal_risk rows are arrays under columns, lowest score first: compare the names as a set.
                Map<String, String> dealNames = new HashMap<>();
                int nameColumn = results.get(2).arr("columns").items().indexOf(Json.of("name"));
                for (Json d : results.get(2).arr("rows").items()) {
                    dealNames.put(((Json.Str) ((Json.Arr) d).items().get(0)).value(), ((Json.Str) ((Json.Arr) d).items().get(nameColumn)).value());
                }
                assertEquals(oppIds.stream().collect(java.util.stream.Collectors.toMap(i -> i, i -> org.opportunity(i).name())), dealNames);
                List<String> rowNames = new ArrayList<>();
                for (Json r : results.get(0).arr("rows").items()) rowNames.add(((Json.Str) ((Json.Arr) r).items().get(0)).value());
                assertTrue(rowNames.contains(org.cro().name()), rowNames.toString());
                List<Json.Obj> changes = clarimcp.tools.TwoForms.rows(results.get(1));
                assertTrue(changes.size() > 0, "the window holds pipeline changes");
                for (Json.Obj c : changes) {
                    String actor = c.str("actor");
                    assertTrue(actor.isEmpty() || org.actors().stream().anyMatch(a -> a.name().equals(actor)), actor);
                }
            }
        }
    }
}
