package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.tools.TwoForms;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * get_pipeline_changes and get_deal_risk through the built launcher over stdio against the Clari
 * sandbox: an audit window that takes several pages (the answer compared with the seeded log), date-times
 * and filters reaching Clari, a hostile audit answer with thousands of event types, 1,000 opportunity
 * ids split into ten calls of 100 (the answer compared with the seeded deals), and ids as users paste
 * them (Salesforce 15/18, GUID, numeric, opp_001) against both answer shapes; and for get_pipeline_changes and
 * get_admin_limits, the same facts in the text and in structuredContent (issue 12 item 6).
 */
@Timeout(60)
class ToolsEndToEndTest extends SandboxSessionTest {
    /** Rare in the seeded log (a few per week), so the tool must read every page of a wide window. */
    private static final Set<String> RARE_EVENTS = Set.of("forecast.adjustment.created", "forecast.adjustment.updated");
    /** Within the 30 days Clari keeps (and the sandbox serves). */
    private static final int WINDOW_DAYS = 29;

    private static SandboxOrg org;

    @BeforeAll
    static void start() throws Exception {
        startSession("CLARI_PIPELINE_EVENTS", String.join(",", RARE_EVENTS));
        org = sandbox.org();
    }

    @Test
    @Timeout(30)
    void pipelineChanges_wideWindow_followsNextLinkThroughEveryPage_newestFirst_actorsNamed() throws Exception {
        LocalDate end = org.today();
        LocalDate start = end.minusDays(WINDOW_DAYS);
        Instant from = start.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
        Instant now = org.now();
        List<AuditEvent> inWindow = org.auditEvents().stream()
                .filter(e -> !e.timestamp().isBefore(from) && !e.timestamp().isAfter(to) && !e.timestamp().isAfter(now)).toList();
        List<AuditEvent> expected = inWindow.stream().filter(e -> RARE_EVENTS.contains(e.event())).toList(); // newest first
        assertTrue(expected.size() > 5 && expected.size() <= 200, "seeded rare events: " + expected.size());
        assertTrue(inWindow.size() > 1_000, "window must need several pages of 1000: " + inWindow.size());
        System.out.printf("e2e: audit window %s..%s holds %d events, %d of them %s%n", start, end, inWindow.size(),
                expected.size(), RARE_EVENTS);

        McpSession.Reply r = session.call("get_pipeline_changes", Json.obj("start_date", start.toString(),
                "end_date", end.toString(), "limit", 200), "pc");
        assertFalse(r.isError(), r.text());
        Json.Obj s = r.structured();

        List<RecordedRequest> pages = McpSession.requestsTo(sandbox, "GET", "/audit/events");
        int expectedPages = (inWindow.size() + 999) / 1000;
        assertEquals(expectedPages, pages.size(), "pages requested");
        assertEquals(Json.of(expectedPages), s.get("pagesRead"));
        assertTrue(pages.getFirst().query().contains("limit=1000"), pages.getFirst().query());
        for (RecordedRequest later : pages.subList(1, pages.size())) assertTrue(later.query().contains("cursor="), later.query());
        assertEquals(Json.of(inWindow.size()), s.get("eventsScanned"));
        assertEquals(Json.Bool.TRUE, s.get("complete"));
        assertEquals(expectedPages, r.progress().size(), "one progress notification per page");

        List<Json.Obj> changes = TwoForms.rows(s);
        assertEquals(expected.size(), changes.size());
        for (int i = 0; i < expected.size(); i++) {
            AuditEvent e = expected.get(i);
            Json.Obj c = changes.get(i);
            assertEquals(e.timestamp().toString(), c.str("time"), "newest first, in the log's order");
            assertEquals(e.event(), c.str("event"));
            assertEquals(e.actorId(), c.str("actorId"));
            assertEquals(org.actor(e.actorId()).name(), c.str("actor"), "actor name resolved from the actors list");
            assertTrue(c.str("details").contains("targetUserName: " + e.parameters().str("targetUserName")), c.toString());
        }
        // The text carries the same rows, newest first.
        int previous = -1;
        for (AuditEvent e : expected) {
            int at = r.text().indexOf(e.timestamp().toString(), previous + 1);
            assertTrue(at > previous, () -> "text order at " + e.timestamp());
            previous = at;
        }
        assertTrue(r.text().contains(org.actor(expected.getFirst().actorId()).name()));
        assertTrue(r.text().contains("Other event types seen, not shown: api.accessed"), r.text());
        // One answer, two forms (issue 12 item 6), as read off the wire: the same rows, ids, counts and notes.
        TwoForms.assertSameFacts(r.text(), s, Integer.toString(inWindow.size()), Integer.toString(expected.size()),
                expected.getFirst().actorId(), expected.getLast().actorId(), "forecast.adjustment.created");
    }

