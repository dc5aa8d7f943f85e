package clarimcp.tools;

import clarimcp.mcp.Tool;
import java.util.List;

/** The registry: every tool this server offers, in the order tools/list shows them. */
public final class Tools {
    private Tools() {}

    public static List<Tool> all(ClariAccess clari) {
        return List.of(new GetForecast(clari), new GetPipelineChanges(clari), new GetDealRisk(clari), new GetAdminLimits(clari));
    }
}
