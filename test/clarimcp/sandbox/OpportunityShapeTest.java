package clarimcp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins every key path the sandbox serves on GET /opportunity, in every knob variant and error, to
 * test/resources/clari-fields-opportunity.txt, where each line names its source. A key added to the
 * sandbox without a line there (and so without a source or an admitted guess) fails here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpportunityShapeTest {
    private static final Path LIST = Path.of(System.getProperty("clarimcp.resources", "test/resources"),
            "clari-fields-opportunity.txt");

    @Test
    void everyServedKeyAndFieldId_isListedWithASource_andEveryListedOneIsServed() throws Exception {
        TreeSet<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(LIST, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            assertTrue(line.matches("\\S+( \\S+)? \\[(spec|tap|guess)\\]"), "line without a source tag: " + line);
            listed.add(line.substring(0, line.lastIndexOf(' ')));
        }
        TreeSet<String> served = new TreeSet<>();
        try (ClariSandbox sandbox = ClariSandbox.start();
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            List<String> ids = new ArrayList<>(sandbox.org().opportunities().stream().map(SandboxOrg.Opportunity::id).toList());
            ids.addAll(SandboxOrg.OTHER_CRM_IDS);
            for (boolean wrap : new boolean[] {false, true}) {
                sandbox.knobs().otherCrmIds(true).wrapOpportunities(wrap);
                for (int from = 0; from < ids.size(); from += Opportunities.MAX_IDS) {
                    StringBuilder q = new StringBuilder("/opportunity?mode=OPPORTUNITY_MODE_ID");
                    for (String id : ids.subList(from, Math.min(ids.size(), from + Opportunities.MAX_IDS))) q.append("&oppId=").append(id);
                    HttpResponse<String> r = get(http, sandbox, q.toString());
                    assertEquals(200, r.statusCode());
                    Json answer = JsonParser.parse(r.body());
                    if (answer instanceof Json.Obj o) { // {"opportunities":[...]}: its items are read as the bare array's
                        for (Map.Entry<String, Json> e : o.members().entrySet()) {
                            served.add("$." + e.getKey());
                            if (!e.getKey().equals("opportunities")) collect(e.getValue(), "$." + e.getKey(), served);
                        }
                        answer = o.arr("opportunities");
                    }
                    collect(answer, "$", served);
                    for (Json opp : ((Json.Arr) answer).items()) {
                        for (Json f : ((Json.Obj) opp).arr("fields").items()) served.add("fieldId " + ((Json.Obj) f).str("id"));
                    }
                }
            }
            StringBuilder tooMany = new StringBuilder("/opportunity?oppId=x");
            for (int i = 0; i < Opportunities.MAX_IDS; i++) tooMany.append("&oppId=x").append(i);
            for (String q : List.of("/opportunity", tooMany.toString())) {
                HttpResponse<String> r = get(http, sandbox, q);
                assertEquals(400, r.statusCode(), q);
                collect(JsonParser.parse(r.body()), "error", served);
            }
        }
        assertEquals(listed, served, "keys served on /opportunity vs " + LIST);
    }

    private static void collect(Json v, String path, TreeSet<String> out) {
        if (v instanceof Json.Obj o) {
            for (Map.Entry<String, Json> e : o.members().entrySet()) {
                out.add(path + "." + e.getKey());
                collect(e.getValue(), path + "." + e.getKey(), out);
            }
        } else if (v instanceof Json.Arr a) {
            for (Json item : a.items()) collect(item, path + "[]", out);
        }
    }

    private static HttpResponse<String> get(HttpClient http, ClariSandbox sandbox, String pathAndQuery) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + pathAndQuery)).header("apikey", sandbox.token())
                .timeout(Duration.ofSeconds(20)).GET().build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }
}
