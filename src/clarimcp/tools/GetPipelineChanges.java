package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * get_pipeline_changes: the pipeline-relevant events of Clari's audit log in a date window,
 * newest first. The real names of those events are not documented, so the matched set accepts
 * both naming styles seen so far, can be replaced with CLARI_PIPELINE_EVENTS, and every answer
 * counts the other event types it saw so a wrong set is visible.
 */
public final class GetPipelineChanges implements Tool {
    private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
    /** A year and a day: enough for year-over-year questions, small enough to page through. */
    static final int MAX_WINDOW_DAYS = 366;
    static final int MAX_LIMIT = 200;
    private static final int DEFAULT_LIMIT = 100;
    /** Events per page: the API's maximum, so a window costs as few calls as possible. */
    private static final String PAGE_SIZE = "1000";
    /** Pages read per call (up to 20,000 events): bounds the time and calls one answer may take. */
    static final int MAX_PAGES = 20;
    /** Other event types listed in the answer, most frequent first. */
    private static final int MAX_OTHER_TYPES = 10;
    /** Both styles: the reference's dotted lower-case names and the scaffold's upper-case ones. */
    static final Set<String> DEFAULT_EVENTS = Set.of(
            "opportunity.stage.changed", "opportunity.amount.changed", "opportunity.close_date.changed",
            "opportunity.owner.changed", "opportunity.forecast_category.changed",
            "forecast.adjustment.created", "forecast.adjustment.updated",
            "OPPORTUNITY_STAGE_CHANGED", "OPPORTUNITY_AMOUNT_CHANGED", "OPPORTUNITY_CLOSE_DATE_CHANGED",
            "OPPORTUNITY_OWNER_CHANGED", "OPPORTUNITY_FORECAST_CATEGORY_CHANGED", "ADJUSTMENT_CREATED", "ADJUSTMENT_UPDATED");

    private final ClariAccess clari;

    public GetPipelineChanges(ClariAccess clari) {
        this.clari = clari;
    }

    @Override
    public String name() {
        return "get_pipeline_changes";
    }

    @Override
    public String title() {
        return "Clari pipeline changes";
    }

    @Override
    public String description() {
        return "Pipeline changes (opportunity stage, amount, close date, owner; forecast adjustments) from Clari's "
                + "audit log between two dates (UTC days, inclusive), newest first, with who changed what from old to new.";
    }

    @Override
    public Json.Obj inputSchema() {
        return Schema.object(true, Schema.props()
                .put("start_date", Schema.string("First day, YYYY-MM-DD", DATE.pattern()))
                .put("end_date", Schema.string("Last day, YYYY-MM-DD; at most 366 days after start_date", DATE.pattern()))
                .put("limit", Json.Obj.builder().put("type", "integer").put("minimum", 1).put("maximum", MAX_LIMIT)
                        .put("description", "Most changes to return (default 100)").build())
                .build(), "start_date", "end_date");
    }

