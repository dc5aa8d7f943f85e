package clarimcp.clari;

import java.time.Duration;

/**
 * ClariClient's test constructor, opened to tests in other packages (the security tests): a short
 * request timeout and a small body cap keep hostile-server tests fast, and retries wait no time.
 */
public final class TestClients {
    private TestClients() {}

    public static ClariClient client(ClariConfig config, Duration requestTimeout, int maxResponseBytes) {
        return new ClariClient(config, ClariClient.newHttpClient(), requestTimeout, maxResponseBytes, wait -> { });
    }
}
