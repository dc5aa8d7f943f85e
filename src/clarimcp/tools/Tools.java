package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.clari.ClariClient.PlannedRequest;
import clarimcp.mcp.Tool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry: every tool this server offers, in the order tools/list shows them; how a tool of this package is
 * made (its arguments checked against its input schema before its handler runs, Clari's errors mapped to tool
 * failures: each in one place); the dry-run wrapper.
 */
public final class Tools {
    private static final List<Function<Clari, Tool>> MAKERS =
            List.of(GetForecast::tool, GetPipelineChanges::tool, GetDealRisk::tool, GetAdminLimits::tool);

    private Tools() {}

    public static List<Tool> all(Clari clari) {
        return all(clari, false);
    }

    /** dryRun: each tool answers with the requests it would send and sends nothing (see {@link #dryRun}). */
    public static List<Tool> all(Clari clari, boolean dryRun) {
        // A loop, not a stream: this runs before the first reply, and the stream machinery's first use (its
        // enum maps reach reflection) took ~1 ms of a class-init log of a start.
        List<Tool> tools = new ArrayList<>(MAKERS.size());
        for (Function<Clari, Tool> make : MAKERS) tools.add(dryRun ? dryRun(make, clari) : make.apply(clari));
        return List.copyOf(tools);
    }

    /**
     * A handler as the tools write it: Clari's errors propagate, and become the tool's failure here, in one place
     * (ClariException messages are written for the model: the cause and the setting that fixes it, no secret).
     */
    interface Handler {
        Tool.Result call(Json.Obj args, Tool.Context ctx) throws Tool.Failure, ClariException, InterruptedException;
    }

    /**
     * A tool of this package: its definition and handler. The handler runs only on arguments its input schema
     * accepts (Schema.check: the one validator), and Clari's errors become failures as {@link Handler} says.
     */
    static Tool tool(String name, String title, String description, Json.Obj input, Json.Obj output, Json.Obj annotations,
            Handler handler) {
        return new Tool(name, title, description, input, output, annotations, (args, ctx) -> {
            Schema.check(input, args);
            try {
                return handler.call(args, ctx);
            } catch (ClariException e) {
                throw new Tool.Failure(e.getMessage());
            }
        });
    }

    /**
     * A tool in dry-run mode (--dry-run or CLARI_DRY_RUN=1): each call runs a fresh instance of the real tool
     * against a client that plans instead of sending, and answers with the requests it would send (token masked),
     * as text only (no output schema). A request whose answer is needed ends the run, so tools that need several
     * requests show the first one(s) and say that later ones depend on Clari's answers. Arguments are checked as
     * usual (by the real tool's handler).
     */
    static Tool dryRun(Function<Clari, Tool> maker, Clari clari) {
        Tool p = maker.apply(clari);
        return new Tool(p.name(), p.title(), "[DRY RUN: returns the HTTP requests it would send, sends nothing] " + p.description(),
                p.inputSchema(), null, p.annotations(), (args, ctx) -> {
                    List<PlannedRequest> plan = Collections.synchronizedList(new ArrayList<>());
                    Clari planning = new Clari() {
                        @Override
                        public ClariConfig config() throws Tool.Failure {
                            return clari.config();
                        }

                        @Override
                        public ClariClient client() throws Tool.Failure {
                            return clari.client().planning(plan::add);
                        }
                    };
                    Tool.Result result;
                    try {
                        result = maker.apply(planning).handler().call(args, ctx);
                    } catch (Tool.Failure e) {
                        if (plan.isEmpty()) throw e; // a bad setting: nothing would have been sent
                        result = null;
                    }
                    return plan.isEmpty() ? result : Tool.Result.ok(render(p.name(), List.copyOf(plan), result == null), null);
                });
    }

    private static String render(String name, List<PlannedRequest> plan, boolean stopped) {
        StringBuilder out = new StringBuilder("DRY RUN: nothing was sent to Clari. ").append(name)
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
