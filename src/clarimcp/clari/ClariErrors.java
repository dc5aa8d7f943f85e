package clarimcp.clari;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A failed exchange: whether it is tried again, and the short, actionable ClariException it becomes. Only
 * answers that say "later" (429, 5xx) and lost connections are retried, a bounded number of times, with
 * exponential backoff and jitter. Messages are fixed text plus values we control (status, host, the caller's
 * "what"); the only text taken from Clari is the message of a JSON error body, stripped of control and
 * invisible characters and truncated. Never the raw body, never the token.
 */
final class ClariErrors {
    /** Retries after the first attempt: enough to ride out a blip, few enough to answer within a tool call. */
    static final int MAX_RETRIES = 3;
    /** First backoff; doubles each retry. */
    static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** Longest single wait: a Retry-After beyond it ends the call with "try again later" instead of blocking. */
    static final Duration MAX_WAIT = Duration.ofSeconds(30);
    /** Longest piece of Clari's own error text we pass on: enough for a sentence, too short to carry a page. */
    static final int MAX_DETAIL_CHARS = 200;
    /** Error bodies are parsed only up to this size; a bigger one is not a JSON error message. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    /** What we pass on as an error code: Clari's are snake_case words; anything else is not shown. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private ClariErrors() {}

    /**
     * Whether an HTTP status is worth another attempt. The export POST is retried only on 429 and 503,
     * which say the request was not taken; after a 500 or 502 a job may already have been queued.
     */
    static boolean retryableStatus(String method, int status) {
        if (status == 429 || status == 503) return true;
        // 501 Not Implemented is no passing fault: get_forecast falls back to an export at once, not after the retries.
        return method.equals("GET") && status >= 500 && status <= 599 && status != 501;
    }

    /**
     * Whether a call that got no answer may be repeated: GETs whose connection was lost (they change nothing);
     * never the POST, since Clari may have queued the job before the connection broke or the timeout struck;
     * never a connection that could not be made (refused, timed out connecting, TLS handshake failed), which a
     * retry would only repeat, and the first of whose several 10 s waits already says where to look.
     */
    static boolean retryableFailure(String method, IOException e) {
        boolean notConnected = e instanceof ConnectException || e instanceof HttpConnectTimeoutException || e instanceof SSLException;
        return method.equals("GET") && !notConnected;
    }

    /** Backoff before retry number attempt (0-based): INITIAL_BACKOFF * 2^attempt, capped, times a jitter in [0.5, 1). */
    static Duration backoff(int attempt, RandomGenerator random) {
        Duration full = INITIAL_BACKOFF.multipliedBy(1L << Math.min(attempt, 20));
        if (full.compareTo(MAX_WAIT) > 0) full = MAX_WAIT;
        return Duration.ofMillis((long) (full.toMillis() * random.nextDouble(0.5, 1.0)));
    }

    /**
     * The wait a Retry-After header asks for (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date),
     * never negative; null when the header is absent or unreadable.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) return null;
        String v = header.strip();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return v.length() > 9 ? Duration.ofSeconds(999_999_999) : Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * what: the object of the call ("forecast 'net_arr'"); byId: whether a 404 means a wrong id (rather
     * than a wrong base URL); retryAfter: the wait Clari asked for on a 429, or null; token: masked in Clari's
     * text; tokenVariable: where the token comes from (CLARI_API_TOKEN or CLARI_API_TOKEN_FILE), for the 401 advice.
     */
    static ClariException forStatus(int status, byte[] body, String what, boolean byId, Duration retryAfter, Secret token,
            String tokenVariable) {
        String code = code(body);
        String message = switch (code == null ? "" : code) {
            case "no_optin" -> "Clari says the token's user is not opted into " + what + " (or the scope asked for) "
                    + "(HTTP " + status + " no_optin): ask a Clari admin to give that user access; the token itself is valid";
            case "no_such_forecast_config" -> "Clari has no " + what + " (HTTP " + status + " no_such_forecast_config): "
                    + "use the forecast tab id from the Clari URL (e.g. net_arr)";
            // Other codes: the status says more for a passing fault; else Clari's own code and message.
            default -> code != null && status < 500 && status != 429 ? refused(status, code, body, what, token)
                    : byStatus(status, body, what, byId, retryAfter, token, tokenVariable) + (code == null ? "" : " (" + code + ")");
        };
        return new ClariException(status, code, message);
    }

    private static String byStatus(int status, byte[] body, String what, boolean byId, Duration retryAfter, Secret token,
            String tokenVariable) {
        return switch (status) {
            case 401 -> "Clari rejected the API token (401): check " + tokenVariable + "; tokens are created under "
                    + "Account Settings → API Token in Clari and stop working when the user who made them is deactivated";
            case 403 -> "Clari denied access (403): the token's user lacks permission for " + what;
            case 404 -> byId ? what + " not found (404): check the id"
                    : what + " not found (404): check CLARI_BASE_URL (it should end with the API version, e.g. /v4)";
            case 407 -> "the proxy refused the request (407): check the user and password in HTTPS_PROXY "
                    + "(percent-encode ':' and '@' in them)";
            case 429 -> "Clari rate limit reached; try again in "
                    + (retryAfter == null ? "a minute" : seconds(retryAfter) + " s");
            default -> {
                if (status >= 500) yield "Clari is unavailable (HTTP " + status + "); try again later";
                if (status >= 300 && status < 400) {
                    yield "Clari answered with a redirect (HTTP " + status + "), which is never followed: check CLARI_BASE_URL";
                }
                yield refused(status, null, body, what, token);
            }
        };
    }

