package clarimcp.tools;

import clarimcp.mcp.Tool;
import static clarimcp.tools.Fixtures.assertConforms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.tools.DealReport.Deal;
import clarimcp.tools.Fixtures.Sandboxed;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
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
            Fixtures.Checked tool = new Fixtures.Checked(GetDealRisk.tool(s));
            Tool.Result r = tool.call(Json.obj("opp_ids", ObjBuilder.strings(asked)), Fixtures.NONE);
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

            List<String> byRisk = known.stream().sorted(Comparator.comparingInt(id -> org.opportunity(id).crmScore())).toList();
            assertEquals(byRisk.subList(0, 100), rowIds(r.structured()), "the 100 lowest scores, ties in the caller's order, duplicates once");
            assertEquals(250, num(r.structured(), "found"));
            assertEquals(150, num(r.structured(), "more"));
            assertEquals(List.of("006UNKNOWN00000001", "006UNKNOWN00000002"),
                    r.structured().arr("notFound").items().stream().map(j -> ((Json.Str) j).value()).toList());
            assertEquals(2, num(r.structured(), "notFoundCount"));
            assertTrue(r.text().contains("\nNOTE: Not found in Clari (2): 006UNKNOWN00000001, 006UNKNOWN00000002\n"), r.text());
            assertTrue(r.text().startsWith("250 deal(s) found in Clari\n"), r.text());
            assertTrue(r.text().contains("\nNOTE: 150 more matching deal(s) not listed (the 100 lowest scores are): narrow with "
                    + "forecast_category, open_only, close_from/close_to, owner, min_amount or max_score, or pass fewer opp_ids\n"), r.text());
            assertTrue(r.text().length() <= Text.MAX_CHARS, "no cut needed");
            assertBothFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void eachDeal_hasClarisValues_andTheLatestChangePerField() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<Opportunity> opps = org.opportunities().stream().filter(o -> !o.history().isEmpty()).limit(40).toList();
            Tool.Result r = new Fixtures.Checked(GetDealRisk.tool(s)).call(idsArg(opps), Fixtures.NONE);
            Map<String, Map<String, Json>> rows = rows(r.structured());
            assertEquals(opps.size(), rows.size());
            for (Opportunity o : opps) {
                Map<String, Json> d = rows.get(o.id());
                assertEquals(Json.of(o.name()), d.get("name"));
                assertEquals(BigDecimal.valueOf(o.crmScore()), ((Json.Num) d.get("score")).decimal());
                assertEquals(Json.of(o.crmScoreMessage()), d.get("reason"));
                assertEquals(o.amount(), ((Json.Num) d.get("amount")).longValueExact());
                assertEquals(Json.of(o.stage()), d.get("stage"));
                assertEquals(Json.of(o.closeDate().toString()), d.get("closeDate"));
                assertEquals(Json.of(o.forecastCategory()), d.get("forecastCategory"));
                assertEquals(Json.of(org.user(o.ownerId()).name()), d.get("owner"));
                List<Map<String, Json>> changes = table(r.structured().obj("changes")).stream()
                        .filter(c -> c.get("id").equals(Json.of(o.id()))).toList();
                for (String field : LABELS.keySet()) {
                    Change latest = o.history().stream().filter(c -> c.field().equals(field))
                            .max(Comparator.comparing(Change::at)).orElse(null);
                    List<Map<String, Json>> shown = changes.stream().filter(c -> c.get("field").equals(Json.of(LABELS.get(field)))).toList();
                    if (latest == null) {
                        assertEquals(List.of(), shown, o.id() + " " + field);
                        continue;
                    }
                    assertEquals(1, shown.size(), o.id() + " " + field + ": the latest change only");
                    assertEquals(Json.of(latest.at().atZone(ZoneOffset.UTC).toLocalDate().toString()), shown.get(0).get("date"), o.id() + " " + field);
                    assertEquals(Json.of(display(org, field, latest.oldValue())), shown.get(0).get("from"), o.id() + " " + field);
                    assertEquals(Json.of(display(org, field, latest.newValue())), shown.get(0).get("to"), o.id() + " " + field);
                }
            }
            assertBothFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void text_listsLowestScoreFirst_unscoredLast() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<Opportunity> opps = org.opportunities().stream().limit(60).toList();
            Tool.Result r = new Fixtures.Checked(GetDealRisk.tool(s)).call(idsArg(opps), Fixtures.NONE);
            assertTrue(r.text().startsWith("60 deal(s) found in Clari\n"), r.text());
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
                    new Fixtures.Checked(GetDealRisk.tool(s)).call(idsArg(opps), Fixtures.NONE);
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
            Fixtures.Checked tool = new Fixtures.Checked(GetDealRisk.tool(s));
            Tool.Result r = tool.call(Json.obj("opp_ids", ObjBuilder.strings(asked)), Fixtures.NONE);
            assertConforms(tool.outputSchema(), r.structured());

            List<RecordedRequest> calls = s.sb().requests();
            assertEquals(1, calls.size());
            assertEquals(List.of(short0, opps.get(1).id(), short2, opps.get(3).id().substring(0, 15)), oppIds(calls.get(0).query()),
                    "each deal asked once, in the first form given, trimmed");
            Map<String, Map<String, Json>> rows = rows(r.structured());
            List<String> reported = List.of(short0, opps.get(1).id(), short2, opps.get(3).id().substring(0, 15));
            assertEquals(Set.copyOf(reported), rows.keySet(), "Clari's 18-character answers matched to the 15s");
            for (int i = 0; i < 4; i++) {
                assertEquals(Json.of(opps.get(i).name()), rows.get(reported.get(i)).get("name"));
                assertEquals(opps.get(i).amount(), ((Json.Num) rows.get(reported.get(i)).get("amount")).longValueExact());
            }
            assertEquals(0, r.structured().arr("notFound").size());
            assertTrue(r.text().startsWith("4 deal(s) found in Clari\n"), r.text());
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
            Tool.Result r = new Fixtures.Checked(GetDealRisk.tool(s)).call(Json.obj("opp_ids", ObjBuilder.strings(asked)), Fixtures.NONE);
            assertEquals(List.of(guidUpper, ids.get(1), ids.get(2), ids.get(3), "opp:9.x-1"), oppIds(s.sb().requests().get(0).query())
                    .stream().map(q -> java.net.URLDecoder.decode(q, java.nio.charset.StandardCharsets.UTF_8)).toList());
            Map<String, Map<String, Json>> rows = rows(r.structured());
            List<String> reported = List.of(guidUpper, ids.get(1), ids.get(2), ids.get(3));
            assertEquals(Set.copyOf(reported), rows.keySet(), "the GUID answered in lower case is the caller's upper-case one");
            List<Opportunity> copies = s.sb().org().otherCrmOpportunities();
            for (int i = 0; i < reported.size(); i++) {
                assertEquals(Json.of(copies.get(i).name()), rows.get(reported.get(i)).get("name"));
                assertEquals(BigDecimal.valueOf(copies.get(i).crmScore()), ((Json.Num) rows.get(reported.get(i)).get("score")).decimal());
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
            Tool.Result r = new Fixtures.Checked(GetDealRisk.tool(s)).call(Json.obj("opp_ids", ObjBuilder.strings(asked)), Fixtures.NONE);
            assertEquals(25, ((Json.Num) r.structured().get("notFoundCount")).longValueExact());
            List<String> listed = r.structured().arr("notFound").items().stream().map(j -> ((Json.Str) j).value()).toList();
            assertEquals(asked.subList(1, 11), listed);
            assertTrue(r.text().contains("\nNOTE: Not found in Clari (25): " + String.join(", ", listed) + ", … (first 10 listed)\n"), r.text());
            assertFalse(r.text().contains(asked.get(11)), "the 11th unknown id is counted, not listed");
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"../admin/limits", "006&oppId=x", "two words", "", "   ", "é1234",
            "0123456789012345678901234567890123456789012345678901234567890123X"})
    void notAnId_isRefusedNamingIt_beforeAnyRequest(String bad) {
        Fixtures.Checked tool = new Fixtures.Checked(GetDealRisk.tool(Fixtures.NO_CLARI)); // touching Clari would throw AssertionError
        Json.Obj args = Json.obj("opp_ids", ObjBuilder.strings(List.of("006Z000000EPuiy", bad)));
        Tool.Failure e = assertThrows(Tool.Failure.class, () -> tool.call(args, Fixtures.NONE));
        String quoted = bad.strip().length() > 40 ? bad.strip().substring(0, 40) + "…" : bad.strip();
        assertEquals("'opp_ids'[1] \"" + quoted + "\" is not valid: an opportunity id: 1-64 letters, digits or - _ . : as in the CRM "
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

    @Test
    @Timeout(30)
    void filters_categoryAnyCase_openOnly_closeWindow_totalsPerCategory_matchTheOrg() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate from = SandboxOrg.quarterStart(org.currentQuarter()), to = SandboxOrg.quarterEnd(org.currentQuarter());
            Json.Obj args = Json.obj("opp_ids", allIds(org),
                    "forecast_category", ObjBuilder.strings(List.of("commit", " BEST CASE")), "open_only", true,
                    "close_from", from.toString(), "close_to", to.toString());
            Tool.Result r = tool(s).call(args, Fixtures.NONE);
            List<Opportunity> expected = org.opportunities().stream()
                    .filter(o -> Set.of("Commit", "Best Case").contains(o.forecastCategory()) && !o.stage().startsWith("Closed")
                            && !o.closeDate().isBefore(from) && !o.closeDate().isAfter(to)).toList();
            assertTrue(expected.size() > 10, "seeded open Commit/Best Case deals this quarter: " + expected.size());
            assertEquals(expected.size(), num(r.structured(), "matched"));
            assertEquals(org.opportunities().size(), num(r.structured(), "found"));
            assertEquals(List.of(List.of("Commit"), List.of("Best Case"), List.of("All")),
                    table(r.structured().obj("totals")).stream().map(t -> List.of(((Json.Str) t.get("forecastCategory")).value())).toList());
            assertTotals(r, "Commit", expected.stream().filter(o -> o.forecastCategory().equals("Commit")).toList());
            assertTotals(r, "Best Case", expected.stream().filter(o -> o.forecastCategory().equals("Best Case")).toList());
            assertTotals(r, "All", expected);
            assertEquals(byScore(expected).stream().limit(100).map(Opportunity::id).toList(), rowIds(r.structured()));
            long closed = org.opportunities().stream().filter(o -> o.stage().startsWith("Closed")).count();
            assertTrue(r.text().startsWith(org.opportunities().size() + " deal(s) found in Clari; " + expected.size()
                    + " match forecast_category=commit,BEST CASE; open_only=true; close_from=" + from + "; close_to=" + to + "\n"), r.text());
            assertTrue(notes(r).contains("open_only: " + closed + " of the deals found are closed (stage containing 'Closed' or category Closed) and left out"),
                    notes(r).toString());
            assertBothFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void filters_ownerAnyCase_minAmount_maxScore_matchTheOrg() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String owner = org.user(org.opportunities().get(0).ownerId()).name();
            Json.Obj args = Json.obj("opp_ids", allIds(org), "owner", "  " + owner.toUpperCase(Locale.ROOT),
                    "min_amount", 20_000, "max_score", 60);
            Tool.Result r = tool(s).call(args, Fixtures.NONE);
            List<Opportunity> expected = org.opportunities().stream().filter(o -> org.user(o.ownerId()).name().equals(owner)
                    && o.amount() >= 20_000 && o.crmScore() <= 60).toList();
            assertFalse(expected.isEmpty());
            assertEquals(byScore(expected).stream().map(Opportunity::id).toList(), rowIds(r.structured()));
            assertTotals(r, "All", expected);
            assertEquals(0, num(r.structured(), "more"));
            assertBothFormsAgree(r);
            String email = org.user(org.opportunities().get(0).ownerId()).email();
            Tool.Result byEmail = tool(s).call(Json.obj("opp_ids", allIds(org), "owner", email.toUpperCase(Locale.ROOT),
                    "min_amount", 20_000, "max_score", 60), Fixtures.NONE);
            assertEquals(rowIds(r.structured()), rowIds(byEmail.structured()), "the owner's email selects the same deals");
            Tool.Result partial = tool(s).call(Json.obj("opp_ids", allIds(org), "owner", owner.split(" ")[0]),
                    Fixtures.NONE);
            assertEquals(0, num(partial.structured(), "matched"), "a first name alone is not an owner: the full name or email");
        }
    }

    @Test
    @Timeout(30)
    void openOnly_closedDealsNeverCrowdOutOpenOnes() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            Tool.Result any = tool(s).call(Json.obj("opp_ids", allIds(org)), Fixtures.NONE);
            long closedShown = rowIds(any.structured()).stream().filter(id -> org.opportunity(id).stage().startsWith("Closed")).count();
            assertTrue(closedShown > 10, "without open_only, Closed Lost deals (score 0) fill the top rows: " + closedShown);
            Tool.Result open = tool(s).call(Json.obj("opp_ids", allIds(org), "open_only", true), Fixtures.NONE);
            List<Opportunity> expected = byScore(org.opportunities().stream().filter(o -> !o.stage().startsWith("Closed")).toList());
            assertEquals(expected.stream().limit(100).map(Opportunity::id).toList(), rowIds(open.structured()));
            assertEquals(expected.size() - 100, num(open.structured(), "more"));
            assertBothFormsAgree(open);
        }
    }

    @Test
    void dealsWithoutTheFilteredField_areCountedAsNotMatched_neverAsMatchesOrZeros() throws Exception {
        List<Deal> deals = List.of(
                deal("006A", "{\"score\":20}", field("closeDate", "\"2026-12-01\"") + "," + field("amount", "1000") + "," + field("forecastCategory", "\"Commit\"")),
                deal("006B", "{\"score\":30}", field("amount", "2000") + "," + field("forecastCategory", "\"commit\"")),
                deal("006C", "null", field("closeDate", "\"2026-12-02\"") + "," + field("amount", "4000") + "," + field("forecastCategory", "\"Commit\"")),
                deal("006D", "{\"score\":10}", field("closeDate", "\"2026-12-03\"") + "," + field("amount", "8000")),
                deal("006E", "{\"score\":40}", field("closeDate", "\"2026-12-04\"") + "," + field("forecastCategory", "\"Commit\"")),
                deal("006F", "{\"score\":45}", field("closeDate", "\"2027-01-04\"") + "," + field("amount", "16000") + "," + field("forecastCategory", "\"Commit\"")));
        DealReport.Filters filters = new DealReport.Filters(Set.of("commit"), false, LocalDate.parse("2026-10-01"),
                LocalDate.parse("2026-12-31"), null, null, BigDecimal.valueOf(60), null);
        Json.Obj args = Fixtures.obj("{\"forecast_category\":[\"Commit\"],\"close_from\":\"2026-10-01\",\"close_to\":\"2026-12-31\",\"max_score\":60}");
        Tool.Result r = DealReport.render(deals, List.of(), filters, args, LocalDate.parse("2026-12-04"));
        assertEquals(List.of("006A", "006E"), rowIds(r.structured()), "006F closes outside the window");
        assertEquals(List.of("Not matched, field missing (left out, not counted as matches): CRM score 1, close date 1, forecast category 1",
                "1 matching deal(s) have no amount: counted in Deals, not in the amounts"), notes(r));
        assertEquals(List.of(Json.of("All"), Json.of(2), Json.Num.of(1000), Json.Num.of(1000)),
                ((Json.Arr) r.structured().obj("totals").arr("rows").items().getLast()).items(), "006E counted, its amount not a zero");
        assertBothFormsAgree(r);
    }

    @Test
    @Timeout(30)
    void changedSince_summarisesSlipsPullInsDoublePushesAndCommitMoves_asTheSeededHistoryHolds() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate since = org.today().minusDays(21);
            Tool.Result r = tool(s).call(Json.obj("opp_ids", allIds(org), "changed_since", since.toString()),
                    Fixtures.NONE);
            Instant from = since.atStartOfDay(ZoneOffset.UTC).toInstant();
            SandboxOrg.Moves moves = org.movesSince(org.opportunities().stream().map(Opportunity::id).toList(), from);
            Map<String, Map<String, Json>> summary = new LinkedHashMap<>();
            for (Map<String, Json> row : table(r.structured().obj("changes").obj("summary"))) summary.put(((Json.Str) row.get("change")).value(), row);
            String q = org.currentQuarter();
            assertEquals(List.of("close date pushed out of " + q, "close date pushed later", "close date pulled in",
                    "close date pushed more than once", "moved into Commit", "moved out of Commit"), List.copyOf(summary.keySet()));
            assertMoves(summary.get("close date pushed out of " + q), moves.pushedOutOfQuarter());
            assertMoves(summary.get("close date pushed later"), moves.pushedLater());
            assertMoves(summary.get("close date pulled in"), moves.pulledIn());
            assertMoves(summary.get("close date pushed more than once"), moves.pushedMoreThanOnce());
            assertMoves(summary.get("moved into Commit"), moves.intoCommit());
            assertMoves(summary.get("moved out of Commit"), moves.outOfCommit());
            assertEquals(BigDecimal.valueOf(moves.netAmountChange()), ((Json.Num) r.structured().obj("changes").get("netAmountChange")).decimal());
            assertEquals(moves.amountDeals(), num(r.structured().obj("changes"), "amountChangedDeals"));
            assertTrue(r.text().contains("\n- net amount change: " + (moves.netAmountChange() > 0 ? "+" : "")
                    + Text.money(BigDecimal.valueOf(moves.netAmountChange())) + " over " + moves.amountDeals() + " deal(s) with amount changes\n"), r.text());
            assertTrue(notes(r).contains("Quarter " + q + " = " + SandboxOrg.quarterStart(q) + ".." + SandboxOrg.quarterEnd(q)
                    + ": the calendar quarter of today (UTC); Clari's opportunity answer carries no fiscal calendar"), notes(r).toString());
            // Every change row of a listed deal lies in the window, and each listed deal's tracked changes there are all listed.
            List<String> shown = rowIds(r.structured());
            long expectedRows = shown.stream().flatMap(id -> org.opportunity(id).history().stream())
                    .filter(c -> !c.at().isBefore(from) && !c.field().equals("owner")).count();
            List<Map<String, Json>> changes = table(r.structured().obj("changes"));
            assertEquals(Math.min(expectedRows, DealReport.MAX_CHANGE_ROWS), changes.size());
            assertEquals(expectedRows - changes.size(), num(r.structured().obj("changes"), "more"));
            for (Map<String, Json> c : changes) {
                assertFalse(LocalDate.parse(((Json.Str) c.get("date")).value()).isBefore(since), c.toString());
                assertNotEquals(Json.of("owner"), c.get("field"));
            }
            assertBothFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void changedSince_withACategory_keepsTheDealsThatLeftIt() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate since = org.today().minusDays(21);
            Instant from = since.atStartOfDay(ZoneOffset.UTC).toInstant();
            Tool.Result r = tool(s).call(Json.obj("opp_ids", allIds(org), "forecast_category", ObjBuilder.strings(List.of("Commit")),
                    "changed_since", since.toString()), Fixtures.NONE);
            List<String> left = org.opportunities().stream().filter(o -> !o.forecastCategory().equals("Commit") && o.history().stream()
                    .filter(c -> c.field().equals("forecastCategory") && !c.at().isBefore(from)).findFirst()
                    .map(c -> c.oldValue().equals("Commit")).orElse(false)).map(Opportunity::id).toList();
            assertFalse(left.isEmpty(), "the seeded history has deals that left Commit in three weeks");
            assertEquals(org.oppIds("Commit").size() + left.size(), num(r.structured(), "matched"));
            assertTrue(notes(r).contains(left.size() + " deal(s) kept that were in forecast_category at changed_since and have left it since"));
            Map<String, Json> out = table(r.structured().obj("changes").obj("summary")).stream()
                    .filter(l -> l.get("change").equals(Json.of("moved out of Commit"))).findFirst().orElseThrow();
            assertEquals(Set.copyOf(left), Set.copyOf(((Json.Arr) out.get("ids")).items().stream().map(j -> ((Json.Str) j).value()).toList()));
            assertBothFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void changedSince_dateTimeForms_cutAtTheInstant() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            Opportunity o = org.opportunities().stream().filter(x -> x.history().stream().anyMatch(c -> !c.field().equals("owner"))
                    && x.history().stream().map(Change::at).distinct().count() == x.history().size()).findFirst().orElseThrow();
            Change c = o.history().stream().filter(x -> !x.field().equals("owner")).findFirst().orElseThrow();
            long atOrAfter = o.history().stream().filter(x -> !x.field().equals("owner") && !x.at().isBefore(c.at())).count();
            String offset = c.at().atOffset(java.time.ZoneOffset.ofHours(2)).toLocalDateTime() + "+02:00";
            String local = c.at().atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
            for (String form : List.of(c.at().toString(), offset, local)) {
                assertEquals(atOrAfter, changeRows(s, o, form), form + ": the change at that instant is in");
            }
            assertEquals(atOrAfter - 1, changeRows(s, o, c.at().plusMillis(1).toString()), "a millisecond later it is out");
            Tool.Failure bad = assertThrows(Tool.Failure.class, () -> tool(s).call(Json.obj("opp_ids", ObjBuilder.strings(List.of(o.id())),
                    "changed_since", "last week"), Fixtures.NONE));
            assertTrue(bad.getMessage().startsWith("'changed_since' \"last week\" is not valid: YYYY-MM-DD (UTC) or ISO date-time"), bad.getMessage());
            Tool.Failure order = assertThrows(Tool.Failure.class, () -> tool(s).call(Json.obj("opp_ids", ObjBuilder.strings(List.of(o.id())),
                    "close_from", "2026-12-31", "close_to", "2026-10-01"), Fixtures.NONE));
            assertEquals("'close_from' must not be after 'close_to'", order.getMessage());
        }
    }

    @ParameterizedTest(name = "ids {0}, changed_since {1}")
    @org.junit.jupiter.params.provider.CsvSource({"100,false", "100,true", "1000,false", "1000,true"})
    @Timeout(30)
    void realisticAnswers_structuredJsonWithinAQuarterMoreThanTheText_sameFacts(int count, boolean changes) throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            List<String> ids = new ArrayList<>(org.opportunities().stream().map(Opportunity::id).limit(count).toList());
            for (int i = 0; ids.size() < count; i++) ids.add(String.format("006Unknown%05d", i));
            ObjBuilder args = new ObjBuilder().put("opp_ids", ObjBuilder.strings(ids));
            if (changes) args.put("changed_since", org.today().minusDays(14).toString());
            Tool.Result r = tool(s).call(args.build(), Fixtures.NONE);
            assertConforms(tool(s).outputSchema(), r.structured());
            assertEquals(100, rowIds(r.structured()).size());
            assertBothFormsAgree(r);
            System.out.printf("get_deal_risk %d ids, changed_since %s: text %d chars, structured JSON %d chars (%.2fx)%n", count, changes,
                    r.text().length(), JsonWriter.write(r.structured()).length(), JsonWriter.write(r.structured()).length() / (double) r.text().length());
        }
    }

    @Test
    @Timeout(30)
    void smallAnswers_nothingFound_orOneDeal_structuredStillWithinTheText() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            for (List<String> ids : List.of(List.of("006Nope"), List.of(org.opportunities().get(0).id()))) {
                for (String since : new String[] {null, org.today().minusDays(7).toString()}) {
                    ObjBuilder args = new ObjBuilder().put("opp_ids", ObjBuilder.strings(ids));
                    if (since != null) args.put("changed_since", since);
                    Tool.Result r = tool(s).call(args.build(), Fixtures.NONE);
                    assertConforms(tool(s).outputSchema(), r.structured());
                    assertBothFormsAgree(r);
                }
            }
        }
    }

    /** A change date beyond a long, or fractional, is undated: it must not wrap into a real-looking date. */
    @Test
    void trendHistoryDate_outOfRangeOrFractional_isUndated_notWrapped() {
        for (String date : List.of("1e25", "18446744073709551617", "1764460800000.5")) {
            Deal d = deal("006Q00001", "{\"score\":5}", "{\"id\":\"opportunity.closeDate\",\"value\":\"2027-01-15\","
                    + "\"trendHistory\":[{\"oldValue\":\"2026-12-01\",\"newValue\":\"2027-01-15\",\"date\":" + date + "}]}");
            assertEquals(1, d.changes().size(), date);
            assertNull(d.changes().get(0).at(), date);
        }
        long ms = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
        assertEquals(Instant.ofEpochMilli(ms), DealReport.Deal.epochMillis(java.math.BigDecimal.valueOf(ms)));
    }

    @Test
    void summaryLine_listsTheFirst50Ids_andCountsThemAll() throws Exception {
        long pushedAt = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
        List<Deal> deals = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            deals.add(deal(String.format("006P%05d", i), "{\"score\":" + i + "}", "{\"id\":\"opportunity.closeDate\",\"value\":\"2027-01-15\","
                    + "\"trendHistory\":[{\"oldValue\":\"2026-12-01\",\"newValue\":\"2027-01-15\",\"date\":" + pushedAt + "}]}"));
        }
        Instant since = Instant.parse("2026-11-27T00:00:00Z");
        DealReport.Filters none = new DealReport.Filters(null, false, null, null, null, null, null, since);
        Tool.Result r = DealReport.render(deals, List.of(), none, Fixtures.obj("{}"), LocalDate.parse("2026-12-04"));
        List<String> first50 = deals.subList(0, 50).stream().map(Deal::id).toList();
        assertTrue(r.text().contains("\n- close date pushed later (60): " + String.join(", ", first50) + ", … (first 50 listed)\n"), r.text());
        assertTrue(r.text().contains("\n- close date pushed out of 2026_Q4 (60): "), r.text());
        assertTrue(r.text().contains("\n- close date pulled in (0)\n"), r.text());
        Map<String, Json> later = table(r.structured().obj("changes").obj("summary")).get(1);
        assertEquals(Json.of("close date pushed later"), later.get("change"));
        assertEquals(60, ((Json.Num) later.get("deals")).longValueExact());
        assertEquals(Json.of(first50), later.get("ids"));
        assertBothFormsAgree(r);
    }

    @Test
    void longValues_listFewerRowsInBothForms_ratherThanCuttingTheText() throws Exception {
        List<Deal> deals = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String id = String.format("006L%05d", i);
            deals.add(deal(id, "{\"score\":" + (i % 90) + ",\"message\":\"" + "r".repeat(300) + "\"}",
                    field("name", "\"" + "n".repeat(300) + "\"") + "," + field("amount", "1000") + "," + field("forecastCategory", "\"Commit\"")));
        }
        DealReport.Filters none = new DealReport.Filters(null, false, null, null, null, null, null, null);
        Tool.Result r = DealReport.render(deals, List.of(), none, Fixtures.obj("{}"), LocalDate.parse("2026-12-04"));
        assertTrue(r.text().length() <= Text.MAX_CHARS && !r.text().contains("[output cut"), "length " + r.text().length());
        assertEquals(50, rowIds(r.structured()).size(), "100 rows of 400+ characters halved to 50");
        assertEquals(70, num(r.structured(), "more"));
        assertTrue(notes(r).getFirst().startsWith("70 more matching deal(s) not listed (the 50 lowest scores are)"), notes(r).toString());
        assertBothFormsAgree(r);
    }

    private static long changeRows(Sandboxed s, Opportunity o, String since) throws Exception {
        Tool.Result r = tool(s).call(Json.obj("opp_ids", ObjBuilder.strings(List.of(o.id())), "changed_since", since),
                Fixtures.NONE);
        return table(r.structured().obj("changes")).size();
    }

    private static void assertMoves(Map<String, Json> row, List<String> expected) {
        assertEquals(expected.size(), ((Json.Num) row.get("deals")).longValueExact(), row.toString());
        assertEquals(Set.copyOf(expected), Set.copyOf(((Json.Arr) row.get("ids")).items().stream().map(j -> ((Json.Str) j).value()).toList()));
        assertFalse(expected.isEmpty(), "the seeded history must hold a case of " + row.get("change"));
    }

    private static void assertTotals(Tool.Result r, String category, List<Opportunity> deals) {
        Map<String, Json> row = table(r.structured().obj("totals")).stream()
                .filter(t -> t.get("forecastCategory").equals(Json.of(category))).findFirst().orElseThrow();
        assertEquals(deals.size(), ((Json.Num) row.get("deals")).longValueExact(), category);
        assertEquals(deals.stream().mapToLong(Opportunity::amount).sum(), ((Json.Num) row.get("amount")).longValueExact(), category);
        assertEquals(deals.stream().filter(o -> o.crmScore() < 50).mapToLong(Opportunity::amount).sum(),
                ((Json.Num) row.get("atRisk")).longValueExact(), category);
    }

    private static Fixtures.Checked tool(Sandboxed s) {
        return new Fixtures.Checked(GetDealRisk.tool(s, s.sb().org().clock()));
    }

    private static Json.Arr allIds(SandboxOrg org) {
        return ObjBuilder.strings(org.opportunities().stream().map(Opportunity::id).toList());
    }

    private static List<Opportunity> byScore(List<Opportunity> opps) {
        return opps.stream().sorted(Comparator.comparingInt(Opportunity::crmScore)).toList(); // stable
    }

    private static Deal deal(String id, String score, String fields) {
        return Deal.of(id, Fixtures.obj("{\"id\":\"" + id + "\",\"crmScore\":" + score + ",\"fields\":[" + fields + "]}"));
    }

    private static String field(String name, String value) {
        return "{\"id\":\"opportunity." + name + "\",\"value\":" + value + "}";
    }

    static long num(Json.Obj o, String key) {
        return ((Json.Num) o.get(key)).longValueExact();
    }

    /** A compact {columns, rows} table as one map per row (column name -> cell). */
    static List<Map<String, Json>> table(Json.Obj t) {
        if (t == null || t.arr("columns") == null) { // an empty table is left out, or its columns are
            assertTrue(t == null || t.arr("rows").size() == 0, "rows without columns");
            return List.of();
        }
        List<String> columns = t.arr("columns").items().stream().map(j -> ((Json.Str) j).value()).toList();
        List<Map<String, Json>> out = new ArrayList<>();
        for (Json row : t.arr("rows").items()) {
            List<Json> cells = ((Json.Arr) row).items();
            assertEquals(columns.size(), cells.size(), "cells of " + row);
            Map<String, Json> m = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) m.put(columns.get(i), cells.get(i));
            out.add(m);
        }
        return out;
    }

    static Map<String, Map<String, Json>> rows(Json.Obj structured) {
        Map<String, Map<String, Json>> out = new LinkedHashMap<>();
        for (Map<String, Json> row : table(structured)) out.put(((Json.Str) row.get("id")).value(), row);
        return out;
    }

    static List<String> rowIds(Json.Obj structured) {
        return List.copyOf(rows(structured).keySet());
    }

    static List<String> notes(Tool.Result r) {
        return r.structured().arr("notes").items().stream().map(j -> ((Json.Str) j).value()).toList();
    }

    /** The cells of the text table whose header line starts with first and holds second, one list per row. */
    private static List<List<String>> textTable(String text, String first, String second) {
        List<String> lines = text.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size() && header < 0; i++) if (lines.get(i).startsWith(first) && lines.get(i).contains(second)) header = i;
        List<List<String>> out = new ArrayList<>();
        if (header < 0) return out;
        for (int i = header + 1; i < lines.size() && lines.get(i).contains(" | "); i++) {
            out.add(java.util.Arrays.stream(lines.get(i).split(" \\| ")).map(String::strip).toList());
        }
        return out;
    }

    /**
     * The two forms tell the same: the deals in the same order, the same totals and change rows, every NOTE
     * line of the text among the notes (and no other), the summary counts; the JSON within 1.25x the text.
     */
    static void assertBothFormsAgree(Tool.Result r) {
        Json.Obj s = r.structured();
        assertEquals(rowIds(s), textTable(r.text(), "Id ", "| Score").stream().map(c -> c.get(0)).toList(), "deal ids, in order");
        List<List<String>> totals = new ArrayList<>();
        for (Map<String, Json> t : table(s.obj("totals"))) {
            totals.add(List.of(((Json.Str) t.get("forecastCategory")).value(), ((Json.Num) t.get("deals")).text(),
                    Text.money(((Json.Num) t.get("amount")).decimal()), Text.money(((Json.Num) t.get("atRisk")).decimal())));
        }
        assertEquals(totals, textTable(r.text(), "Category ", "| Deals"), "totals");
        List<List<String>> changes = new ArrayList<>();
        for (Map<String, Json> c : table(s.obj("changes"))) changes.add(List.of(((Json.Str) c.get("id")).value(), ((Json.Str) c.get("field")).value()));
        assertEquals(changes, textTable(r.text(), "Id ", "| Field").stream().map(c -> c.subList(0, 2)).toList(), "change rows");
        assertEquals(r.text().lines().filter(l -> l.startsWith("NOTE: ")).map(l -> l.substring(6)).toList(), notes(r), "notes");
        if (s.obj("changes") != null && s.obj("changes").obj("summary") != null) {
            for (Map<String, Json> line : table(s.obj("changes").obj("summary"))) {
                assertTrue(r.text().contains("\n- " + ((Json.Str) line.get("change")).value() + " (" + ((Json.Num) line.get("deals")).text() + ")"),
                        line.toString());
            }
        }
        int json = JsonWriter.write(s).length();
        assertTrue(json <= 1.25 * r.text().length(), "structured JSON " + json + " chars vs text " + r.text().length());
    }

    private static Json.Obj idsArg(List<Opportunity> opps) {
        return Json.obj("opp_ids", ObjBuilder.strings(opps.stream().map(Opportunity::id).toList()));
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
