package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
import java.util.stream.Stream;

/**
 * get_pipeline_changes: what was done in Clari, from its audit log ({@code GET /audit/events} [spec]),
 * newest first. The log records actions taken in Clari itself (forecast submissions and edits, logins,
 * API access); CRM deal changes are not in it (their source is each opportunity field's trendHistory).
 * Only {@code api.accessed} is a published event name [spec], so by default every event is shown but that
 * one (API calls, this server's own among them: they would crowd out what people did); the {@code event}
 * argument asks Clari for any name (overriding both), CLARI_PIPELINE_EVENTS replaces the default with a list
 * of names, and every event type left out is counted in the answer.
 */
public final class GetPipelineChanges {
    static Tool tool(Clari clari) {
        return Tools.tool("get_pipeline_changes", "Clari activity (audit log)", "What people did in Clari, from its audit log (kept "
                + "~30 days), newest first: forecast submissions and adjustments, logins; API calls only with event=api.accessed. "
                + "Default: the last 7 days ending now. Not CRM deal changes (stage, amount, close date): get_deal_risk's "
                + "trendHistory has those.", INPUT, OUTPUT, Schema.READ_ONLY, (args, ctx) -> call(args, ctx, clari));
    }

    /** Event names are dotted lower-case words so far; an actor is one line. JSON in a text block: backslashes doubled. */
    static final Json.Obj INPUT = Schema.parse("""
            {"type": "object", "additionalProperties": false, "properties": {
              "start_date": {"type": "string", "pattern": "%1$s", "description": "Window start, YYYY-MM-DD (a whole UTC day) or an ISO date-time like 2026-05-01T09:00:00Z; default 7 days before end_date"},
              "end_date": {"type": "string", "pattern": "%1$s", "description": "Window end (inclusive), YYYY-MM-DD (a whole UTC day) or an ISO date-time like 2026-05-01T09:00:00Z; default now; at most 366 days after start_date"},
              "event": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,100}$", "description": "Only this event name, e.g. api.accessed (hidden unless named); filtered by Clari"},
              "actor": {"type": "string", "pattern": "^[^\\\\x00-\\\\x1f\\\\x7f]{1,200}$", "description": "Only this actor: a Clari user id (filtered by Clari), or an exact name or email"},
              "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Most events to return (default 100)"}}}""".formatted(Schema.DATE_OR_TIME));
    private static final Json.Obj OUTPUT = Schema.parse("""
            {"type": "object", "required": ["startDate", "endDate", "rows", "shown", "found", "eventsScanned", "pagesRead", "complete", "notes"],
             "properties": {
              "startDate": {"type": "string", "description": "window start, ISO instant (UTC)"},
              "endDate": {"type": "string", "description": "window end, ISO instant (UTC)"},
              "event": {"type": "string", "description": "the event filter asked for"},
              "actor": {"type": "string", "description": "the actor filter asked for"},
              "columns": {"type": "array", "items": {"type": "string"}, "description": "names of the rows' cells; absent when there are no rows (so an empty answer stays small)"},
              "rows": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}, "description": "one array per event, newest first, cells in columns' order, empty where Clari sent nothing; an actorId works as the actor argument"},
              "shown": {"type": "integer"},
              "found": {"type": "integer", "description": "matching events found in the pages read"},
              "eventsScanned": {"type": "integer"}, "pagesRead": {"type": "integer"},
              "complete": {"type": "boolean", "description": "false when more events may exist (limit, page or size cap reached)"},
              "otherEventTypes": {"type": "object", "additionalProperties": {"type": "integer", "description": "events of a type seen but not shown, by type; absent when none"}},
              "moreEventTypes": {"type": "integer", "description": "other event types not listed (a lower bound past 1000 types)"},
              "notes": {"type": "array", "items": {"type": "string"}}}}""");
    /** Clari's actorId filter is an integer [spec]; anything else is matched locally on name or email. */
    private static final Pattern ACTOR_ID = Pattern.compile("^\\d{1,19}$");
    /** Machine traffic hidden unless asked for by name: every call of an integration (this server too) logs one. */
    static final Set<String> HIDDEN_BY_DEFAULT = Set.of("api.accessed");
    /** A year and a day: enough for any question, though Clari keeps only about RETENTION. */
    static final int MAX_WINDOW_DAYS = 366;
    /** Clari keeps its audit log about 30 days [PostHog, Fivetran docs]: older windows are mostly empty. */
    static final Duration RETENTION = Duration.ofDays(30);
    /** The default window: a week ending now, so a model needs no calendar. */
    static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
    private static final int DEFAULT_LIMIT = 100;
    /** Events per page when filtering here: the API's maximum [spec], so a window costs as few calls as possible. */
    private static final int PAGE_SIZE = 1000;
    /** Pages read per call (up to 20,000 events): bounds the time and calls one answer may take. */
    static final int MAX_PAGES = 20;
    /** Other event types listed in the answer, most frequent first. */
    static final int MAX_OTHER_TYPES = 20;
    /** Distinct event types and actors remembered: a hostile answer with millions of names stays small (OUTPUT says 1000). */
    static final int MAX_KEYS = 1000;
    /** Event parameters shown per event: the spec caps eventParameters at 10 members. */
    private static final int MAX_PARAMS = 10;
    /** Longest details text per event: a row stays one readable line. */
    private static final int MAX_DETAILS_CHARS = 400;

