package clarimcp.bench;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The yardstick of make bench: about the least a Java stdio server can do. `build.sh --minimal-image`
 * links it as module {@code minimal} into build/bench/minimal-image, made like the product image (same
 * modules, options, launcher and a cache trained on the same two messages), so start-up is compared side
 * by side. Each non-blank line gets one reply line, {@code "id"} counting lines from 0 (the bench sends ids
 * 0, 1, ... in order); the first reply looks like an initialize result.
 *
 * <p>With MINIMAL_URL set, a line containing "tools/call" first GETs that URL (header apikey: MINIMAL_TOKEN)
 * with the JDK HTTP client, built on first use as the product builds its own: the bench's floor for the
 * memory of any server that calls an HTTP API with java.net.http.
 */
public final class Minimal {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Minimal() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String url = System.getenv("MINIMAL_URL");
        String token = System.getenv().getOrDefault("MINIMAL_TOKEN", "none");
        HttpClient http = null;
        int id = 0;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isBlank()) continue;
            String result = "{}";
            if (id == 0) {
                result = "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                        + "\"serverInfo\":{\"name\":\"minimal\",\"version\":\"1\"}}";
            } else if (url != null && line.contains("tools/call")) {
                if (http == null) {
                    http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                            .connectTimeout(TIMEOUT).build();
                }
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                        .header("apikey", token).build(), HttpResponse.BodyHandlers.ofByteArray());
                result = "{\"status\":" + r.statusCode() + ",\"bytes\":" + r.body().length + "}";
            }
            out.print("{\"jsonrpc\":\"2.0\",\"id\":" + id++ + ",\"result\":" + result + "}\n");
            out.flush();
        }
    }
}
