package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.mcp.Tool;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * How tools reach Clari. The server's is {@link Lazy}, so nothing touches the network, TLS or the token before
 * the first tool call, and a bad configuration (say, a missing token) becomes an isError result on every call
 * instead of stopping the server before it can explain itself. Tests and the dry run supply their own.
 */
public interface Clari {
    /** The validated configuration, or a Tool.Failure saying what to fix. */
    ClariConfig config() throws Tool.Failure;

    /** The shared client, or a Tool.Failure saying what to fix. */
    ClariClient client() throws Tool.Failure;

    /**
     * A setting Clari rejected (e.g. CLARI_FORECAST_ID unknown to Clari), for the operator: the server
     * reports each distinct message once on stderr. The tool still returns it as its error.
     */
    default void reportConfigProblem(String message) {}

    /**
     * The shared client as one tool call sees it: reporting its HTTP exchanges to ctx (for the call log),
     * every request of the call within one time and bytes budget (see ClariClient.forCall).
     */
    default ClariClient client(Tool.Context ctx) throws Tool.Failure {
        return client().forCall(ctx::httpExchange);
    }

    /**
     * The configuration parsed once at start (no I/O), the HTTP client built on first use, so initialize never
     * waits for the network and a bad setting is explained on every call. Messages for the operator go to warn.
     */
    final class Lazy implements Clari {
        private final ClariConfig config;
        private final String problem;
        private final boolean dryRun;
        private final Consumer<String> warn;
        private final Set<String> reported = ConcurrentHashMap.newKeySet();
        private ClariClient client; // guarded by this

        public Lazy(Map<String, String> env, boolean dryRun, Consumer<String> warn) {
            ClariConfig c = null;
            String p = null;
            try {
                c = ClariConfig.fromEnv(env);
            } catch (IllegalArgumentException e) {
                p = e.getMessage();
            }
            if (c != null && c.pollProblem() != null) warn.accept("configuration problem: " + c.pollProblem());
            this.config = c;
            this.problem = p;
            this.dryRun = dryRun;
            this.warn = warn;
        }

        /** What is wrong with the configuration, or null. */
        public String startupProblem() {
            return problem;
        }

        @Override
        public ClariConfig config() throws Tool.Failure {
            if (config == null) throw new Tool.Failure("Server configuration problem: " + problem);
            return config;
        }

        @Override
        public synchronized ClariClient client() throws Tool.Failure {
            if (client == null) {
                ClariClient c;
                try {
                    c = new ClariClient(config());
                } catch (IllegalArgumentException e) { // CLARI_CA_BUNDLE unusable: explained on every call, like any setting
                    throw new Tool.Failure("Server configuration problem: " + e.getMessage());
                }
                for (String warning : new String[] {c.tokenWarning(), c.tokenOwnershipProblem()}) {
                    if (warning != null) warn.accept("warning: " + warning);
                }
                // In a dry run the tools plan on a view of this client; should anything bypass them, it is refused, not sent.
                client = dryRun ? c.planning(r -> {
                    throw new IllegalStateException("dry run: request refused outside the dry-run tool");
                }) : c;
            }
            return client;
        }

        /** Each distinct problem once on stderr, however many calls meet it. */
        @Override
        public void reportConfigProblem(String message) {
            if (reported.add(message)) warn.accept("configuration problem: " + message);
        }
    }
}