    private static Tool.Result call(Json.Obj args, Tool.Context ctx, Clari clari)
            throws Tool.Failure, ClariException, InterruptedException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant to = Schema.instant(args, "end_date", true, now); // a date: its last millisecond
        Instant from = Schema.instant(args, "start_date", false, to.minus(DEFAULT_WINDOW));
        String event = args.str("event"), actor = args.str("actor");
        int limit = args.integer("limit", DEFAULT_LIMIT);
        if (to.isBefore(from)) throw new Tool.Failure("'end_date' must not be before 'start_date'");
        if (Duration.between(from, to).compareTo(Duration.ofDays(MAX_WINDOW_DAYS + 1)) >= 0) {
            throw new Tool.Failure("'start_date' to 'end_date' spans more than " + MAX_WINDOW_DAYS + " days; split the window");
        }
        Set<String> names = clari.config().pipelineEvents();
        Set<String> wanted = names == null ? null : Set.copyOf(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
        boolean actorById = actor != null && ACTOR_ID.matcher(actor).matches();
        String actorName = actor == null || actorById ? null : actor.strip();
        // Filtering here means reading whole pages; otherwise Clari's page of `limit` events is the answer.
        // An explicit event is Clari's to match (it may also match categories, per the spec's wording).
        boolean local = actorName != null || event == null;
        ClariClient client = clari.client(ctx);

        Map<String, String> query = new HashMap<>(Map.of("dateFrom", from.toString(), "dateTo", to.toString(),
                "limit", Integer.toString(local ? PAGE_SIZE : limit)));
        if (event != null) query.put("event", event);
        if (actorById) query.put("actorId", actor);
        Seen seen = new Seen();
        List<Change> matches = new ArrayList<>();
        int scanned = 0, pages = 0;
        String next = null;
        do {
            Json page = pages == 0 ? client.auditEvents(query) : client.auditEventsPage(next);
            pages++;
            Json.Obj p = page instanceof Json.Obj o ? o : Json.Obj.EMPTY;
            for (Json.Obj a : Lenient.objects(p.get("actors"))) {
                if (Thread.interrupted()) throw new InterruptedException("cancelled");
                seen.actor(a);
            }
            for (Json.Obj e : Lenient.objects(page, "items")) {
                if (Thread.interrupted()) throw new InterruptedException("cancelled");
                scanned++;
                String name = Sanitize.text(Lenient.id(e.get("event")));
                String actorId = Sanitize.text(Lenient.id(e.get("actorId")));
                String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
                boolean typeShown = event != null || (wanted != null ? wanted.contains(key) : !HIDDEN_BY_DEFAULT.contains(key));
                if (!typeShown) seen.other(name == null ? "(unnamed)" : name);
                else if (actorName == null || seen.isActor(actorId, actorName)) matches.add(Change.of(e, name, actorId, seen));
            }
            next = p.str("nextLink");
            if (next != null && next.isBlank()) next = null;
            ctx.progress(pages, null, "Read " + pages + " audit page(s), " + matches.size() + " events");
        } while (next != null && matches.size() < limit && pages < MAX_PAGES);
        // Newest first whatever order Clari sends (the spec does not say); unreadable times last.
        matches.sort(Comparator.comparing(Change::instant, Comparator.nullsLast(Comparator.reverseOrder())));
        String note = from.isBefore(now.minus(RETENTION))
                ? "Clari keeps its audit log about 30 days: events before " + now.minus(RETENTION).truncatedTo(ChronoUnit.DAYS)
                        .toString().substring(0, 10) + " are probably gone, so this window may look emptier than it was"
                : null;
        Map<String, Integer> top = seen.top();
        int moreTypes = seen.others.size() - top.size() + (seen.uncountedTypes > 0 ? 1 : 0);
        return new Answer(from, to, event, Sanitize.text(actor),
                matches.subList(0, Math.min(limit, matches.size())), matches.size(), scanned, pages, next == null, top, moreTypes,
                seen.uncountedTypes > 0, note).result();
    }

