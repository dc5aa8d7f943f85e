package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins every JSON key the sandbox serves to test/resources/clari-fields.txt, where each key names the public
 * source that shows it: a key the sandbox invents, or one it stops serving, fails here. Sections are the
 * file's "== endpoint" headings; other helpers add their endpoints' sections the same way.
 */
@Timeout(30)
class ClariFieldsTest {
    private static final Path FIELDS = Path.of("test/resources/clari-fields.txt");
    private static final String TYPES = "typesToExport=forecast&typesToExport=quota&typesToExport=forecast_updated"
            + "&typesToExport=adjustment&typesToExport=crm_total&typesToExport=crm_closed";

    @Test
    void everyForecastKeyTheSandboxServes_isListedWithItsSource_andEveryListedKeyIsServed() throws Exception {
        Map<String, SortedSet<String>> listed = listed();
        try (ClariSandbox sb = ClariSandbox.start(); HttpClient http = HttpClient.newHttpClient()) {
            Client c = new Client(sb, http);
            SortedSet<String> lists = keys(c.json("GET", "/forecast/forecast?" + TYPES + "&exportFormat=JSON", null));
            sb.knobs().jobDuration(Duration.ZERO);
            Json submitted = c.json("POST", "/export/forecast/forecast",
                    "{\"typesToExport\":[\"forecast\",\"quota\",\"forecast_updated\",\"adjustment\"],\"includeHistorical\":true}");
            String jobId = ((Json.Obj) submitted).str("jobId");
            lists.addAll(keys(c.json("GET", "/export/jobs/" + jobId + "/results", null)));
            assertEquals(listed.get("GET /forecast/{forecastId} and GET /export/jobs/{jobId}/results"), lists);
            assertEquals(listed.get("POST /export/forecast/{forecastId}"), keys(submitted));

            SortedSet<String> job = keys(c.json("GET", "/export/jobs/" + jobId, null));
            sb.knobs().nestJobStatus(true);
            Json.Obj nested = (Json.Obj) c.json("GET", "/export/jobs/" + jobId, null);
            assertEquals(job, keys(nested.get("job")), "nested or flat, the same keys");
            job.addAll(nested.members().keySet());
            assertEquals(listed.get("GET /export/jobs/{jobId} (flat; nested under \"job\" by a knob [gitlab])"), job);
            assertEquals(listed.get("GET /admin/limits"), keys(c.json("GET", "/admin/limits", null)));

            SortedSet<String> errors = keys(c.json("GET", "/forecast/nope", null));
            errors.addAll(keys(c.json("POST", "/export/forecast/forecast", "{\"typesToExport\":[\"crm_total\"]}")));
            errors.addAll(keys(c.json("GET", "/export/jobs/0123456789abcdef01234567/results", null)));
            sb.knobs().noOptin(true);
            errors.addAll(keys(c.json("GET", "/forecast/forecast", null)));
            sb.knobs().reset().monthlyQuota(0);
            errors.addAll(keys(c.json("POST", "/export/forecast/forecast", "{}")));
            assertEquals(listed.get("forecast and export errors (400, 401 no_optin)"), errors);

            HttpResponse<byte[]> bad = http.send(HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/admin/limits"))
                    .header("apikey", "not-the-token").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(401, bad.statusCode());
            assertEquals(listed.get("401 bad token"), keys(JsonParser.parse(bad.body())));
        }
    }

    /** The file's sections: heading -> key paths; every key line carries a [source] tag. */
    private static Map<String, SortedSet<String>> listed() throws Exception {
        Map<String, SortedSet<String>> out = new LinkedHashMap<>();
        SortedSet<String> current = null;
        for (String line : Files.readAllLines(FIELDS, UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("== ")) {
                current = new TreeSet<>();
                out.put(line.substring(3).strip(), current);
                continue;
            }
            String[] parts = line.strip().split("\\s+", 2);
            assertTrue(parts.length == 2 && parts[1].matches("(\\[(spec|tap|gitlab)\\])+"), "a key without its source: " + line);
            assertTrue(current != null && current.add(parts[0]), "a key outside a section, or twice: " + line);
        }
        return out;
    }

    /** Every key path in v: "a", "a.b" inside an object, "a[].b" inside the objects of an array. */
    static SortedSet<String> keys(Json v) {
        SortedSet<String> out = new TreeSet<>();
        collect(v, "", out);
        return out;
    }

    private static void collect(Json v, String prefix, SortedSet<String> out) {
        switch (v) {
            case Json.Obj o -> {
                for (String k : o.members().keySet()) {
                    out.add(prefix + k);
                    collect(o.get(k), prefix + k + ".", out);
                }
            }
            case Json.Arr a -> {
                String inside = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1) + "[].";
                for (Json item : a.items()) collect(item, inside, out);
            }
            default -> { }
        }
    }

    private record Client(ClariSandbox sb, HttpClient http) {
        Json json(String method, String pathAndQuery, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sb.baseUrl() + pathAndQuery)).header("apikey", sb.token())
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return JsonParser.parse(http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
        }
    }
}
