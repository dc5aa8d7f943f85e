package clarimcp.tools;

import clarimcp.mcp.Tool;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.SandboxOrg;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The export join on hand-made results, independent of the sandbox. */
@Timeout(10)
class ForecastTableTest {
    /** Real key names [tap][gitlab]; hierarchy ids deliberately unlike user ids. */
    private static final String RESULTS = """
            {"timePeriods":[{"timePeriodId":"2026_Q2"}],
             "timeFrames":[{"timeFrameId":"w2","startDate":"2026-04-13"},{"timeFrameId":"w1","startDate":"2026-04-06"}],
             "fields":[{"fieldId":"f1","fieldName":"Commit","fieldType":"forecast"},{"fieldId":"f2","fieldName":"Best Case"},
                       {"fieldId":"f3","fieldName":"Unused"},{"fieldId":"f4","fieldName":"Commit"},
                       {"fieldId":"q","fieldName":"Quota","fieldType":"quota"},{"fieldId":"p","fieldName":"Pipeline"}],
             "users":[{"userId":"u1","name":"Cara CRO","hierarchyId":"h1","hierarchyName":"CRO"},
                      {"userId":"u2","name":"Max Manager","hierarchyId":"h2","parentHierarchyId":"h1","hierarchyName":"Manager - East"},
                      {"userId":"u3","name":"Rae Rep\\u202E","hierarchyId":"h3","parentHierarchyId":"h2","scopeId":{"id":1}},
                      {"userId":"u4","name":"Roy Rep","hierarchyId":"h4","parentHierarchyId":"h2","scopeId":"h4::REP"},
                      {"userId":"u9","name":"Silent Manager","hierarchyId":"h9","parentHierarchyId":"h1"},
                      {"userId":"u5","name":"Ula","hierarchyId":"h5","parentHierarchyId":"h9"}],
             "entries":[
               {"userId":"u3","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":150,"currency":{"code":"USD"}},
               {"userId":"u3","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w1","forecastValue":100,"currency":{"code":"USD"}},
               {"userId":"u4","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w1","forecastValue":"200.5"},
               {"userId":"u2","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":{"value":350},
                "adjustmentValue":300,"adjustedBy":"u1","adjustedOn":1775822400000},
               {"userId":"u2","fieldId":"f2","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":400},
               {"userId":"u2","fieldId":"q","timePeriodId":"2026_Q2","timeFrameId":"w2","quotaValue":1000},
               {"userId":"u1","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":900},
               {"userId":"u1","fieldId":"f4","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":1},
               {"userId":"u1","fieldId":"q","timePeriodId":"2026_Q2","timeFrameId":"w2","quotaValue":2000},
               {"userId":"u1","fieldId":"p","timePeriodId":"2026_Q2","timeFrameId":"w2","aggregationTotal":5000},
               {"userId":"u1","fieldId":"f1","timePeriodId":"2026_Q1","timeFrameId":"w2","forecastValue":5},
               {"userId":"u5","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":50},
               {"userId":"u5","fieldId":"f1","timePeriodId":"2026_Q2","timeFrameId":"w2","adjustmentValue":60,"adjustedBy":"someone"},
               {"userId":"u5","fieldId":"f2","timePeriodId":"2026_Q2","timeFrameId":"w2","forecastValue":"n/a"}]}
            """;

    @Test
    void eachValueFromItsOwnKey_columnsLabelledByKind() {
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
        Map<String, ForecastTable.Row> rows = byId(t);
        assertEquals(new BigDecimal("1000"), rows.get("u2").values().get("Quota"), "quotaValue");
        assertEquals(new BigDecimal("5000"), rows.get("u1").values().get("Pipeline"), "aggregationTotal");
        assertEquals(new BigDecimal("300"), rows.get("u2").values().get("Commit (adj.)"), "adjustmentValue beside the call");
        assertEquals(new BigDecimal("350"), rows.get("u2").values().get("Commit"), "the call itself is kept");
        assertEquals(new BigDecimal("60"), rows.get("u5").values().get("Commit (adj.)"), "an adjustment in an entry of its own");
        assertEquals(List.of(ForecastTable.Kind.CALL, ForecastTable.Kind.ADJUSTMENT, ForecastTable.Kind.CALL, ForecastTable.Kind.CALL,
                ForecastTable.Kind.QUOTA, ForecastTable.Kind.CRM_TOTAL), t.columns().stream().map(ForecastTable.Column::kind).toList());
    }

    @Test
    void adjustments_nameWhoAdjusted_andWhen() {
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
        assertEquals(List.of(new ForecastTable.Adjusted("Max Manager", "Commit (adj.)", new BigDecimal("300"), "Cara CRO", "2026-04-10"),
                new ForecastTable.Adjusted("Ula", "Commit (adj.)", new BigDecimal("60"), "someone", null)), t.adjustments());
        assertEquals(new BigDecimal("900"), t.totals().get("Commit (adj.)"), "the unadjusted top-level call counts as it stands");
    }