    /** Actors and other event types seen, each capped at MAX_KEYS so a hostile answer cannot grow them. */
    private static final class Seen {
        final Map<String, String[]> actors = new HashMap<>();   // id -> {name, email}
        final Map<String, Integer> others = new HashMap<>();
        int uncountedTypes;   // events whose type arrived after MAX_KEYS types were counted

        void actor(Json.Obj a) {
            String id = Sanitize.text(Lenient.id(a.get("actorId")));
            if (id == null || actors.size() >= MAX_KEYS) return;
            actors.putIfAbsent(id, new String[] {Lenient.text(a.get("name")), Lenient.text(a.get("email"))});
        }

        String name(String id) {
            String[] a = actors.get(id);   // HashMap: null for a null id
            if (a == null) return id;
            return a[0] != null ? a[0] : a[1] != null ? a[1] : id;
        }

        boolean isActor(String id, String nameOrEmail) {
            String[] a = actors.get(id);
            return a != null && (nameOrEmail.equalsIgnoreCase(a[0]) || nameOrEmail.equalsIgnoreCase(a[1]));
        }

        void other(String type) {
            if (others.containsKey(type) || others.size() < MAX_KEYS) others.merge(type, 1, Integer::sum);
            else uncountedTypes++;
        }

        /** The MAX_OTHER_TYPES most frequent other types, most frequent first (ties by name). */
        Map<String, Integer> top() {
            Map<String, Integer> top = new LinkedHashMap<>();
            others.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(MAX_OTHER_TYPES).forEach(x -> top.put(x.getKey(), x.getValue()));
            return top;
        }
    }

    /** One event as shown: every part sanitized text, absent parts null. */
    record Change(Instant instant, String time, String event, String actor, String actorId, String actorType,
            String sessionType, String details) {
        static Change of(Json.Obj e, String event, String actorId, Seen seen) {
            Instant t = GetPipelineChanges.instant(e.get("eventTimestamp"));
            return new Change(t, t != null ? t.toString() : Lenient.text(e.get("eventTimestamp")), event,
                    seen.name(actorId), actorId, Lenient.text(e.get("actorType")), Lenient.text(e.get("sessionType")),
                    details(e.obj("eventParameters")));
        }

        /** The cells of this event in {@link #COLUMNS} order, absent ones as given. */
        List<String> cells(String absent) {
            return Stream.of(time, event, actor, actorId, actorType, sessionType, details)
                    .map(c -> c == null ? absent : c).toList();
        }

        /** "key: value; ..." from eventParameters, whose keys are not published: shown as sent, capped. */
        private static String details(Json.Obj p) {
            if (p == null || p.members().isEmpty()) return null;
            StringBuilder out = new StringBuilder();
            int n = 0;
            for (Map.Entry<String, Json> m : p.members().entrySet()) {
                if (n++ == MAX_PARAMS || out.length() > MAX_DETAILS_CHARS) break;
                String v = m.getValue() instanceof Json.Num num && Lenient.bounded(num) != null
                        ? Lenient.bounded(num).toPlainString() : Lenient.text(m.getValue());
                if (v == null) continue;
                if (!out.isEmpty()) out.append("; ");
                out.append(Sanitize.text(m.getKey())).append(": ").append(v);
            }
            if (out.isEmpty()) return null;
            return out.length() <= MAX_DETAILS_CHARS ? out.toString() : out.substring(0, MAX_DETAILS_CHARS - 1) + "…";
        }
    }

    /** The columns of both forms, in order: the text's headers and the structured rows' cells. */
    private static final List<String> HEADERS = List.of("Time (UTC)", "Event", "Actor", "Actor id", "Actor type", "Session", "Details");
    private static final List<String> COLUMNS = List.of("time", "event", "actor", "actorId", "actorType", "sessionType", "details");

