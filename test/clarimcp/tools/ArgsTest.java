package clarimcp.tools;

import static clarimcp.tools.Fixtures.NO_CLARI;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad arguments fail before any Clari call, with a message naming the argument. */
@Timeout(10)
class ArgsTest {
    private static final Map<String, Tool> TOOLS = Map.of(
            "get_forecast", new GetForecast(NO_CLARI),
            "get_pipeline_changes", new GetPipelineChanges(NO_CLARI),
            "get_deal_risk", new GetDealRisk(NO_CLARI));

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("get_forecast", "{\"period\":\"2026_Q2\"}",
                        "unknown argument 'period'; expected one of: compare_to, currency, forecast_id, scope_id, time_period"),
                Arguments.of("get_forecast", "{\"time_period\":\"2026-Q2\"}", "'time_period' must be a fiscal quarter like 2026_Q2"),
                Arguments.of("get_forecast", "{\"time_period\":\"2026_Q5\"}", "'time_period' must be a fiscal quarter like 2026_Q2"),
                Arguments.of("get_forecast", "{\"time_period\":20262}", "'time_period' must be a string (a fiscal quarter like 2026_Q2)"),
                Arguments.of("get_forecast", "{\"currency\":\"usd\"}", "'currency' must be a three-letter ISO code like USD"),
                Arguments.of("get_forecast", "{\"forecast_id\":\"../admin\"}", "'forecast_id' must be a Clari forecast tab id like net_arr"),
                Arguments.of("get_forecast", "{\"forecast_id\":\"\"}", "'forecast_id' must be a Clari forecast tab id like net_arr"),
                Arguments.of("get_forecast", "{\"scope_id\":\"1905/MGR\"}",
                        "'scope_id' must be a Clari scope id like 1905::MGR, or a manager's name or email"),
                Arguments.of("get_forecast", "{\"compare_to\":\"yesterday\"}",
                        "'compare_to' must be last_week, quarter_start or a date YYYY-MM-DD"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-5-1\",\"end_date\":\"2026-05-02\"}",
                        "'start_date' must be a date like 2026-05-01 or a date-time like 2026-05-01T09:00:00Z"),
                Arguments.of("get_pipeline_changes", "{\"end_date\":\"2026-05-01 10:00\"}",
                        "'end_date' must be a date like 2026-05-01 or a date-time like 2026-05-01T09:00:00Z"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-02-30\",\"end_date\":\"2026-03-02\"}",
                        "'start_date' is not a real date or time: 2026-02-30"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-05-01T25:00:00Z\"}",
                        "'start_date' is not a real date or time: 2026-05-01T25:00:00Z"),
                Arguments.of("get_pipeline_changes", "{\"event\":\"api accessed\"}", "'event' must be an event name like api.accessed"),
                Arguments.of("get_pipeline_changes", "{\"actor\":\"a\\nb\"}", "'actor' must be a Clari user id, name or email"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-05-02\",\"end_date\":\"2026-05-01\"}",
                        "'end_date' must not be before 'start_date'"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2025-01-01\",\"end_date\":\"2026-01-03\"}",
                        "'start_date' to 'end_date' spans more than 366 days; split the window"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":0"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":201"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":1.5"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":\"50\""), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":1e400"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":-1e400"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"limit\":true"), "'limit' must be an integer from 1 to 200"),
                Arguments.of("get_pipeline_changes", dates("\"Limit\":5"),
                        "unknown argument 'Limit'; expected one of: actor, end_date, event, limit, start_date"),
                Arguments.of("get_deal_risk", "{}", "missing required argument 'opp_ids'"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":\"006A\"}", "'opp_ids' must be an array of strings"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[]}", "'opp_ids' must hold 1 to 1000 items (got 0)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":" + ids(1001) + "}", "'opp_ids' must hold 1 to 1000 items (got 1001)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"006A\",\"006B&x=1\"]}",
                        "'opp_ids'[1] \"006B&x=1\" is not an opportunity id: use 1-64 letters, digits or - _ . : as in the CRM "
                                + "(e.g. 006Z000000EPuiyIAD)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"006A\",7]}", "'opp_ids'[1] must be a string"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"" + "A".repeat(65) + "\"]}",
                        "'opp_ids'[0] \"" + "A".repeat(40) + "…\" is not an opportunity id: use 1-64 letters, digits or - _ . : "
                                + "as in the CRM (e.g. 006Z000000EPuiyIAD)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"006A\"],\"ids\":[]}",
                        "unknown argument 'ids'; expected one of: changed_since, close_from, close_to, forecast_category, max_score, min_amount, open_only, opp_ids, owner"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":\"Commit\""), "'forecast_category' must be an array of strings"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":[]"), "'forecast_category' must hold 1 to 20 items (got 0)"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":[\" \"]"), "'forecast_category'[0] must be a category name (1-200 characters)"),
                Arguments.of("get_deal_risk", risk("\"open_only\":\"true\""), "'open_only' must be true or false"),
                Arguments.of("get_deal_risk", risk("\"close_from\":\"2026-13-01\""), "'close_from' must be a real date YYYY-MM-DD"),
                Arguments.of("get_deal_risk", risk("\"close_to\":\"12/31/2026\""), "'close_to' must be a date YYYY-MM-DD"),
                Arguments.of("get_deal_risk", risk("\"close_from\":\"2026-12-31\",\"close_to\":\"2026-10-01\""),
                        "'close_from' must not be after 'close_to'"),
                Arguments.of("get_deal_risk", risk("\"owner\":\"\""), "'owner' must be a name or email (1-200 characters)"),
                Arguments.of("get_deal_risk", risk("\"min_amount\":\"50000\""), "'min_amount' must be a number from 0 to 1000000000000000"),
                Arguments.of("get_deal_risk", risk("\"min_amount\":-1"), "'min_amount' must be a number from 0 to 1000000000000000"),
                Arguments.of("get_deal_risk", risk("\"max_score\":101"), "'max_score' must be a number from 0 to 100"),
                Arguments.of("get_deal_risk", risk("\"max_score\":1e400"), "'max_score' must be a number from 0 to 100"),
                Arguments.of("get_deal_risk", risk("\"changed_since\":\"last week\""),
                        "'changed_since' must be a date YYYY-MM-DD or an ISO date-time (2026-11-27T09:00:00Z)"),
                Arguments.of("get_deal_risk", risk("\"changed_since\":\"2026-02-30\""),
                        "'changed_since' must be a date YYYY-MM-DD or an ISO date-time (2026-11-27T09:00:00Z)"));
    }

    /** get_deal_risk arguments: one valid id plus the given members. */
    private static String risk(String members) {
        return "{\"opp_ids\":[\"006A\"]," + members + "}";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badArguments")
    void badArgument_failsBeforeClari_namingTheArgument(String tool, String args, String message) throws Exception {
        assertEquals(message, toolError(() -> TOOLS.get(tool).call(obj(args), ToolContext.NONE)));
    }

    @Test
    void unknownArgumentName_isSanitizedInTheMessage() throws Exception {
        String msg = toolError(() -> new GetDealRisk(NO_CLARI).call(obj("{\"x\\u202Ey\":1}"), ToolContext.NONE));
        assertEquals("unknown argument 'xy'; expected one of: changed_since, close_from, close_to, forecast_category, max_score, min_amount, open_only, opp_ids, owner", msg);
    }

    @Test
    void integer_acceptsBoundsAndWholeDecimals_nullMeansDefault() throws ToolException {
        Set<String> names = Set.of("n");
        assertEquals(1, new Args(obj("{\"n\":1}"), names).optionalInt("n", 1, 200, 100));
        assertEquals(200, new Args(obj("{\"n\":200}"), names).optionalInt("n", 1, 200, 100));
        assertEquals(20, new Args(obj("{\"n\":2e1}"), names).optionalInt("n", 1, 200, 100));
        assertEquals(100, new Args(obj("{\"n\":null}"), names).optionalInt("n", 1, 200, 100));
        assertEquals(100, new Args(obj("{}"), names).optionalInt("n", 1, 200, 100));
    }

    @Test
    void optionalString_absentOrNull_isNull_presentIsExact() throws ToolException {
        Pattern p = Pattern.compile("[a-z]+");
        assertNull(new Args(obj("{}"), Set.of("s")).optionalString("s", p, "letters"));
        assertNull(new Args(obj("{\"s\":null}"), Set.of("s")).optionalString("s", p, "letters"));
        assertEquals("abc", new Args(obj("{\"s\":\"abc\"}"), Set.of("s")).requiredString("s", p, "letters"));
    }

    @Test
    void strings_keepOrderAndValues() throws ToolException {
        Json.Obj a = obj("{\"ids\":[\"b\",\"a\",\"b\"]}");
        assertEquals(List.of("b", "a", "b"), new Args(a, Set.of("ids")).requiredStrings("ids", 1, 5, Pattern.compile("[a-z]"), "a letter"));
    }

    private static String dates(String extra) {
        return "{\"start_date\":\"2026-05-01\",\"end_date\":\"2026-05-31\"," + extra + "}";
    }

    private static String ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add("\"A" + i + "\"");
        return "[" + String.join(",", ids) + "]";
    }
}
