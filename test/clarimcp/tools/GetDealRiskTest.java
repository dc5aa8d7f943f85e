package clarimcp.tools;

import static clarimcp.tools.Fixtures.assertConforms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.mcp.ToolContext;
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