    @Test
    @Timeout(30)
    void pipelineChanges_dateTimesAndFilters_reachClari_andAWindowPastThirtyDaysSaysSo() throws Exception {
        LocalDate day = org.today().minusDays(40);
        McpSession.Reply r = session.call("get_pipeline_changes", Json.obj("start_date", day + "T08:00:00+02:00", "end_date", org.today() + "T23:59:59Z",
                "event", "forecast.adjustment.created", "actor", "1905"));
        assertFalse(r.isError(), r.text());
        String q = McpSession.requestsTo(sandbox, "GET", "/audit/events").getFirst().query();
        assertTrue(q.contains("event=forecast.adjustment.created") && q.contains("actorId=1905"), q);
        assertTrue(q.contains("dateFrom=" + day + "T06%3A00%3A00Z"), q);
        long expected = org.auditEvents().stream().filter(e -> e.event().equals("forecast.adjustment.created")
                && e.actorId().equals("1905") && !e.timestamp().isAfter(org.now())
                && !e.timestamp().isBefore(org.now().minus(java.time.Duration.ofDays(30)))).count();
        assertEquals(expected, r.structured().arr("rows").size(), r.text());
        assertTrue(r.text().contains("NOTE: Clari keeps its audit log about 30 days"), r.text());
        TwoForms.assertSameFacts(r.text(), r.structured(), "forecast.adjustment.created", "1905", "Clari keeps its audit log about 30 days");
    }

