package clarimcp.clari;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;

/**
 * When a failed Clari call is tried again, and after how long. Only answers that say "later" (429, 5xx)
 * and lost connections are retried, a bounded number of times, with exponential backoff and jitter.
 */
final class RetryPolicy {
    /** Retries after the first attempt: enough to ride out a blip, few enough to answer within a tool call. */
    static final int MAX_RETRIES = 3;
    /** First backoff; doubles each retry. */
    static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** Longest single wait: a Retry-After beyond it ends the call with "try again later" instead of blocking. */
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private RetryPolicy() {}

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
}
