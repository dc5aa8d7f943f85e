package clarimcp;

import clarimcp.clari.ClariConfig;
import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.McpServer;
import clarimcp.mcp.Wire;
import clarimcp.mcp.Tool;
import clarimcp.tools.Clari;
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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Entry point. The only class that touches the real environment and standard streams: `main` takes stdout for
 * the protocol, points System.out at stderr so nothing else can write there, and hands the streams to `start`,
 * which reads the command line with a plain switch, wires the layers and returns the exit status. The CLI modes
 * (--help, --version, --check, call) print their human output on stdout, which is not the protocol there;
 * diagnostics always go to stderr.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(err);
        ignoreTokenPrintingOptions(err);
        System.exit(start(args, System.in, protocolOut, err, System.getenv()));
    }

    private static void ignoreTokenPrintingOptions(PrintStream err) {
        for (String p : Help.TOKEN_PRINTING_PROPERTIES) {
            if (System.clearProperty(p) != null) err.println(Help.NAME + ": ignoring -D" + p + ": its output would show the API token");
        }
    }

    /**
     * Runs the command line; returns the process exit code. No arguments: the MCP server on stdio; --dry-run
     * comes first, before the server or `call`. Anything unknown or out of place is a usage error saying what.
     */
    static int start(String[] all, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        boolean dryRun = all.length > 0 && all[0].equals("--dry-run");
        String[] args = dryRun ? Arrays.copyOfRange(all, 1, all.length) : all;
        String option = args.length == 0 ? null : args[0]; // null: the server
        String usage = option == null ? null : switch (option) {
            case "call" -> args.length == 2 || args.length == 3 ? null : "usage: call TOOL ['{\"json\":\"arguments\"}']";
            case "--help", "-h", "--version", "--check" -> dryRun ? "--dry-run applies to the server and to call only"
                    : args.length > 1 ? "unexpected argument '" + Wire.clip(args[1]) + "' after " + option : null;
            default -> "unknown option '" + Wire.clip(option) + "'";
        };
        if (usage != null) {
            err.println(Help.NAME + ": " + usage + " (see " + Help.NAME + " --help)");
            return Help.EXIT_USAGE;
        }
        PrintStream text = new PrintStream(out, true, StandardCharsets.UTF_8);
        if ("--version".equals(option)) {
            text.println(Help.NAME + " " + Help.VERSION);
            return Help.EXIT_OK;
        } else if ("--help".equals(option) || "-h".equals(option)) {
            text.print(Help.text());
            return Help.EXIT_OK;
        }
        env = filledIn(env, err);
        if ("--check".equals(option)) return Check.run(env, dryRunByEnv(env, err), text);
        dryRun = dryRun || dryRunByEnv(env, err);
        Clari.Lazy clari = new Clari.Lazy(env, dryRun, m -> err.println(Help.NAME + ": " + m));
        if (option == null) {
            if (clari.startupProblem() != null) err.println(Help.NAME + ": configuration problem: " + clari.startupProblem());
            if (dryRun) err.println(Help.NAME + ": dry run: tools answer with the HTTP requests they would send; nothing is sent to Clari");
        }
        CallLog log = openLog(env, err);
        List<Tool> tools = Tools.all(clari, dryRun);
        if (option != null) return call(tools, args[1], args.length == 3 ? args[2] : "{}", log, text, err);
        McpServer server = new McpServer(tools, Prompts.all(Clock.systemUTC()), info(), new Wire.Writer(out), err, log);
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

    /**
     * `clari-revops-mcp call TOOL 'JSON'`: one tool from a shell, for scripts and for checking a setup without an
     * MCP client. The tool's text goes to stdout; progress goes to stderr; the call is logged like any other.
     * Exit 0, 1 on a tool error, 2 on a bad command line.
     */
    private static int call(List<Tool> tools, String name, String json, CallLog log, PrintStream out, PrintStream err) {
        Tool tool = tools.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (tool == null) {
            err.println(Help.NAME + ": unknown tool; expected one of: " + String.join(", ", tools.stream().map(Tool::name).toList()));
            return Help.EXIT_USAGE;
        }
        Json.Obj args;
        try {
            if (!(JsonParser.parse(json) instanceof Json.Obj o)) throw new JsonException("not an object", 0);
            args = o;
        } catch (JsonException e) {
            err.println(Help.NAME + ": the arguments must be one JSON object, e.g. '{\"time_period\":\"2026_Q2\"}' ("
                    + e.getMessage() + ")");
            return Help.EXIT_USAGE;
        }
        CallLog.Meter meter = new CallLog.Meter(log, tool.name(), args);
        Tool.Context ctx = new Tool.Context() {
            @Override
            public void progress(double progress, Double total, String message) {
                if (message != null) err.println(Help.NAME + ": " + message);
            }

            @Override
            public void log(String level, String message) {
                err.println(Help.NAME + ": " + level + ": " + message);
            }

            @Override
            public void httpExchange(String method, String pathTemplate, int status) {
                meter.exchange(method, pathTemplate, status);
            }
        };
        Tool.Result result;
        try {
            result = tool.run(args, ctx, err); // the server's runner: the same errors, the same caps
        } catch (InterruptedException e) {
            meter.finish(CallLog.Outcome.CANCELLED);
            Thread.currentThread().interrupt();
            return Help.EXIT_FAILURE;
        }
        meter.finish(CallLog.Outcome.of(result));
        if (result == null) return Help.EXIT_FAILURE;
        out.print(result.text().endsWith("\n") ? result.text() : result.text() + "\n");
        out.flush();
        return result.isError() ? Help.EXIT_FAILURE : Help.EXIT_OK;
    }

    /**
     * The call log: JSON lines appended to CLARI_LOG_FILE (created readable by the owner only), else on stderr, at
     * CLARI_LOG_LEVEL (debug adds one line per HTTP exchange; info, the default, one per tool call; warning and
     * above leave only problems). A bad setting is reported on stderr and falls back to stderr, or to info:
     * logging must never stop the server.
     */
    private static CallLog openLog(Map<String, String> env, PrintStream err) {
        String name = env.getOrDefault("CLARI_LOG_LEVEL", "");
        CallLog.Level level = name.isBlank() ? CallLog.Level.INFO : CallLog.Level.parse(name.strip().toLowerCase(Locale.ROOT));
        if (level == null) {
            err.println(Help.NAME + ": CLARI_LOG_LEVEL must be one of debug, info, notice, warning, error; using info");
            level = CallLog.Level.INFO;
        }
        String file = env.get("CLARI_LOG_FILE");
        if (file == null || file.isBlank()) return new CallLog.JsonLines(err, level);
        try {
            return new CallLog.JsonLines(new PrintStream(append(Path.of(file.strip())), true, StandardCharsets.UTF_8), level);
        } catch (RefusedLogFile e) {
            err.println(Help.NAME + ": CLARI_LOG_FILE refused: " + e.getMessage() + "; logging to stderr instead");
        } catch (IOException | InvalidPathException | UnsupportedOperationException e) {
            err.println(Help.NAME + ": cannot write CLARI_LOG_FILE (" + e.getClass().getSimpleName()
                    + "): check the path and its directory's permissions; logging to stderr instead");
        }
        return new CallLog.JsonLines(err, level);
    }

    /** An existing CLARI_LOG_FILE we will not append to; the message says why and what to do. */
    private static final class RefusedLogFile extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedLogFile(String why) {
            super(why);
        }
    }

    /**
     * Opens file for appending, creating it rw------- first if absent; never follows a symbolic link. An existing
     * file must be a regular file (a FIFO would block the open, and so start-up, until a reader comes) owned by
     * the user running us (appending to someone else's file would mix our log into theirs, or let them read ours).
     * For the race between this check and the open, see ClariConfig.notRegularFile.
     */
    private static OutputStream append(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException exists) {
            String kind = ClariConfig.notRegularFile(file, LinkOption.NOFOLLOW_LINKS);
            if (kind != null) throw new RefusedLogFile("it names " + kind + "; it must be a regular file");
            String me = System.getProperty("user.name", "?");
            try {
                String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
                if (!me.equals("?") && !owner.equals(me)) throw new RefusedLogFile("it is owned by another user; use a file of yours");
            } catch (UnsupportedOperationException notPosix) {
                // ACLs apply
            }
        } catch (UnsupportedOperationException notPosix) {
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close(); // e.g. Windows: ACLs apply
        }
        return Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
}
