package clarimcp.clari;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Configuration from the environment (only Main reads the real environment and passes it in).
 * TODO(skeleton): implemented by the Clari client work.
 */
public record ClariConfig(
        Secret token,               // CLARI_API_TOKEN (required)
        URI baseUrl,                // CLARI_BASE_URL, default https://api.clari.com/v4
        String forecastId,          // CLARI_FORECAST_ID, may be null
        int pollMaxAttempts,        // CLARI_POLL_MAX_ATTEMPTS, default 12
        Duration pollInterval,      // CLARI_POLL_INTERVAL_SECONDS, default 5
        Set<String> pipelineEvents  // CLARI_PIPELINE_EVENTS (comma-separated), null = built-in default
) {
    /** Parses the environment; throws IllegalArgumentException naming the bad variable. */
    public static ClariConfig fromEnv(Map<String, String> env) {
        throw new UnsupportedOperationException("skeleton");
    }
}
