package clarimcp.tools;

import clarimcp.mcp.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The registry: every tool this server offers, in the order tools/list shows them. */
public final class Tools {
    private static final List<Function<ClariAccess, Tool>> MAKERS =
            List.of(GetForecast::new, GetPipelineChanges::new, GetDealRisk::new, GetAdminLimits::new);

    private Tools() {}

    public static List<Tool> all(ClariAccess clari) {
        return all(clari, false);
    }

    /** dryRun: each tool answers with the requests it would send and sends nothing (see {@link DryRun}). */
    public static List<Tool> all(ClariAccess clari, boolean dryRun) {
        // A loop, not a stream: this runs before the first reply, and the stream machinery's first use (its
        // enum maps reach reflection) took ~1 ms of a class-init log of a start.
        List<Tool> tools = new ArrayList<>(MAKERS.size());
        for (Function<ClariAccess, Tool> make : MAKERS) tools.add(dryRun ? new DryRun(make, clari) : make.apply(clari));
        return List.copyOf(tools);
    }
}
