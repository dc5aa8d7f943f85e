package clarimcp;

import clarimcp.jsonrpc.MessageWriter;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.McpServer;
import clarimcp.mcp.Tool;
import clarimcp.tools.ClariAccess;
import clarimcp.tools.Tools;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Entry point. The only class that touches the real environment and standard streams: it takes
 * stdout for the protocol, points System.out at stderr so nothing else can write there, and
 * wires the layers together. The CLI modes (--help, --version, --check, call) print their human
 * output on stdout, which is not the protocol there; diagnostics always go to stderr.
 */
public final class Main {
    static final String NAME = "clari-revops-mcp";
    static final String VERSION = "0.1.0";

    /** Process exit codes. */
    static final int EXIT_OK = 0;
    /** A failed check, a tool error in `call`, or unreadable stdin. */
    static final int EXIT_FAILURE = 1;
    /** A bad command line. */
    static final int EXIT_USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(err);
        System.exit(run(args, System.in, protocolOut, err, System.getenv()));
    }

    /** Runs the command line; returns the process exit code. */
    static int run(String[] args, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        Command command;
        try {
            command = Command.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage() + " (see " + NAME + " --help)");
            return EXIT_USAGE;
        }
        PrintStream text = new PrintStream(out, true, StandardCharsets.UTF_8);
        return switch (command.mode()) {
            case VERSION -> {
                text.println(NAME + " " + VERSION);
                yield EXIT_OK;
            }
            case HELP -> {
                text.print(Help.text(NAME));
                yield EXIT_OK;
            }
            case CHECK -> Check.run(env, text);
            case CALL -> {
                LazyClari clari = new LazyClari(env, err);
                CallLog log = LogSetup.open(env, LogSetup.level(env, err), err);
                yield CallCommand.run(tools(clari), command.tool(), command.arguments(), log, text, err);
            }
            case SERVE -> serve(in, out, err, env);
        };
    }

    private static int serve(InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        LazyClari clari = new LazyClari(env, err);
        clari.startupProblem().ifPresent(p -> err.println(NAME + ": configuration problem: " + p));
        CallLog log = LogSetup.open(env, LogSetup.level(env, err), err);
        McpServer server = new McpServer(tools(clari), info(), new MessageWriter(out), err, log);
        try {
            server.serve(in);
            return EXIT_OK;
        } catch (IOException e) {
            err.println(NAME + ": cannot read stdin: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    static List<Tool> tools(ClariAccess clari) {
        return Tools.all(clari);
    }

    static McpServer.ServerInfo info() {
        return new McpServer.ServerInfo(NAME, "Clari RevOps (read-only)", VERSION,
                "Read-only access to Clari forecasts, pipeline changes (audit events) and deal risk. "
                        + "Periods look like 2026_Q2; dates are ISO (YYYY-MM-DD).");
    }
}
