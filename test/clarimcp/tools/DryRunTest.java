package clarimcp.tools;

import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.tools.Fixtures.Sandboxed;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dry run: every tool answers with the exact requests it would send, token masked, and the sandbox sees none. */
@Timeout(30)
class DryRunTest {
    private static Map<String, Tool> dry(Sandboxed s) {
        return Tools.all(s, true).stream().collect(Collectors.toMap(Tool::name, Function.identity()));
    }

    @Test
    void getForecast_showsTheSynchronousReadFirst_sendsNothing() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            Tool.Result r = dry(s).get("get_forecast").handler().call(obj("{\"time_period\":\"2026_Q2\",\"currency\":\"EUR\"}"), Fixtures.NONE);
            String base = s.sb().baseUrl().toString();
            assertEquals("""
                    DRY RUN: nothing was sent to Clari. get_forecast would send this request:

                    1. GET %1$s/forecast/forecast?currency=EUR&timePeriod=2026_Q2&typesToExport=forecast&typesToExport=quota&typesToExport=forecast_updated&typesToExport=adjustment&typesToExport=crm_total&typesToExport=crm_closed&exportFormat=JSON
                       Accept: application/json
                       apikey: ***
                       User-Agent: clari-revops-mcp/0.1.0

                    Requests that depend on Clari's answers (an export job where the synchronous forecast read is missing, polling a job, a next page, waiting for a free export slot) are not shown; of requests made in parallel, only the first may be.
                    """.formatted(base), r.text());
            assertFalse(r.isError());
            assertNull(r.structured());
            assertEquals(List.of(), s.sb().requests(), "nothing reached the network");
        }
    }

    @Test
    void everyTool_sendsNothing_andMasksTheToken() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            Map<String, Json.Obj> args = Map.of(
                    "get_forecast", Json.Obj.EMPTY,
                    "get_pipeline_changes", obj("{\"start_date\":\"2026-05-01\",\"end_date\":\"2026-05-07\"}"),
                    "get_deal_risk", obj("{\"opp_ids\":[\"006A\",\"006B\"]}"),
                    "get_admin_limits", Json.Obj.EMPTY);
            Map<String, Tool> tools = dry(s);
            assertEquals(args.keySet(), tools.keySet());
            for (Map.Entry<String, Json.Obj> e : args.entrySet()) {
                Tool.Result r = tools.get(e.getKey()).handler().call(e.getValue(), Fixtures.NONE);
                assertTrue(r.text().startsWith("DRY RUN: nothing was sent to Clari. " + e.getKey() + " would send"), r.text());
                assertTrue(r.text().contains("apikey: ***\n"), r.text());
                assertFalse(r.text().contains(s.sb().token()), "token in the dry-run text");
            }
            String pipeline = tools.get("get_pipeline_changes").handler().call(args.get("get_pipeline_changes"), Fixtures.NONE).text();
            assertTrue(pipeline.contains("1. GET " + s.sb().baseUrl() + "/audit/events?"), pipeline);
            assertTrue(pipeline.contains("dateFrom=2026-05-01T00%3A00%3A00Z"), pipeline);
            String risk = tools.get("get_deal_risk").handler().call(args.get("get_deal_risk"), Fixtures.NONE).text();
            assertTrue(risk.contains("1. GET " + s.sb().baseUrl() + "/opportunity?oppId=006A&oppId=006B\n"), risk);
            assertEquals(List.of(), s.sb().requests(), "nothing reached the network");
        }
    }

    @Test
    void badArguments_areTheUsualToolError() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String msg = toolError(() -> dry(s).get("get_deal_risk").handler().call(obj("{\"opp_ids\":[]}"), Fixtures.NONE));
            assertEquals("'opp_ids' must hold 1 to 1000 items (got 0)", msg);
        }
    }

    @Test
    void descriptor_saysDryRun_andDeclaresNoOutputSchema() {
        for (Tool t : Tools.all(Fixtures.NO_CLARI, true)) {
            assertTrue(t.description().startsWith("[DRY RUN: returns the HTTP requests it would send, sends nothing] "), t.name());
            assertNull(t.outputSchema(), t.name());
        }
    }
}
