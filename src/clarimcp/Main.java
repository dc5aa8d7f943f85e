package clarimcp;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.jsonrpc.MessageWriter;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.McpServer;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolException;
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
 * wires the layers together.
 */
public final class Main {
    static final String NAME = "clari-revops-mcp";
    static final String VERSION = "0.1.0";

    private Main() {}

    public static void main(String[] args) {
        OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(err);
        System.exit(run(args, System.in, protocolOut, err, System.getenv()));
    }

    /** Runs the command line; returns the process exit code. */
    static int run(String[] args, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        if (args.length > 0) {
            switch (args[0]) {
                case "--version" -> {
                    err.println(NAME + " " + VERSION);
                    return 0;
                }
                default -> {
                    err.println(NAME + ": unknown option '" + args[0] + "'");
                    return 2;
                }
            }
        }
        LazyClari clari = new LazyClari(env);
        clari.startupProblem().ifPresent(p -> err.println(NAME + ": configuration problem: " + p));
        CallLog log = LogSetup.open(env, LogSetup.level(env, err), err);
        McpServer server = new McpServer(tools(clari), info(), new MessageWriter(out), err, log);
        try {
            server.serve(in);
            return 0;
        } catch (IOException e) {
            err.println(NAME + ": cannot read stdin: " + e.getMessage());
            return 1;
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

    /**
     * Configuration parsed once at start (no I/O), the HTTP client built on first use, so
     * initialize never waits for the network and a bad setting is explained on every call.
     */
    private static final class LazyClari implements ClariAccess {
        private final ClariConfig config;
        private final String problem;
        private ClariClient client;

        LazyClari(Map<String, String> env) {
            ClariConfig c = null;
            String p = null;
            try {
                c = ClariConfig.fromEnv(env);
            } catch (IllegalArgumentException e) {
                p = e.getMessage();
            }
            this.config = c;
            this.problem = p;
        }

        java.util.Optional<String> startupProblem() {
            return java.util.Optional.ofNullable(problem);
        }

        @Override
        public ClariConfig config() throws ToolException {
            if (config == null) throw new ToolException("Server configuration problem: " + problem);
            return config;
        }

        @Override
        public synchronized ClariClient client() throws ToolException {
            if (client == null) client = new ClariClient(config());
            return client;
        }
    }
}
