package clarimcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The export join on hand-made results, independent of the sandbox. */
@Timeout(10)
class ForecastTableTest {
    private static final String RESULTS = """
            {"timePeriods":[{"timePeriodId":"2026_Q2"}],
             "timeFrames":[{"timeFrameId":"w2","startDate":"2026-04-13"},{"timeFrameId":"w1","startDate":"2026-04-06"}],
             "fields":[{"fieldId":"f1","fieldName":"Commit"},{"fieldId":"f2","fieldName":"Best Case"},
                       {"fieldId":"f3","fieldName":"Unused"},{"fieldId":"f4","fieldName":"Commit"}],
             "users":[{"userId":"u1","name":"Cara CRO","role":"CRO"},
                      {"userId":"u2","name":"Max Manager","parentUserId":"u1","role":"Manager"},
                      {"userId":"u3","name":"Rae Rep\\u202E","parentUserId":"u2"},
                      {"userId":"u4","name":"Roy Rep","parentUserId":"u2"},
                      {"userId":"u9","name":"Silent Manager","parentUserId":"u1"},
                      {"userId":"u5","name":"Ula","parentUserId":"u9"}],
             "entries":[
               {"userId":"u3","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":150,"currency":{"code":"USD"}},
               {"userId":"u3","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w1","forecastValue":100,"currency":{"code":"USD"}},
               {"userId":"u4","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w1","forecastValue":"200.5"},
               {"userId":"u2","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":{"value":350}},
               {"userId":"u2","fieldId":"f2","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":400},
               {"userId":"u1","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":900},
               {"userId":"u1","fieldId":"f4","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":1},
               {"userId":"u1","fieldId":"f1","timePeriodId":"2026_Q1","timeFrameId":"w2","forecastValue":5},
               {"userId":"u5","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":50},
               {"userId":"u5","fieldId":"f2","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":"n/a"}]}
            """;

    @Test
    void latestWeekWins_notASum_andOtherPeriodsIgnored() {
        ForecastTable t = ForecastTable.from(Fixtures.parse(RESULTS));
        Map<String, ForecastTable.Row> rows = byId(t);
        assertEquals(new BigDecimal("150"), rows.get("u3").values().get("Commit"), "w2 is later than w1 by startDate");
        assertEquals(new BigDecimal("200.5"), rows.get("u4").values().get("Commit"));
        assertEquals(new BigDecimal("350"), rows.get("u2").values().get("Commit"));
        assertEquals(new BigDecimal("900"), rows.get("u1").values().get("Commit"), "the 2026_Q1 entry is not this period's");
        assertEquals("2026_Q2", t.period());
        assertEquals("USD", t.currency());
    }

    @Test
    void columns_followClariOrder_onlyFieldsWithValues_duplicateNamesMadeUnique() {
        ForecastTable t = ForecastTable.from(Fixtures.parse(RESULTS));
        assertEquals(List.of("Commit", "Best Case", "Commit (2)"), t.fields());
    }

    @Test
    void rows_followTheHierarchy_throughManagersWithoutValues() {
        ForecastTable t = ForecastTable.from(Fixtures.parse(RESULTS));
        assertEquals(List.of("u1:0", "u2:1", "u3:2", "u4:2", "u5:1"),
                t.rows().stream().map(r -> r.userId() + ":" + r.level()).toList());
        assertEquals("u1", byId(t).get("u5").parentId(), "u9 has no values, so u5 hangs under u1");
        assertEquals("Rae Rep", byId(t).get("u3").name(), "names are sanitized");
        assertTrue(t.hierarchyKnown());
    }

    @Test
    void totals_addTopLevelRowsOnly() {
        ForecastTable t = ForecastTable.from(Fixtures.parse(RESULTS));
        assertEquals(new BigDecimal("900"), t.totals().get("Commit"), "u1 already covers its teams");
        assertNull(t.totals().get("Best Case"), "u1 has no Best Case of its own");
    }

    @Test
    void withoutReportingLines_everyRowIsTopLevel_andTotalsAddThemAll() {
        ForecastTable t = ForecastTable.from(Fixtures.parse("""
                {"fields":[{"fieldId":"f1","fieldName":"Commit"}],
                 "users":[{"userId":"a","name":"A"},{"userId":"b","name":"B"}],
                 "entries":[{"userId":"a","fieldId":"f1","forecastValue":1},{"userId":"b","fieldId":"f1","forecastValue":2},
                            {"userId":"c","fieldId":"f1","forecastValue":4}]}
                """));
        assertFalse(t.hierarchyKnown());
        assertEquals(new BigDecimal("7"), t.totals().get("Commit"));
        assertEquals(List.of("A", "B", "c"), t.rows().stream().map(ForecastTable.Row::name).toList());
        assertNull(t.period());
    }

    @Test
    void cyclicReportingLines_doNotLoop_andEveryRowAppearsOnce() {
        ForecastTable t = ForecastTable.from(Fixtures.parse("""
                {"fields":[{"fieldId":"f1","fieldName":"Commit"}],
                 "users":[{"userId":"a","parentUserId":"b"},{"userId":"b","parentUserId":"a"}],
                 "entries":[{"userId":"a","fieldId":"f1","forecastValue":1},{"userId":"b","fieldId":"f1","forecastValue":2}]}
                """));
        assertEquals(2, t.rows().size());
    }

    @Test
    void garbage_givesAnEmptyTable() {
        ForecastTable t = ForecastTable.from(Fixtures.parse("[1,2]"));
        assertTrue(t.rows().isEmpty());
        assertTrue(t.fields().isEmpty());
    }

    private static Map<String, ForecastTable.Row> byId(ForecastTable t) {
        return t.rows().stream().collect(java.util.stream.Collectors.toMap(ForecastTable.Row::userId, r -> r));
    }
}
