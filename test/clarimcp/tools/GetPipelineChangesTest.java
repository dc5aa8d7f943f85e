package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolResult;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.sandbox.SandboxOrg.User;
import clarimcp.tools.Fixtures.Sandboxed;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GetPipelineChangesTest {
    @Test
    @Timeout(30)
    void noArguments_lastSevenDaysEndingNow_everyEventButApiAccess_newestFirst_actorsNamed() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            GetPipelineChanges tool = new GetPipelineChanges(s);
            Instant before = Instant.now().minusSeconds(1);
            ToolResult r = tool.call(Json.Obj.EMPTY, ToolContext.NONE);
            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);

            List<RecordedRequest> calls = audit(s);
            Map<String, String> q = query(calls.get(0));
            Instant from = Instant.parse(q.get("dateFrom"));
            Instant to = Instant.parse(q.get("dateTo"));
            assertEquals(Duration.ofDays(7), Duration.between(from, to), "a week");
            assertFalse(to.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), "ending now: " + to);
            assertEquals("1000", q.get("limit"), "whole pages: api.accessed is filtered out here");
            assertNull(q.get("event"));
            assertNull(q.get("actorId"));
            assertEquals(from.toString(), st.str("startDate"));
            assertEquals(to.toString(), st.str("endDate"));

            List<AuditEvent> inWindow = between(org, from, to, e -> true);
            List<AuditEvent> expected = inWindow.stream().filter(e -> !e.event().equals("api.accessed")).limit(100).toList();
            assertTrue(expected.stream().map(AuditEvent::event).distinct().count() >= 3, "several types shown");
            List<Json> changes = st.arr("changes").items();
            assertEquals(100, changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = (Json.Obj) changes.get(i);
                AuditEvent e = expected.get(i);
                assertEquals(e.timestamp(), Instant.parse(c.str("time")), "change " + i);
                assertEquals(e.event(), c.str("event"));
                assertEquals(e.actorId(), c.str("actorId"));
                assertEquals(org.actor(e.actorId()).name(), c.str("actor"), "actor id resolved to a name");
                assertEquals(e.sessionType(), c.str("sessionType"));
                assertTrue(r.text().contains(e.timestamp().toString()), "text carries row " + i);
            }
            assertEquals(Json.Bool.FALSE, st.get("complete"));
            long found = inWindow.stream().filter(e -> !e.event().equals("api.accessed")).count();
            assertTrue(found > 100, "fixture: " + found);
            assertTrue(r.text().contains("100 shown of " + found + " found"), r.text());
            int scanned = (int) ((Json.Num) st.get("eventsScanned")).longValueExact();
            assertEquals(Math.min(calls.size() * 1000L, inWindow.size()), scanned, "whole pages read until 100 were found");
            long api = inWindow.subList(0, scanned).stream().filter(e -> e.event().equals("api.accessed")).count();
            assertEquals(List.of(Json.Obj.builder().put("event", "api.accessed").put("count", api).build()),
                    st.arr("otherEventTypes").items(), "only API calls left out, and counted");
            assertTrue(r.text().contains("Other event types seen, not shown: api.accessed " + api), r.text());
            assertNull(st.get("note"), "a week is within the 30 days Clari keeps");
            assertTrue(r.text().contains("not in this log: see get_deal_risk"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void dateTimes_withOffsets_areSentAsInstants_andBoundTheAnswer() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate day = org.today().minusDays(3);
            while (day.getDayOfWeek().getValue() > 5) day = day.minusDays(1);   // people work on weekdays
            Json.Obj args = obj("{\"start_date\":\"" + day + "T09:00:00Z\",\"end_date\":\"" + day + "T17:30:00+02:00\",\"limit\":200}");
            ToolResult r = new GetPipelineChanges(s).call(args, ToolContext.NONE);
            Instant from = Instant.parse(day + "T09:00:00Z");
            Instant to = Instant.parse(day + "T15:30:00Z");
            Map<String, String> q = query(audit(s).get(0));
            assertEquals(from.toString(), q.get("dateFrom"));
            assertEquals(to.toString(), q.get("dateTo"));
            List<AuditEvent> expected = between(org, from, to, e -> !e.event().equals("api.accessed"));
            assertTrue(!expected.isEmpty() && expected.size() <= 200, "fixture: " + expected.size());
            assertEquals(expected.size(), r.structured().arr("changes").size());
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
        }
    }

    @Test
    @Timeout(30)
    void dates_areSentAsWholeUtcDays() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new GetPipelineChanges(s).call(obj("{\"start_date\":\"2026-05-01\",\"end_date\":\"2026-05-31\",\"limit\":10}"), ToolContext.NONE);
            Map<String, String> q = query(audit(s).get(0));
            assertEquals("2026-05-01T00:00:00Z", q.get("dateFrom"));
            assertEquals("2026-05-31T23:59:59.999Z", q.get("dateTo"));
        }
    }

    @Test
    @Timeout(30)
    void windowReachingPastThirtyDays_saysClariKeepsAboutThirty() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            LocalDate today = s.sb().org().today();
            ToolResult old = new GetPipelineChanges(s).call(obj("{\"start_date\":\"" + today.minusDays(45) + "\"}"), ToolContext.NONE);
            assertTrue(old.structured().str("note").contains("about 30 days"), old.structured().toString());
            assertTrue(old.text().contains("Note: Clari keeps its audit log about 30 days"), old.text());
            ToolResult recent = new GetPipelineChanges(s).call(obj("{\"start_date\":\"" + today.minusDays(20) + "\"}"), ToolContext.NONE);
            assertNull(recent.structured().get("note"));
            assertFalse(recent.text().contains("Note:"), recent.text());
        }
    }

    @Test
    @Timeout(30)
    void eventAndActorIdFilters_areSentToClari_andTheAnswerHoldsOnlyThose() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            AuditEvent sample = org.auditEvents().stream().filter(e -> e.event().equals("forecast.submitted")
                    && e.timestamp().isBefore(org.now())).findFirst().orElseThrow();
            ToolResult r = new GetPipelineChanges(s).call(obj("{\"start_date\":\"" + org.today().minusDays(29)
                    + "\",\"event\":\"forecast.submitted\",\"actor\":\"" + sample.actorId() + "\"}"), ToolContext.NONE);
            Map<String, String> q = query(audit(s).get(0));
            assertEquals("forecast.submitted", q.get("event"));
            assertEquals(sample.actorId(), q.get("actorId"));
            List<Json> changes = r.structured().arr("changes").items();
            assertFalse(changes.isEmpty());
            for (Json j : changes) {
                assertEquals("forecast.submitted", ((Json.Obj) j).str("event"));
                assertEquals(sample.actorId(), ((Json.Obj) j).str("actorId"));
            }
            assertTrue(r.text().contains("event forecast.submitted, actor " + sample.actorId()), r.text());
        }
    }

    @Test
    @Timeout(30)
    void apiAccess_isShownWhenAskedForByName_inOnePageOfLimitEvents() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            ToolResult r = new GetPipelineChanges(s).call(obj("{\"event\":\"api.accessed\",\"limit\":30}"), ToolContext.NONE);
            assertEquals(1, audit(s).size(), "Clari filters: its first page of `limit` events is the answer");
            Map<String, String> q = query(audit(s).get(0));
            assertEquals("30", q.get("limit"));
            assertEquals("api.accessed", q.get("event"));
            List<Json> changes = r.structured().arr("changes").items();
            assertEquals(30, changes.size());
            for (Json j : changes) assertEquals("api.accessed", ((Json.Obj) j).str("event"));
            assertEquals(Json.Bool.FALSE, r.structured().get("complete"));
        }
    }

    @Test
    @Timeout(30)
    void anExplicitEvent_overridesConfiguredNames() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", "forecast.submitted")) {
            ToolResult r = new GetPipelineChanges(s).call(obj("{\"event\":\"user.login\",\"limit\":20}"), ToolContext.NONE);
            assertEquals("user.login", query(audit(s).get(0)).get("event"));
            List<Json> changes = r.structured().arr("changes").items();
            assertEquals(20, changes.size());
            for (Json j : changes) assertEquals("user.login", ((Json.Obj) j).str("event"));
        }
    }

    @Test
    @Timeout(30)
    void actorByNameOrEmail_isMatchedOnTheActorsClariNames() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            User manager = org.subtree(org.cro().userId()).get(1);
            for (String who : List.of(manager.name(), manager.email().toUpperCase(java.util.Locale.ROOT))) {
                s.sb().clearRequests();
                ToolResult r = new GetPipelineChanges(s).call(obj("{\"actor\":\"" + who + "\",\"limit\":200,\"start_date\":\""
                        + org.today().minusDays(29) + "\"}"), ToolContext.NONE);
                Map<String, String> q = query(audit(s).get(0));
                assertNull(q.get("actorId"), "a name is not an id: Clari's actorId is an integer");
                assertEquals("1000", q.get("limit"));
                Instant from = Instant.parse(q.get("dateFrom"));
                Instant to = Instant.parse(q.get("dateTo"));
                List<AuditEvent> expected = between(org, from, to, e -> e.actorId().equals(manager.userId()));
                assertFalse(expected.isEmpty());
                List<Json> changes = r.structured().arr("changes").items();
                assertEquals(expected.size(), changes.size(), who);
                for (Json j : changes) assertEquals(manager.userId(), ((Json.Obj) j).str("actorId"));
                for (Json j : r.structured().arr("otherEventTypes").items()) {
                    assertEquals("api.accessed", ((Json.Obj) j).str("event"), "other actors' events are not other event types");
                }
                assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
            }
        }
    }

    @Test
    @Timeout(30)
    void configuredEventNames_narrowTheAnswer_readEveryPage_andCountTheOthers() throws Exception {
        Set<String> rare = Set.of("forecast.adjustment.created", "forecast.adjustment.updated");
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", String.join(",", rare))) {
            SandboxOrg org = s.sb().org();
            ToolResult r = new GetPipelineChanges(s).call(obj("{\"start_date\":\"" + org.today().minusDays(29) + "\",\"limit\":200}"),
                    ToolContext.NONE);
            Map<String, String> q = query(audit(s).get(0));
            List<AuditEvent> inWindow = between(org, Instant.parse(q.get("dateFrom")), Instant.parse(q.get("dateTo")), e -> true);
            List<AuditEvent> expected = inWindow.stream().filter(e -> rare.contains(e.event())).toList();
            assertTrue(!expected.isEmpty() && expected.size() < 200, "fixture: " + expected.size());
            int pages = (inWindow.size() + 999) / 1000;
            assertTrue(pages >= 2, "fixture: " + inWindow.size() + " events in the window");
            assertEquals(pages, audit(s).size(), "every page read, none twice");
            for (RecordedRequest c : audit(s).subList(1, pages)) assertTrue(c.query().contains("cursor="), "follows nextLink");
            assertEquals(pages, ((Json.Num) r.structured().get("pagesRead")).longValueExact());
            assertEquals(inWindow.size(), ((Json.Num) r.structured().get("eventsScanned")).longValueExact());
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));

            List<Json> changes = r.structured().arr("changes").items();
            assertEquals(expected.size(), changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = (Json.Obj) changes.get(i);
                assertEquals(expected.get(i).timestamp(), Instant.parse(c.str("time")));
                assertEquals(org.actor(expected.get(i).actorId()).name(), c.str("actor"));
                assertTrue(c.str("details").contains("targetUserName: " + expected.get(i).parameters().str("targetUserName")), c.toString());
            }
            Map<String, Long> others = new HashMap<>();
            for (AuditEvent e : inWindow) if (!rare.contains(e.event())) others.merge(e.event(), 1L, Long::sum);
            Map<String, Long> reported = new HashMap<>();
            for (Json j : r.structured().arr("otherEventTypes").items()) {
                reported.put(((Json.Obj) j).str("event"), ((Json.Num) ((Json.Obj) j).get("count")).longValueExact());
            }
            assertEquals(others, reported);
            assertTrue(r.text().contains("api.accessed " + others.get("api.accessed")), r.text());
        }
    }

    /** Issue 15: 2,000,000 distinct event types made a 150 MB reply; scaled down to 20,000 (the cap is 1,000). */
    @Test
    @Timeout(60)
    void hostileAnswer_withTwentyThousandEventTypesAndActors_givesACappedReply() throws Exception {
        int n = 20_000;
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", "forecast.submitted")) {
            s.sb().hostile().transform(page -> {
                List<Json> items = new ArrayList<>();
                List<Json> actors = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(Json.Obj.builder().put("actorId", "7" + i).put("event", "evil.type." + i + "x".repeat(300))
                            .put("eventTimestamp", "2026-05-01T00:00:00Z").build());
                    actors.add(Json.Obj.builder().put("actorId", "7" + i).put("name", "Actor " + i).build());
                }
                return Json.Obj.builder().put("items", new Json.Arr(items)).put("actors", new Json.Arr(actors)).build();
            });
            ToolResult r = new GetPipelineChanges(s).call(Json.Obj.EMPTY, ToolContext.NONE);
            Json.Obj st = r.structured();
            assertEquals(GetPipelineChanges.MAX_OTHER_TYPES, st.arr("otherEventTypes").size());
            assertEquals(GetPipelineChanges.MAX_KEYS - GetPipelineChanges.MAX_OTHER_TYPES + 1,
                    ((Json.Num) st.get("moreEventTypes")).longValueExact(), "a lower bound: counted types past the list, plus one");
            String json = JsonWriter.write(st);
            assertTrue(json.length() < 10_000, "structured reply stays small: " + json.length());
            assertTrue(r.text().length() < 10_000, "text stays small: " + r.text().length());
            assertTrue(r.text().contains("at least " + (GetPipelineChanges.MAX_KEYS - GetPipelineChanges.MAX_OTHER_TYPES + 1)
                    + " more types"), r.text());
            for (Json j : st.arr("otherEventTypes").items()) {
                assertTrue(((Json.Obj) j).str("event").length() <= 200, "event names capped");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"start_date":"2026-05-10","end_date":"2026-05-01"}         | must not be before
            {"start_date":"2026-02-30"}                                 | not a real date or time
            {"start_date":"2026-05-01&limit=5"}                         | must be a date like
            {"start_date":"2024-01-01","end_date":"2026-01-01"}         | spans more than 366 days
            {"event":"api.accessed&actorId=1"}                          | must be an event name
            {"limit":201}                                               | from 1 to 200
            """)
    void badArguments_areRefusedBeforeClari(String args, String message) throws Exception {
        String error = toolError(() -> new GetPipelineChanges(Fixtures.NO_CLARI).call(obj(args), ToolContext.NONE));
        assertTrue(error.contains(message), error);
    }

    private static List<RecordedRequest> audit(Sandboxed s) {
        return s.sb().requests().stream().filter(q -> q.path().equals("/v4/audit/events")).toList();
    }

    private static Map<String, String> query(RecordedRequest r) {
        Map<String, String> out = new HashMap<>();
        for (String pair : r.query().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The seeded events (newest first) from..to inclusive, as the sandbox serves them. */
    private static List<AuditEvent> between(SandboxOrg org, Instant from, Instant to, Predicate<AuditEvent> p) {
        return org.auditEvents().stream()
                .filter(e -> !e.timestamp().isBefore(from) && !e.timestamp().isAfter(to) && p.test(e)).toList();
    }
}
