package clarimcp;

import clarimcp.clari.ClariConfig;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.McpServer;
import clarimcp.mcp.Wire;
import clarimcp.tools.Prompts;
import clarimcp.tools.Tools;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Entry point. The only class that touches the real environment and standard streams: it takes
 * stdout for the protocol, points System.out at stderr so nothing else can write there, and
 * wires the layers together. The CLI modes (--help, --version, --check, call) print their human
 * output on stdout, which is not the protocol there; diagnostics always go to stderr.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(err);
        ignoreTokenPrintingOptions(err);
        System.exit(run(args, System.in, protocolOut, err, System.getenv()));
    }

    private static void ignoreTokenPrintingOptions(PrintStream err) {
        for (String p : Help.TOKEN_PRINTING_PROPERTIES) {
            if (System.clearProperty(p) != null) err.println(Help.NAME + ": ignoring -D" + p + ": its output would show the API token");
        }
    }

    /** Runs the command line; returns the process exit code. */
    static int run(String[] args, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        Command command;
        try {
            command = Command.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(Help.NAME + ": " + e.getMessage() + " (see " + Help.NAME + " --help)");
            return Help.EXIT_USAGE;
        }
        PrintStream text = new PrintStream(out, true, StandardCharsets.UTF_8);
        if (command.mode() != Command.Mode.VERSION && command.mode() != Command.Mode.HELP) env = filledIn(env, err);
        return switch (command.mode()) {
            case VERSION -> {
                text.println(Help.NAME + " " + Help.VERSION);
                yield Help.EXIT_OK;
            }
            case HELP -> {
                text.print(Help.text(Help.NAME));
                yield Help.EXIT_OK;
            }
            case CHECK -> Check.run(env, dryRunByEnv(env, err), text);
            case CALL -> {
                boolean dryRun = command.dryRun() || dryRunByEnv(env, err);
                LazyClari clari = new LazyClari(env, dryRun, err);
                CallLog log = LogSetup.open(env, LogSetup.level(env, err), err);
                yield CallCommand.run(Tools.all(clari, dryRun), command.tool(), command.arguments(), log, text, err);
            }
            case SERVE -> serve(command.dryRun() || dryRunByEnv(env, err), in, out, err, env);
        };
    }

    private static int serve(boolean dryRun, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        LazyClari clari = new LazyClari(env, dryRun, err);
        clari.startupProblem().ifPresent(p -> err.println(Help.NAME + ": configuration problem: " + p));
        if (dryRun) err.println(Help.NAME + ": dry run: tools answer with the HTTP requests they would send; nothing is sent to Clari");
        CallLog log = LogSetup.open(env, LogSetup.level(env, err), err);
        McpServer server = new McpServer(Tools.all(clari, dryRun), Prompts.all(Clock.systemUTC()), info(),
                new Wire.Writer(out), err, log);
        try {
            server.serve(in);
            return Help.EXIT_OK;
        } catch (IOException e) {
            err.println(Help.NAME + ": cannot read stdin: " + e.getMessage());
            return Help.EXIT_FAILURE;
        }
    }

    /**
     * env without our variables that hold only a ${user_config...} placeholder, which a client passes for a
     * bundle setting left empty: they count as unset, like empty ones, with one warning naming them.
     */
    private static Map<String, String> filledIn(Map<String, String> env, PrintStream err) {
        Set<String> unfilled = ClariConfig.placeholders(env);
        if (unfilled.isEmpty()) return env;
        err.println(Help.NAME + ": warning: " + String.join(", ", unfilled) + (unfilled.size() == 1 ? " holds" : " hold")
                + " an unfilled ${...} placeholder; treated as unset");
        Map<String, String> filled = new HashMap<>(env);
        filled.keySet().removeAll(unfilled);
        return filled;
    }

    /**
     * CLARI_DRY_RUN: 1, true, yes or on (any case) turn the dry run on; 0, false, no, off or empty leave it
     * off; anything else turns it on with a warning, since sending nothing is the safe reading of a typo.
     */
    static boolean dryRunByEnv(Map<String, String> env, PrintStream err) {
        String v = env.getOrDefault("CLARI_DRY_RUN", "").strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "0", "false", "no", "off" -> false;
            case "1", "true", "yes", "on" -> true;
            default -> {
                err.println(Help.NAME + ": CLARI_DRY_RUN should be 1 or 0; treating it as 1 (dry run: nothing is sent)");
                yield true;
            }
        };
    }

    static McpServer.ServerInfo info() {
        return new McpServer.ServerInfo(Help.NAME, "Clari RevOps (read-only)", Help.VERSION,
                "Read-only access to Clari forecasts, pipeline changes (audit events) and deal risk; "
                        + "prompts forecast_call_prep, commit_inspection and pipeline_review chain them for a forecast call. "
                        + "Periods look like 2026_Q2; dates are ISO (YYYY-MM-DD).");
    }
}
