package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.SetupEndToEndTest.Cli;
import clarimcp.sandbox.ClariSandbox;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A first run as users really do it, through the real launcher (issue 14): a bad optional setting disables
 * only what uses it, a bundle setting left empty arrives as a literal ${user_config...} and counts as unset,
 * and a wrong base URL fails fast naming host, port and cause. Time bounds are generous upper bounds
 * (the connect timeout is 10 s), not benchmarks.
 */
@Timeout(120)
class FirstRunEndToEndTest {
    /** Connect timeout (10 s) plus the launcher's start and a busy machine; the old behaviour took ~45 s. */
    private static final Duration CONNECTION_BOUND = Duration.ofSeconds(15);

    static ClariSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        sandbox = ClariSandbox.start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) sandbox.close();
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_API_TOKEN", sandbox.token(), "CLARI_BASE_URL", sandbox.baseUrl().toString()));
        for (int i = 0; i < extra.length; i += 2) env.put(extra[i], extra[i + 1]);
        return env;
    }

    @Test
    void badPollSettings_blockOnlyForecastExports_withTheFix() throws Exception {
        for (String[] bad : List.of(new String[] {"CLARI_POLL_MAX_ATTEMPTS", "12.5", "must be a whole number from 1 to 1000"},
                new String[] {"CLARI_POLL_INTERVAL_SECONDS", "abc", "must be a number of seconds above 0 and at most 300"},
                new String[] {"CLARI_CACHE_SECONDS", "5m", "must be a whole number from 0 to 86400; 0 turns the cache off"},
                new String[] {"CLARI_MAX_EXPORTS_PER_HOUR", "-1", "must be a whole number from 0 to 10000; 0 allows no export job"})) {
            Map<String, String> env = env(bad[0], bad[1], "CLARI_FORECAST_ID", "net_arr");
            String problem = bad[0] + " " + bad[2];

            Cli current = SetupEndToEndTest.cli(env, "call", "get_forecast", "{}");
            assertEquals(0, current.exit(), "the current week is one synchronous read, no polling: " + current.out());

            sandbox.knobs().syncStatus(501); // no synchronous read here: only an export, which polls, could answer
            try {
                Cli forecast = SetupEndToEndTest.cli(env, "call", "get_forecast", "{}");
                assertEquals(1, forecast.exit(), forecast.out());
                assertTrue(forecast.out().startsWith("Server configuration problem: " + problem), forecast.out());
                assertTrue(forecast.out().contains("until then forecast exports are off"), forecast.out());
                assertTrue(sandbox.requests().stream().noneMatch(r -> r.path().contains("/export/forecast")), "no export was started");
            } finally {
                sandbox.knobs().syncStatus(0);
            }

            // compare_to always needs an export job, whichever read the current week takes
            Cli history = SetupEndToEndTest.cli(env, "call", "get_forecast", "{\"compare_to\":\"quarter_start\"}");
            assertEquals(1, history.exit(), history.out());
            assertTrue(history.out().startsWith("Server configuration problem: " + problem), history.out());
            assertTrue(sandbox.requests().stream().noneMatch(r -> r.path().contains("/export/forecast")), "no export was started");

            Cli limits = SetupEndToEndTest.cli(env, "call", "get_admin_limits", "{}");
            assertEquals(0, limits.exit(), limits.out() + limits.err());
            assertTrue(limits.out().startsWith("Clari export limits\n"), limits.out());
            assertTrue(limits.err().contains("configuration problem: " + problem), "said on stderr too: " + limits.err());

            String ids = "{\"opp_ids\":[\"" + sandbox.org().oppIds("Commit").getFirst() + "\"]}";
            Cli risk = SetupEndToEndTest.cli(env, "call", "get_deal_risk", ids);
            assertEquals(0, risk.exit(), risk.out() + risk.err());

            LocalDate today = LocalDate.now();
            Cli changes = SetupEndToEndTest.cli(env, "call", "get_pipeline_changes",
                    "{\"start_date\":\"" + today.minusDays(7) + "\",\"end_date\":\"" + today + "\"}");
            assertEquals(0, changes.exit(), changes.out() + changes.err());

            Cli check = SetupEndToEndTest.cli(env, "--check");
            assertEquals(1, check.exit(), check.out());
            assertTrue(check.out().contains("FAIL  forecast export settings: " + problem), check.out());
            assertTrue(check.out().contains("ok    token accepted"), "the rest is still checked: " + check.out());
        }
    }

    @Test
    void userConfigPlaceholders_countAsUnset_withOneWarning() throws Exception {
        Map<String, String> env = env("CLARI_POLL_MAX_ATTEMPTS", "${user_config.poll_max_attempts}",
                "CLARI_POLL_INTERVAL_SECONDS", " ${user_config.poll_interval_seconds} ", "CLARI_FORECAST_ID", "${user_config.forecast_id}",
                "HTTPS_PROXY", "${user_config.https_proxy}", "CLARI_CA_BUNDLE", "", "CLARI_PIPELINE_EVENTS", "");
        Cli limits = SetupEndToEndTest.cli(env, "call", "get_admin_limits", "{}");
        assertEquals(0, limits.exit(), limits.out() + limits.err());
        assertTrue(limits.out().startsWith("Clari export limits\n"), limits.out());
        assertEquals("clari-revops-mcp: warning: CLARI_FORECAST_ID, CLARI_POLL_INTERVAL_SECONDS, CLARI_POLL_MAX_ATTEMPTS, "
                + "HTTPS_PROXY hold an unfilled ${...} placeholder; treated as unset\n", warnings(limits.err()), limits.err());

        // compare_to needs an export job (the synchronous read needs no polling)
            Cli forecast = SetupEndToEndTest.cli(env, "call", "get_forecast", "{\"compare_to\":\"quarter_start\"}");
        assertTrue(forecast.out().startsWith("No forecast chosen"), "CLARI_FORECAST_ID is unset, not a bad id: " + forecast.out());

        Cli token = SetupEndToEndTest.cli(Map.of("CLARI_API_TOKEN", "${user_config.api_token}"), "call", "get_admin_limits", "{}");
        assertEquals(1, token.exit());
        assertTrue(token.out().startsWith("Server configuration problem: CLARI_API_TOKEN is not set"), token.out());
    }

    @Test
    void httpsToAPlainHttpPort_failsWithinTheConnectTimeout_namingTheCause() throws Exception {
        int port = sandbox.baseUrl().getPort();
        long start = System.nanoTime();
        Cli r = SetupEndToEndTest.cli(env("CLARI_BASE_URL", "https://127.0.0.1:" + port + "/v4"), "call", "get_admin_limits", "{}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("TLS handshake with 127.0.0.1:" + port + " failed: no TLS answer within 10 s, though the port accepts "
                + "connections: is it http, not https? Check CLARI_BASE_URL\n", r.out());
        assertTrue(took.compareTo(CONNECTION_BOUND) < 0, "took " + took);
        assertFalse(r.out().contains(sandbox.token()) || r.err().contains(sandbox.token()));
    }

    @Test
    void refusedPort_failsAtOnce_namingHostPortAndCause() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        long start = System.nanoTime();
        Cli r = SetupEndToEndTest.cli(env("CLARI_BASE_URL", "http://127.0.0.1:" + port + "/v4"), "call", "get_admin_limits", "{}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("cannot connect to 127.0.0.1:" + port + ": connection refused (nothing listens on port " + port
                + "): check CLARI_BASE_URL and your network/proxy\n", r.out());
        assertTrue(took.compareTo(CONNECTION_BOUND) < 0, "took " + took);
    }

    /** The warning lines of stderr (the call log's info lines aside). */
    private static String warnings(String err) {
        StringBuilder out = new StringBuilder();
        for (String line : err.lines().toList()) if (line.contains("warning")) out.append(line).append('\n');
        return out.toString();
    }
}
