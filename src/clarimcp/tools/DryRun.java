package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariClient.PlannedRequest;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A tool in dry-run mode (--dry-run or CLARI_DRY_RUN=1): each call runs a fresh instance of the real
 * tool against a client that plans instead of sending, and answers with the requests it would send
 * (token masked). A request whose answer is needed ends the run, so tools that need several requests
 * show the first one(s) and say that later ones depend on Clari's answers. Arguments are checked as usual.
 */
final class DryRun implements Tool {
    private final Function<ClariAccess, Tool> maker;
    private final ClariAccess clari;
    private final Tool prototype;

    DryRun(Function<ClariAccess, Tool> maker, ClariAccess clari) {
        this.maker = maker;
        this.clari = clari;
        this.prototype = maker.apply(clari);
    }

    @Override
    public String name() {
        return prototype.name();
    }

    @Override
    public String title() {
        return prototype.title();
    }

    @Override
    public String description() {
        return "[DRY RUN: returns the HTTP requests it would send, sends nothing] " + prototype.description();
    }

    @Override
    public Json.Obj inputSchema() {
        return prototype.inputSchema();
    }

    /** None: a dry run answers with text only, never the tool's structured result. */
    @Override
    public Json.Obj outputSchema() {
        return null;
    }

    @Override
    public Json.Obj annotations() {
        return prototype.annotations();
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        List<PlannedRequest> plan = Collections.synchronizedList(new ArrayList<>());
        ClariAccess planning = new ClariAccess() {
            @Override
            public ClariConfig config() throws ToolException {
                return clari.config();
            }

            @Override
            public ClariClient client() throws ToolException {
                return clari.client().planning(plan::add);
            }
        };
        ToolResult result;
        try {
            result = maker.apply(planning).call(arguments, ctx);
        } catch (ToolException e) {
            if (plan.isEmpty()) throw e; // a bad argument or setting: nothing would have been sent
            result = null;
        }
        if (plan.isEmpty()) return result;
        return ToolResult.ok(render(List.copyOf(plan), result == null), null);
    }

    private String render(List<PlannedRequest> plan, boolean stopped) {
        StringBuilder out = new StringBuilder("DRY RUN: nothing was sent to Clari. ").append(name())
                .append(" would send ").append(plan.size() == 1 ? "this request" : "these requests").append(":\n");
        int n = 0;
        for (PlannedRequest r : plan) {
            out.append('\n').append(++n).append(". ").append(r.method()).append(' ').append(r.uri()).append('\n');
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                out.append("   ").append(h.getKey()).append(": ").append(h.getValue()).append('\n');
            }
            if (r.body() != null) out.append("   ").append(r.body()).append('\n');
        }
        if (stopped) {
            out.append("\nRequests that depend on Clari's answers (an export job where the synchronous forecast read is missing, "
                    + "polling a job, a next page, waiting for a free export slot) "
                    + "are not shown; of requests made in parallel, only the first may be.\n");
        }
        return out.toString();
    }
}
