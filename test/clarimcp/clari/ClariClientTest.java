package clarimcp.clari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.clari.StubServer.Reply;
import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClariClientTest {
    /** A token no message may ever contain. */
    private static final String CANARY = "CANARY-tok-5f1e9a";
    private static final String OK = "{\"ok\":true}";

    /** Waits the client asked for: recorded instead of slept, so retry tests are fast and can check them. */
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    private ClariClient client(URI base, Duration timeout, int maxBytes) {
        ClariConfig config = TestClients.config(new Secret(CANARY), base, null, 12, Duration.ofSeconds(1), null);
        return new ClariClient(config, TestClients.http(), timeout, maxBytes, sleeps::add);
    }

    private ClariClient client(StubServer stub) {
        return client(stub.base(), Duration.ofSeconds(10), ClariClient.MAX_RESPONSE_BYTES);
    }

    private static ClariException fails(int status, String message, Executable call) {
        ClariException e = assertThrows(ClariException.class, call);
        assertFalse(e.getMessage().contains(CANARY), e.getMessage());
        assertEquals(message, e.getMessage());
        assertEquals(status, e.status());
        return e;
    }

    /** After retries the message also says how many tries and how long they took in all (the true elapsed time). */
    private static void failsAfterTries(String message, int tries, Executable call) {
        ClariException e = assertThrows(ClariException.class, call);
        assertFalse(e.getMessage().contains(CANARY), e.getMessage());
        assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(message) + " \\(" + tries + " tries, \\d+(\\.\\d+)? s in all\\)"),
                e.getMessage());
        assertEquals(0, e.status());
    }

    @Test
    void get_sendsApikeyAcceptAndUserAgent_andParsesJson() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "{\"jobs\":{\"concurrentLimit\":3}}"))) {
            Json limits = client(stub).adminLimits();
            assertEquals("3", ((Json.Num) ((Json.Obj) limits).obj("jobs").get("concurrentLimit")).text());
            StubServer.Request r = stub.requests.get(0);
            assertEquals("GET", r.method());
            assertEquals("/v4/admin/limits", r.path());
            assertEquals(List.of(CANARY), r.headers().get("apikey"));
            assertEquals("application/json", r.headers().getFirst("Accept"));
            assertTrue(r.headers().getFirst("User-Agent").startsWith("clari-revops-mcp/"));
        }
    }

    @Test
    void submitForecastExport_postsJsonBodyToForecastPath() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(202, "{\"jobId\":\"6073683781a6da229df71e00\"}"))) {
            Json.Obj body = Json.obj("timePeriod", "2024_Q3", "exportFormat", "JSON");
            Json answer = client(stub).submitForecastExport("net_arr", body);
            assertEquals("6073683781a6da229df71e00", ((Json.Obj) answer).str("jobId"));
            StubServer.Request r = stub.requests.get(0);
            assertEquals("POST", r.method());
            assertEquals("/v4/export/forecast/net_arr", r.path());
            assertEquals("application/json", r.headers().getFirst("Content-Type"));
            assertEquals(body, JsonParser.parse(r.body()));
        }
    }

    @Test
    void exportJobAndResults_useJobPaths() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, OK))) {
            client(stub).exportJob("abc:1");
            client(stub).exportResults("abc:1", Map.of());
            assertEquals("/v4/export/jobs/abc:1", stub.requests.get(0).path());
            assertEquals("/v4/export/jobs/abc:1/results", stub.requests.get(1).path());
        }
    }

    @ParameterizedTest
    @CsvSource({
            "PATCH, /export/jobs/x", "DELETE, /export/jobs/x", "PUT, /export/jobs/x", "POST, /export/jobs/x",
            "POST, /ingest/opportunity", "GET, /export/forecast/x", "POST, /audit/events", "GET, /users",
            "GET, /export/jobs/x/../../admin/limits", "GET, /export/jobs/a/b"})
    void send_refusesAnythingOffTheAllowlist_beforeAnyRequest(String method, String path) throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, OK))) {
            ClariClient c = client(stub);
            assertThrows(IllegalStateException.class,
                    () -> c.send(method, URI.create(stub.base() + path), path, null, "x", false, Map.of()));
            assertEquals(List.of(), stub.requests);
        }
    }

    @Test
    void send_refusesAnotherHostOrPort() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, OK)); StubServer other = new StubServer(Reply.json(200, OK))) {
            ClariClient c = client(stub);
            assertThrows(IllegalStateException.class,
                    () -> c.send("GET", URI.create(other.base() + "/admin/limits"), "/admin/limits", null, "x", false, Map.of()));
            assertEquals(List.of(), other.requests);
            assertEquals(List.of(), stub.requests);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "../admin", "a%2Fb", "a b", "a?b", "a#b", "é",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void pathSegments_areValidated_beforeAnyRequest(String id) throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, OK))) {
            ClariClient c = client(stub);
            assertThrows(IllegalArgumentException.class, () -> c.exportJob(id));
            assertThrows(IllegalArgumentException.class, () -> c.exportResults(id, Map.of()));
            assertThrows(IllegalArgumentException.class, () -> c.submitForecastExport(id, Json.Obj.EMPTY));
            assertThrows(IllegalArgumentException.class, () -> c.exportJob(null));
            assertEquals(List.of(), stub.requests);
        }
    }

    @Test
    void queryValues_areEncoded() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "[]"))) {
            ClariClient c = client(stub);
            c.opportunities(List.of("006A", "x&y=z", "é+ /"));
            assertEquals("oppId=006A&oppId=x%26y%3Dz&oppId=%C3%A9%2B%20%2F", stub.requests.get(0).query());
            Map<String, String> q = new LinkedHashMap<>();
            q.put("dateFrom", "2024-05-01T00:00:00+02:00");
            q.put("event", "a b&limit=1000");
            q.put("actorId", null);
            c.auditEvents(q);
            assertEquals("/v4/audit/events", stub.requests.get(1).path());
            assertEquals("dateFrom=2024-05-01T00%3A00%3A00%2B02%3A00&event=a%20b%26limit%3D1000", stub.requests.get(1).query());
            c.auditEvents(Map.of());
            assertNull(stub.requests.get(2).query());
        }
    }

    @Test
    void opportunities_refusesMoreThan100Ids_andNone() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "[]"))) {
            ClariClient c = client(stub);
            List<String> ids = new ArrayList<>(Collections.nCopies(101, "006A"));
            assertThrows(IllegalArgumentException.class, () -> c.opportunities(ids));
            assertThrows(IllegalArgumentException.class, () -> c.opportunities(List.of()));
            assertEquals(List.of(), stub.requests);
            c.opportunities(ids.subList(0, 100));
            assertEquals(100, stub.requests.get(0).query().split("&").length);
        }
    }

    @Test
    void retries429_honouringRetryAfter() throws Exception {
        try (StubServer stub = new StubServer(Reply.of(429, "application/json", "{}", Map.of("Retry-After", "7")),
                Reply.of(429, "application/json", "{}", Map.of("Retry-After", "0")), Reply.json(200, OK))) {
            assertEquals(JsonParser.parse(OK), client(stub).adminLimits());
            assertEquals(3, stub.requests.size());
            assertEquals(List.of(Duration.ofSeconds(7), Duration.ZERO), sleeps);
        }
    }

    @Test
    void retryAfterBeyondTheCap_endsTheCallWithoutWaiting() throws Exception {
        try (StubServer stub = new StubServer(Reply.of(429, "text/plain", "slow down", Map.of("Retry-After", "120")))) {
            fails(429, "Clari rate limit reached; try again in 120 s", () -> client(stub).adminLimits());
            assertEquals(1, stub.requests.size());
            assertEquals(List.of(), sleeps);
        }
    }

    @Test
    void retries503WithBackoff_thenSucceeds() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(503, "{}"), Reply.json(503, "{}"), Reply.json(200, OK))) {
            assertEquals(JsonParser.parse(OK), client(stub).exportJob("j1"));
            assertEquals(3, stub.requests.size());
            assertEquals(2, sleeps.size());
            assertTrue(sleeps.get(0).toMillis() >= 500 && sleeps.get(0).toMillis() < 1000, sleeps.toString());
            assertTrue(sleeps.get(1).toMillis() >= 1000 && sleeps.get(1).toMillis() < 2000, sleeps.toString());
        }
    }

    @Test
    void gives5xxUpAfterMaxRetries() throws Exception {
        try (StubServer stub = new StubServer(Reply.of(502, "text/html", "<html>bad gateway</html>", Map.of()))) {
            fails(502, "Clari is unavailable (HTTP 502); try again later", () -> client(stub).exportJob("j1"));
            assertEquals(ClariErrors.MAX_RETRIES + 1, stub.requests.size());
        }
    }

    @Test
    void exportPost_retriedOn503_butNotOn500() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(503, "{}"), Reply.json(202, "{\"jobId\":\"j\"}"))) {
            client(stub).submitForecastExport("forecast", Json.Obj.EMPTY);
            assertEquals(2, stub.requests.size());
        }
        try (StubServer stub = new StubServer(Reply.json(500, "{}"), Reply.json(202, "{\"jobId\":\"j\"}"))) {
            fails(500, "Clari is unavailable (HTTP 500); try again later",
                    () -> client(stub).submitForecastExport("forecast", Json.Obj.EMPTY));
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void noRetryOn404() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(404, "{}"), Reply.json(200, OK))) {
            fails(404, "export job 'abc' not found (404): check the id", () -> client(stub).exportJob("abc"));
            assertEquals(1, stub.requests.size());
        }
    }

    // status | body | call | expected message
    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            401 | {}  | limits | Clari rejected the API token (401): check CLARI_API_TOKEN; tokens are created under Account Settings → API Token in Clari and stop working when the user who made them is deactivated
            403 | {}  | export | Clari denied access (403): the token's user lacks permission for forecast 'net_arr'
            404 | {}  | export | forecast 'net_arr' not found (404): check the id
            404 | {}  | limits | admin limits not found (404): check CLARI_BASE_URL (it should end with the API version, e.g. /v4)
            401 | `{"message":"Invalid authentication credentials"}` | limits | Clari rejected the API token (401): check CLARI_API_TOKEN; tokens are created under Account Settings → API Token in Clari and stop working when the user who made them is deactivated
            401 | `{"code":"no_optin","namespace":"fcw","errorId":"e1","message":"not opted in","orgId":"101"}` | export | Clari says the token's user is not opted into forecast 'net_arr' (or the scope asked for) (HTTP 401 no_optin): ask a Clari admin to give that user access; the token itself is valid
            400 | `{"code":"no_such_forecast_config","namespace":"fcw","errorId":"e1","message":"Forecast net_arr does not exist in the ForecastTemplate."}` | export | Clari has no forecast 'net_arr' (HTTP 400 no_such_forecast_config): use the forecast tab id from the Clari URL (e.g. net_arr)
            400 | `{"code":"type_not_supported","namespace":"fcw","errorId":"e1","message":"crm_total is not supported"}` | export | Clari refused the request for forecast 'net_arr' (HTTP 400 type_not_supported): crm_total is not supported
            500 | `{"code":"internal_server_error","namespace":"fcw","errorId":"e1","message":"oops"}` | export | Clari is unavailable (HTTP 500); try again later (internal_server_error)
            400 | `{"errors":[{"status":400,"message":"Monthly quota reached","code":"Q"}]}` | export | Clari refused the request for forecast 'net_arr' (HTTP 400 Q): Monthly quota reached
            400 | `[{"statusCode":400,"reaspnPhrase":"Bad Request","description":"timePeriod is invalid"}]` | export | Clari refused the request for forecast 'net_arr' (HTTP 400): timePeriod is invalid
            400 | `{"code":"export_monthly_quota_reached","namespace":"exports","errorId":"e1","message":"The monthly quota limit of 30 or concurrent limit of 1 has been reached."}` | export | Clari refused the request for forecast 'net_arr' (HTTP 400 export_monthly_quota_reached): The monthly quota limit of 30 or concurrent limit of 1 has been reached.
            400 | `{"code":"not a code!","message":"Concurrent job limit"}` | export | Clari refused the request for forecast 'net_arr' (HTTP 400): Concurrent job limit
            400 | `{"message":"bad key CANARY-tok-5f1e9a\\n\\u202Eevil"}` | export | Clari refused the request for forecast 'net_arr' (HTTP 400): bad key *** evil
            400 | `<html><body>Bad Request</body></html>` | export | Clari refused the request for forecast 'net_arr' (HTTP 400)
            400 | {} | export | Clari refused the request for forecast 'net_arr' (HTTP 400)
            422 | `{"message":"nope"}` | limits | Clari refused the request for admin limits (HTTP 422): nope
            200 | `<html><body>Please log in</body></html>` | limits | Clari's answer for admin limits was not JSON (Unexpected character at offset 0): check CLARI_BASE_URL
            200 | `{"a":1` | limits | Clari's answer for admin limits was not JSON (Unexpected end of input at offset 6): check CLARI_BASE_URL
            """)
    void errorMessagesPerStatus(int status, String body, String call, String message) throws Exception {
        try (StubServer stub = new StubServer(Reply.of(status, "text/html", body, Map.of()))) {
            ClariClient c = client(stub);
            Executable e = call.equals("export") ? () -> c.submitForecastExport("net_arr", Json.Obj.EMPTY) : c::adminLimits;
            fails(status, message, e);
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void longErrorDetail_isTruncated() throws Exception {
        String longText = "x".repeat(5000);
        try (StubServer stub = new StubServer(Reply.json(400, "{\"message\":\"" + longText + "\"}"))) {
            ClariException e = assertThrows(ClariException.class, () -> client(stub).adminLimits());
            assertTrue(e.getMessage().endsWith(": " + "x".repeat(ClariErrors.MAX_DETAIL_CHARS - 1) + "…"), e.getMessage());
            assertTrue(e.getMessage().length() < 300);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bodyOverTheCap_isAnError(boolean chunked) throws Exception {
        String big = "[" + "1,".repeat(3000) + "1]";
        Reply reply = chunked ? Reply.json(200, big).chunkedBody() : Reply.json(200, big);
        try (StubServer stub = new StubServer(reply)) {
            ClariClient c = client(stub.base(), Duration.ofSeconds(10), 1000);
            fails(200, "Clari's response exceeded 1000 bytes; ask for less (a shorter period, fewer ids or fewer export types)",
                    () -> c.exportResults("j1", Map.of()));
            assertEquals(1, stub.requests.size()); // not retried
        }
    }

    @Test
    void declaredLengthOverTheCap_isRefusedBeforeReading() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "[1,").declaring(50_000_000))) {
            ClariClient c = client(stub.base(), Duration.ofSeconds(5), 1000);
            fails(200, "Clari's response exceeded 1000 bytes; ask for less (a shorter period, fewer ids or fewer export types)",
                    () -> c.exportResults("j1", Map.of()));
        }
    }

    @Test
    void bodyExactlyAtTheCap_isRead_oneByteMoreIsNot() throws Exception {
        String exact = "[" + "1,".repeat(498) + "1]";
        try (StubServer stub = new StubServer(Reply.json(200, exact).chunkedBody())) {
            Json.Arr read = (Json.Arr) client(stub.base(), Duration.ofSeconds(10), exact.length()).exportResults("j1", Map.of());
            assertEquals(499, read.size());
            ClariClient smaller = client(stub.base(), Duration.ofSeconds(10), exact.length() - 1);
            assertThrows(ClariException.class, () -> smaller.exportResults("j1", Map.of()));
        }
    }

    @Test
    void exportResultsWithHandlers_entriesHandedOut_restReturned_badBodyStillAnError() throws Exception {
        // The five lists of an export result [tap][gitlab], cut short here to entries and users.
        String export = "{\"entries\":[{\"userId\":\"u1\",\"forecastValue\":1.5},{\"userId\":\"u2\",\"forecastValue\":2}],"
                + "\"users\":[{\"userId\":\"u1\"}]}";
        try (StubServer stub = new StubServer(Reply.json(200, export).chunkedBody())) {
            List<Json> entries = new ArrayList<>();
            Json rest = client(stub).exportResults("j1", Map.of("entries", entries::add));
            Json.Obj whole = (Json.Obj) JsonParser.parse(export);
            assertEquals(whole.arr("entries").items(), entries);
            assertEquals(Json.obj("users", whole.get("users")), rest);
        }
        String broken = export.replace("]}", "],\"users\":[]}"); // a duplicate key after the entries
        try (StubServer stub = new StubServer(Reply.json(200, broken))) {
            List<Json> entries = new ArrayList<>();
            ClariException e = assertThrows(ClariException.class,
                    () -> client(stub).exportResults("j1", Map.of("entries", entries::add)));
            ClariException fromTree = assertThrows(ClariException.class, () -> client(stub).exportResults("j1", Map.of()));
            assertEquals(fromTree.getMessage(), e.getMessage());
            assertEquals(2, entries.size(), "handed out before the error: the caller must discard them");
        }
    }

    /** The streamed read (exportResults with handlers): a handler that keeps what it is handed. */
    private static Map<String, java.util.function.Consumer<Json>> keep(List<Json> into) {
        return Map.of("entries", into::add);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void streamed_overTheCap_sameErrorAsCollected_notRetried(boolean chunked) throws Exception {
        String big = "{\"entries\":[" + "1,".repeat(3000) + "1]}";
        Reply reply = chunked ? Reply.json(200, big).chunkedBody() : Reply.json(200, big);
        try (StubServer stub = new StubServer(reply)) {
            ClariClient c = client(stub.base(), Duration.ofSeconds(10), 1000);
            List<Json> entries = new ArrayList<>();
            fails(200, "Clari's response exceeded 1000 bytes; ask for less (a shorter period, fewer ids or fewer export types)",
                    () -> c.exportResults("j1", keep(entries)));
            assertEquals(1, stub.requests.size());
            assertTrue(entries.size() < 500, "stopped at the cap, not after the whole body: " + entries.size());
        }
    }

    @Test
    void streamed_declaredLengthOverTheCap_refusedBeforeAnyElement() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "{\"entries\":[1,").declaring(50_000_000))) {
            List<Json> entries = new ArrayList<>();
            fails(200, "Clari's response exceeded 1000 bytes; ask for less (a shorter period, fewer ids or fewer export types)",
                    () -> client(stub.base(), Duration.ofSeconds(5), 1000).exportResults("j1", keep(entries)));
            assertEquals(List.of(), entries);
        }
    }

    @Test
    void streamed_bodyExactlyAtTheCap_isRead_oneByteMoreIsNot() throws Exception {
        String exact = "{\"entries\":[" + "1,".repeat(498) + "1]}";
        try (StubServer stub = new StubServer(Reply.json(200, exact).chunkedBody())) {
            List<Json> entries = new ArrayList<>();
            assertEquals(Json.Obj.EMPTY, client(stub.base(), Duration.ofSeconds(10), exact.length()).exportResults("j1", keep(entries)));
            assertEquals(499, entries.size());
            ClariClient smaller = client(stub.base(), Duration.ofSeconds(10), exact.length() - 1);
            ClariException e = assertThrows(ClariException.class, () -> smaller.exportResults("j1", keep(new ArrayList<>())));
            assertTrue(e.getMessage().startsWith("Clari's response exceeded"), e.getMessage());
        }
    }

    @Test
    void streamed_errorStatus_sameMessageAsCollected_andRetriedLikeAnyGet() throws Exception {
        String missing = "{\"code\":\"not_found\",\"message\":\"no such job\"}";
        try (StubServer stub = new StubServer(Reply.json(404, missing))) {
            ClariException collected = assertThrows(ClariException.class, () -> client(stub).exportResults("j1", Map.of()));
            ClariException streamed = assertThrows(ClariException.class, () -> client(stub).exportResults("j1", keep(new ArrayList<>())));
            assertEquals(collected.getMessage(), streamed.getMessage());
            assertEquals(404, streamed.status());
        }
        try (StubServer stub = new StubServer(Reply.json(503, "{}"), Reply.json(200, "{\"entries\":[{\"a\":1}],\"users\":[]}"))) {
            List<Json> entries = new ArrayList<>();
            Json rest = client(stub).exportResults("j1", keep(entries));
            assertEquals(2, stub.requests.size(), "a 503 before the body is retried");
            assertEquals(1, entries.size());
            assertEquals(Json.obj("users", Json.Arr.EMPTY), rest);
        }
    }

    @Test
    void streamed_bodyStalling_closedAtTheRequestDeadline_retriedOnlyBeforeTheFirstElement() throws Exception {
        // Headers and part of the body, then nothing (the declared rest never comes).
        try (StubServer stub = new StubServer(Reply.json(200, "{\"users\":[").declaring(1000))) {
            ClariClient c = client(stub.base(), Duration.ofMillis(300), ClariClient.MAX_RESPONSE_BYTES);
            ClariException e = assertThrows(ClariException.class, () -> c.exportResults("j1", keep(new ArrayList<>())));
            assertTrue(e.getMessage().matches("Clari did not answer within 0\\.3 s; try again later \\(4 tries, [0-9.]+ s in all\\)"),
                    e.getMessage());
            assertEquals(ClariErrors.MAX_RETRIES + 1, stub.requests.size(), "nothing handed out yet: retried like any GET");
        }
        try (StubServer stub = new StubServer(Reply.json(200, "{\"entries\":[{\"a\":1},{\"b\"").declaring(1000))) {
            ClariClient c = client(stub.base(), Duration.ofMillis(300), ClariClient.MAX_RESPONSE_BYTES);
            List<Json> entries = new ArrayList<>();
            fails(0, "Clari did not answer within 0.3 s; try again later", () -> c.exportResults("j1", keep(entries)));
            assertEquals(1, entries.size());
            assertEquals(1, stub.requests.size(), "an element was handed out: never retried");
        }
    }

    @Test
    void streamed_interruptedWhileReadingTheBody_propagatesAtOnce() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "{\"entries\":[{\"a\":1},").declaring(1000))) {
            ClariClient c = client(stub.base(), Duration.ofSeconds(60), ClariClient.MAX_RESPONSE_BYTES);
            List<Json> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    c.exportResults("j1", keep(entries));
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            while (entries.isEmpty()) Thread.sleep(10); // the body is being read
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(10)));
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void redirect_isNotFollowed() throws Exception {
        try (StubServer other = new StubServer(Reply.json(200, OK));
                StubServer stub = new StubServer(Reply.of(302, "text/html", "<a>moved</a>",
                        Map.of("Location", other.base() + "/admin/limits")))) {
            fails(302, "Clari answered with a redirect (HTTP 302), which is never followed: check CLARI_BASE_URL",
                    () -> client(stub).adminLimits());
            assertEquals(List.of(), other.requests);
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void nextLink_relativeForms_stayOnTheBase() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(200, "{\"items\":[]}"))) {
            ClariClient c = client(stub);
            c.auditEventsPage("/v4/audit/events?cursor=1");
            c.auditEventsPage("/audit/events?cursor=2");
            c.auditEventsPage("audit/events?cursor=3");
            c.auditEventsPage(stub.base() + "/audit/events?cursor=4");
            for (int i = 0; i < 4; i++) {
                assertEquals("/v4/audit/events", stub.requests.get(i).path());
                assertEquals("cursor=" + (i + 1), stub.requests.get(i).query());
            }
        }
    }

    @Test
    void nextLink_toAnotherHostOrPath_isRefused() throws Exception {
        try (StubServer other = new StubServer(Reply.json(200, OK)); StubServer stub = new StubServer(Reply.json(200, OK))) {
            ClariClient c = client(stub);
            for (String link : List.of(other.base() + "/audit/events?c=1", "https://evil.example/v4/audit/events",
                    "//evil.example/v4/audit/events", "http://localhost:" + stub.port() + "/v4/audit/events")) {
                fails(0, "refusing to follow nextLink to another host", () -> c.auditEventsPage(link));
            }
            for (String link : List.of("/v4/admin/limits", "/v4/audit/events/../../admin/limits", "../audit/events")) {
                fails(0, "refusing to follow nextLink outside /v4/audit/events", () -> c.auditEventsPage(link));
            }
            fails(0, "Clari returned a malformed nextLink", () -> c.auditEventsPage("http://[bad"));
            assertEquals(List.of(), other.requests);
            assertEquals(List.of(), stub.requests);
        }
    }

    @Test
    void timeout_isACleanError_getRetried_postNot() throws Exception {
        try (StubServer stub = new StubServer(Reply.hanging())) {
            ClariClient c = client(stub.base(), Duration.ofMillis(300), ClariClient.MAX_RESPONSE_BYTES);
            failsAfterTries("Clari did not answer within 0.3 s; try again later", ClariErrors.MAX_RETRIES + 1, () -> c.exportJob("j1"));
            assertEquals(ClariErrors.MAX_RETRIES + 1, stub.requests.size());
            fails(0, "Clari did not answer within 0.3 s; try again later",
                    () -> c.submitForecastExport("forecast", Json.Obj.EMPTY));
            assertEquals(ClariErrors.MAX_RETRIES + 2, stub.requests.size()); // the POST went once
        }
    }

    @Test
    void callDeadline_cutsTheRetryWait_andEndsWithTheTrueElapsedTime() throws Exception {
        try (StubServer stub = new StubServer(Reply.json(503, "{}"))) {
            ClariConfig config = new ClariConfig(new Secret(CANARY), stub.base(), null, 12, Duration.ofSeconds(1), null, null,
                    TestClients.NO_NETWORK_SETTINGS, null, Duration.ofMillis(400), 1 << 20, 0, 30);
            ClariClient c = new ClariClient(config, TestClients.http(), Duration.ofSeconds(10), ClariClient.MAX_RESPONSE_BYTES,
                    wait -> { sleeps.add(wait); Thread.sleep(wait); }).forCall((m, p, s) -> { });
            ClariException e = assertThrows(ClariException.class, c::adminLimits);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("no complete answer from Clari for admin limits within this "
                    + "call's limit of 0.4 s \\(stopped after (\\d+(\\.\\d+)?) s\\): try again later, ask for less, or raise "
                    + "CLARI_CALL_TIMEOUT_SECONDS").matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            assertTrue(Double.parseDouble(m.group(1)) >= 0.4, "the true elapsed time, at least the limit: " + e.getMessage());
            assertEquals(1, stub.requests.size(), "no second try once the time is up");
            assertEquals(1, sleeps.size());
            assertTrue(sleeps.get(0).compareTo(Duration.ofMillis(400)) < 0, "the backoff (0.5-1 s) was cut to what was left: " + sleeps);
        }
    }

    @Test
    void connectionRefused_namesHostPortAndCause_withoutRetrying() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        ClariClient c = client(URI.create("http://127.0.0.1:" + port + "/v4"), Duration.ofSeconds(5), 1000);
        fails(0, "cannot connect to 127.0.0.1:" + port + ": connection refused (nothing listens on port " + port
                + "): check CLARI_BASE_URL and your network/proxy", c::adminLimits);
        assertEquals(0, sleeps.size(), "a connection that cannot be made is not retried");
    }

    @Test
    void interruption_whileWaitingForClari_propagatesAtOnce() throws Exception {
        try (StubServer stub = new StubServer(Reply.hanging())) {
            ClariClient c = client(stub.base(), Duration.ofSeconds(60), 1000);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    c.exportJob("j1");
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            assertTrue(stub.arrived.tryAcquire(10, TimeUnit.SECONDS));
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(10)));
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void interruption_duringBackoff_propagates() throws Exception {
        try (StubServer stub = new StubServer(Reply.of(503, "application/json", "{}", Map.of("Retry-After", "30")))) {
            ClariConfig config = TestClients.config(new Secret(CANARY), stub.base(), null, 12, Duration.ofSeconds(1), null);
            CountDownLatch sleeping = new CountDownLatch(1);
            ClariClient c = new ClariClient(config, TestClients.http(), Duration.ofSeconds(10), 1000, d -> {
                sleeping.countDown();
                Thread.sleep(d);
            });
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    c.adminLimits();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            assertTrue(sleeping.await(10, TimeUnit.SECONDS));
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(10)));
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertEquals(1, stub.requests.size());
        }
    }

    @Test
    void tokenNeverInToString() throws Exception {
        ClariConfig config = ClariConfig.fromEnv(Map.of("CLARI_API_TOKEN", CANARY));
        assertFalse(config.toString().contains(CANARY), config.toString());
        assertFalse(new ClariClient(config).toString().contains(CANARY));
        assertEquals("***", config.token().toString());
    }
}