    @Override
    public Json.Obj outputSchema() {
        Json.Obj str = Schema.type("string");
        Json.Obj change = Schema.object(false, Schema.props()
                .put("time", str).put("event", str).put("actor", str).put("actorId", str)
                .put("opportunityId", str).put("opportunityName", str)
                .put("targetUser", Schema.type("string", "whose forecast call a forecast adjustment changed"))
                .put("field", str).put("oldValue", str).put("newValue", str)
                .build(), "event");
        Json.Obj other = Schema.object(false, Schema.props().put("event", str).put("count", Schema.type("integer")).build(),
                "event", "count");
        return Schema.object(false, Schema.props()
                .put("startDate", str).put("endDate", str)
                .put("changes", Schema.array(change))
                .put("eventsScanned", Schema.type("integer"))
                .put("pagesRead", Schema.type("integer"))
                .put("complete", Schema.type("boolean", "false when more events may exist (limit or page cap reached)"))
                .put("otherEventTypes", Schema.array(other))
                .build(), "startDate", "endDate", "changes", "eventsScanned", "pagesRead", "complete", "otherEventTypes");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        Args args = new Args(arguments, Set.of("start_date", "end_date", "limit"));
        LocalDate start = date(args, "start_date");
        LocalDate end = date(args, "end_date");
        int limit = args.optionalInt("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        if (end.isBefore(start)) throw new ToolException("'end_date' must not be before 'start_date'");
        if (ChronoUnit.DAYS.between(start, end) > MAX_WINDOW_DAYS) {
            throw new ToolException("'start_date' to 'end_date' spans more than " + MAX_WINDOW_DAYS + " days; split the window");
        }
        ClariConfig config = clari.config();
        Set<String> wanted = lowerCase(config.pipelineEvents() != null ? config.pipelineEvents() : DEFAULT_EVENTS);
        ClariClient client = clari.client(ctx);

        // Whole UTC days as explicit instants, so the end day is included however Clari reads a bare date.
        String from = start.atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String to = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1).toString();
        Map<String, String> actors = new HashMap<>();
        Map<String, Integer> others = new LinkedHashMap<>();
        List<Json.Obj> matches = new ArrayList<>();
        int scanned = 0;
        int pages = 0;
        String next = null;
        try {
            do {
                Json page = pages == 0
                        ? client.auditEvents(Map.of("dateFrom", from, "dateTo", to, "limit", PAGE_SIZE))
                        : client.auditEventsPage(next);
                pages++;
                Json.Obj p = page instanceof Json.Obj o ? o : Json.Obj.EMPTY;
                for (Json.Obj a : Lenient.objects(p.get("actors"))) {
                    String id = Lenient.id(a.get("actorId"));
                    String name = Lenient.text(Lenient.first(a, "name", "email"));
                    if (id != null && name != null) actors.putIfAbsent(id, name);
                }
                for (Json.Obj e : Lenient.objects(page, "items", "activities")) {
                    scanned++;
                    String event = Lenient.id(e.get("event"));
                    if (event != null && wanted.contains(event.toLowerCase(Locale.ROOT))) {
                        matches.add(e);
                    } else {
                        others.merge(event == null ? "(unnamed)" : event, 1, Integer::sum);
                    }
                }
                next = p.str("nextLink");
                if (next != null && next.isBlank()) next = null;
                ctx.progress(pages, null, "Read " + pages + " audit page(s), " + matches.size() + " changes");
            } while (next != null && matches.size() < limit && pages < MAX_PAGES);
        } catch (ClariException e) {
            throw new ToolException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ToolException("Clari refused the request: " + e.getMessage());
        }
        boolean complete = next == null;
        matches.sort(Comparator.comparing((Json.Obj e) -> instant(e.get("eventTimestamp")),
                Comparator.nullsLast(Comparator.reverseOrder())));
        List<Change> changes = matches.stream().limit(limit).map(e -> Change.of(e, actors)).toList();
        return render(start, end, changes, matches.size(), scanned, pages, complete, others);
    }

    /** One change as shown: every part sanitized text, absent parts null. */
    record Change(String time, String event, String actor, String actorId, String oppId, String oppName,
            String targetUser, String field, String oldValue, String newValue) {
        static Change of(Json.Obj e, Map<String, String> actors) {
            Json.Obj p = e.obj("eventParameters") != null ? e.obj("eventParameters") : Json.Obj.EMPTY;
            String actorId = Lenient.id(e.get("actorId"));
            Instant t = instant(e.get("eventTimestamp"));
            return new Change(t != null ? t.toString() : Lenient.text(e.get("eventTimestamp")),
                    Lenient.text(e.get("event")),
                    actorId == null ? null : actors.getOrDefault(actorId, Sanitize.text(actorId)),
                    actorId == null ? null : Sanitize.text(actorId),
                    Lenient.text(Lenient.first(p, "opportunityId", "oppId", "objectId")),
                    Lenient.text(Lenient.first(p, "opportunityName", "oppName", "name")),
                    Lenient.text(Lenient.first(p, "targetUserName", "targetUserId")),
                    Lenient.text(Lenient.first(p, "field", "fieldName")),
                    value(Lenient.first(p, "oldValue", "previousValue", "old", "from")),
                    value(Lenient.first(p, "newValue", "value", "new", "to")));
        }

        /** Numbers (amounts, forecast calls) with thousands separators; anything else as text. */
        private static String value(Json v) {
            BigDecimal d = v instanceof Json.Num n ? Lenient.bounded(n) : null;
            return d != null ? Text.money(d) : Lenient.text(v);
        }
    }

