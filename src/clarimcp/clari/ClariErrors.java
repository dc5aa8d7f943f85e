package clarimcp.clari;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Turns a failed exchange into a short, actionable ClariException. Messages are fixed text plus values we
 * control (status, host, the caller's "what"); the only text taken from Clari is the message of a JSON
 * error body, stripped of control and invisible characters and truncated. Never the raw body, never the token.
 */
final class ClariErrors {
    /** Longest piece of Clari's own error text we pass on: enough for a sentence, too short to carry a page. */
    static final int MAX_DETAIL_CHARS = 200;
    /** Error bodies are parsed only up to this size; a bigger one is not a JSON error message. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private ClariErrors() {}

    /**
     * what: the object of the call ("forecast 'net_arr'"); byId: whether a 404 means a wrong id (rather
     * than a wrong base URL); retryAfter: the wait Clari asked for on a 429, or null; token: masked in Clari's
     * text; tokenVariable: where the token comes from (CLARI_API_TOKEN or CLARI_API_TOKEN_FILE), for the 401 advice.
     */
    static ClariException forStatus(int status, byte[] body, String what, boolean byId, Duration retryAfter, Secret token,
            String tokenVariable) {
        String message = switch (status) {
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
                String detail = detail(body, token);
                yield "Clari refused the request for " + what + " (HTTP " + status + ")" + (detail == null ? "" : ": " + detail);
            }
        };
        return new ClariException(status, message);
    }

    /** A call that got no HTTP answer after attempts tries and elapsed time in all (said when it was more than one try). */
    static ClariException forFailure(IOException e, String host, Duration timeout, int attempts, Duration elapsed) {
        ClariException one = forFailure(e, host, timeout);
        if (attempts <= 1) return one;
        return new ClariException(0, one.getMessage() + " (" + attempts + " tries, " + seconds(elapsed) + " s in all)");
    }

    /** A call that got no HTTP answer. */
    static ClariException forFailure(IOException e, String host, Duration timeout) {
        String message;
        if (e instanceof HttpConnectTimeoutException) {
            message = "cannot reach " + host + " within " + seconds(timeout) + " s: check CLARI_BASE_URL and your network/proxy";
        } else if (e instanceof HttpTimeoutException) {
            message = "Clari did not answer within " + seconds(timeout) + " s; try again later";
        } else if (e instanceof ConnectException) {
            message = "cannot reach " + host + ": check CLARI_BASE_URL and your network/proxy";
        } else if (e instanceof SSLException) {
            message = "secure connection to " + host + " failed (TLS): check CLARI_BASE_URL; behind a TLS-inspecting proxy, "
                    + "set CLARI_CA_BUNDLE to its CA certificate (PEM)";
        } else {
            message = "connection to " + host + " failed (" + e.getClass().getSimpleName() + "); try again later";
        }
        return new ClariException(0, message);
    }

    /** A 2xx answer that is not JSON: an HTML page from a proxy or login wall, or a broken body. */
    static ClariException notJson(int status, String what, JsonException e) {
        return new ClariException(status, "Clari's answer for " + what + " was not JSON (" + e.getMessage()
                + "): check CLARI_BASE_URL");
    }

    /** Clari's message from its known error shapes, sanitised; null when there is none. */
    static String detail(byte[] body, Secret token) {
        if (body == null || body.length == 0 || body.length > MAX_ERROR_BODY_BYTES) return null;
        Json json;
        try {
            json = JsonParser.parse(body, MAX_ERROR_BODY_BYTES);
        } catch (JsonException e) {
            return null; // an HTML or text page: never passed on
        }
        String text = switch (json) {
            case Json.Obj o when o.arr("errors") != null -> first(o.arr("errors"), "message");
            case Json.Obj o -> o.str("message");
            case Json.Arr a -> first(a, "description");
            default -> null;
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

    /** 30 -> "30", 0.3 s -> "0.3". */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
    }
}
