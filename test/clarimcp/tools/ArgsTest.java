package clarimcp.tools;

import static clarimcp.tools.Fixtures.NO_CLARI;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.clari.ClariConfig;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
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
    private static final Map<String, Fixtures.Checked> TOOLS = Map.of(
            "get_forecast", new Fixtures.Checked(GetForecast.tool(NO_CLARI)),
            "get_pipeline_changes", new Fixtures.Checked(GetPipelineChanges.tool(NO_CLARI)),
            "get_deal_risk", new Fixtures.Checked(GetDealRisk.tool(NO_CLARI)));

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("get_forecast", "{\"period\":\"2026_Q2\"}",
                        "unknown argument 'period'; expected one of: compare_to, currency, forecast_id, scope_id, time_period"),
                Arguments.of("get_forecast", "{\"time_period\":\"2026-Q2\"}", "'time_period' \"2026-Q2\" is not valid: Fiscal quarter, e.g. 2026_Q2; default: current"),
                Arguments.of("get_forecast", "{\"time_period\":\"2026_Q5\"}", "'time_period' \"2026_Q5\" is not valid: Fiscal quarter, e.g. 2026_Q2; default: current"),
                Arguments.of("get_forecast", "{\"time_period\":20262}", "'time_period' must be a string"),
                Arguments.of("get_forecast", "{\"currency\":\"usd\"}", "'currency' \"usd\" is not valid: ISO code, e.g. USD"),
                Arguments.of("get_forecast", "{\"forecast_id\":\"../admin\"}", "'forecast_id' \"../admin\" is not valid: Forecast tab id from the Clari URL, e.g. net_arr; default CLARI_FORECAST_ID"),
                Arguments.of("get_forecast", "{\"forecast_id\":\"\"}", "'forecast_id' \"\" is not valid: Forecast tab id from the Clari URL, e.g. net_arr; default CLARI_FORECAST_ID"),
                Arguments.of("get_forecast", "{\"scope_id\":\"1905/MGR\"}",
                        "'scope_id' \"1905/MGR\" is not valid: A manager's team: scope id (e.g. 1905::MGR), or the manager's name or email as in the forecast"),
                Arguments.of("get_forecast", "{\"compare_to\":\"yesterday\"}",
                        "'compare_to' \"yesterday\" is not valid: Movement since: last_week, quarter_start or a date YYYY-MM-DD (its week); one export job. For a past quarter, also forecast accuracy"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-5-1\",\"end_date\":\"2026-05-02\"}",
                        "'start_date' \"2026-5-1\" is not valid: Window start, YYYY-MM-DD (a whole UTC day) or an ISO date-time like 2026-05-01T09:00:00Z; default 7 days before end_date"),
                Arguments.of("get_pipeline_changes", "{\"end_date\":\"2026-05-01 10:00\"}",
                        "'end_date' \"2026-05-01 10:00\" is not valid: Window end (inclusive), YYYY-MM-DD (a whole UTC day) or an ISO date-time like 2026-05-01T09:00:00Z; default now; at most 366 days after start_date"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-02-30\",\"end_date\":\"2026-03-02\"}",
                        "'start_date' is not a real date or time: 2026-02-30"),
                Arguments.of("get_pipeline_changes", "{\"start_date\":\"2026-05-01T25:00:00Z\"}",
                        "'start_date' is not a real date or time: 2026-05-01T25:00:00Z"),
                Arguments.of("get_pipeline_changes", "{\"event\":\"api accessed\"}", "'event' \"api accessed\" is not valid: Only this event name, e.g. api.accessed (hidden unless named); filtered by Clari"),
                Arguments.of("get_pipeline_changes", "{\"actor\":\"a\\nb\"}", "'actor' \"a b\" is not valid: Only this actor: a Clari user id (filtered by Clari), or an exact name or email"),
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
                        "'opp_ids'[1] \"006B&x=1\" is not valid: an opportunity id: 1-64 letters, digits or - _ . : as in the CRM "
                                + "(e.g. 006Z000000EPuiyIAD)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"006A\",7]}", "'opp_ids'[1] must be a string"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"" + "A".repeat(65) + "\"]}",
                        "'opp_ids'[0] \"" + "A".repeat(40) + "…\" is not valid: an opportunity id: 1-64 letters, digits or - _ . : "
                                + "as in the CRM (e.g. 006Z000000EPuiyIAD)"),
                Arguments.of("get_deal_risk", "{\"opp_ids\":[\"006A\"],\"ids\":[]}",
                        "unknown argument 'ids'; expected one of: changed_since, close_from, close_to, forecast_category, max_score, min_amount, open_only, opp_ids, owner"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":\"Commit\""), "'forecast_category' must be an array of strings"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":[]"), "'forecast_category' must hold 1 to 20 items (got 0)"),
                Arguments.of("get_deal_risk", risk("\"forecast_category\":[\" \"]"), "'forecast_category'[0] \"\" is not valid: keep deals in these forecast categories, any case (e.g. ['Commit','Best Case']); with changed_since, also deals in them at that time"),
                Arguments.of("get_deal_risk", risk("\"open_only\":\"true\""), "'open_only' must be true or false"),
                Arguments.of("get_deal_risk", risk("\"close_from\":\"2026-13-01\""), "'close_from' must be a real date YYYY-MM-DD"),
                Arguments.of("get_deal_risk", risk("\"close_to\":\"12/31/2026\""), "'close_to' \"12/31/2026\" is not valid: YYYY-MM-DD, inclusive"),
                Arguments.of("get_deal_risk", risk("\"close_from\":\"2026-12-31\",\"close_to\":\"2026-10-01\""),
                        "'close_from' must not be after 'close_to'"),
                Arguments.of("get_deal_risk", risk("\"owner\":\"\""), "'owner' \"\" is not valid: owner's full name or email, any case"),
                Arguments.of("get_deal_risk", risk("\"min_amount\":\"50000\""), "'min_amount' must be a number from 0 to 1000000000000000"),
                Arguments.of("get_deal_risk", risk("\"min_amount\":-1"), "'min_amount' must be a number from 0 to 1000000000000000"),
                Arguments.of("get_deal_risk", risk("\"max_score\":101"), "'max_score' must be a number from 0 to 100"),
                Arguments.of("get_deal_risk", risk("\"max_score\":1e400"), "'max_score' must be a number from 0 to 100"),
                Arguments.of("get_deal_risk", risk("\"changed_since\":\"last week\""),
                        "'changed_since' \"last week\" is not valid: YYYY-MM-DD (UTC) or ISO date-time: list changes of stage, amount, close date and category since then, with slips and Commit moves"),
                Arguments.of("get_deal_risk", risk("\"changed_since\":\"2026-02-30\""),
                        "'changed_since' is not a real date or time: 2026-02-30"));
    }

    /** get_deal_risk arguments: one valid id plus the given members. */
    private static String risk(String members) {
        return "{\"opp_ids\":[\"006A\"]," + members + "}";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badArguments")
    void badArgument_failsBeforeClari_namingTheArgument(String tool, String args, String message) throws Exception {
        assertEquals(message, toolError(() -> TOOLS.get(tool).call(obj(args), Fixtures.NONE)));
    }

    @Test
    void unknownArgumentName_isSanitizedInTheMessage() throws Exception {
        String msg = toolError(() -> new Fixtures.Checked(GetDealRisk.tool(NO_CLARI)).call(obj("{\"x\\u202Ey\":1}"), Fixtures.NONE));
        assertEquals("unknown argument 'xy'; expected one of: changed_since, close_from, close_to, forecast_category, max_score, min_amount, open_only, opp_ids, owner", msg);
    }

    private static final Json.Obj SCHEMA = Schema.parse("""
            {"type": "object", "required": ["s"], "additionalProperties": false, "properties": {
              "n": {"type": "integer", "minimum": 1, "maximum": 200}, "x": {"type": "number", "minimum": 0},
              "s": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5, "description": "letters"},
              "ids": {"type": "array", "maxItems": 5, "items": {"type": "string", "pattern": "^[a-z]$"}, "description": "one letter each"}}}""");

    @Test
    void integer_acceptsBoundsAndWholeDecimals_nullMeansDefault() throws Exception {
        for (String ok : List.of("1", "200", "2e1", "20.0", "null")) Schema.check(SCHEMA, obj("{\"s\":\"a\",\"n\":" + ok + "}"));
        assertEquals(20, obj("{\"n\":2e1}").integer("n", 100));
        assertEquals(100, obj("{\"n\":null}").integer("n", 100));
        assertEquals(100, obj("{}").integer("n", 100));
        assertEquals("'x' must be a number of at least 0", toolError(() -> Schema.check(SCHEMA, obj("{\"s\":\"a\",\"x\":-0.5}"))));
    }

    @Test
    void string_requiredPatternAndLength_nullIsAbsent() throws Exception {
        Schema.check(SCHEMA, obj("{\"s\":\"abc\"}"));
        assertEquals("missing required argument 's'", toolError(() -> Schema.check(SCHEMA, obj("{\"s\":null}"))));
        assertEquals("'s' \"ab1\" is not valid: letters", toolError(() -> Schema.check(SCHEMA, obj("{\"s\":\"ab1\"}"))));
        assertEquals("'s' \"abcdef\" is not valid: letters", toolError(() -> Schema.check(SCHEMA, obj("{\"s\":\"abcdef\"}"))));
        assertNull(obj("{\"s\":null}").str("s"));
        assertEquals("d", obj("{}").str("s", "d"));
    }

    @Test
    void strings_keepOrderAndValues_itemsCheckedWithTheArraysDescription() throws Exception {
        Schema.check(SCHEMA, obj("{\"s\":\"a\",\"ids\":[\"b\",\"a\",\"b\"]}"));
        assertEquals(List.of("b", "a", "b"), obj("{\"ids\":[\"b\",\"a\",\"b\"]}").strings("ids"));
        assertEquals("'ids'[1] \"ab\" is not valid: one letter each",
                toolError(() -> Schema.check(SCHEMA, obj("{\"s\":\"a\",\"ids\":[\"b\",\"ab\"]}"))));
        assertEquals("'ids' must hold 0 to 5 items (got 6)",
                toolError(() -> Schema.check(SCHEMA, obj("{\"s\":\"a\",\"ids\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}"))));
    }

    /** The validator and the schemas cannot drift apart: every keyword a tool's input schema uses is one it checks. */
    @Test
    void everyInputSchema_usesOnlyKeywordsTheValidatorChecks() {
        Set<String> checked = Set.of("type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
                "minimum", "maximum", "pattern", "maxLength", "description");
        for (Tool t : Tools.all(NO_CLARI)) {
            assertEquals(Json.Bool.FALSE, t.inputSchema().get("additionalProperties"), t.name());
            for (Json p : t.inputSchema().obj("properties").members().values()) {
                Json.Obj prop = (Json.Obj) p;
                List<Json.Obj> parts = prop.obj("items") == null ? List.of(prop) : List.of(prop, prop.obj("items"));
                for (Json.Obj part : parts) {
                    for (String k : part.members().keySet()) assertTrue(checked.contains(k), t.name() + ": " + k);
                }
            }
        }
    }

    /** forecast_id takes exactly what CLARI_FORECAST_ID takes: one rule for a forecast id. */
    @Test
    void forecastIdPattern_isClariConfigs() {
        assertEquals("^" + ClariConfig.FORECAST_ID.pattern() + "$",
                GetForecast.INPUT.obj("properties").obj("forecast_id").str("pattern"));
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