    private static ToolResult render(LocalDate start, LocalDate end, List<Change> changes, int matched, int scanned,
            int pages, boolean complete, Map<String, Integer> others) {
        StringBuilder out = new StringBuilder();
        out.append("Pipeline changes ").append(start).append(" to ").append(end).append(", newest first: ")
                .append(changes.size()).append(matched > changes.size() ? " shown of " + matched + " found" : " found")
                .append(" in ").append(scanned).append(" events over ").append(pages).append(" page(s)\n");
        if (!changes.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (Change c : changes) {
                String subject = c.oppName() != null ? c.oppName() + (c.oppId() != null ? " (" + c.oppId() + ")" : "")
                        : c.oppId() != null ? c.oppId() : c.targetUser() != null ? "user " + c.targetUser() : "-";
                String change = c.oldValue() == null && c.newValue() == null ? "" : or(c.oldValue()) + " -> " + or(c.newValue());
                rows.add(List.of(or(c.time()), or(c.event()), or(c.actor()), subject, or(c.field()), change));
            }
            out.append(Text.table(List.of("Time (UTC)", "Event", "Actor", "Opportunity or user", "Field", "Change"), rows));
        }
        if (!complete) {
            out.append(pages >= MAX_PAGES
                    ? "Stopped at the " + MAX_PAGES + "-page cap; more events exist: narrow the dates\n"
                    : "Stopped after " + matched + " changes; older pages not read: narrow the dates for more\n");
        }
        List<Map.Entry<String, Integer>> top = others.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).toList();
        if (!top.isEmpty()) {
            out.append("Other event types seen: ").append(top.stream().limit(MAX_OTHER_TYPES)
                    .map(x -> Sanitize.text(x.getKey()) + " " + x.getValue()).collect(Collectors.joining(", ")));
            if (top.size() > MAX_OTHER_TYPES) out.append(", and ").append(top.size() - MAX_OTHER_TYPES).append(" more");
            out.append(" — set CLARI_PIPELINE_EVENTS if pipeline changes use other names\n");
        }
        List<Json> list = new ArrayList<>();
        for (Change c : changes) {
            list.add(Json.Obj.builder().putIfPresent("time", c.time()).put("event", or(c.event()))
                    .putIfPresent("actor", c.actor()).putIfPresent("actorId", c.actorId())
                    .putIfPresent("opportunityId", c.oppId()).putIfPresent("opportunityName", c.oppName())
                    .putIfPresent("targetUser", c.targetUser())
                    .putIfPresent("field", c.field()).putIfPresent("oldValue", c.oldValue())
                    .putIfPresent("newValue", c.newValue()).build());
        }
        List<Json> other = new ArrayList<>();
        for (Map.Entry<String, Integer> x : top) {
            other.add(Json.Obj.builder().put("event", Sanitize.text(x.getKey())).put("count", x.getValue()).build());
        }
        Json.Obj structured = Json.Obj.builder().put("startDate", start.toString()).put("endDate", end.toString())
                .put("changes", new Json.Arr(list)).put("eventsScanned", scanned).put("pagesRead", pages)
                .put("complete", complete && matched <= changes.size()).put("otherEventTypes", new Json.Arr(other)).build();
        return ToolResult.ok(Text.cap(out.toString(), "narrow the dates or lower limit"), structured);
    }

    private static LocalDate date(Args args, String name) throws ToolException {
        String s = args.requiredString(name, DATE, "a date like 2026-05-01");
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new ToolException("'" + name + "' is not a real date: " + s);
        }
    }

    /** The event time: ISO instant or offset date-time, or epoch milliseconds; null when unreadable. */
    static Instant instant(Json v) {
        if (v instanceof Json.Num n) {
            try {
                BigDecimal ms = Lenient.bounded(n);
                return ms == null ? null : Instant.ofEpochMilli(ms.longValueExact());
            } catch (ArithmeticException e) {
                return null;
            }
        }
        String s = Lenient.id(v);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Set<String> lowerCase(Set<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    private static String or(String s) {
        return s == null ? "-" : s;
    }
}
