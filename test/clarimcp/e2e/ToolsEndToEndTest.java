package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
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
import java.util.HashSet;
import java.util.List;
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

        McpSession.Reply r = session.call("get_pipeline_changes", Json.Obj.builder().put("start_date", start.toString())
                .put("end_date", end.toString()).put("limit", 200).build(), "pc");
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
        McpSession.Reply r = session.call("get_pipeline_changes", Json.Obj.builder()
                .put("start_date", day + "T08:00:00+02:00").put("end_date", org.today() + "T23:59:59Z")
                .put("event", "forecast.adjustment.created").put("actor", "1905").build());
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
                items.add(Json.Obj.builder().put("actorId", Integer.toString(i)).put("event", "hostile.type." + i).build());
            }
            return Json.Obj.builder().put("items", new Json.Arr(items)).build();
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
        sandbox.hostile().transform(body -> Json.Obj.builder().put("jobs", Json.Obj.EMPTY).build());
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
        List<Json> deals = s.arr("deals").items();
        assertEquals(real.size(), deals.size());
        List<String> dealIds = new ArrayList<>();
        for (Json d : deals) {
            Json.Obj deal = (Json.Obj) d;
            Opportunity o = org.opportunity(deal.str("id"));
            dealIds.add(o.id());
            assertEquals(o.crmScore(), ((Json.Num) deal.get("score")).longValueExact(), o.id());
            assertEquals(o.crmScoreMessage(), deal.str("scoreMessage"));
            assertEquals(o.amount(), ((Json.Num) deal.get("amount")).decimal().longValueExact());
            assertEquals(o.name(), deal.str("name"));
            assertEquals(o.stage(), deal.str("stage"));
            assertEquals(o.closeDate().toString(), deal.str("closeDate"));
            assertEquals(o.forecastCategory(), deal.str("forecastCategory"));
            assertEquals(org.user(o.ownerId()).name(), deal.str("owner"));
        }
        assertEquals(ids.stream().filter(realSet::contains).toList(), dealIds, "structuredContent keeps the caller's order");
        assertTrue(r.text().contains("Not found in Clari (" + unknown.size() + "): " + String.join(", ", unknown.subList(0, 10))
                + ", … (first 10 listed)\n"), r.text());
        assertFalse(r.text().contains(unknown.get(10)), "the 11th unknown id is counted, not listed");
        int lowest = org.opportunities().stream().mapToInt(Opportunity::crmScore).min().orElseThrow();
        List<String> lines = r.text().lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("Score ")).findFirst().orElseThrow());
        assertEquals(Integer.toString(lowest), lines.get(header + 1).split(" \\| ")[0].strip(), "lowest score listed first");
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
            List<Json> deals = r.structured().arr("deals").items();
            assertEquals(reported, deals.stream().map(d -> ((Json.Obj) d).str("id")).toList(), "wrapped=" + wrapped);
            for (int i = 0; i < deals.size(); i++) {
                Json.Obj d = (Json.Obj) deals.get(i);
                assertEquals(expected.get(i).name(), d.str("name"), d.str("id"));
                assertEquals(expected.get(i).crmScore(), ((Json.Num) d.get("score")).longValueExact(), d.str("id"));
                assertTrue(r.text().contains(d.str("id") + " "), "text lists " + d.str("id"));
            }
            assertEquals(List.of(new Json.Str("opp_999")), r.structured().arr("notFound").items());
            assertTrue(r.text().contains("\nNot found in Clari (1): opp_999\n"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void dealRisk_badId_isRefusedBeforeAnyRequest() throws Exception {
        McpSession.Reply r = session.call("get_deal_risk", idsArg(List.of("006ok", "../admin/limits")), null);
        assertTrue(r.isError(), r.text());
        assertTrue(r.text().contains("\"../admin/limits\" is not an opportunity id"), r.text());
        assertNull(r.structured());
        assertEquals(List.of(), sandbox.requests(), "an invalid id must not reach Clari");
    }

    private static Json.Obj idsArg(List<String> ids) {
        return Json.Obj.builder().put("opp_ids", Json.Arr.ofStrings(ids)).build();
    }
}
