package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Clari REST client (read-only). URLs are built from the configured base and checked path segments;
 * every request goes through {@link #send}, which enforces {@link ReadOnlyPolicy}, sets the apikey header,
 * bounds time and body size, retries per {@link ClariErrors} and maps failures there too. A dry run
 * ({@link #planning}) builds and checks each request the same way and hands it out instead of sending it.
 * Thread-safe: one instance serves the whole process; each tool call works on a view of it ({@link #forCall}).
 */
public final class ClariClient {
    /** Largest response read: forecast exports reach tens of MB; beyond this we stop rather than risk the heap. */
    public static final int MAX_RESPONSE_BYTES = JsonParser.DEFAULT_MAX_BYTES;
    /** Opportunity ids per call: Clari's documented page size; batching is the caller's job. */
    public static final int MAX_OPPORTUNITY_IDS = 100;
    /** TCP and TLS setup: far above a healthy handshake, short enough to report a dead network quickly. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The probe after a failed connection: a reachable port opens in milliseconds; the failure already waited. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** Whole exchange, body included: a 64 MB export result over a slow link still fits. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    /** Keep in step with Help.VERSION (clari may not depend on Main). */
    static final String USER_AGENT = "clari-revops-mcp/0.1.0";

    /**
     * Told of every HTTP exchange, retries included, so the caller can count them (e.g. for a log line). Called
     * on the thread that made the exchange; must be thread-safe, as a call's batches may run in parallel. Sees
     * no ids, query, headers or bodies.
     */
    @FunctionalInterface
    public interface ExchangeObserver {
        /** pathTemplate: e.g. /export/jobs/{jobId}; status: the HTTP status, or 0 when no response arrived. */
        void exchange(String method, String pathTemplate, int status);
    }

    /**
     * A request a dry run would have sent, fully formed (the allowlist already passed) but with the token and
     * proxy credentials masked: method, URL, the headers this client sets in name order, and the JSON body
     * (null when none).
     */
    public record PlannedRequest(String method, URI uri, Map<String, String> headers, String body) {}

    /** Waits between retries; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** Read for the proxy (failure messages) and the per-call limits (CLARI_CALL_TIMEOUT_SECONDS, CLARI_CALL_MAX_MB). */
    private final ClariConfig config;
    private final TokenSource tokens;
    /** Basic credentials for the HTTPS proxy, or null (see {@link Transport#proxyAuthorization}). */
    private final Secret proxyAuthorization;
    private final URI base;
    private final ReadOnlyPolicy policy;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxResponseBytes;
    private final Sleeper sleeper;
    private final ExchangeObserver observer;
    /** Non-null in a dry run: requests go here instead of the network. */
    private final Consumer<PlannedRequest> planner;
    /** The budget of the tool call this view serves; null: each request gets a fresh one (--check, tests). */
    private final CallBudget budget;

    /** Throws IllegalArgumentException, saying what to fix, when CLARI_CA_BUNDLE cannot be used. */
    public ClariClient(ClariConfig config) {
        this(config, Transport.client(config.network(), CONNECT_TIMEOUT), REQUEST_TIMEOUT, MAX_RESPONSE_BYTES, Thread::sleep);
    }

    ClariClient(ClariConfig config, HttpClient http, Duration requestTimeout, int maxResponseBytes, Sleeper sleeper) {
        this(config, new TokenSource(config), http, requestTimeout, maxResponseBytes, sleeper, (m, p, s) -> { }, null, null);
    }

    private ClariClient(ClariConfig config, TokenSource tokens, HttpClient http, Duration requestTimeout, int maxResponseBytes,
            Sleeper sleeper, ExchangeObserver observer, Consumer<PlannedRequest> planner, CallBudget budget) {
        this.config = config;
        this.tokens = tokens;
        this.proxyAuthorization = Transport.proxyAuthorization(config.network(), config.baseUrl());
        this.base = URI.create(config.baseUrl().toString().replaceAll("/+$", ""));
        this.policy = new ReadOnlyPolicy(base);
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxResponseBytes = maxResponseBytes;
        this.sleeper = sleeper;
        this.observer = observer;
        this.planner = planner;
        this.budget = budget;
    }

    /**
     * The view for one tool call (same connections, settings and token): reports each exchange to observer, so
     * concurrent calls count their own requests without shared mutable state, and all its requests share one
     * {@link CallBudget} (CLARI_CALL_TIMEOUT_SECONDS from now, CLARI_CALL_MAX_MB read), so no call outlives or
     * outgrows it.
     */
    public ClariClient forCall(ExchangeObserver observer) {
        return new ClariClient(config, tokens, http, requestTimeout, maxResponseBytes, sleeper, observer, planner,
                new CallBudget(config.callTimeout(), config.callMaxBytes()));
    }

    /**
     * This client in a dry run: each request is built and checked as usual, handed to planner with the
     * token masked, and never sent; the call then fails with status 0 ("not sent"), as if no answer came.
     */
    public ClariClient planning(Consumer<PlannedRequest> planner) {
        return new ClariClient(config, tokens, http, requestTimeout, maxResponseBytes, sleeper, observer,
                Objects.requireNonNull(planner), budget);
    }

    /** A warning about how the token is stored (a token file readable by others), or null. */
    public String tokenWarning() {
        return tokens.permissionWarning();
    }

    /** Who else could write the token file (writable by others, another owner), or null. */
    public String tokenOwnershipProblem() {
        return tokens.ownershipProblem();
    }

    /** What keeps the token from being read (an unreadable or malformed CLARI_API_TOKEN_FILE), or null. */
    public String tokenProblem() {
        try {
            tokens.current();
            return null;
        } catch (ClariException e) {
            return e.getMessage();
        }
    }

    /**
     * GET /forecast/{forecastId} with query parameters (a list value is repeated, as typesToExport is [tap]);
     * the latest week of the forecast in the five lists of an export, without a job [tap][gitlab].
     */
    public Json forecast(String forecastId, Map<String, List<String>> query) throws ClariException, InterruptedException {
        return forecast(forecastId, query, Map.of());
    }

    /** {@link #forecast(String, Map)} handing out the named top-level arrays as {@link #exportResults} does. */
    public Json forecast(String forecastId, Map<String, List<String>> query, Map<String, ? extends Consumer<? super Json>> handlers)
            throws ClariException, InterruptedException {
        String id = segment("forecastId", forecastId);
        return send("GET", uri("/forecast/" + id + query(query)), "/forecast/{forecastId}", null, "forecast '" + id + "'", true,
                handlers);
    }

    /** POST /export/forecast/{forecastId} with a JSON body; returns the parsed answer ({"jobId":...}). */
    public Json submitForecastExport(String forecastId, Json.Obj body) throws ClariException, InterruptedException {
        String id = segment("forecastId", forecastId);
        return send("POST", uri("/export/forecast/" + id), "/export/forecast/{forecastId}", body == null ? Json.Obj.EMPTY : body,
                "forecast '" + id + "'", true, Map.of());
    }

    /** GET /export/jobs/{jobId}. */
    public Json exportJob(String jobId) throws ClariException, InterruptedException {
        String id = segment("jobId", jobId);
        return send("GET", uri("/export/jobs/" + id), "/export/jobs/{jobId}", null, "export job '" + id + "'", true, Map.of());
    }

    /**
     * GET /export/jobs/{jobId}/results, handing each element of the named top-level arrays (e.g. "entries")
     * to its handler as it is parsed instead of keeping it; returns the rest (users, fields, timePeriods,
     * timeFrames). A malformed body fails after elements may have been handed out, so the caller must discard
     * what it built from them. With handlers the body is read as it arrives (CappedBody.Streamed) and parsed on
     * the calling thread, so it is never held whole; it is retried like any GET only until the first element
     * has been handed out. Without handlers it is collected whole first.
     */
    public Json exportResults(String jobId, Map<String, ? extends Consumer<? super Json>> handlers)
            throws ClariException, InterruptedException {
        String id = segment("jobId", jobId);
        return send("GET", uri("/export/jobs/" + id + "/results"), "/export/jobs/{jobId}/results", null,
                "results of export job '" + id + "'", true, handlers);
    }

    /** GET /opportunity?oppId=..&oppId=.. (1 to {@link #MAX_OPPORTUNITY_IDS} ids, else IllegalArgumentException). */
    public Json opportunities(List<String> oppIds) throws ClariException, InterruptedException {
        if (oppIds.isEmpty() || oppIds.size() > MAX_OPPORTUNITY_IDS) {
            throw new IllegalArgumentException("between 1 and " + MAX_OPPORTUNITY_IDS + " opportunity ids per call, got "
                    + oppIds.size());
        }
        return send("GET", uri("/opportunity" + query(Map.of("oppId", oppIds))), "/opportunity", null, "opportunities", false,
                Map.of());
    }

    /** GET /audit/events with the given query parameters (e.g. dateFrom, dateTo, limit); null values are left out. */
    public Json auditEvents(Map<String, String> query) throws ClariException, InterruptedException {
        return send("GET", uri("/audit/events" + query(query)), "/audit/events", null, "audit events", false, Map.of());
    }

    /** GET the nextLink of an audit page (relative or absolute; other hosts and paths refused). */
    public Json auditEventsPage(String nextLink) throws ClariException, InterruptedException {
        return send("GET", policy.nextLink(nextLink), "/audit/events", null, "audit events", false, Map.of());
    }

    /** GET /admin/limits. */
    public Json adminLimits() throws ClariException, InterruptedException {
        return send("GET", uri("/admin/limits"), "/admin/limits", null, "admin limits", false, Map.of());
    }

    /** What is left of this tool call's time (CLARI_CALL_TIMEOUT_SECONDS), for waits between requests; long when no call owns this view. */
    public Duration timeLeft() {
        return budget != null ? budget.remaining() : Duration.ofDays(1);
    }

    /**
     * The one way out: the allowlist is checked before anything is built or sent (IllegalStateException
     * otherwise). template is the path as the observer sees it; what names the object for error messages;
     * byId says a 404 means a wrong id; handlers, when not empty, take the named arrays of a streamed body.
     * Package-private only so tests can show that refused requests never leave.
     */
    Json send(String method, URI uri, String template, Json.Obj body, String what, boolean byId,
            Map<String, ? extends Consumer<? super Json>> handlers) throws ClariException, InterruptedException {
        policy.check(method, uri);
        Secret token = tokens.current();
        HttpRequest request = request(method, uri, body, token);
        if (planner != null) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().map().forEach((name, values) -> headers.put(name, name.equalsIgnoreCase("apikey")
                    || name.equalsIgnoreCase("Proxy-Authorization") ? Secret.MASK : String.join(", ", values)));
            planner.accept(new PlannedRequest(method, uri, Collections.unmodifiableMap(headers),
                    body == null ? null : JsonWriter.write(body)));
            throw new ClariException(0, "dry run: the request was not sent");
        }
        CallBudget call = budget != null ? budget : new CallBudget(config.callTimeout(), config.callMaxBytes());
        boolean refreshed = false;
        AtomicInteger handedOut = new AtomicInteger(); // elements given to handlers: after the first, never retry
        for (int attempt = 0; ; attempt++) {
            Duration wait;
            int cap = (int) Math.min(maxResponseBytes, call.bytesLeft()); // below maxResponseBytes: the call's bytes set it
            try {
                if (!call.remaining().isPositive()) throw call.overTime(what);
                HttpResponse<?> response = attempt(method, template, request, call, what, cap, !handlers.isEmpty());
                int status = response.statusCode();
                if (status >= 200 && status < 300) return parse(response, what, handlers, handedOut, token, call);
                byte[] errorBody = bytes(response, call);
                // A 401 with a code (no_optin) refuses the user, not the token [spec]: no token re-read for it.
                if (status == 401 && !refreshed && ClariErrors.code(errorBody) == null && tokens.refreshAfterRejection(token)) {
                    refreshed = true; // the token file was rotated under us: one more try with the new token, at once
                    token = tokens.current();
                    request = request(method, uri, body, token);
                    attempt--;
                    continue;
                }
                Duration retryAfter = ClariErrors.retryAfter(response.headers().firstValue("Retry-After").orElse(null),
                        Instant.now());
                boolean again = attempt < ClariErrors.MAX_RETRIES && ClariErrors.retryableStatus(method, status)
                        && (retryAfter == null || retryAfter.compareTo(ClariErrors.MAX_WAIT) <= 0);
                if (!again) throw ClariErrors.forStatus(status, errorBody, what, byId, retryAfter, token, tokens.variable());
                wait = retryAfter != null ? retryAfter : ClariErrors.backoff(attempt, ThreadLocalRandom.current());
            } catch (CappedBody.TooLarge t) { // a streamed body over the cap (a collected one is mapped in attempt)
                throw overCap(t, cap, call);
            } catch (IOException e) {
                if (Thread.interrupted()) throw new InterruptedException(); // a cancelled streamed read
                if (!call.remaining().isPositive()) throw call.overTime(what); // a stream closed at the call's deadline
                if (handedOut.get() > 0 || attempt >= ClariErrors.MAX_RETRIES || !ClariErrors.retryableFailure(method, e)) {
                    throw failure(e, attempt + 1, call.elapsed());
                }
                wait = ClariErrors.backoff(attempt, ThreadLocalRandom.current());
            }
            Duration left = call.remaining();
            sleeper.sleep(wait.compareTo(left) < 0 ? wait : left.isNegative() ? Duration.ZERO : left); // then the time check ends it
        }
    }

    /** The failure after attempts tries and elapsed time in all, named with host, port and cause; a direct connection that failed is probed to say why. */
    private ClariException failure(IOException e, int attempts, Duration elapsed) {
        String host = base.getHost();
        int port = ReadOnlyPolicy.port(base);
        ClariConfig.Network network = config.network();
        ClariConfig.Network.Proxy proxy = network.proxy();
        boolean direct = proxy == null || network.bypasses(host); // -Dhttps.proxyHost users get a probe of the target; rare
        String where = host + ":" + port + (direct ? "" : " through the proxy " + proxy.host() + ":" + proxy.port());
        boolean notConnected = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
        String tcp = direct && notConnected ? Transport.probe(host, port, PROBE_TIMEOUT) : null;
        return ClariErrors.forFailure(e, where, http.connectTimeout().orElse(CONNECT_TIMEOUT), requestTimeout, tcp, attempts, elapsed);
    }

    private HttpRequest request(String method, URI uri, Json.Obj body, Secret token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("apikey", token.reveal())
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (proxyAuthorization != null) b.header("Proxy-Authorization", proxyAuthorization.reveal());
        if (body == null) return b.method(method, HttpRequest.BodyPublishers.noBody()).build();
        return b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JsonWriter.write(body), UTF_8))
                .build();
    }

    /**
     * One attempt, reported to the observer: its status, or 0 when no complete response (or no headers, streamed)
     * arrived. Bounded from start to last body byte by requestTimeout or by what is left of the call's time,
     * whichever ends first; its body by cap (maxResponseBytes or what is left of the call's bytes). A streamed
     * body (CappedBody.Streamed) is read later, as it arrives, and closed when that time has passed, so the
     * deadline covers it as it does a collected one. Interruption cancels the attempt.
     */
    private HttpResponse<?> attempt(String method, String template, HttpRequest request, CallBudget call, String what, int cap,
            boolean streamed) throws IOException, ClariException, InterruptedException {
        long start = System.nanoTime();
        Duration left = call.remaining();
        boolean callTimed = left.compareTo(requestTimeout) < 0;
        long limit = (callTimed ? left : requestTimeout).toNanos();
        CompletableFuture<? extends HttpResponse<?>> future = streamed
                ? http.sendAsync(request, info -> CappedBody.Streamed.subscriber(info, cap))
                : http.sendAsync(request, info -> new CappedBody(info, cap));
        int status = 0;
        try {
            HttpResponse<?> response = future.get(limit, TimeUnit.NANOSECONDS);
            if (response.body() instanceof byte[] b) call.spend(b.length); // null: a proxy's 407 to the CONNECT
            if (response.body() instanceof CappedBody.Streamed body) { // counted as it is read
                long rest = limit - (System.nanoTime() - start);
                CompletableFuture.delayedExecutor(Math.max(0, rest), TimeUnit.NANOSECONDS).execute(body::expire);
            }
            status = response.statusCode();
            return response;
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            if (callTimed) throw call.overTime(what);
            throw new HttpTimeoutException("request timed out");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
            if (cause instanceof CappedBody.TooLarge t) {
                ClariException over = overCap(t, cap, call);
                status = over.status();
                throw over;
            }
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err; // e.g. out of memory collecting the body: the tool runner answers it
            throw new IOException(cause);
        } finally {
            observer.exchange(method, template, status);
        }
    }

    /** A body over cap: over the call's bytes (CLARI_CALL_MAX_MB) when they set the cap, else over one response's. */
    private ClariException overCap(CappedBody.TooLarge t, int cap, CallBudget call) {
        if (cap < maxResponseBytes) return call.overBytes();
        return new ClariException(t.status, "Clari's response exceeded " + ClariErrors.size(maxResponseBytes)
                + "; ask for less (a shorter period, fewer ids or fewer export types)");
    }

    /**
     * The body of a response that is not parsed (an error): collected, or read whole from its capped stream
     * and counted against the call; null when there is none (a proxy's 407 to CONNECT comes without one).
     */
    private static byte[] bytes(HttpResponse<?> response, CallBudget call) throws IOException {
        if (!(response.body() instanceof InputStream stream)) return (byte[]) response.body();
        try (InputStream in = stream) {
            byte[] b = in.readAllBytes();
            call.spend(b.length);
            return b;
        }
    }

    /**
     * The parsed answer with the token masked wherever Clari echoes it, even split by invisible characters;
     * elements of the arrays named in handlers are masked, counted in handedOut and handed out one by one (never held).
     */
    private Json parse(HttpResponse<?> response, String what, Map<String, ? extends Consumer<? super Json>> handlers,
            AtomicInteger handedOut, Secret token, CallBudget call) throws ClariException, IOException {
        Map<String, Consumer<Json>> masking = new HashMap<>();
        handlers.forEach((key, handler) -> masking.put(key, element -> {
            handedOut.incrementAndGet();
            handler.accept(Sanitize.masked(element, token));
        }));
        try {
            if (response.body() instanceof byte[] b) return Sanitize.masked(JsonParser.parseStreaming(b, maxResponseBytes, masking), token);
            CappedBody.Streamed in = (CappedBody.Streamed) response.body();
            try (in) {
                return Sanitize.masked(JsonParser.parseStreaming(in, maxResponseBytes, masking), token);
            } finally {
                call.spend(in.count());
            }
        } catch (JsonException e) {
            throw ClariErrors.notJson(response.statusCode(), what, e);
        }
    }

    private URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    private static String segment(String name, String value) {
        if (!ReadOnlyPolicy.isSegment(value)) {
            throw new IllegalArgumentException(name + " must be 1-128 letters, digits, _ . : - (not '.' or '..')");
        }
        return value;
    }

    /** "?k=v&.." (or ""), each part encoded; a list value repeats its key, a null value is left out. */
    private static String query(Map<String, ?> params) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> {
            for (Object one : v instanceof List<?> list ? list : Collections.singletonList(v)) {
                if (one != null) q.add(encode(k) + "=" + encode(one.toString()));
            }
        });
        return q.toString();
    }

    /** Query component encoding (UTF-8); a space becomes %20, which every server reads the same way. */
    private static String encode(String s) {
        return URLEncoder.encode(s, UTF_8).replace("+", "%20");
    }

    /**
     * What one tool call may spend on Clari, all its requests together (retries, paging, batches, polls):
     * wall-clock time from the call's start and bytes read. Per-response limits alone let one call wait for
     * hours (each timed-out GET retried) or hold ten maximal answers at once. Thread-safe: a call's batches
     * may run in parallel. Messages give the true elapsed time and name the setting that changes the limit.
     */
    private record CallBudget(long startNanos, Duration limit, long maxBytes, AtomicLong read) {
        CallBudget(Duration limit, long maxBytes) {
            this(System.nanoTime(), limit, maxBytes, new AtomicLong());
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        /** Time left before the deadline; zero or negative once it has passed. */
        Duration remaining() {
            return limit.minus(elapsed());
        }

        /** Bytes the next response may still hold. */
        long bytesLeft() {
            return Math.max(0, maxBytes - read.get());
        }

        /** Counts a response body (error bodies too: they cost memory and time as well). */
        void spend(long bytes) {
            read.addAndGet(bytes);
        }

        ClariException overTime(String what) {
            return new ClariException(0, "no complete answer from Clari for " + what + " within this call's limit of "
                    + ClariErrors.seconds(limit) + " s (stopped after " + ClariErrors.seconds(elapsed())
                    + " s): try again later, ask for less, or raise CLARI_CALL_TIMEOUT_SECONDS");
        }

        ClariException overBytes() {
            return new ClariException(0, "Clari's answers for this call exceeded " + ClariErrors.size(maxBytes)
                    + " in all (CLARI_CALL_MAX_MB); ask for less (a shorter period, fewer ids or fewer export types)");
        }
    }
}
