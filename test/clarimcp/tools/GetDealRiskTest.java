package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.tools.Fixtures.Sandboxed;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetDealRiskTest {
    private static final Map<String, String> LABELS = Map.of("amount", "amount", "stage", "stage", "closeDate", "closeDate",
            "forecastCategory", "forecastCategory", "owner", "owner");

    @Test
    @Timeout(30)
    void manyIds_splitIntoBatchesOf100_mergedInCallersOrder_unknownListed() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<String> known = new ArrayList<>(org.opportunities().stream().map(Opportunity::id).limit(250).toList());
            java.util.Collections.reverse(known); // not the sandbox's order
            List<String> asked = new ArrayList<>(known);
            asked.add(3, "006UNKNOWN00000001");
            asked.add(150, "006UNKNOWN00000002");
            asked.add(known.get(0)); // a duplicate, asked once
            GetDealRisk tool = new GetDealRisk(s);
            ToolResult r = tool.call(Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(asked)).build(), ToolContext.NONE);
            assertConforms(tool.outputSchema(), r.structured());

            List<RecordedRequest> calls = s.sb().requests().stream().filter(q -> q.path().equals("/v4/opportunity")).toList();
            assertEquals(3, calls.size(), "252 distinct ids = 3 batches");
            Set<String> sent = new HashSet<>();
            for (RecordedRequest c : calls) {
                List<String> ids = oppIds(c.query());
                assertTrue(ids.size() <= 100, "batch of " + ids.size());
                sent.addAll(ids);
            }
            assertEquals(new HashSet<>(asked), sent);

            List<String> got = r.structured().arr("deals").items().stream().map(j -> ((Json.Obj) j).str("id")).toList();
            assertEquals(known, got, "caller's order, duplicates once");
            assertEquals(List.of("006UNKNOWN00000001", "006UNKNOWN00000002"),
                    r.structured().arr("notFound").items().stream().map(j -> ((Json.Str) j).value()).toList());
            assertEquals(2, ((Json.Num) r.structured().get("notFoundCount")).longValueExact());
            assertTrue(r.text().contains("\nNot found in Clari (2): 006UNKNOWN00000001, 006UNKNOWN00000002\n"), r.text());
            assertTrue(r.text().startsWith("250 deal(s), sorted by Clari CRM score (deal health; low = at risk), lowest first; "
                    + "showing the 100 lowest, structuredContent has all\n"), r.text());
            assertTrue(r.text().length() <= Text.MAX_CHARS, "no cut needed");
        }
    }

    @Test
    @Timeout(30)
    void eachDeal_hasClarisValues_andTheLatestChangePerField() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<Opportunity> opps = org.opportunities().stream().filter(o -> !o.history().isEmpty()).limit(40).toList();
            ToolResult r = new GetDealRisk(s).call(idsArg(opps), ToolContext.NONE);
            List<Json> deals = r.structured().arr("deals").items();
            assertEquals(opps.size(), deals.size());
            for (int i = 0; i < opps.size(); i++) {
                Opportunity o = opps.get(i);
                Json.Obj d = (Json.Obj) deals.get(i);
                assertEquals(o.id(), d.str("id"));
                assertEquals(o.name(), d.str("name"));
                assertEquals(BigDecimal.valueOf(o.crmScore()), ((Json.Num) d.get("score")).decimal());
                assertEquals(o.crmScoreMessage(), d.str("scoreMessage"));
                assertEquals(o.amount(), ((Json.Num) d.get("amount")).longValueExact());
                assertEquals(o.stage(), d.str("stage"));
                assertEquals(o.closeDate().toString(), d.str("closeDate"));
                assertEquals(o.forecastCategory(), d.str("forecastCategory"));
                assertEquals(org.user(o.ownerId()).name(), d.str("owner"));
                for (String field : LABELS.keySet()) {
                    Change latest = o.history().stream().filter(c -> c.field().equals(field))
                            .max(Comparator.comparing(Change::at)).orElse(null);
                    Json.Obj shown = d.arr("latestChanges").items().stream().map(j -> (Json.Obj) j)
                            .filter(c -> LABELS.get(field).equals(c.str("field"))).findFirst().orElse(null);
                    if (latest == null) {
                        assertNull(shown, o.id() + " " + field);
                        continue;
                    }
                    assertEquals(latest.at().atZone(ZoneOffset.UTC).toLocalDate().toString(), shown.str("date"), o.id() + " " + field);
                    assertEquals(display(org, field, latest.oldValue()), shown.str("oldValue"), o.id() + " " + field);
                    assertEquals(display(org, field, latest.newValue()), shown.str("newValue"), o.id() + " " + field);
                }
            }
        }
    }

    @Test
    @Timeout(30)
    void text_listsLowestScoreFirst_unscoredLast() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<Opportunity> opps = org.opportunities().stream().limit(60).toList();
            ToolResult r = new GetDealRisk(s).call(idsArg(opps), ToolContext.NONE);
            assertTrue(r.text().startsWith("60 deal(s), sorted by Clari CRM score (deal health; low = at risk), lowest first"), r.text());
            List<Opportunity> byRisk = new ArrayList<>(opps);
            byRisk.sort(Comparator.comparingInt(Opportunity::crmScore)); // stable: ties keep the caller's order
            int last = -1;
            for (Opportunity o : byRisk) {
                int at = r.text().indexOf(o.id());
                assertTrue(at > last, o.id() + " (score " + o.crmScore() + ") is out of order");
                last = at;
            }
        }
    }

    @Test
    @Timeout(30)
    void cancellation_interruptsTheBatchesInFlight() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().delay(Duration.ofSeconds(20));
            List<Opportunity> opps = s.sb().org().opportunities().stream().limit(300).toList();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    new GetDealRisk(s).call(idsArg(opps), ToolContext.NONE);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            while (s.sb().requests().isEmpty()) Thread.sleep(20);
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(5)), "the call ends soon after the interrupt, not after the 20 s delay");
            assertInstanceOf(InterruptedException.class, outcome.get());
        }
    }

    @ParameterizedTest(name = "wrapped answer: {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(30)
    void salesforce15And18_sameDeal_askedOnce_reportedUnderTheCallersId(boolean wrapped) throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().wrapOpportunities(wrapped);
            List<Opportunity> opps = s.sb().org().opportunities().subList(20, 24);
            String short0 = opps.get(0).id().substring(0, 15);
            String short2 = opps.get(2).id().substring(0, 15);
            List<String> asked = List.of(short0, opps.get(1).id(), "  " + short2 + "\t", opps.get(0).id(), short0,
                    short2 + "  ", opps.get(3).id().substring(0, 15), opps.get(3).id());
            GetDealRisk tool = new GetDealRisk(s);
            ToolResult r = tool.call(Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(asked)).build(), ToolContext.NONE);
            assertConforms(tool.outputSchema(), r.structured());

            List<RecordedRequest> calls = s.sb().requests();
            assertEquals(1, calls.size());
            assertEquals(List.of(short0, opps.get(1).id(), short2, opps.get(3).id().substring(0, 15)), oppIds(calls.get(0).query()),
                    "each deal asked once, in the first form given, trimmed");
            List<Json> deals = r.structured().arr("deals").items();
            assertEquals(List.of(short0, opps.get(1).id(), short2, opps.get(3).id().substring(0, 15)),
                    deals.stream().map(j -> ((Json.Obj) j).str("id")).toList(), "Clari's 18-character answers matched to the 15s");
            for (int i = 0; i < 4; i++) {
                assertEquals(opps.get(i).name(), ((Json.Obj) deals.get(i)).str("name"));
                assertEquals(opps.get(i).amount(), ((Json.Num) ((Json.Obj) deals.get(i)).get("amount")).longValueExact());
            }
            assertEquals(0, r.structured().arr("notFound").size());
            assertTrue(r.text().startsWith("4 deal(s)"), r.text());
            assertTrue(r.text().contains(short0 + " ") && !r.text().contains(opps.get(0).id()), "text names the caller's form");
        }
    }

    @Test
    @Timeout(30)
    void otherCrmIds_guidNumericAndOpp001_arePassedThrough_andMatched() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().otherCrmIds(true);
            List<String> ids = SandboxOrg.OTHER_CRM_IDS;
            String guidUpper = ids.get(0).toUpperCase(java.util.Locale.ROOT);
            List<String> asked = List.of(guidUpper, ids.get(1), " " + ids.get(2), ids.get(3), ids.get(0), "opp:9.x-1");
            ToolResult r = new GetDealRisk(s).call(Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(asked)).build(), ToolContext.NONE);
            assertEquals(List.of(guidUpper, ids.get(1), ids.get(2), ids.get(3), "opp:9.x-1"), oppIds(s.sb().requests().get(0).query())
                    .stream().map(q -> java.net.URLDecoder.decode(q, java.nio.charset.StandardCharsets.UTF_8)).toList());
            List<Json> deals = r.structured().arr("deals").items();
            assertEquals(List.of(guidUpper, ids.get(1), ids.get(2), ids.get(3)), deals.stream().map(j -> ((Json.Obj) j).str("id")).toList(),
                    "the GUID answered in lower case is the caller's upper-case one");
            List<Opportunity> copies = s.sb().org().otherCrmOpportunities();
            for (int i = 0; i < deals.size(); i++) {
                assertEquals(copies.get(i).name(), ((Json.Obj) deals.get(i)).str("name"));
                assertEquals(BigDecimal.valueOf(copies.get(i).crmScore()), ((Json.Num) ((Json.Obj) deals.get(i)).get("score")).decimal());
            }
            assertEquals(List.of(new Json.Str("opp:9.x-1")), r.structured().arr("notFound").items());
        }
    }

    @Test
    @Timeout(30)
    void unknownIds_counted_firstTenListed_inTextAndStructuredAlike() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            List<String> asked = new ArrayList<>(List.of(s.sb().org().opportunities().get(0).id()));
            for (int i = 0; i < 25; i++) asked.add(String.format("006Unknown%05d", i));
            ToolResult r = new GetDealRisk(s).call(Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(asked)).build(), ToolContext.NONE);
            assertEquals(25, ((Json.Num) r.structured().get("notFoundCount")).longValueExact());
            List<String> listed = r.structured().arr("notFound").items().stream().map(j -> ((Json.Str) j).value()).toList();
            assertEquals(asked.subList(1, 11), listed);
            assertTrue(r.text().contains("\nNot found in Clari (25): " + String.join(", ", listed) + ", … (first 10 listed)\n"), r.text());
            assertFalse(r.text().contains(asked.get(11)), "the 11th unknown id is counted, not listed");
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"../admin/limits", "006&oppId=x", "two words", "", "   ", "é1234",
            "0123456789012345678901234567890123456789012345678901234567890123X"})
    void notAnId_isRefusedNamingIt_beforeAnyRequest(String bad) {
        GetDealRisk tool = new GetDealRisk(Fixtures.NO_CLARI); // touching Clari would throw AssertionError
        Json.Obj args = Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(List.of("006Z000000EPuiy", bad))).build();
        ToolException e = assertThrows(ToolException.class, () -> tool.call(args, ToolContext.NONE));
        String quoted = bad.strip().length() > 40 ? bad.strip().substring(0, 40) + "…" : bad.strip();
        assertEquals("'opp_ids'[1] \"" + quoted + "\" is not an opportunity id: use 1-64 letters, digits or - _ . : as in the CRM "
                + "(e.g. 006Z000000EPuiyIAD)", e.getMessage());
    }

    @Test
    void key_salesforce15And18Meet_otherIdsStayThemselves() {
        assertEquals("006Z000000EPuiyIAD", GetDealRisk.salesforce18("006Z000000EPuiy"), "the spec's example id");
        assertEquals("aaaaaaaaaaaaaaaAAA", GetDealRisk.salesforce18("aaaaaaaaaaaaaaa"));
        assertEquals("AAAAAAAAAAAAAAA555", GetDealRisk.salesforce18("AAAAAAAAAAAAAAA"));
        assertEquals("zZzzzzzzzzzzzzzCAA", GetDealRisk.salesforce18("zZzzzzzzzzzzzzz"), "second character: bit 1");
        assertEquals(GetDealRisk.key("006Z000000EPuiyIAD"), GetDealRisk.key("006Z000000EPuiy"));
        assertEquals(GetDealRisk.key("006Z000000EPuiyIAD"), GetDealRisk.key("006Z000000EPuiyiad"), "the suffix ignores case");
        assertNotEquals(GetDealRisk.key("006Z000000EPuiyIAD"), GetDealRisk.key("006z000000EPuiy"), "15s are case-sensitive");
        assertNotEquals(GetDealRisk.key("006Z000000EPuiy"), GetDealRisk.key("006Z000000EPuiyAAA"), "a wrong checksum is another id");
        assertEquals("opp_001", GetDealRisk.key("opp_001"));
        assertEquals("13500012345", GetDealRisk.key("13500012345"));
        assertEquals(GetDealRisk.key("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), GetDealRisk.key("3F2504E0-4F89-41D3-9A0C-0305E82C3301"));
    }

    private static Json.Obj idsArg(List<Opportunity> opps) {
        return Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(opps.stream().map(Opportunity::id).toList())).build();
    }

    /** How the sandbox's history value of a field reads once shown: money, ISO dates, owner names. */
    private static String display(SandboxOrg org, String field, String value) {
        return switch (field) {
            case "amount" -> Text.money(new BigDecimal(value));
            case "owner" -> org.user(value).name();
            default -> value;
        };
    }

    private static List<String> oppIds(String query) {
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("(?:^|&)oppId=([^&]*)").matcher(query);
        while (m.find()) ids.add(m.group(1));
        return ids;
    }
}
