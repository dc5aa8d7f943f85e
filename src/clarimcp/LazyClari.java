package clarimcp;

import clarimcp.mcp.Tool;
import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.tools.ClariAccess;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Configuration parsed once at start (no I/O), the HTTP client built on first use, so initialize
 * never waits for the network and a bad setting is explained on every call.
 */
final class LazyClari implements ClariAccess {
    private final ClariConfig config;
    private final String problem;
    private final boolean dryRun;
    private final PrintStream err;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private ClariClient client; // guarded by this

    LazyClari(Map<String, String> env, boolean dryRun, PrintStream err) {
        ClariConfig c = null;
        String p = null;
        try {
            c = ClariConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            p = e.getMessage();
        }
        if (c != null && c.pollProblem() != null) err.println(Help.NAME + ": configuration problem: " + c.pollProblem());
        this.config = c;
        this.problem = p;
        this.dryRun = dryRun;
        this.err = err;
    }

    /** What is wrong with the configuration, if anything. */
    Optional<String> startupProblem() {
        return Optional.ofNullable(problem);
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
                if (warning != null) err.println(Help.NAME + ": warning: " + warning);
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
        if (reported.add(message)) err.println(Help.NAME + ": configuration problem: " + message);
    }
}
