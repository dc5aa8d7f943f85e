package clarimcp.clari;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadOnlyPolicyTest {
    private final ReadOnlyPolicy policy = new ReadOnlyPolicy(URI.create("https://api.clari.com/v4"));

    @ParameterizedTest
    @CsvSource({
            "POST, https://api.clari.com/v4/export/forecast/net_arr",
            "GET, https://api.clari.com/v4/forecast/net_arr?timePeriod=2026_Q2&typesToExport=forecast&typesToExport=quota",
            "GET, https://api.clari.com/v4/export/jobs/6073683781a6da229df71e00",
            "GET, https://api.clari.com/v4/export/jobs/a.b:c-d_e/results",
            "GET, https://api.clari.com/v4/opportunity?oppId=1&oppId=2",
            "GET, https://api.clari.com/v4/audit/events?limit=100",
            "GET, https://api.clari.com:443/v4/admin/limits",
            "GET, HTTPS://API.CLARI.COM/v4/admin/limits"})
    void allowlisted(String method, String uri) {
        assertDoesNotThrow(() -> policy.check(method, URI.create(uri)));
    }

    @ParameterizedTest
    @CsvSource({
            "PATCH, https://api.clari.com/v4/export/jobs/j1",
            "DELETE, https://api.clari.com/v4/export/jobs/j1",
            "PUT, https://api.clari.com/v4/export/forecast/f",
            "POST, https://api.clari.com/v4/export/audit/events",
            "POST, https://api.clari.com/v4/ingest/opportunity",
            "GET, https://api.clari.com/v4/export/forecast/f",
            "POST, https://api.clari.com/v4/forecast/f",
            "GET, https://api.clari.com/v4/forecast",
            "GET, https://api.clari.com/v4/forecast/..",
            "GET, https://api.clari.com/v4/forecast/f/export",
            "get, https://api.clari.com/v4/admin/limits",
            "GET, https://api.clari.com/v4/export/jobs/../admin/limits",
            "GET, https://api.clari.com/v4/export/jobs/./results",
            "GET, https://api.clari.com/v4/export/jobs/a%2Fb",
            "GET, https://api.clari.com/v4/admin/limits/",
            "GET, https://api.clari.com/v4x/admin/limits",
            "GET, https://api.clari.com/admin/limits",
            "GET, http://api.clari.com/v4/admin/limits",
            "GET, https://api.clari.com:8443/v4/admin/limits",
            "GET, https://evil.example/v4/admin/limits",
            "GET, https://u@api.clari.com/v4/admin/limits",
            "GET, https://api.clari.com/v4/admin/limits#x"})
    void refused(String method, String uri) {
        assertThrows(IllegalStateException.class, () -> policy.check(method, URI.create(uri)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"net_arr", "forecast", "6073683781a6da229df71e00", "1905::MGR", "a.b", "...a"})
    void segment_accepted(String s) {
        assertTrue(ReadOnlyPolicy.isSegment(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "...", "a/b", "a\\b", "a b", "a%2e", "é", "a\nb"})
    void segment_refused(String s) {
        assertFalse(ReadOnlyPolicy.isSegment(s));
        assertFalse(ReadOnlyPolicy.isSegment(null));
        assertFalse(ReadOnlyPolicy.isSegment("x".repeat(129)));
        assertTrue(ReadOnlyPolicy.isSegment("x".repeat(128)));
    }

    @ParameterizedTest
    @CsvSource({
            "/v4/audit/events?cursor=a, https://api.clari.com/v4/audit/events?cursor=a",
            "/audit/events?cursor=a, https://api.clari.com/v4/audit/events?cursor=a",
            "audit/events?cursor=a, https://api.clari.com/v4/audit/events?cursor=a",
            "https://api.clari.com/v4/audit/events?cursor=a%26b, https://api.clari.com/v4/audit/events?cursor=a%26b"})
    void nextLink_resolvesAgainstTheBase(String link, String expected) throws Exception {
        assertEquals(URI.create(expected), policy.nextLink(link));
    }

    @Test
    void nextLink_malformed() {
        for (String link : new String[] {null, "http://[bad", "a b"}) {
            ClariException e = assertThrows(ClariException.class, () -> policy.nextLink(link));
            assertEquals("Clari returned a malformed nextLink", e.getMessage());
        }
    }

    @Test
    void nextLink_elsewhere_isRefused() {
        for (String link : new String[] {"http://api.clari.com/v4/audit/events", "https://api.clari.com:444/v4/audit/events",
                "https://api.clari.com.evil.example/v4/audit/events", "//evil.example/v4/audit/events",
                "https://user@api.clari.com/v4/audit/events"}) {
            ClariException e = assertThrows(ClariException.class, () -> policy.nextLink(link));
            assertEquals("refusing to follow nextLink to another host", e.getMessage());
        }
        for (String link : new String[] {"/v4/admin/limits", "../audit/events", "/v4/audit/events/x", "/v4/audit/events#f"}) {
            ClariException e = assertThrows(ClariException.class, () -> policy.nextLink(link));
            assertEquals("refusing to follow nextLink outside /v4/audit/events", e.getMessage());
        }
    }
}