    @Test
    void role_isTheHierarchyName_elseAStringScopeId() {
        Map<String, ForecastTable.Row> rows = byId(Fixtures.table(Fixtures.parse(RESULTS)));
        assertEquals("Manager - East", rows.get("u2").role());
        assertEquals("h4::REP", rows.get("u4").role());
        assertNull(rows.get("u3").role(), "a scopeId that is not a string is not shown");
    }

    @Test
    void latestWeekWins_notASum_andOtherPeriodsIgnored() {
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
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
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
        assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Commit (2)", "Quota", "Pipeline"), names(t));
    }

    @Test
    void rows_followTheHierarchy_throughManagersWithoutValues() {
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
        assertEquals(List.of("u1:0", "u2:1", "u3:2", "u4:2", "u5:1"),
                t.rows().stream().map(r -> r.userId() + ":" + r.level()).toList());
        assertEquals("u1", byId(t).get("u5").parentId(), "u9 has no values, so u5 hangs under u1");
        assertEquals("Rae Rep", byId(t).get("u3").name(), "names are sanitized");
        assertTrue(t.hierarchyKnown());
    }

    @Test
    void totals_addTopLevelRowsOnly() {
        ForecastTable t = Fixtures.table(Fixtures.parse(RESULTS));
        assertEquals(new BigDecimal("900"), t.totals().get("Commit"), "u1 already covers its teams");
        assertNull(t.totals().get("Best Case"), "u1 has no Best Case of its own");
    }