    /** Issue 15: 2,000,000 distinct event types once made a 150 MB reply; scaled down to 20,000 (the cap is 1,000). */
    @Test
    @Timeout(30)
    void pipelineChanges_hostileAnswerWithTwentyThousandEventTypes_isCapped() throws Exception {
        sandbox.hostile().transform(page -> {
            List<Json> items = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                items.add(Json.obj("actorId", Integer.toString(i), "event", "hostile.type." + i));
            }
            return Json.obj("items", new Json.Arr(items));
        });
        try {
            McpSession.Reply r = session.call("get_pipeline_changes", Json.Obj.EMPTY);
            assertFalse(r.isError(), r.text());
            assertEquals(20, r.structured().obj("otherEventTypes").members().size());
            assertEquals(Json.of(981), r.structured().get("moreEventTypes"), "1,000 types counted, 20 listed, and more");
            assertTrue(clarimcp.json.JsonWriter.write(r.structured()).length() < 10_000);
            assertTrue(r.text().contains("and at least 981 more types"), r.text());
            TwoForms.assertSameFacts(r.text(), r.structured(), "hostile.type.0", "981");
        } finally {
            sandbox.hostile().reset();
        }
    }

    @Test
    @Timeout(30)
    void adminLimits_sameFactsInBothForms_fullAndEmptyAnswers() throws Exception {
        McpSession.Reply full = session.call("get_admin_limits", Json.Obj.EMPTY);
        assertFalse(full.isError(), full.text());
        assertEquals(Json.Bool.TRUE, full.structured().get("canExportNow"));
        TwoForms.assertSameFacts(full.text(), full.structured(), "can start an export now");
        sandbox.hostile().transform(body -> Json.obj("jobs", Json.Obj.EMPTY));
        try {
            McpSession.Reply empty = session.call("get_admin_limits", Json.Obj.EMPTY);
            assertFalse(empty.isError(), empty.text());
            assertTrue(empty.text().contains("Concurrent export jobs free now: unknown\n"), empty.text());
            assertEquals(Json.Obj.EMPTY, empty.structured().obj("concurrent"));
            assertEquals(Json.Obj.EMPTY, empty.structured().obj("monthly"));
            TwoForms.assertSameFacts(empty.text(), empty.structured(), "availableConcurrentLimit", "availableMonthlyQuota",
                    "will try an export");
        } finally {
            sandbox.hostile().reset();
        }
    }

    @Test
    @Timeout(45)
    void dealRisk_thousandIds_tenCallsOfAtMostHundred_everyDealMatchesTheOrg_unknownListed() throws Exception {
        List<String> real = org.opportunities().stream().map(Opportunity::id).toList();
        List<String> ids = new ArrayList<>(real);
        for (int i = 0; ids.size() < 1000; i++) ids.add(String.format("006Unknown%05d", i));
        Collections.shuffle(ids, new Random(42)); // real and unknown ids interleaved
        Set<String> realSet = new HashSet<>(real);
        List<String> unknown = ids.stream().filter(id -> !realSet.contains(id)).toList();

        McpSession.Reply cold = session.call("get_deal_risk", idsArg(ids.subList(100, 200)), null); // warms up the server
        McpSession.Reply small = session.call("get_deal_risk", idsArg(ids.subList(0, 100)), null);
        assertFalse(small.isError(), small.text());
        assertEquals(2, McpSession.requestsTo(sandbox, "GET", "/opportunity").size(), "100 ids: one call each");
        sandbox.clearRequests();

        McpSession.Reply r = session.call("get_deal_risk", idsArg(ids), "risk");
        assertFalse(r.isError(), r.text());
        System.out.printf("e2e: get_deal_risk with 100 ids: %d ms (first call %d ms); with 1,000 ids (10 batches): %d ms%n",
                small.millis(), cold.millis(), r.millis());

        List<RecordedRequest> calls = McpSession.requestsTo(sandbox, "GET", "/opportunity");
        assertEquals(10, calls.size(), "calls to /opportunity");
        Set<String> asked = new HashSet<>();
        for (RecordedRequest c : calls) {
            List<String> batch = McpSession.oppIds(c);
            assertTrue(!batch.isEmpty() && batch.size() <= 100, "batch of " + batch.size());
            asked.addAll(batch);
        }
        assertEquals(new HashSet<>(ids), asked, "every id asked exactly in some batch");
        assertEquals(10, r.progress().size(), "one progress notification per batch");

        Json.Obj s = r.structured();
        assertEquals(unknown.size(), ((Json.Num) s.get("notFoundCount")).longValueExact());
        assertEquals(unknown.subList(0, 10), s.arr("notFound").items().stream().map(j -> ((Json.Str) j).value()).toList(),
                "only the first 10 unknown ids are listed back");
        assertEquals(real.size(), ((Json.Num) s.get("found")).longValueExact());
        List<Map<String, Json>> rows = table(s);
        List<String> byRisk = ids.stream().filter(realSet::contains)
                .sorted(Comparator.comparingInt(id -> org.opportunity(id).crmScore())).toList();
        assertEquals(byRisk.subList(0, 100), rows.stream().map(d -> ((Json.Str) d.get("id")).value()).toList(),
                "the 100 lowest scores, ties in the caller's order");
        assertEquals(real.size() - 100, ((Json.Num) s.get("more")).longValueExact());
        for (Map<String, Json> deal : rows) {
            Opportunity o = org.opportunity(((Json.Str) deal.get("id")).value());
            assertEquals(o.crmScore(), ((Json.Num) deal.get("score")).longValueExact(), o.id());
            assertEquals(Json.of(o.crmScoreMessage()), deal.get("reason"));
            assertEquals(o.amount(), ((Json.Num) deal.get("amount")).decimal().longValueExact());
            assertEquals(Json.of(o.name()), deal.get("name"));
            assertEquals(Json.of(o.stage()), deal.get("stage"));
            assertEquals(Json.of(o.closeDate().toString()), deal.get("closeDate"));
            assertEquals(Json.of(o.forecastCategory()), deal.get("forecastCategory"));
            assertEquals(Json.of(org.user(o.ownerId()).name()), deal.get("owner"));
        }
        assertTrue(r.text().contains("NOTE: Not found in Clari (" + unknown.size() + "): " + String.join(", ", unknown.subList(0, 10))
                + ", … (first 10 listed)\n"), r.text());
        assertFalse(r.text().contains(unknown.get(10)), "the 11th unknown id is counted, not listed");
        int lowest = org.opportunities().stream().mapToInt(Opportunity::crmScore).min().orElseThrow();
        List<String> lines = r.text().lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("Id ") && l.contains("| Score")).findFirst().orElseThrow());
        assertEquals(Integer.toString(lowest), lines.get(header + 1).split(" \\| ")[1].strip(), "lowest score listed first");
        assertStructuredWithinText(r);
    }

    @Test
    @Timeout(30)
    void dealRisk_idsAsUsersHaveThem_salesforce15And18_guid_numeric_opp001_bothAnswerShapes() throws Exception {
        List<Opportunity> sf = org.opportunities().subList(30, 33);
        String short0 = sf.get(0).id().substring(0, 15);
        String short1 = sf.get(1).id().substring(0, 15);
        List<String> others = SandboxOrg.OTHER_CRM_IDS;
        String guidUpper = others.get(0).toUpperCase(java.util.Locale.ROOT);
        List<String> asked = List.of(short0, sf.get(0).id(), " " + short1 + " ", sf.get(2).id(), short1, guidUpper, others.get(1),
                others.get(2), others.get(3), "opp_999");
        List<String> reported = List.of(short0, short1, sf.get(2).id(), guidUpper, others.get(1), others.get(2), others.get(3));
        List<Opportunity> expected = new ArrayList<>(sf);
        expected.addAll(org.otherCrmOpportunities());
        for (boolean wrapped : new boolean[] {false, true}) {
            sandbox.knobs().otherCrmIds(true).wrapOpportunities(wrapped);
            sandbox.clearRequests();
            McpSession.Reply r = session.call("get_deal_risk", idsArg(asked), null);
            assertFalse(r.isError(), r.text());
            List<RecordedRequest> calls = McpSession.requestsTo(sandbox, "GET", "/opportunity");
            assertEquals(1, calls.size());
            assertEquals(List.of(short0, short1, sf.get(2).id(), guidUpper, others.get(1), others.get(2), others.get(3), "opp_999"),
                    McpSession.oppIds(calls.get(0)), "duplicates (15 vs 18 too) asked once, trimmed, as given");
            Map<String, Map<String, Json>> deals = new java.util.LinkedHashMap<>();
            for (Map<String, Json> d : table(r.structured())) deals.put(((Json.Str) d.get("id")).value(), d);
            assertEquals(Set.copyOf(reported), deals.keySet(), "wrapped=" + wrapped);
            for (int i = 0; i < reported.size(); i++) {
                Map<String, Json> d = deals.get(reported.get(i));
                assertEquals(Json.of(expected.get(i).name()), d.get("name"), reported.get(i));
                assertEquals(expected.get(i).crmScore(), ((Json.Num) d.get("score")).longValueExact(), reported.get(i));
                assertTrue(r.text().contains(reported.get(i) + " "), "text lists " + reported.get(i));
            }
            assertEquals(List.of(new Json.Str("opp_999")), r.structured().arr("notFound").items());
            assertTrue(r.text().contains("\nNOTE: Not found in Clari (1): opp_999\n"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void dealRisk_badId_isRefusedBeforeAnyRequest() throws Exception {
        McpSession.Reply r = session.call("get_deal_risk", idsArg(List.of("006ok", "../admin/limits")), null);
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("\"../admin/limits\" is not valid: an opportunity id"), r.text());
        assertNull(r.structured());
        assertEquals(List.of(), sandbox.requests(), "an invalid id must not reach Clari");
    }

    @Test
    @Timeout(30)
    void dealRisk_filtersAndTotals_giveTheOrgsCountsAndAmounts() throws Exception {
        String quarter = org.currentQuarter();
        List<String> commit = org.oppIds("Commit", quarter), bestCase = org.oppIds("Best Case", quarter);
        List<Opportunity> open = org.opportunities().stream().filter(o -> !o.stage().startsWith("Closed")).toList();
        Json.Obj args = Json.obj("opp_ids", ObjBuilder.strings(org.opportunities().stream().map(Opportunity::id).toList()),
                "forecast_category", ObjBuilder.strings(List.of("Commit", "best case")), "open_only", true,
                "close_from", SandboxOrg.quarterStart(quarter).toString(), "close_to", SandboxOrg.quarterEnd(quarter).toString());
        McpSession.Reply r = session.call("get_deal_risk", args, null);
        assertFalse(r.isError(), r.text());
        Map<String, Map<String, Json>> totals = new java.util.LinkedHashMap<>();
        for (Map<String, Json> t : table(r.structured().obj("totals"))) totals.put(((Json.Str) t.get("forecastCategory")).value(), t);
        assertEquals(List.of("Commit", "Best Case", "All"), List.copyOf(totals.keySet()));
        long commitCount = open.stream().filter(o -> commit.contains(o.id())).count();
        long bestCount = open.stream().filter(o -> bestCase.contains(o.id())).count();
        long commitAmount = open.stream().filter(o -> commit.contains(o.id())).mapToLong(Opportunity::amount).sum();
        long bestAmount = open.stream().filter(o -> bestCase.contains(o.id())).mapToLong(Opportunity::amount).sum();
        assertEquals(commitCount, ((Json.Num) totals.get("Commit").get("deals")).longValueExact());
        assertEquals(commitAmount, ((Json.Num) totals.get("Commit").get("amount")).longValueExact());
        assertEquals(bestCount, ((Json.Num) totals.get("Best Case").get("deals")).longValueExact());
        assertEquals(bestAmount, ((Json.Num) totals.get("Best Case").get("amount")).longValueExact());
        assertEquals(commitCount + bestCount, ((Json.Num) r.structured().get("matched")).longValueExact());
        assertEquals(commitAmount + bestAmount, ((Json.Num) totals.get("All").get("amount")).longValueExact());
        String commitLine = r.text().lines().filter(l -> l.startsWith("Commit ") && l.contains(" | ")).findFirst().orElseThrow();
        assertEquals(List.of("Commit", Long.toString(commitCount), String.format(java.util.Locale.ROOT, "%,d", commitAmount)),
                List.of(commitLine.split(" \\| ")).subList(0, 3).stream().map(String::strip).toList(), "the text's totals line");
        assertStructuredWithinText(r);
    }

    /** The commit_inspection prompt's call, with exactly its arguments, through the launcher. */
    @Test
    @Timeout(30)
    void dealRisk_commitInspectionPromptArguments_reportSlipsAndCommitMoves() throws Exception {
        List<String> ids = org.opportunities().stream().map(Opportunity::id).toList();
        String since = org.today().minusDays(7).toString();
        long rpcId = session.newId();
        Json.Obj prompt = session.launcher.request(clarimcp.json.JsonWriter.write(Json.obj("jsonrpc", "2.0", "id", rpcId,
                "method", "prompts/get", "params", Json.obj("name", "commit_inspection",
                        "arguments", Json.obj("opp_ids", String.join(", ", ids))))),
                Json.of(rpcId), McpSession.CALL_TIMEOUT_MS, null);
        Json.Obj message = (Json.Obj) prompt.obj("result").arr("messages").items().getFirst();
        String text = message.obj("content").str("text");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("call get_deal_risk with (\\{.*?\\})\\.\\n", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(text);
        assertTrue(m.find(), text);
        Json.Obj args = (Json.Obj) clarimcp.json.JsonParser.parse(m.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8), 1 << 22);
        assertEquals(Json.obj("opp_ids", ObjBuilder.strings(ids), "forecast_category", ObjBuilder.strings(List.of("Commit")),
                "changed_since", since), args, "the prompt's call, exactly");
        McpSession.Reply r = session.call("get_deal_risk", args, null);
        assertFalse(r.isError(), r.text());
        Instant from = LocalDate.parse(since).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<String> commit = ids.stream().filter(id -> org.opportunity(id).forecastCategory().equals("Commit") || org.opportunity(id).history()
                .stream().filter(c -> c.field().equals("forecastCategory") && !c.at().isBefore(from)).findFirst()
                .map(c -> c.oldValue().equals("Commit")).orElse(false)).toList(); // Commit now, or then
        assertEquals(commit.size(), ((Json.Num) r.structured().get("matched")).longValueExact());
        SandboxOrg.Moves moves = org.movesSince(commit, from);
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        expected.put("close date pushed out of " + org.currentQuarter(), moves.pushedOutOfQuarter());
        expected.put("close date pushed later", moves.pushedLater());
        expected.put("close date pulled in", moves.pulledIn());
        expected.put("close date pushed more than once", moves.pushedMoreThanOnce());
        expected.put("moved into Commit", moves.intoCommit());
        expected.put("moved out of Commit", moves.outOfCommit());
        Map<String, List<String>> got = new java.util.LinkedHashMap<>();
        for (Map<String, Json> line : table(r.structured().obj("changes").obj("summary"))) {
            got.put(((Json.Str) line.get("change")).value(), ((Json.Arr) line.get("ids")).items().stream().map(j -> ((Json.Str) j).value()).sorted().toList());
        }
        expected.replaceAll((k, v) -> v.stream().sorted().toList());
        assertEquals(expected, got);
        assertTrue(moves.pushedLater().size() + moves.intoCommit().size() > 0, "a week of seeded history moves some Commit deal");
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            assertTrue(r.text().contains("\n- " + e.getKey() + " (" + e.getValue().size() + ")"), e.getKey() + "\n" + r.text());
        }
        assertStructuredWithinText(r);
    }

    /** A compact {columns, rows} table as one map per row. */
    private static List<Map<String, Json>> table(Json.Obj t) {
        if (t.arr("columns") == null) return List.of(); // an empty table's columns are left out
        List<Json> columns = t.arr("columns").items();
        List<Map<String, Json>> out = new ArrayList<>();
        for (Json row : t.arr("rows").items()) {
            Map<String, Json> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) m.put(((Json.Str) columns.get(i)).value(), ((Json.Arr) row).items().get(i));
            out.add(m);
        }
        return out;
    }

    /** Claude Code shows the model only structuredContent, Claude Desktop the text: same notes, and no bigger than 1.25x. */
    private static void assertStructuredWithinText(McpSession.Reply r) {
        int json = clarimcp.json.JsonWriter.write(r.structured()).length();
        assertTrue(json <= 1.25 * r.text().length(), "structured " + json + " vs text " + r.text().length());
        assertEquals(r.text().lines().filter(l -> l.startsWith("NOTE: ")).map(l -> l.substring(6)).toList(),
                r.structured().arr("notes").items().stream().map(j -> ((Json.Str) j).value()).toList());
    }

    private static Json.Obj idsArg(List<String> ids) {
        return Json.obj("opp_ids", ObjBuilder.strings(ids));
    }
}
