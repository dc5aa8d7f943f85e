package clarimcp.sandbox;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins every key the sandbox serves on /audit/events (answers, every page of the default window, and the
 * error body) to test/resources/clari-fields-audit.txt, where each key names its source: the sandbox cannot
 * drift back to invented names without the list, and its review, changing too.
 */
class AuditShapeTest {
    private static final Path LIST = Path.of(System.getProperty("clarimcp.resources", "test/resources"), "clari-fields-audit.txt");
    private static final Pattern LINE = Pattern.compile("^(\\S+) \\[(spec|tap|gitlab|guess)\\]$");

    @Test
    @Timeout(30)
    void everyServedKey_isListedWithItsSource_andEveryListedKeyIsServed() throws Exception {
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(LIST)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            var m = LINE.matcher(line);
            assertTrue(m.matches(), "key and [source] expected: " + line);
            assertTrue(listed.add(m.group(1)), "listed twice: " + line);
        }
        Set<String> served = new TreeSet<>();
        HttpClient http = HttpClient.newHttpClient();
        try (ClariSandbox sb = ClariSandbox.start()) {
            String base = "http://127.0.0.1:" + sb.baseUrl().getPort();
            String link = "/v4/audit/events?limit=1000";
            for (int pages = 0; link != null; pages++) {
                assertTrue(pages < 20, "runaway pagination");
                Json.Obj page = (Json.Obj) get(http, sb, base + link, 200);
                collect("", page, served);
                link = page.str("nextLink");
            }
            collect("", get(http, sb, base + "/v4/audit/events?limit=0", 400), served);
        }
        assertEquals(listed, served);
    }

    private static Json get(HttpClient http, ClariSandbox sb, String url, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("apikey", sb.token())
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        return JsonParser.parse(r.body());
    }

    /** Object keys as paths: {@code items[].actorId}, {@code items[].eventParameters.field}. */
    private static void collect(String prefix, Json v, Set<String> out) {
        switch (v) {
            case Json.Obj o -> o.members().forEach((k, x) -> {
                out.add(prefix + k);
                collect(prefix + k + (x instanceof Json.Arr ? "" : "."), x, out);
            });
            case Json.Arr a -> a.items().forEach(x -> collect(prefix + "[].", x, out));
            default -> { }
        }
    }
}
