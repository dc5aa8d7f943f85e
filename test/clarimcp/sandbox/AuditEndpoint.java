package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.SandboxOrg.Actor;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import java.net.URLEncoder;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /audit/events} [spec]: filters the seeded log (newest first) by date window, event, actorId,
 * sessionId and sessionType, and pages it. Nothing older than {@link #RETENTION} is served, whatever the
 * window (Clari keeps about 30 days [PostHog, Fivetran docs]). Errors use the audit shape
 * {@code {"errors":[{status,message,code,target,details}]}} [spec]; the code values are guesses. The cursor is the position in the whole log of the next event to consider,
 * and {@code nextLink} repeats the filters with the window made absolute, so later pages see the same
 * window even as the clock moves. The last page has no {@code nextLink}.
 */
final class AuditEndpoint {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Default window start: 30 days before now, as Clari documents. */
    static final Duration DEFAULT_WINDOW = Duration.ofDays(30);
    /** How long Clari keeps audit events [PostHog, Fivetran docs]. */
    static final Duration RETENTION = Duration.ofDays(30);
    private static final List<String> FILTERS = List.of("event", "actorId", "sessionId", "sessionType");

    private final SandboxOrg org;
    private final String basePath;

    AuditEndpoint(SandboxOrg org, String basePath) {
        this.org = org;
        this.basePath = basePath;
    }

    Reply handle(String rawQuery) {
        Map<String, List<String>> params = Reply.params(rawQuery);
        int limit;
        Instant from;
        Instant to;
        int cursor;
        Instant retained;
        try {
            limit = intParam(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
            cursor = intParam(params, "cursor", 0, 0, Integer.MAX_VALUE);
            String toText = Reply.param(params, "dateTo");
            String fromText = Reply.param(params, "dateFrom");
            Instant now = org.now().truncatedTo(ChronoUnit.MILLIS);   // event times have millisecond precision
            to = toText == null ? now : instant(toText, true);
            from = fromText == null ? now.minus(DEFAULT_WINDOW) : instant(fromText, false);
            retained = now.minus(RETENTION);
            // actorId is an int64 in the spec's query parameters (a string in the answers).
            for (String id : params.getOrDefault("actorId", List.of())) {
                if (!id.matches("\\d{1,18}")) throw new IllegalArgumentException("actorId must be an integer");
            }
        } catch (DateTimeParseException e) {
            return error("dateFrom", "dateFrom and dateTo must be ISO 8601 dates or date-times");
        } catch (IllegalArgumentException e) {
            return error(e.getMessage().substring(0, e.getMessage().indexOf(' ')), e.getMessage());
        }
        if (from.isAfter(to)) return error("dateFrom", "dateFrom is after dateTo");
        if (from.isBefore(retained)) from = retained;   // older events are gone; a window wholly before is empty
        if (to.isAfter(retained.plus(RETENTION))) to = retained.plus(RETENTION);   // seeded events after now do not exist yet

        List<AuditEvent> all = org.auditEvents();
        List<Json> items = new ArrayList<>();
        Map<String, Actor> actors = new LinkedHashMap<>();
        int i = cursor;
        for (; i < all.size() && items.size() < limit; i++) {
            AuditEvent e = all.get(i);
            if (!matches(e, params, from, to)) continue;
            items.add(item(e));
            Actor a = org.actor(e.actorId());
            if (a != null) actors.putIfAbsent(a.actorId(), a);
        }
        boolean more = false;
        for (int j = i; j < all.size() && !more; j++) more = matches(all.get(j), params, from, to);

        ObjBuilder body = new ObjBuilder();
        if (more) body.put("nextLink", nextLink(params, limit, from, to, i));
        List<Json> actorList = new ArrayList<>();
        for (Actor a : actors.values()) {
            actorList.add(Json.obj("actorId", a.actorId(), "actorType", a.actorType(),
                    "name", a.name(), "email", a.email()));
        }
        return Reply.json(200, body.put("items", new Json.Arr(items)).put("actors", new Json.Arr(actorList)).build());
    }

    /** The audit error shape [spec]; "bad_request" is the code the export API uses for bad input [spec], a guess here. */
    private static Reply error(String target, String details) {
        Json error = Json.obj("status", "400", "message", "Invalid query parameter",
                "code", "bad_request", "target", target, "details", details);
        return Reply.json(400, Json.obj("errors", ObjBuilder.arr(error)));
    }

    private static boolean matches(AuditEvent e, Map<String, List<String>> params, Instant from, Instant to) {
        if (e.timestamp().isBefore(from) || e.timestamp().isAfter(to)) return false;
        return allowed(params, "event", e.event()) && allowed(params, "actorId", e.actorId())
                && allowed(params, "sessionId", e.sessionId()) && allowed(params, "sessionType", e.sessionType());
    }

    /** A filter given (possibly repeated) allows any of its values; absent, it allows everything. */
    private static boolean allowed(Map<String, List<String>> params, String name, String value) {
        List<String> wanted = params.get(name);
        return wanted == null || wanted.contains(value);
    }

    private static Json item(AuditEvent e) {
        return Json.obj("actorId", e.actorId(), "actorType", e.actorType(),
                "sessionId", e.sessionId(), "sessionType", e.sessionType(),
                "event", e.event(), "ipAddress", e.ipAddress(),
                "correlationID", e.correlationId(), "eventParameters", e.parameters(),
                "eventTimestamp", Reply.timestamp(e.timestamp()));
    }

    /** Relative to the host, starting with the base path, as Clari serves it. */
    private String nextLink(Map<String, List<String>> params, int limit, Instant from, Instant to, int cursor) {
        StringBuilder q = new StringBuilder(basePath).append("/audit/events?limit=").append(limit)
                .append("&dateFrom=").append(encode(from.toString()))
                .append("&dateTo=").append(encode(to.toString()));
        for (String name : FILTERS) {
            for (String v : params.getOrDefault(name, List.of())) q.append('&').append(name).append('=').append(encode(v));
        }
        return q.append("&cursor=").append(cursor).toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, UTF_8);
    }

    private static int intParam(Map<String, List<String>> params, String name, int dflt, int min, int max) {
        String text = Reply.param(params, name);
        if (text == null) return dflt;
        try {
            int v = Integer.parseInt(text);
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) {
            // reported below, with the accepted range
        }
        throw new IllegalArgumentException(name + " must be an integer in " + min + ".." + max);
    }

    /** ISO date (a whole day, inclusive at either end) or date-time with offset; a bare local time is UTC. */
    static Instant instant(String text, boolean endOfWindow) {
        if (text.length() == 10) {
            LocalDate d = LocalDate.parse(text);
            return endOfWindow ? d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1)
                    : d.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException noOffset) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        }
    }
}
