package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolResult;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.tools.Fixtures.Sandboxed;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GetPipelineChangesTest {
    @Test
    @Timeout(30)
    void wideWindow_pagesUntilLimit_newestFirst_onlyPipelineEvents_actorsResolved() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate start = org.today().minusDays(55);
            LocalDate end = org.today().minusDays(1);
            GetPipelineChanges tool = new GetPipelineChanges(s);
            ToolResult r = tool.call(window(start, end, 200), ToolContext.NONE);
            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);

            List<AuditEvent> inWindow = inWindow(org, start, end);
            List<AuditEvent> expected = inWindow.stream().filter(e -> GetPipelineChanges.DEFAULT_EVENTS.contains(e.event())).limit(200).toList();
            List<Json> changes = st.arr("changes").items();
            assertEquals(200, changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = (Json.Obj) changes.get(i);
                AuditEvent e = expected.get(i);
                assertEquals(e.timestamp(), Instant.parse(c.str("time")), "change " + i);
                assertEquals(e.event(), c.str("event"));
                assertEquals(e.actorId(), c.str("actorId"));
                assertEquals(org.actor(e.actorId()).name(), c.str("actor"), "actor id resolved to a name");
                assertEquals(e.parameters().str("opportunityId"), c.str("opportunityId"));
                assertEquals(e.parameters().str("field"), c.str("field"));
            }
            for (int i = 1; i < changes.size(); i++) {
                assertFalse(Instant.parse(((Json.Obj) changes.get(i)).str("time"))
                        .isAfter(Instant.parse(((Json.Obj) changes.get(i - 1)).str("time"))), "newest first");
            }

            List<RecordedRequest> calls = s.sb().requests().stream().filter(q -> q.path().equals("/v4/audit/events")).toList();
            assertEquals(((Json.Num) st.get("pagesRead")).longValueExact(), calls.size());
            assertTrue(calls.get(0).query().contains("limit=1000"), calls.get(0).query());
            assertEquals(Json.Bool.FALSE, st.get("complete"));
            assertTrue(r.text().contains("Stopped after"), r.text());

            // Other event types: exactly the non-pipeline events among those scanned.
            int scanned = (int) ((Json.Num) st.get("eventsScanned")).longValueExact();
            Map<String, Long> others = new HashMap<>();
            int matched = 0;
            for (AuditEvent e : inWindow.subList(0, scanned)) {
                if (GetPipelineChanges.DEFAULT_EVENTS.contains(e.event())) matched++;
                else others.merge(e.event(), 1L, Long::sum);
            }
            Map<String, Long> reported = new HashMap<>();
            for (Json j : st.arr("otherEventTypes").items()) {
                reported.put(((Json.Obj) j).str("event"), ((Json.Num) ((Json.Obj) j).get("count")).longValueExact());
            }
            assertEquals(others, reported);
            assertTrue(matched >= 200);
            assertTrue(r.text().contains("Other event types seen: ") && r.text().contains("api.accessed " + others.get("api.accessed")), r.text());
            assertTrue(r.text().contains("set CLARI_PIPELINE_EVENTS"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void rareEvents_followNextLinkAcrossPages_toTheEnd_resolvingActorsFromEveryPage() throws Exception {
        Set<String> rare = Set.of("opportunity.owner.changed", "forecast.adjustment.updated");
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", String.join(",", rare))) {
            SandboxOrg org = s.sb().org();
            LocalDate start = org.today().minusDays(55);
            LocalDate end = org.today().minusDays(1);
            GetPipelineChanges tool = new GetPipelineChanges(s);
            ToolResult r = tool.call(window(start, end, 200), ToolContext.NONE);
            List<AuditEvent> inWindow = inWindow(org, start, end);
            List<AuditEvent> expected = inWindow.stream().filter(e -> rare.contains(e.event())).toList();
            assertTrue(!expected.isEmpty() && expected.size() < 200, "fixture: " + expected.size());

            List<RecordedRequest> calls = s.sb().requests().stream().filter(q -> q.path().equals("/v4/audit/events")).toList();
            int pages = (inWindow.size() + 999) / 1000;
            assertTrue(pages >= 2, "fixture: " + inWindow.size() + " events in the window");
            assertEquals(pages, calls.size(), "every page read, none twice");
            assertEquals(pages, ((Json.Num) r.structured().get("pagesRead")).longValueExact());
            for (RecordedRequest c : calls.subList(1, calls.size())) assertTrue(c.query().contains("cursor="), "follows nextLink: " + c.query());
            assertEquals(inWindow.size(), ((Json.Num) r.structured().get("eventsScanned")).longValueExact());
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));

            List<Json> changes = r.structured().arr("changes").items();
            assertEquals(expected.size(), changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Json.Obj c = (Json.Obj) changes.get(i);
                assertEquals(expected.get(i).timestamp(), Instant.parse(c.str("time")));
                assertEquals(org.actor(expected.get(i).actorId()).name(), c.str("actor"));
            }
        }
    }

    @Test
    @Timeout(30)
    void shortWindow_returnsEveryPipelineChangeInIt_andIsComplete() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            LocalDate day = org.today().minusDays(10);
            ToolResult r = new GetPipelineChanges(s).call(window(day.minusDays(2), day, 200), ToolContext.NONE);
            List<AuditEvent> expected = inWindow(org, day.minusDays(2), day).stream()
                    .filter(e -> GetPipelineChanges.DEFAULT_EVENTS.contains(e.event())).toList();
            assertTrue(!expected.isEmpty() && expected.size() <= 200, "fixture: " + expected.size());
            assertEquals(expected.size(), r.structured().arr("changes").size());
            assertEquals(Json.Bool.TRUE, r.structured().get("complete"));
            assertTrue(expected.stream().anyMatch(e -> e.event().equals("opportunity.forecast_category.changed"))
                    == r.text().contains("opportunity.forecast_category.changed"));
            assertFalse(r.text().contains("Stopped"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void limit_capsTheChanges_andSaysMoreExist() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            ToolResult r = new GetPipelineChanges(s).call(window(org.today().minusDays(20), org.today().minusDays(1), 5), ToolContext.NONE);
            assertEquals(5, r.structured().arr("changes").size());
            assertEquals(Json.Bool.FALSE, r.structured().get("complete"));
        }
    }

    @Test
    @Timeout(30)
    void configuredEventNames_replaceTheDefaults() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_PIPELINE_EVENTS", "user.login, report.viewed")) {
            SandboxOrg org = s.sb().org();
            ToolResult r = new GetPipelineChanges(s).call(window(org.today().minusDays(3), org.today().minusDays(1), 50), ToolContext.NONE);
            List<Json> changes = r.structured().arr("changes").items();
            assertEquals(50, changes.size());
            for (Json c : changes) assertTrue(Set.of("user.login", "report.viewed").contains(((Json.Obj) c).str("event")), c.toString());
            assertTrue(r.text().contains("opportunity.") || r.text().contains("api.accessed"), "others still counted");
        }
    }

    @Test
    @Timeout(30)
    void datesAreSentAsWholeUtcDays() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new GetPipelineChanges(s).call(window(LocalDate.parse("2026-05-01"), LocalDate.parse("2026-05-31"), 10), ToolContext.NONE);
            String q = s.sb().requests().get(0).query();
            assertTrue(q.contains("dateFrom=2026-05-01T00%3A00%3A00Z") || q.contains("dateFrom=2026-05-01T00:00:00Z"), q);
            assertTrue(q.contains("dateTo=2026-05-31T23%3A59%3A59.999Z") || q.contains("dateTo=2026-05-31T23:59:59.999Z"), q);
        }
    }

    private static Json.Obj window(LocalDate start, LocalDate end, int limit) {
        return obj("{\"start_date\":\"" + start + "\",\"end_date\":\"" + end + "\",\"limit\":" + limit + "}");
    }

    /** The seeded events (newest first) in whole UTC days start..end, as the sandbox serves them. */
    private static List<AuditEvent> inWindow(SandboxOrg org, LocalDate start, LocalDate end) {
        Instant from = start.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<AuditEvent> out = new ArrayList<>();
        for (AuditEvent e : org.auditEvents()) {
            if (!e.timestamp().isBefore(from) && e.timestamp().isBefore(to)) out.add(e);
        }
        return out;
    }
}
