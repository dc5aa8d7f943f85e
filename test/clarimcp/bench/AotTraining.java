package clarimcp.bench;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.SandboxOrg;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Map;

/**
 * The training session of the start-up cache (build.sh runs it at every build, through a launcher that
 * records what the JVM loads and links): a realistic MCP session against the Clari sandbox on 127.0.0.1,
 * so that the cache holds the classes of start-up and of every tool, HTTP client included. Each tool
 * listed by tools/list is called (arguments that succeed for the three known ones, {} for any other),
 * plus the paths every session meets: ping, a progress token, a bad argument, an unknown method, a line
 * that is not JSON. Offline and bounded: loopback only, short sandbox jobs, and a watchdog that ends the
 * process after {@link #WHOLE_SESSION}. Prints "training: ..." lines (build.sh shows them) to stderr.
 */
public final class AotTraining {
    /** Ends a stuck session (the sandbox or the server hung): the build must fail, not wait. */
    static final Duration WHOLE_SESSION = Duration.ofSeconds(150);
    /** One call; forecast jobs take JOB below, the other tools milliseconds. */
    private static final long CALL_TIMEOUT_MS = 30_000;
    /** Server exit after end of input, which includes writing the recording (~1-2 s). */
    private static final long EXIT_TIMEOUT_MS = 90_000;
    /** Export jobs short enough to keep the build quick, long enough for a poll and a progress message. */
    private static final Duration JOB = Duration.ofMillis(300);
    /** get_deal_risk with more ids than one Clari call takes, so batching and joining run too. */
    private static final int DEAL_IDS = 250;

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(WHOLE_SESSION);
                err.println("training: gave up after " + WHOLE_SESSION.toSeconds() + " s");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // the session finished
            }
        });
        long start = System.nanoTime();
        int problems = run(err);
        err.printf("training: session done in %d ms%s%n", (System.nanoTime() - start) / 1_000_000,
                problems == 0 ? "" : " (" + problems + " tool error(s): the cache lacks their success path)");
        System.exit(0);
    }

    /** Runs the session; returns the number of tool calls that answered isError. Throws on protocol failures. */
    static int run(PrintStream err) throws Exception {
        int problems = 0;
        try (ClariSandbox sandbox = ClariSandbox.start()) {
            sandbox.knobs().jobDuration(JOB);
            Map<String, String> env = Map.of(
                    "CLARI_API_TOKEN", sandbox.token(),
                    "CLARI_BASE_URL", sandbox.baseUrl().toString(),
                    "CLARI_FORECAST_ID", "forecast",
                    "CLARI_POLL_INTERVAL_SECONDS", "0.2");
            try (Launcher server = Launcher.start(env)) {
                Session s = new Session(server);
                s.call("initialize", Json.obj("protocolVersion", "2025-11-25",
                        "capabilities", Json.Obj.EMPTY,
                        "clientInfo", Json.obj("name", "aot-training", "version", "1")));
                server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                s.call("ping", null);
                Json.Obj list = s.call("tools/list", null);
                for (Json tool : list.obj("result").arr("tools").items()) {
                    String name = ((Json.Obj) tool).str("name");
                    Json.Obj result = s.tool(name, arguments(name, sandbox.org()));
                    boolean failed = Json.Bool.TRUE.equals(result.get("isError"));
                    err.printf("training: %s %s%n", name, failed ? "answered an error" : "ok");
                    if (failed) problems++;
                }
                sandbox.knobs().syncStatus(501); // the export fallback too: submit, poll, results
                Json.Obj exported = s.tool("get_forecast", arguments("get_forecast", sandbox.org()));
                err.printf("training: get_forecast by export %s%n", Json.Bool.TRUE.equals(exported.get("isError")) ? "answered an error" : "ok");
                s.tool("get_deal_risk", Json.obj("opp_ids", Json.Arr.EMPTY)); // bad argument
                s.call("no/such/method", null);
                server.send("{not json");
                s.call("ping", null);
                int exit = server.closeAndWait(EXIT_TIMEOUT_MS);
                if (exit != 0) throw new AssertionError("server exited with " + exit + "; stderr: " + server.stderr());
            }
            err.printf("training: sandbox answered %d requests%n", sandbox.requests().size());
        }
        return problems;
    }

    /** Arguments that make each known tool succeed against the sandbox; {} for a tool this session does not know. */
    static Json.Obj arguments(String tool, SandboxOrg org) {
        LocalDate today = org.today();
        return switch (tool) {
            case "get_forecast" -> Json.obj("time_period", org.currentQuarter());
            case "get_pipeline_changes" -> Json.obj("start_date", today.minusDays(30).toString(),
                    "end_date", today.toString());
            case "get_deal_risk" -> Json.obj("opp_ids", ObjBuilder.strings(
                    org.opportunities().stream().map(SandboxOrg.Opportunity::id).limit(DEAL_IDS).toList()));
            default -> Json.Obj.EMPTY;
        };
    }

    /** Request ids and the wait for each answer. */
    private static final class Session {
        private final Launcher server;
        private int nextId;

        Session(Launcher server) {
            this.server = server;
        }

        Json.Obj call(String method, Json.Obj params) throws Exception {
            int id = nextId++;
            ObjBuilder b = new ObjBuilder().put("jsonrpc", "2.0").put("id", id).put("method", method);
            if (params != null) b.put("params", params);
            Json.Obj reply = server.request(JsonWriter.write(b.build()), Json.of(id), CALL_TIMEOUT_MS, new ArrayList<>());
            if (method.equals("no/such/method")) return reply;
            if (reply.obj("result") == null) throw new AssertionError(method + " failed: " + JsonWriter.write(reply));
            return reply;
        }

        /** A tools/call with a progress token; returns the result (a protocol error fails the session). */
        Json.Obj tool(String name, Json.Obj arguments) throws Exception {
            Json.Obj params = Json.obj("name", name, "arguments", arguments,
                    "_meta", Json.obj("progressToken", "t" + nextId));
            return call("tools/call", params).obj("result");
        }
    }
}