    @Test
    void withoutHierarchyKeys_everyRowIsTopLevel_andTotalsAddThemAll() {
        ForecastTable t = Fixtures.table(Fixtures.parse("""
                {"fields":[{"fieldId":"f1","fieldName":"Commit"}],
                 "users":[{"userId":"a","name":"A","parentUserId":"b"},{"userId":"b","name":"B","hierarchyId":"x"}],
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
        ForecastTable t = Fixtures.table(Fixtures.parse("""
                {"fields":[{"fieldId":"f1","fieldName":"Commit"}],
                 "users":[{"userId":"a","hierarchyId":"1","parentHierarchyId":"2"},{"userId":"b","hierarchyId":"2","parentHierarchyId":"1"}],
                 "entries":[{"userId":"a","fieldId":"f1","forecastValue":1},{"userId":"b","fieldId":"f1","forecastValue":2}]}
                """));
        assertEquals(2, t.rows().size());
    }

    @Test
    void fieldIdsThatLookLikeColumnKeys_doNotCollide() {
        ForecastTable t = Fixtures.table(Fixtures.parse("""
                {"fields":[{"fieldId":"x","fieldName":"X"},{"fieldId":"a:x","fieldName":"AX"},{"fieldId":"x\\n","fieldName":"XN"},
                           {"fieldId":"","fieldName":"Empty"}],
                 "entries":[{"userId":"u","fieldId":"x","forecastValue":1,"adjustmentValue":2},{"userId":"u","fieldId":"a:x","forecastValue":3},
                            {"userId":"u","fieldId":"x\\n","forecastValue":4},{"userId":"u","fieldId":"","adjustmentValue":5}]}
                """));
        assertEquals(Map.of("X", new BigDecimal("1"), "X (adj.)", new BigDecimal("2"), "AX", new BigDecimal("3"),
                "XN", new BigDecimal("4"), "Empty (adj.)", new BigDecimal("5")), t.rows().get(0).values());
        assertEquals(new BigDecimal("5"), t.totals().get("Empty (adj.)"), "an adjustment without its call still totals");
    }

    @Test
    void garbage_givesAnEmptyTable() {
        ForecastTable t = Fixtures.table(Fixtures.parse("[1,2]"));
        assertTrue(t.rows().isEmpty());
        assertTrue(names(t).isEmpty());
    }

    @Test
    @Timeout(60)
    void streamingAndTreePaths_giveTheSameAnswer_onEverySandboxExport_andRejectTheSameMalformedBodies() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            SandboxOrg org = sb.org();
            byte[] current = null;
            for (String q : org.seededQuarters()) {
                for (boolean allWeeks : List.of(true, false)) {
                    byte[] body = JsonWriter.write(org.forecastResults(q, allWeeks)).getBytes(StandardCharsets.UTF_8);
                    if (allWeeks && q.equals(org.currentQuarter())) current = body;
                    for (String compare : Arrays.asList(null, "last_week", "quarter_start", org.today().toString())) {
                        for (String scope : Arrays.asList(null, org.managers().get(1).name())) {
                            Object tree = answer(body, compare, scope, false), streamed = answer(body, compare, scope, true);
                            assertEquals(tree, streamed, q + " " + allWeeks + " " + compare + " " + scope);
                        }
                    }
                }
            }
            byte[] body = current;
            for (int cut : new int[] {1, body.length / 3, body.length / 2, body.length - 1}) {
                byte[] bad = Arrays.copyOf(body, cut);
                assertEquals(assertThrows(JsonException.class, () -> JsonParser.parse(bad)).getMessage(),
                        assertThrows(JsonException.class, () -> answer(bad, null, null, true)).getMessage());
            }
            byte[] bad = body.clone();
            bad[body.length / 2] = 0x01; // a raw control character is invalid anywhere in JSON
            assertEquals(assertThrows(JsonException.class, () -> JsonParser.parse(bad)).getMessage(),
                    assertThrows(JsonException.class, () -> answer(bad, null, null, true)).getMessage());
        }
    }

    /** The table (or the tool error) from body, through a tree or streamed entry by entry into the Reader. */
    private static Object answer(byte[] body, String compare, String scope, boolean streaming) throws Exception {
        ForecastTable.Reader r = new ForecastTable.Reader();
        if (streaming) {
            r.rest(JsonParser.parseStreaming(new ByteArrayInputStream(body), JsonParser.DEFAULT_MAX_BYTES, Map.of("entries", r)));
        } else {
            r.rest(JsonParser.parse(body));
        }
        try {
            String scopeUser = scope == null ? null : r.resolveUser(scope, 20);
            return r.table(ForecastTable.Compare.of(compare), scopeUser, LocalDate.now());
        } catch (clarimcp.mcp.Tool.Failure e) {
            return e.getMessage();
        }
    }

    @Test
    @Timeout(10)
    void hundredThousandDuplicateFieldNames_namedInLinearTime_columnsCapped() throws Exception {
        int n = 100_000;
        StringBuilder json = new StringBuilder("{\"fields\":[");
        for (int i = 0; i < n; i++) json.append(i == 0 ? "" : ",").append("{\"fieldId\":\"f").append(i).append("\",\"fieldName\":\"Commit\"}");
        json.append("],\"entries\":[");
        for (int i = 0; i < n; i++) json.append(i == 0 ? "" : ",").append("{\"userId\":\"u\",\"fieldId\":\"f").append(i).append("\",\"forecastValue\":1}");
        ForecastTable t = Fixtures.table(Fixtures.parse(json.append("]}").toString()));
        assertEquals(ForecastTable.MAX_COLUMNS, t.columns().size());
        assertEquals(n, t.fieldsWithValues());
        assertEquals(List.of("Commit", "Commit (2)", "Commit (3)"), names(t).subList(0, 3));
    }

    @Test
    void aCancelledCall_stopsTheWork() {
        ForecastTable.Reader r = new ForecastTable.Reader();
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> r.table(null, null, null));
            Thread.currentThread().interrupt();
            assertThrows(CancellationException.class, () -> {
                for (int i = 0; i < 2048; i++) r.accept(Fixtures.parse("{\"userId\":\"u\",\"fieldId\":\"f\",\"forecastValue\":1}"));
            });
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void scopeByName_ambiguousOrUnknown_listsTheCandidates() {
        ForecastTable.Reader r = new ForecastTable.Reader();
        r.rest(Fixtures.parse("""
                {"users":[{"userId":"a","name":"Sam Lee","email":"sam@x.example","hierarchyId":"1","scopeId":"1::MGR"},
                          {"userId":"b","name":"Sam Lee","email":"sam.lee@x.example","hierarchyId":"2","parentHierarchyId":"1","scopeId":"2::MGR"},
                          {"userId":"c","name":"Rep","hierarchyId":"3","parentHierarchyId":"2"}]}
                """));
        String ambiguous = assertThrows(clarimcp.mcp.Tool.Failure.class, () -> r.resolveUser("sam lee", 20)).getMessage();
        assertEquals("'sam lee' matches 2 people; pass one's email or scope id as scope_id: Sam Lee <sam@x.example> (scope 1::MGR); "
                + "Sam Lee <sam.lee@x.example> (scope 2::MGR)", ambiguous);
        String unknown = assertThrows(clarimcp.mcp.Tool.Failure.class, () -> r.resolveUser("Nobody", 1)).getMessage();
        assertEquals("No one named 'Nobody' in this forecast; pass as scope_id a manager's name, email or scope id: "
                + "Sam Lee <sam@x.example> (scope 1::MGR); and 1 more", unknown);
        assertDoesNotThrow(() -> assertEquals("b", r.resolveUser("SAM.LEE@x.example", 20)));
        assertDoesNotThrow(() -> assertEquals("b", r.resolveUser("2::MGR", 20)));
    }

    private static Map<String, ForecastTable.Row> byId(ForecastTable t) {
        return t.rows().stream().collect(java.util.stream.Collectors.toMap(ForecastTable.Row::userId, r -> r));
    }

    /** The column names, in order. */
    private static List<String> names(ForecastTable t) {
        return t.columns().stream().map(ForecastTable.Column::name).toList();
    }
}
