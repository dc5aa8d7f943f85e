package clarimcp;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.Tool;
import java.io.PrintStream;
import java.util.List;

/**
 * `clari-revops-mcp call TOOL 'JSON'`: one tool from a shell, for scripts and for checking a setup
 * without an MCP client. The tool's text goes to stdout; progress goes to stderr; the call is logged
 * like any other. Exit 0, 1 on a tool error, 2 on a bad command line.
 */
final class CallCommand {
    private CallCommand() {}

    static int run(List<Tool> tools, String name, String json, CallLog log, PrintStream out, PrintStream err) {
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
            if (result == null) {
                meter.finish(CallLog.Outcome.PROTOCOL_ERROR);
                return Help.EXIT_FAILURE;
            }
        } catch (InterruptedException e) {
            meter.finish(CallLog.Outcome.CANCELLED);
            Thread.currentThread().interrupt();
            return Help.EXIT_FAILURE;
        }
        meter.finish(result.isError() ? CallLog.Outcome.TOOL_ERROR : CallLog.Outcome.OK);
        out.print(result.text().endsWith("\n") ? result.text() : result.text() + "\n");
        out.flush();
        return result.isError() ? Help.EXIT_FAILURE : Help.EXIT_OK;
    }
}