    /** What one answer found, before choosing how many rows fit: both forms are made from it. */
    private record Answer(Instant from, Instant to, String event, String actor, List<Change> changes, int matched, int scanned,
            int pages, boolean complete, Map<String, Integer> top, int more, boolean moreIsLowerBound, String note) {

        /**
         * Both forms of the answer, holding the same facts: every row shown, filter, count, note and truncation is in
         * the text and in structuredContent (Claude Code shows the model only the latter, Claude Desktop the former).
         * Rows that would push the text past {@link Text#MAX_CHARS} are left out of both, and the answer says so.
         */
        Tool.Result result() {
            int shown = changes.size();
            String text = text(shown);
            if (text.length() > Text.MAX_CHARS) {   // the most rows whose text fits (rows are at most a few hundred)
                int lo = 0, hi = shown - 1;
                while (lo < hi) {
                    int mid = (lo + hi + 1) / 2;
                    if (text(mid).length() <= Text.MAX_CHARS) lo = mid;
                    else hi = mid - 1;
                }
                shown = lo;
                text = text(shown);
            }
            List<List<String>> rows = changes.subList(0, shown).stream().map(c -> c.cells("")).toList();
            return Tool.Result.ok(Text.cap(text, "narrow the dates or lower limit"), Json.obj("startDate", from.toString(),
                    "endDate", to.toString(), "event", event, "actor", actor, "columns", rows.isEmpty() ? null : COLUMNS,
                    "rows", rows, "shown", shown, "found", matched, "eventsScanned", scanned, "pagesRead", pages,
                    "complete", complete && matched <= shown, "otherEventTypes", top.isEmpty() ? null : top,
                    "moreEventTypes", more > 0 ? more : null, "notes", notes(shown)));
        }

        /** The text with the first `shown` rows; its NOTE lines and plain reminder are {@link #notes}, in order. */
        String text(int shown) {
            StringBuilder out = new StringBuilder();
            out.append("Clari audit log ").append(from).append(" to ").append(to)
                    .append(event != null ? ", event " + event : "").append(actor != null ? ", actor " + actor : "")
                    .append(", newest first: ").append(shown).append(" shown")
                    .append(matched > shown ? " of " + matched + " found" : "")
                    .append(" from ").append(scanned).append(" events read over ").append(pages).append(" page(s)\n");
            List<String> notes = notes(shown);
            for (String n : notes.subList(0, notes.size() - (top.isEmpty() ? 1 : 2))) out.append("NOTE: ").append(n).append('\n');
            if (shown > 0) out.append(Text.table(HEADERS, changes.subList(0, shown).stream().map(c -> c.cells("-")).toList()));
            if (!top.isEmpty()) {
                out.append("Other event types seen, not shown: ").append(top.entrySet().stream()
                        .map(x -> x.getKey() + " " + x.getValue()).collect(Collectors.joining(", ")));
                if (more > 0) out.append(", and ").append(moreIsLowerBound ? "at least " : "").append(more).append(" more types");
                out.append("\nNOTE: ").append(notes.get(notes.size() - 2)).append('\n');
            }
            return out.append(notes.getLast()).append('\n').toString();
        }

        /**
         * The notes with `shown` rows, in the text's order: the retention warning, the truncation (size cap, then limit
         * or page cap), the hint on other event types (when some were seen), and the reminder of what the log lacks.
         */
        List<String> notes(int shown) {
            List<String> out = new ArrayList<>();
            if (note != null) out.add(note);
            if (shown < changes.size()) {
                out.add("Only " + shown + " of the " + changes.size() + " events kept fit the " + Text.MAX_CHARS
                        + "-character answer: lower limit or narrow the dates");
            }
            if (!complete && pages >= MAX_PAGES) out.add("Stopped at the " + MAX_PAGES + "-page cap; more events exist: narrow the dates");
            else if (!complete || matched > changes.size()) {
                out.add("More events exist than shown: narrow the dates, or filter by event or actor");
            }
            if (!top.isEmpty()) {
                out.add("Other event types are left out: pass one as event to see it (api.accessed is hidden by default; "
                        + "CLARI_PIPELINE_EVENTS sets the names shown)");
            }
            out.add("CRM deal changes (stage, amount, close date) are not in this log: see get_deal_risk's trendHistory");
            return out;
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
        if (s == null || s.length() > 64) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
