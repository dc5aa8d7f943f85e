package clarimcp.demo;

import clarimcp.e2e.Launcher;
import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * `make demo`: the main job on the bundled default. Starts the Clari sandbox on loopback, runs
 * the built launcher against it over stdio exactly as Claude Desktop would, and prints what a
 * RevOps lead would see for the three questions the server exists to answer.
 */
public final class Demo {
    private static final long CALL_TIMEOUT_MS = 60_000;
    /**
     * Deal ids as a RevOps lead pastes them from a Salesforce report: the 15-character form (Clari answers
     * with the 18-character one). Written here, not read from the sandbox: the sandbox numbers its deals
     * the same way every day (OrgSeed.opportunityId), so these name seeded deals whatever the date.
     */
    private static final List<String> PASTED_FROM_CRM_REPORT = List.of("0065e000Bq7Xk03", "0065e000Bq7Xk07",
            "0065e000Bq7Xk0C", "0065e000Bq7Xk0I", "0065e000Bq7Xk0P", "0065e000Bq7Xk0V", "0065e000Bq7Xk0e", "0065e000Bq7Xk0i");

    /** The same, from a report of this quarter's Commit deals (as it stood last week), for the Commit inspection. */
    private static final List<String> COMMIT_REPORT = List.of("0065e000Bq7Xk2J", "0065e000Bq7Xk3C", "0065e000Bq7Xk3d",
            "0065e000Bq7Xk4q", "0065e000Bq7Xk0k", "0065e000Bq7Xk2Y", "0065e000Bq7Xk39", "0065e000Bq7Xk5Z", "0065e000Bq7Xk0Y",
            "0065e000Bq7Xk1K", "0065e000Bq7Xk20", "0065e000Bq7Xk3g");

    private Demo() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (ClariSandbox sandbox = ClariSandbox.start()) {
            Map<String, String> env = Map.of(
                    "CLARI_API_TOKEN", sandbox.token(),
                    "CLARI_BASE_URL", sandbox.baseUrl().toString(),
                    "CLARI_FORECAST_ID", "forecast",
                    "CLARI_POLL_INTERVAL_SECONDS", "1");
            out.println("Clari sandbox at " + sandbox.baseUrl() + " (seeded org: " + sandbox.org().users().size()
                    + " users, " + sandbox.org().opportunities().size() + " opportunities)");
            out.println("Server: " + Launcher.path() + " over stdio");
            try (Launcher server = Launcher.start(env)) {
                Json.Obj init = server.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                        + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"make-demo\",\"version\":\"1\"}}}",
                        Json.of(0), 30_000, null);
                Json.Obj info = init.obj("result").obj("serverInfo");
                out.println("Connected to " + info.str("name") + " " + info.str("version")
                        + " (protocol " + init.obj("result").str("protocolVersion") + ")");
                server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

                String quarter = sandbox.org().currentQuarter();
                ask(out, server, 1, "Where will we land in " + quarter.replace('_', ' ') + ", and what moved since last week?", "get_forecast",
                        Json.obj("compare_to", "last_week"));
                // The tool's default window (the last 7 days ending now): no dates computed from the sandbox.
                ask(out, server, 2, "What changed in Clari in the last 7 days?", "get_pipeline_changes",
                        Json.obj("limit", 25));
                ask(out, server, 3, "Which of these deals from my CRM report does Clari think are at risk?", "get_deal_risk",
                        Json.obj("opp_ids", ObjBuilder.strings(PASTED_FROM_CRM_REPORT)));
                // A Commit inspection as a client runs the prompt: prompts/get, then the tool call its text names.
                Json.Obj prompt = server.request(JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", 40,
                        "method", "prompts/get", "params", Json.obj("name", "commit_inspection",
                                "arguments", Json.obj("opp_ids", String.join(", ", COMMIT_REPORT))))), Json.of(40), CALL_TIMEOUT_MS, null);
                String text = ((Json.Obj) prompt.obj("result").arr("messages").items().get(0)).obj("content").str("text");
                java.util.regex.Matcher call = java.util.regex.Pattern.compile("Call get_deal_risk with (\\{.*?\\})\\.\n").matcher(text);
                if (!call.find()) throw new IllegalStateException("commit_inspection names no get_deal_risk call: " + text);
                ask(out, server, 4, "Commit inspection (prompt commit_inspection): which Commit deals are at risk, and what changed "
                        + "since last week?", "get_deal_risk", (Json.Obj) JsonParser.parse(call.group(1)));
                int exit = server.closeAndWait(10_000);
                out.println();
                out.println("Server exited with code " + exit + " at end of input; requests the sandbox received: "
                        + sandbox.requests().size() + " (methods: "
                        + sandbox.requests().stream().map(r -> r.method()).distinct().sorted().toList() + ")");
            }
        }
    }

    private static void ask(PrintStream out, Launcher server, int id, String question, String tool, Json.Obj args)
            throws Exception {
        out.println();
        out.println("=".repeat(100));
        out.println("Q" + id + ". " + question);
        String shown = JsonWriter.write(args);
        out.println("    -> " + tool + " " + (shown.length() > 120 ? shown.substring(0, 117) + "..." : shown));
        out.println("=".repeat(100));
        Json.Obj call = Json.obj("jsonrpc", "2.0", "id", id, "method", "tools/call",
                "params", Json.obj("name", tool, "arguments", args,
                        "_meta", Json.obj("progressToken", "q" + id)));
        long start = System.nanoTime();
        List<Json.Obj> notes = new java.util.ArrayList<>();
        Json.Obj reply = server.request(JsonWriter.write(call), Json.of(id), CALL_TIMEOUT_MS, notes);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (reply.obj("error") != null) {
            out.println("protocol error: " + JsonWriter.write(reply.obj("error")));
            return;
        }
        Json.Obj result = reply.obj("result");
        for (Json c : result.arr("content").items()) out.println(((Json.Obj) c).str("text"));
        out.println("(" + ms + " ms" + (notes.isEmpty() ? "" : ", " + notes.size() + " progress notifications")
                + (Json.Bool.TRUE.equals(result.get("isError")) ? ", tool error" : "") + ")");
    }
}
