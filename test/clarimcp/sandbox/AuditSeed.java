package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.sandbox.SandboxOrg.Actor;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Generates the audit log of {@link SandboxOrg}: actions taken in Clari itself, over the {@link #DAYS}
 * days Clari keeps [PostHog, Fivetran docs], up to the end of the anchor day. Item keys and enums are the
 * spec's ({@code GET /audit/events}) [spec]. Event names: only {@code api.accessed} is published [spec];
 * {@code user.login}, {@code forecast.submitted}, {@code forecast.adjustment.created} and
 * {@code forecast.adjustment.updated} are GUESSES in the same dotted style, as are all eventParameters keys
 * (the spec points to a private spreadsheet). CRM deal changes are not logged here: per the notes their
 * source is the opportunity's trendHistory.
 */
final class AuditSeed {
    /** The API integration user whose token the sandbox hands out; actor of api.accessed. */
    static final Actor ADMIN = new Actor("9001", "USER", "RevOps Integration", "revops-integration@sandbox-org.example");
    /** Clari keeps about 30 days [PostHog, Fivetran docs]; the endpoint also hides anything older. */
    static final int DAYS = 30;
    /** The event names the sandbox logs; all but api.accessed are guesses (see the class comment). */
    static final List<String> EVENTS = List.of("api.accessed", "user.login", "forecast.submitted",
            "forecast.adjustment.created", "forecast.adjustment.updated");
    private static final String[] API_PATHS = {"/v4/opportunity", "/v4/audit/events", "/v4/forecast/forecast",
        "/v4/export/jobs", "/v4/admin/limits"};
    /** Mobile apps exist (sessionType IOS, ANDROID [spec]); most work is on the web. */
    private static final String[] SESSION_TYPES = {"WEB", "WEB", "WEB", "WEB", "WEB", "WEB", "IOS", "ANDROID"};

    private final Random r;
    private final SandboxOrg org;
    private final List<AuditEvent> out = new ArrayList<>();

    private AuditSeed(Random r, SandboxOrg org) {
        this.r = r;
        this.org = org;
    }

    static List<AuditEvent> events(Random r, SandboxOrg org) {
        AuditSeed seed = new AuditSeed(r, org);
        for (int back = DAYS; back >= 0; back--) seed.day(org.today().minusDays(back));
        List<AuditEvent> all = new ArrayList<>(seed.out);
        all.sort(Comparator.comparing(AuditEvent::timestamp).reversed());  // stable: ties keep generation order
        return List.copyOf(all);
    }

    private void day(LocalDate day) {
        boolean weekday = day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
        String quarter = SandboxOrg.quarterOf(day);
        if (weekday) {
            for (User u : org.users()) {
                if (r.nextDouble() >= 0.5) continue;
                String session = UUID.nameUUIDFromBytes(longBytes()).toString();
                String type = SESSION_TYPES[r.nextInt(SESSION_TYPES.length)];
                Instant login = at(day, 7, 3);
                add(login, u.userId(), session, type, "user.login", Json.obj("method", "SSO"));
                // Calls are submitted early in the week; a user submits about once a week.
                if (day.getDayOfWeek().getValue() <= DayOfWeek.TUESDAY.getValue() && r.nextDouble() < 0.8) {
                    submission(later(login), u, session, type, quarter);
                }
            }
            for (User m : org.users()) if (r.nextDouble() < 0.3) adjustment(day, m, quarter);
        }
        // The integration reads Clari all day, weekends too: the bulk of the log, so wide windows take pages.
        String session = UUID.nameUUIDFromBytes(longBytes()).toString();
        for (int i = 40 + r.nextInt(41); i > 0; i--) {
            add(at(day, 0, 24), ADMIN.actorId(), session, "WEB", "api.accessed", Json.obj("endpoint", API_PATHS[r.nextInt(API_PATHS.length)], "method", "GET", "statusCode", 200));
        }
    }

    /** A user submits their Commit or Best Case call for the quarter. */
    private void submission(Instant at, User u, String session, String type, String quarter) {
        String field = r.nextBoolean() ? "Commit" : "Best Case";
        long value = Math.max(10_000, org.categoryTotal(u.userId(), quarter, field) / 1000 * 1000);
        add(at, u.userId(), session, type, "forecast.submitted", Json.obj("forecastId", "forecast",
                "timePeriodId", quarter, "field", field, "value", value));
    }

    /**
     * A manager adjusts the call of someone in their team; sometimes revises it later that day. Teams come
     * from {@link SandboxOrg#subtree}, so this does not depend on how the hierarchy is keyed.
     */
    private void adjustment(LocalDate day, User manager, String quarter) {
        List<User> team = org.subtree(manager.userId());
        if (team.size() < 2) return;   // not a manager
        User target = team.get(1 + r.nextInt(team.size() - 1));
        String field = r.nextBoolean() ? "Commit" : "Best Case";
        long old = Math.max(10_000, org.categoryTotal(target.userId(), quarter, field) / 1000 * 1000);
        long value = Math.round(old * (0.85 + 0.3 * r.nextDouble()) / 1000) * 1000;
        if (value == old) value += 5_000; // an adjustment that changes nothing is not one
        String session = UUID.nameUUIDFromBytes(longBytes()).toString();
        Instant when = at(day, 9, 6);
        add(when, manager.userId(), session, "WEB", "forecast.adjustment.created", adjustmentParams(target, field, quarter, old, value));
        if (r.nextDouble() < 0.4) {
            long revised = Math.round(value * (0.9 + 0.2 * r.nextDouble()) / 1000) * 1000;
            if (revised == value) revised -= 5_000;
            add(later(when), manager.userId(), session, "WEB", "forecast.adjustment.updated",
                    adjustmentParams(target, field, quarter, value, revised));
        }
    }

    private static Json.Obj adjustmentParams(User target, String field, String quarter, long old, long value) {
        return Json.obj("forecastId", "forecast", "timePeriodId", quarter,
                "targetUserId", target.userId(), "targetUserName", target.name(),
                "field", field, "oldValue", old, "newValue", value);
    }

    private void add(Instant at, String actorId, String session, String sessionType, String event, Json.Obj params) {
        String ip = actorId.equals(ADMIN.actorId()) ? "198.51.100.7" : "203.0.113." + (Integer.parseInt(actorId) % 200 + 10);
        out.add(new AuditEvent(at, actorId, "USER", session, sessionType, event, ip,
                new UUID(r.nextLong(), r.nextLong()).toString(), params));
    }

    /** A random instant on day between fromHour and fromHour + spanHours (UTC), millisecond precision. */
    private Instant at(LocalDate day, int fromHour, int spanHours) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant()
                .plusMillis(fromHour * 3_600_000L + (long) (r.nextDouble() * spanHours * 3_600_000L));
    }

    /** Up to four hours after t. */
    private Instant later(Instant t) {
        return t.plusMillis(1 + (long) (r.nextDouble() * 4 * 3_600_000L));
    }

    private byte[] longBytes() {
        byte[] b = new byte[16];
        r.nextBytes(b);
        return b;
    }
}
