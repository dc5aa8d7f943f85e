package clarimcp.tools;

import clarimcp.mcp.Tool;
import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
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
            Fixtures.Checked tool = new Fixtures.Checked(GetPipelineChanges.tool(s));
            Instant before = Instant.now().minusSeconds(1);
            Tool.Result r = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
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
            List<Json.Obj> changes = TwoForms.rows(st);
            assertEquals(100, changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = changes.get(i);
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
            assertEquals(Json.obj("api.accessed", api), st.obj("otherEventTypes"),
                    "only API calls left out, and counted");
            assertTrue(r.text().contains("Other event types seen, not shown: api.accessed " + api), r.text());
            assertFalse(r.text().contains("NOTE: Clari keeps"), "a week is within the 30 days Clari keeps");
            assertTrue(r.text().contains("not in this log: see get_deal_risk"), r.text());
            assertTrue(r.text().contains("NOTE: More events exist than shown"), r.text());
            assertEquals(Json.of(100), st.get("shown"));
            assertEquals(Json.of(found), st.get("found"));
            TwoForms.assertSameFacts(r, Long.toString(found), expected.getFirst().actorId(), expected.getLast().actorId(),
                    "api.accessed", Long.toString(api), Integer.toString(scanned));
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
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(args, Fixtures.NONE);
            Instant from = Instant.parse(day + "T09:00:00Z");
            Instant to = Instant.parse(day + "T15:30:00Z");
            Map<String, String> q = query(audit(s).get(0));
            assertEquals(from.toString(), q.get("dateFrom"));
            assertEquals(to.toString(), q.get("dateTo"));
            List<AuditEvent> expected = between(org, from, to, e -> !e.event().equals("api.accessed"));
            assertTrue(!expected.isEmpty() && expected.size() <= 200, "fixture: " + expected.size());
            assertEquals(expected.size(), TwoForms.rows(r.structured()).size());
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
        }
    }

    @Test
    @Timeout(30)
    void dates_areSentAsWholeUtcDays() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"start_date\":\"2026-05-01\",\"end_date\":\"2026-05-31\",\"limit\":10}"), Fixtures.NONE);
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
            Tool.Result old = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"start_date\":\"" + today.minusDays(45) + "\"}"), Fixtures.NONE);
            assertTrue(old.structured().arr("notes").items().getFirst().toString().contains("about 30 days"), old.structured().toString());
            TwoForms.assertSameFacts(old, "Clari keeps its audit log about 30 days");
            assertTrue(old.text().contains("NOTE: Clari keeps its audit log about 30 days"), old.text());
            Tool.Result recent = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"start_date\":\"" + today.minusDays(20) + "\"}"), Fixtures.NONE);
            TwoForms.assertSameFacts(recent);
            assertFalse(JsonWriter.write(recent.structured()).contains("about 30 days"));
            assertFalse(recent.text().contains("NOTE: Clari keeps"), recent.text());
        }
    }

    @Test
    @Timeout(30)
    void eventAndActorIdFilters_areSentToClari_andTheAnswerHoldsOnlyThose() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            AuditEvent sample = org.auditEvents().stream().filter(e -> e.event().equals("forecast.submitted")
                    && e.timestamp().isBefore(org.now())).findFirst().orElseThrow();
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"start_date\":\"" + org.today().minusDays(29)
                    + "\",\"event\":\"forecast.submitted\",\"actor\":\"" + sample.actorId() + "\"}"), Fixtures.NONE);
            Map<String, String> q = query(audit(s).get(0));
            assertEquals("forecast.submitted", q.get("event"));
            assertEquals(sample.actorId(), q.get("actorId"));
            List<Json.Obj> changes = TwoForms.rows(r.structured());
            assertFalse(changes.isEmpty());
            for (Json.Obj j : changes) {
                assertEquals("forecast.submitted", j.str("event"));
                assertEquals(sample.actorId(), j.str("actorId"));
            }
            assertTrue(r.text().contains("event forecast.submitted, actor " + sample.actorId()), r.text());
            assertEquals("forecast.submitted", r.structured().str("event"));
            assertEquals(sample.actorId(), r.structured().str("actor"));
            TwoForms.assertSameFacts(r, "forecast.submitted", sample.actorId(), changes.getFirst().str("time"));
        }
    }

    @Test
    @Timeout(30)
    void apiAccess_isShownWhenAskedForByName_inOnePageOfLimitEvents() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"event\":\"api.accessed\",\"limit\":30}"), Fixtures.NONE);
            assertEquals(1, audit(s).size(), "Clari filters: its first page of `limit` events is the answer");
            Map<String, String> q = query(audit(s).get(0));
            assertEquals("30", q.get("limit"));
            assertEquals("api.accessed", q.get("event"));
            List<Json.Obj> changes = TwoForms.rows(r.structured());
            assertEquals(30, changes.size());
            for (Json.Obj j : changes) assertEquals("api.accessed", j.str("event"));
            assertEquals(Json.Bool.FALSE, r.structured().get("complete"));
        }
    }

    @Test
    @Timeout(30)
    void anExplicitEvent_overridesConfiguredNames() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", "forecast.submitted")) {
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"event\":\"user.login\",\"limit\":20}"), Fixtures.NONE);
            assertEquals("user.login", query(audit(s).get(0)).get("event"));
            List<Json.Obj> changes = TwoForms.rows(r.structured());
            assertEquals(20, changes.size());
            for (Json.Obj j : changes) assertEquals("user.login", j.str("event"));
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
                Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"actor\":\"" + who + "\",\"limit\":200,\"start_date\":\""
                        + org.today().minusDays(29) + "\"}"), Fixtures.NONE);
                Map<String, String> q = query(audit(s).get(0));
                assertNull(q.get("actorId"), "a name is not an id: Clari's actorId is an integer");
                assertEquals("1000", q.get("limit"));
                Instant from = Instant.parse(q.get("dateFrom"));
                Instant to = Instant.parse(q.get("dateTo"));
                List<AuditEvent> expected = between(org, from, to, e -> e.actorId().equals(manager.userId()));
                assertFalse(expected.isEmpty());
                List<Json.Obj> changes = TwoForms.rows(r.structured());
                assertEquals(expected.size(), changes.size(), who);
                for (Json.Obj j : changes) assertEquals(manager.userId(), j.str("actorId"));
                assertEquals(java.util.Set.of("api.accessed"), r.structured().obj("otherEventTypes").members().keySet(),
                        "other actors' events are not other event types");
                assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
                TwoForms.assertSameFacts(r, manager.userId(), manager.name());
            }
        }
    }

    @Test
    @Timeout(30)
    void configuredEventNames_narrowTheAnswer_readEveryPage_andCountTheOthers() throws Exception {
        Set<String> rare = Set.of("forecast.adjustment.created", "forecast.adjustment.updated");
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", String.join(",", rare))) {
            SandboxOrg org = s.sb().org();
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"start_date\":\"" + org.today().minusDays(29) + "\",\"limit\":200}"),
                    Fixtures.NONE);
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

            List<Json.Obj> changes = TwoForms.rows(r.structured());
            assertEquals(expected.size(), changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = changes.get(i);
                assertEquals(expected.get(i).timestamp(), Instant.parse(c.str("time")));
                assertEquals(org.actor(expected.get(i).actorId()).name(), c.str("actor"));
                assertTrue(c.str("details").contains("targetUserName: " + expected.get(i).parameters().str("targetUserName")), c.toString());
            }
            Map<String, Long> others = new HashMap<>();
            for (AuditEvent e : inWindow) if (!rare.contains(e.event())) others.merge(e.event(), 1L, Long::sum);
            Map<String, Long> reported = new HashMap<>();
            r.structured().obj("otherEventTypes").members().forEach((k, v) -> reported.put(k, ((Json.Num) v).longValueExact()));
            assertEquals(others, reported);
            assertTrue(r.text().contains("api.accessed " + others.get("api.accessed")), r.text());
            TwoForms.assertSameFacts(r, Integer.toString(inWindow.size()), Integer.toString(pages), "forecast.adjustment.created",
                    expected.getFirst().actorId(), Long.toString(others.get("api.accessed")));
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
                    items.add(Json.obj("actorId", "7" + i, "event", "evil.type." + i + "x".repeat(300),
                            "eventTimestamp", "2026-05-01T00:00:00Z"));
                    actors.add(Json.obj("actorId", "7" + i, "name", "Actor " + i));
                }
                return Json.obj("items", new Json.Arr(items), "actors", new Json.Arr(actors));
            });
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            Json.Obj st = r.structured();
            assertEquals(GetPipelineChanges.MAX_OTHER_TYPES, st.obj("otherEventTypes").members().size());
            assertEquals(GetPipelineChanges.MAX_KEYS - GetPipelineChanges.MAX_OTHER_TYPES + 1,
                    ((Json.Num) st.get("moreEventTypes")).longValueExact(), "a lower bound: counted types past the list, plus one");
            String json = JsonWriter.write(st);
            assertTrue(json.length() < 10_000, "structured reply stays small: " + json.length());
            assertTrue(r.text().length() < 10_000, "text stays small: " + r.text().length());
            assertTrue(r.text().contains("at least " + (GetPipelineChanges.MAX_KEYS - GetPipelineChanges.MAX_OTHER_TYPES + 1)
                    + " more types"), r.text());
            for (String name : st.obj("otherEventTypes").members().keySet()) assertTrue(name.length() <= 200, "event names capped");
            TwoForms.assertSameFacts(r, "evil.type.0", Integer.toString(GetPipelineChanges.MAX_KEYS - GetPipelineChanges.MAX_OTHER_TYPES + 1));
        }
    }

    @Test
    @Timeout(30)
    void rowsTooLongForTheText_areLeftOutOfBothForms_andTheAnswerSaysSo() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().hostile().transform(page -> {
                List<Json> items = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    ObjBuilder params = new ObjBuilder();
                    for (int k = 0; k < 10; k++) params.put("param" + k, "v" + i + "-" + "w".repeat(60));
                    items.add(Json.obj("actorId", Integer.toString(5000 + i), "event", "forecast.submitted",
                            "eventTimestamp", Instant.parse("2026-05-01T00:00:00Z").minusSeconds(i).toString(),
                            "eventParameters", params.build()));
                }
                return Json.obj("items", new Json.Arr(items));
            });
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"limit\":200}"), Fixtures.NONE);
            Json.Obj st = r.structured();
            int shown = (int) ((Json.Num) st.get("shown")).longValueExact();
            assertTrue(shown > 50 && shown < 200, "rows of ~500 characters: the 40,000-character text holds about 80: " + shown);
            assertEquals(shown, st.arr("rows").size());
            assertEquals(shown + 1, r.text().lines().filter(l -> l.startsWith("2026-") || l.startsWith("Time (UTC)")).count(),
                    "the text's table has the same rows");
            assertTrue(r.text().length() <= Text.MAX_CHARS, "fits: " + r.text().length());
            assertEquals(Json.Bool.FALSE, st.get("complete"));
            assertTrue(r.text().contains("NOTE: Only " + shown + " of the 200 events kept fit the 40000-character answer"), r.text());
            TwoForms.assertSameFacts(r, "Only " + shown + " of the 200", Integer.toString(5000 + shown - 1));
            assertFalse(r.text().contains("| " + (5000 + shown) + " "), "the next row is in neither form");
            assertFalse(JsonWriter.write(st).contains("\"" + (5000 + shown) + "\""), "the next row is in neither form");
        }
    }

    @Test
    @Timeout(30)
    void noEventInTheWindow_bothFormsSaySoCompactly() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            Tool.Result r = new Fixtures.Checked(GetPipelineChanges.tool(s)).call(obj("{\"event\":\"no.such.event\"}"), Fixtures.NONE);
            assertEquals(Json.Arr.EMPTY, r.structured().arr("rows"));
            assertEquals(Json.of(0), r.structured().get("found"));
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
            assertNull(r.structured().get("columns"), "no rows, no column names");
            assertNull(r.structured().get("otherEventTypes"), "Clari filtered by event: nothing else seen");
            assertTrue(r.text().contains("event no.such.event, newest first: 0 shown"), r.text());
            TwoForms.assertSameFacts(r, "no.such.event");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"start_date":"2026-05-10","end_date":"2026-05-01"}         | must not be before
            {"start_date":"2026-02-30"}                                 | not a real date or time
            {"start_date":"2026-05-01&limit=5"}                         | \"2026-05-01&limit=5\" is not valid: Window start, YYYY-MM-DD
            {"start_date":"2024-01-01","end_date":"2026-01-01"}         | spans more than 366 days
            {"event":"api.accessed&actorId=1"}                          | is not valid: Only this event name
            {"limit":201}                                               | from 1 to 200
            """)
    void badArguments_areRefusedBeforeClari(String args, String message) throws Exception {
        String error = toolError(() -> new Fixtures.Checked(GetPipelineChanges.tool(Fixtures.NO_CLARI)).call(obj(args), Fixtures.NONE));
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
