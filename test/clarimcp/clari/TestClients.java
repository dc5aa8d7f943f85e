package clarimcp.clari;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Test-only ways to build the client, opened to tests in other packages (the security tests): a short
 * request timeout and a small body cap keep hostile-server tests fast, and retries wait no time.
 */
public final class TestClients {
    private TestClients() {}

    public static ClariClient client(ClariConfig config, Duration requestTimeout, int maxResponseBytes) {
        return new ClariClient(config, http(), requestTimeout, maxResponseBytes, wait -> { });
    }

    /** No proxy of our own (the JDK's -Dhttps.proxyHost still applies), no extra trust. */
    static final ClariConfig.Network NO_NETWORK_SETTINGS = new ClariConfig.Network(null, List.of(), null);

    /** An HTTP client without proxy or trust settings of our own (see Transport). */
    static HttpClient http() {
        return Transport.client(NO_NETWORK_SETTINGS, ClariClient.CONNECT_TIMEOUT);
    }

    /** A configuration with a fixed token and the defaults for everything not given. */
    static ClariConfig config(Secret token, URI baseUrl, String forecastId, int pollMaxAttempts, Duration pollInterval,
            Set<String> pipelineEvents) {
        return new ClariConfig(token, baseUrl, forecastId, pollMaxAttempts, pollInterval, pipelineEvents, null,
                NO_NETWORK_SETTINGS, null, ClariConfig.DEFAULT_CALL_TIMEOUT, ClariConfig.MAX_CALL_MB << 20,
                ClariConfig.DEFAULT_CACHE_SECONDS, ClariConfig.DEFAULT_MAX_EXPORTS_PER_HOUR);
    }
}
