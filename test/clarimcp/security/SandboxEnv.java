package clarimcp.security;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.TestClients;
import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.mcp.Tool;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.tools.Clari;
import clarimcp.tools.Tools;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real tools against a running Clari sandbox, in process: jobs finish at once, exports poll fast and
 * the monthly quota never runs out, so thousands of calls stay cheap. Also the launcher's environment
 * for the same sandbox, and a valid argument object for each tool.
 */
final class SandboxEnv implements AutoCloseable {
    final ClariSandbox sandbox;
    final ClariConfig config;
    final ClariClient client;
    final Map<String, Tool> tools = new LinkedHashMap<>();

    private SandboxEnv(ClariSandbox sandbox, Duration requestTimeout, int maxResponseBytes) {
        this.sandbox = sandbox;
        sandbox.knobs().jobDuration(Duration.ZERO).monthlyQuota(Integer.MAX_VALUE).concurrentLimit(100_000);
        this.config = ClariConfig.fromEnv(env(sandbox));
        this.client = TestClients.client(config, requestTimeout, maxResponseBytes);
        Clari access = new Clari() {
            @Override
            public ClariConfig config() {
                return config;
            }

            @Override
            public ClariClient client() {
                return client;
            }
        };
        for (Tool t : Tools.all(access)) tools.put(t.name(), t);
    }

    static SandboxEnv start(Duration requestTimeout, int maxResponseBytes) throws IOException {
        return new SandboxEnv(ClariSandbox.start(), requestTimeout, maxResponseBytes);
    }

    /** What an MCP client would put in the server's environment for this sandbox. */
    static Map<String, String> env(ClariSandbox sb) {
        return Map.of(
                "CLARI_API_TOKEN", sb.token(),
                "CLARI_BASE_URL", sb.baseUrl().toString(),
                "CLARI_FORECAST_ID", "forecast",
                "CLARI_POLL_INTERVAL_SECONDS", "0.02",
                "CLARI_POLL_MAX_ATTEMPTS", "50",
                // Every call does its work: no answers from memory, no local export budget in the way.
                "CLARI_CACHE_SECONDS", "0",
                "CLARI_MAX_EXPORTS_PER_HOUR", "10000");
    }

    Map<String, String> env() {
        return env(sandbox);
    }

    /** Arguments that make the tool do real work against the seeded org. */
    Json.Obj validArguments(String tool) {
        SandboxOrg org = sandbox.org();
        return switch (tool) {
            case "get_forecast" -> Json.obj("time_period", org.currentQuarter());
            case "get_pipeline_changes" -> Json.obj("start_date", org.today().minusDays(14).toString(),
                    "end_date", org.today().toString(), "limit", 25);
            case "get_deal_risk" -> Json.obj("opp_ids", ObjBuilder.strings(
                    org.opportunities().stream().limit(6).map(SandboxOrg.Opportunity::id).toList()));
            default -> Json.Obj.EMPTY;
        };
    }

    List<String> toolNames() {
        return List.copyOf(tools.keySet());
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
