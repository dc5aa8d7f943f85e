package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Hostile answers, for the security tests: Clari (or whatever sits at CLARI_BASE_URL) is a trust boundary,
 * so the sandbox can be made to lie in shape, size and timing. Kept apart from {@link Knobs} (the faults a
 * healthy Clari shows) because these are attacks. Applied after routing and the ordinary knobs, in this
 * order: a raw replacement, else the JSON transform; then, if armed, the body is trickled.
 */
public final class HostileKnobs {
    private volatile UnaryOperator<Json> transform;
    private volatile Reply raw;
    private volatile Duration trickleEvery = Duration.ZERO;
    private final AtomicInteger rawLeft = new AtomicInteger();
    private final AtomicInteger trickleLeft = new AtomicInteger();

    /** Every JSON body (any status) is parsed, passed through f and re-serialised; null turns it off. */
    public HostileKnobs transform(UnaryOperator<Json> f) {
        transform = f;
        return this;
    }

    /** The next n responses are exactly this status, Content-Type and body (an HTML page, 100,000 '[', ...). */
    public HostileKnobs rawNext(int n, int status, String contentType, byte[] body) {
        raw = new Reply(status, Map.of("Content-Type", Objects.requireNonNull(contentType)), body.clone());
        rawLeft.set(n);
        return this;
    }

    /** The next n responses send their headers at once, then the body one byte per interval (slowloris). */
    public HostileKnobs trickleNext(int n, Duration interval) {
        trickleEvery = interval;
        trickleLeft.set(n);
        return this;
    }

    public HostileKnobs reset() {
        transform = null;
        rawLeft.set(0);
        trickleLeft.set(0);
        return this;
    }

    /** The reply as the hostile settings make it. */
    Reply apply(Reply reply) {
        if (take(rawLeft)) return raw;
        UnaryOperator<Json> f = transform;
        if (f == null || reply.body().length == 0) return reply;
        try {
            Json changed = f.apply(JsonParser.parse(reply.body()));
            return new Reply(reply.status(), reply.headers(), JsonWriter.write(changed).getBytes(UTF_8));
        } catch (JsonException notJson) {
            return reply; // an HTML page from another knob stays as it is
        }
    }

    /** Sends reply byte by byte when armed; false (nothing sent) otherwise. */
    boolean trickle(HttpExchange ex, Reply reply) throws IOException {
        if (!take(trickleLeft)) return false;
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            for (byte b : reply.body()) {
                out.write(b);
                out.flush();
                Thread.sleep(trickleEvery);
            }
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
}