    /** "Clari refused the request for what (HTTP 400 bad_request): Clari's own message". */
    private static String refused(int status, String code, byte[] body, String what, Secret token) {
        String detail = detail(body, token);
        return "Clari refused the request for " + what + " (HTTP " + status + (code == null ? "" : " " + code) + ")"
                + (detail == null ? "" : ": " + detail);
    }

    /**
     * The code of Clari's error body ({"code":"no_optin",...} [spec], or the first of {"errors":[{"code"}]}),
     * when it looks like one (letters, digits, _ . -; at most 64); else null.
     */
    static String code(byte[] body) {
        String code = switch (errorBody(body)) {
            case Json.Obj o when o.str("code") != null -> o.str("code");
            case Json.Obj o when o.arr("errors") != null -> first(o.arr("errors"), "code");
            case null, default -> null;
        };
        return code != null && CODE.matcher(code).matches() ? code : null;
    }

    /** The body parsed when it is JSON of at most MAX_ERROR_BODY_BYTES; else null (an HTML or text page is never passed on). */
    private static Json errorBody(byte[] body) {
        if (body == null || body.length == 0 || body.length > MAX_ERROR_BODY_BYTES) return null;
        try {
            return JsonParser.parse(body, MAX_ERROR_BODY_BYTES);
        } catch (JsonException e) {
            return null;
        }
    }

    /**
     * A call that got no HTTP answer. where: "host:port" (and the proxy, when one is used); tcp: what a plain TCP
     * connection to host:port did after the failure ("" when it opened, else why not: "connection refused",
     * "timed out", ...), or null when not probed. The JDK says neither the port nor why a connection failed
     * (a refusal arrives as a bare ConnectException), and a TLS handshake that gets no answer, as from a plain
     * http port, ends as a connect timeout: the probe tells these apart. After more than one try the message
     * also says how many, and how long they took in all.
     */
    static ClariException forFailure(IOException e, String where, Duration connectTimeout, Duration requestTimeout, String tcp,
            int attempts, Duration elapsed) {
        String fix = ": check CLARI_BASE_URL and your network/proxy";
        String message;
        if (e instanceof HttpConnectTimeoutException && "".equals(tcp)) {
            message = "TLS handshake with " + where + " failed: no TLS answer within " + seconds(connectTimeout)
                    + " s, though the port accepts connections: is it http, not https? Check CLARI_BASE_URL";
        } else if (e instanceof HttpConnectTimeoutException) {
            message = "cannot connect to " + where + ": timed out connecting after " + seconds(connectTimeout) + " s"
                    + (tcp == null || tcp.equals("timed out") ? "" : " (" + tcp + ")") + fix;
        } else if (e instanceof HttpTimeoutException) {
            message = "Clari did not answer within " + seconds(requestTimeout) + " s; try again later";
        } else if (e instanceof ConnectException) {
            message = "cannot connect to " + where + ": " + (tcp == null || tcp.isEmpty() ? "connection failed" : tcp) + fix;
        } else if (e instanceof SSLException && untrusted(e)) {
            message = "the TLS certificate of " + where + " is not trusted: behind a TLS-inspecting proxy, "
                    + "set CLARI_CA_BUNDLE to its CA certificate (PEM)";
        } else if (e instanceof SSLException) {
            message = "TLS handshake with " + where + " failed: is it http, not https? Check CLARI_BASE_URL";
        } else {
            message = "connection to " + where + " failed (" + e.getClass().getSimpleName() + "); try again later";
        }
        if (attempts > 1) message += " (" + attempts + " tries, " + seconds(elapsed) + " s in all)";
        return new ClariException(0, message);
    }

    /** Whether a TLS failure is a certificate no trusted CA signed (PKIX path building), not a protocol mismatch. */
    private static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathBuilderException) return true;
        }
        return false;
    }

    /** A 2xx answer that is not JSON: an HTML page from a proxy or login wall, or a broken body. */
    static ClariException notJson(int status, String what, JsonException e) {
        return new ClariException(status, "Clari's answer for " + what + " was not JSON (" + e.getMessage()
                + "): check CLARI_BASE_URL");
    }

    /** Clari's message from its known error shapes, sanitised; null when there is none. */
    static String detail(byte[] body, Secret token) {
        String text = switch (errorBody(body)) {
            case Json.Obj o when o.arr("errors") != null -> first(o.arr("errors"), "message");
            case Json.Obj o -> o.str("message");
            case Json.Arr a -> first(a, "description");
            case null, default -> null;
        };
        if (text == null) return null;
        String clean = Sanitize.text(text, MAX_DETAIL_CHARS, token); // masked after cleaning, before the cut
        return clean.isEmpty() ? null : clean;
    }

    private static String first(Json.Arr items, String key) {
        for (Json item : items.items()) {
            if (item instanceof Json.Obj o && o.str(key) != null) return o.str(key);
        }
        return null;
    }

    /** 64 MB, or 1000 bytes below a MB. */
    static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MB" : bytes + " bytes";
    }

    /** 30 -> "30", 0.3 s -> "0.3". */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
    }
}
