package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A loopback fake of Clari's API (v4) serving a seeded org, for tests, the demo and manual runs. Each
 * request is recorded first (credentials masked), then delayed and met by armed faults (see {@link Knobs}),
 * then authenticated ({@code apikey} header), then routed. Unknown paths answer 404 and other methods 405,
 * but are recorded all the same, so tests can prove our client never sends them.
 */
public final class ClariSandbox implements AutoCloseable {
    public static final String BASE_PATH = "/v4";
    /** Request bodies above this are refused (413) and recorded truncated: ours are a few hundred bytes. */
    static final int MAX_BODY_BYTES = 1 << 20;
    private static final int BACKLOG = 64;
    /** 127.0.0.1 literally (not getLoopbackAddress, which may be ::1): baseUrl names this address. */
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final int HUGE_CHUNK = 64 * 1024;
    /** Path segments we route on: anything else (encoded slashes, dots-only tricks) is simply not found. */
    private static final String SEGMENT = "[A-Za-z0-9_.-]+";

    static {
        // The JDK's HttpServer writes headers and body separately and leaves Nagle's algorithm on: on a kept-alive
        // connection, once Linux leaves quick-ACK mode (after ~16 requests), every answer then waited ~40 ms for a
        // delayed ACK (measured: 7 ms, then 48 ms from the 18th request on). Clari's servers do not behave so, and
        // the bench compares our time against the sandbox's own.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile String token; // replaced by rotateToken
    private final Knobs knobs = new Knobs();
    private final HostileKnobs hostile = new HostileKnobs();
    private final SandboxOrg org;
    private final ForecastExports exports;
    private final Opportunities opportunities;
    private final AuditEndpoint audit;
    private final List<RecordedRequest> recorded = new ArrayList<>();   // guarded by itself

    private ClariSandbox(Clock clock, int port) throws IOException {
        this(clock, port, null);
    }

    /** tls: serve HTTPS with this context (null: plain HTTP). */
    private ClariSandbox(Clock clock, int port, SSLContext tls) throws IOException {
        this.token = newToken();
        this.org = new SandboxOrg(clock, SandboxOrg.DEFAULT_SEED);
        this.exports = new ForecastExports(org, knobs, System::nanoTime);
        this.opportunities = new Opportunities(org, knobs);
        this.audit = new AuditEndpoint(org, BASE_PATH);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), port);
        if (tls == null) {
            this.server = HttpServer.create(address, BACKLOG);
        } else {
            HttpsServer https = HttpsServer.create(address, BACKLOG);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts on 127.0.0.1, an ephemeral port, the system clock (UTC). */
    public static ClariSandbox start() throws IOException {
        return start(Clock.systemUTC());
    }

    /** Starts with the given clock: it dates the seeded data and the job times (job progress uses real time). */
    public static ClariSandbox start(Clock clock) throws IOException {
        return new ClariSandbox(clock, 0);
    }

    /** Starts serving HTTPS on 127.0.0.1 with tls (e.g. {@link TestTls#serverContext()}, a certificate for 127.0.0.1). */
    public static ClariSandbox startHttps(SSLContext tls) throws IOException {
        return new ClariSandbox(Clock.systemUTC(), 0, tls);
    }

    public URI baseUrl() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + BASE_PATH);
    }

    public String token() { return token; }

    /** Revokes the token and issues another of the same length (as when IT rotates it); returns the new one. */
    public String rotateToken() {
        token = newToken();
        return token;
    }

    private static String newToken() {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return "sandbox-token-" + HexFormat.of().formatHex(secret);
    }
    public Knobs knobs() { return knobs; }

    /**
     * Prepares (and keeps) the results an export of forecastId for quarterId serves under
     * knobs().syntheticReps(reps), asked for as get_forecast asks; returns their size in bytes.
     */
    public int syntheticExportBytes(String forecastId, String quarterId, int reps) {
        return exports.syntheticFor(forecastId, quarterId, reps).length;
    }
    /** Attacks in shape, size and timing (security tests). */
    public HostileKnobs hostile() { return hostile; }
    public SandboxOrg org() { return org; }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            InputStream in = ex.getRequestBody();
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            boolean tooLarge = body.length > MAX_BODY_BYTES;
            if (tooLarge) body = Arrays.copyOf(body, MAX_BODY_BYTES);
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            synchronized (recorded) {
                recorded.add(new RecordedRequest(method, path, query,
                        RecordedRequest.masked(ex.getRequestHeaders()), new String(body, UTF_8)));
            }
            if (knobs.delay().isPositive()) Thread.sleep(knobs.delay());
            Reply reply = faultOrAuth(ex);
            if (reply == null) reply = tooLarge ? Reply.errors(413, "Request body too large") : route(method, path, query, body);
            send(ex, hostile.apply(reply));
        } catch (IOException | InterruptedException clientGoneOrClosing) {
            // The client hung up (e.g. it stopped reading a huge body) or the sandbox is closing.
        } catch (RuntimeException bug) {
            bug.printStackTrace();   // a sandbox bug: visible in the test log; the exchange is closed above
        }
    }

    private Reply faultOrAuth(HttpExchange ex) {
        if (knobs.takeRateLimit()) {
            Reply r = Reply.errors(429, "Too Many Requests");
            return new Reply(429, Map.of("Content-Type", Reply.JSON_TYPE, "Retry-After",
                    Integer.toString(knobs.retryAfterSeconds())), r.body());
        }
        if (knobs.takeFailure()) return Reply.html(knobs.failStatus());
        if (knobs.takeRedirect()) return Reply.empty(302, Map.of("Location", knobs.redirectLocation()));
        List<String> keys = ex.getRequestHeaders().get("apikey");
        boolean ok = keys != null && keys.size() == 1
                && MessageDigest.isEqual(keys.get(0).getBytes(UTF_8), token.getBytes(UTF_8));
        return ok ? null : Reply.badToken();
    }

    private Reply route(String method, String path, String query, byte[] body) {
        if (!path.startsWith(BASE_PATH + "/")) return notFound();
        String[] s = path.substring(BASE_PATH.length() + 1).split("/", -1);
        for (String segment : s) if (!segment.matches(SEGMENT)) return notFound();
        String route = String.join("/", s.length >= 3 && s[0].equals("export") ? withId(s, 2)
                : s.length == 2 && s[0].equals("forecast") ? withId(s, 1) : s);
        return switch (route) {
            case "export/forecast/{id}" -> only("POST", method, () -> exports.submit(s[2], body));
            case "forecast/{id}" -> only("GET", method, () -> exports.latestWeek(s[1], query));
            case "export/jobs/{id}" -> only("GET", method, () -> exports.status(s[2]));
            case "export/jobs/{id}/results" -> only("GET", method, () -> exports.results(s[2]));
            case "opportunity" -> only("GET", method, () -> opportunities.handle(query));
            case "audit/events" -> only("GET", method, () -> audit.handle(query));
            case "admin/limits" -> only("GET", method, exports::limits);
            default -> notFound();
        };
    }

    /** forecast/X, export/forecast/X and export/jobs/X[/...] with X (at index i) replaced by {id}, for the route table. */
    private static String[] withId(String[] s, int i) {
        String[] copy = s.clone();
        copy[i] = "{id}";
        return copy;
    }

    private static Reply only(String allowed, String method, Supplier<Reply> action) {
        if (method.equals(allowed)) return action.get();
        Reply r = Reply.errors(405, "Method Not Allowed");
        return new Reply(405, Map.of("Content-Type", Reply.JSON_TYPE, "Allow", allowed), r.body());
    }

    private static Reply notFound() {
        return Reply.errors(404, "Not Found");
    }

    private void send(HttpExchange ex, Reply reply) throws IOException {
        if (knobs.takeHuge()) {
            sendHuge(ex, knobs.hugeBytes());
            return;
        }
        byte[] body = reply.body();
        if (knobs.takeMalformed()) body = body.length > 1 ? Arrays.copyOf(body, body.length / 2) : "{".getBytes(UTF_8);
        if (hostile.trickle(ex, new Reply(reply.status(), reply.headers(), body))) return;
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        boolean noBody = body.length == 0 || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(reply.status(), noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A valid JSON object of exactly {@code size} bytes, {@code {"padding":"xxxx..."}}, streamed. */
    private static void sendHuge(HttpExchange ex, long size) throws IOException {
        byte[] head = "{\"padding\":\"".getBytes(UTF_8);
        byte[] tail = "\"}".getBytes(UTF_8);
        byte[] chunk = new byte[HUGE_CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        ex.getResponseHeaders().set("Content-Type", Reply.JSON_TYPE);
        ex.sendResponseHeaders(200, size);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(head);
            for (long left = size - head.length - tail.length; left > 0; left -= HUGE_CHUNK) {
                out.write(chunk, 0, (int) Math.min(left, HUGE_CHUNK));
            }
            out.write(tail);
        }
    }

    /** Runs until killed: {@code [--port N]}; prints the base URL, token and environment for our server. */
    public static void main(String[] args) throws Exception {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = i + 1 < args.length && args[i + 1].matches("\\d{1,5}") ? Integer.parseInt(args[++i]) : -1;
                default -> port = -1;
            }
            if (port < 0 || port > 65_535) {
                System.err.println("usage: ClariSandbox [--port N]");
                System.exit(2);
            }
        }
        ClariSandbox sandbox = start(Clock.systemUTC(), port);
        SandboxOrg org = sandbox.org();
        System.out.println("Clari sandbox listening on " + sandbox.baseUrl());
        System.out.printf("org: %d users, %d opportunities, %d audit events, current quarter %s%n",
                org.users().size(), org.opportunities().size(), org.auditEvents().size(), org.currentQuarter());
        System.out.println("export CLARI_BASE_URL=" + sandbox.baseUrl());
        System.out.println("export CLARI_API_TOKEN=" + sandbox.token());
        System.out.println("export CLARI_FORECAST_ID=forecast");
        System.out.flush();
        new CountDownLatch(1).await();   // the server threads serve; this one just keeps the process up
    }

    private static ClariSandbox start(Clock clock, int port) throws IOException {
        return new ClariSandbox(clock, port);
    }
}
