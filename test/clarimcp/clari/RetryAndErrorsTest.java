package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of retrying and error mapping, checked without a server. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RetryAndErrorsTest {
    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    private static final Secret TOKEN = new Secret("CANARY-tok-5f1e9a");

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "0, PT0S", "7, PT7S", "' 12 ', PT12S",
            "'Wed, 01 May 2024 10:00:30 GMT', PT30S",
            "'Wed, 01 May 2024 09:59:00 GMT', PT0S",
            "-1, NULL", "1.5, NULL", "soon, NULL", "'', NULL", "NULL, NULL"})
    void retryAfter_secondsOrHttpDate(String header, String expected) {
        assertEquals(expected == null ? null : Duration.parse(expected), ClariErrors.retryAfter(header, NOW));
    }

    @Test
    void retryAfter_hugeNumber_doesNotOverflow() {
        assertTrue(ClariErrors.retryAfter("99999999999999999999", NOW).compareTo(ClariErrors.MAX_WAIT) > 0);
    }

    @Test
    void backoff_doublesWithJitter_andIsCapped() {
        RandomGenerator lowest = () -> 0L;
        RandomGenerator highest = () -> -1L;
        assertEquals(Duration.ofMillis(500), ClariErrors.backoff(0, lowest));
        assertEquals(Duration.ofMillis(1000), ClariErrors.backoff(1, lowest));
        assertTrue(ClariErrors.backoff(1, highest).compareTo(Duration.ofSeconds(2)) < 0);
        assertEquals(Duration.ofSeconds(15), ClariErrors.backoff(40, lowest));
        assertTrue(ClariErrors.backoff(40, highest).compareTo(ClariErrors.MAX_WAIT) <= 0);
    }

    @ParameterizedTest
    @CsvSource({"GET, 429, true", "GET, 500, true", "GET, 503, true", "GET, 599, true", "GET, 400, false",
            "GET, 404, false", "GET, 302, false", "GET, 501, false", "POST, 429, true", "POST, 503, true", "POST, 500, false",
            "POST, 502, false", "POST, 504, false"})
    void retryableStatus(String method, int status, boolean expected) {
        assertEquals(expected, ClariErrors.retryableStatus(method, status));
    }

    @Test
    void noAnswer_retriedForGetOnly_andNeverWhenNoConnectionWasMade() {
        assertTrue(ClariErrors.retryableFailure("GET", new java.io.EOFException("lost")));
        assertEquals(false, ClariErrors.retryableFailure("POST", new java.io.EOFException("lost")));
        assertEquals(false, ClariErrors.retryableFailure("GET", new ConnectException()));
        assertEquals(false, ClariErrors.retryableFailure("GET", new HttpConnectTimeoutException("x")));
        assertEquals(false, ClariErrors.retryableFailure("GET", new javax.net.ssl.SSLHandshakeException("x")));
    }

    @Test
    void detail_dropsInvisibleAndControlCharacters() {
        String body = "{\"message\":\"a\\u202Eb\\u200Bc\\u0007d\\r\\n  e\\u2028f\"}";
        assertEquals("abcd e f", ClariErrors.detail(body.getBytes(UTF_8), TOKEN));
    }

    @Test
    void detail_noneForNonJsonOrUnknownShapes() {
        assertNull(ClariErrors.detail("<html>oops</html>".getBytes(UTF_8), TOKEN));
        assertNull(ClariErrors.detail("{\"error\":{\"x\":1}}".getBytes(UTF_8), TOKEN));
        assertNull(ClariErrors.detail("{\"message\":\" \\u200B \"}".getBytes(UTF_8), TOKEN));
        assertNull(ClariErrors.detail(new byte[0], TOKEN));
    }

    @Test
    void failureMessages() {
        Duration connect = Duration.ofSeconds(10);
        Duration request = Duration.ofSeconds(120);
        assertEquals("cannot connect to api.clari.com:443: connection refused (nothing listens on port 443): check "
                + "CLARI_BASE_URL and your network/proxy", ClariErrors.forFailure(new ConnectException(), "api.clari.com:443",
                        connect, request, "connection refused (nothing listens on port 443)", 1, Duration.ZERO).getMessage());
        assertEquals("cannot connect to api.clari.com:443: timed out connecting after 10 s: check CLARI_BASE_URL and your "
                + "network/proxy", ClariErrors.forFailure(new HttpConnectTimeoutException("x"), "api.clari.com:443", connect,
                        request, "timed out", 1, Duration.ZERO).getMessage());
        assertEquals("TLS handshake with api.clari.com:443 failed: no TLS answer within 10 s, though the port accepts "
                + "connections: is it http, not https? Check CLARI_BASE_URL", ClariErrors.forFailure(
                        new HttpConnectTimeoutException("x"), "api.clari.com:443", connect, request, "", 1, Duration.ZERO).getMessage());
        assertEquals("Clari did not answer within 120 s; try again later", ClariErrors.forFailure(
                new java.net.http.HttpTimeoutException("x"), "api.clari.com:443", connect, request, null, 1, Duration.ZERO).getMessage());
        assertEquals("TLS handshake with api.clari.com:443 failed: is it http, not https? Check CLARI_BASE_URL",
                ClariErrors.forFailure(new javax.net.ssl.SSLException("Unsupported or unrecognized SSL message"),
                        "api.clari.com:443", connect, request, null, 1, Duration.ZERO).getMessage());
        javax.net.ssl.SSLHandshakeException untrusted = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new java.security.cert.CertificateException(new java.security.cert.CertPathBuilderException("x")));
        assertEquals("the TLS certificate of api.clari.com:443 is not trusted: behind a TLS-inspecting proxy, set "
                + "CLARI_CA_BUNDLE to its CA certificate (PEM)", ClariErrors.forFailure(untrusted, "api.clari.com:443",
                        connect, request, null, 1, Duration.ZERO).getMessage());
        assertEquals("connection to api.clari.com:443 failed (EOFException); try again later",
                ClariErrors.forFailure(new java.io.EOFException("x"), "api.clari.com:443", connect, request, null, 1, Duration.ZERO).getMessage());
    }
}
