package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.sandbox.SandboxOrg.Actor;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Generates the audit log of {@link SandboxOrg}: one pipeline event per opportunity history edit, forecast
 * adjustments by managers, and web/API activity, over {@link #DAYS} days up to the end of the anchor day.
 */
final class AuditSeed {
    /** The API integration user whose token the sandbox hands out; actor of api.accessed and export.created. */
    static final Actor ADMIN = new Actor("9001", "USER", "RevOps Integration", "revops-integration@sandbox-org.example");
    /** Eight weeks: more than the 30-day default window, so date filters have something to exclude. */
    static final int DAYS = 56;

    /** Dotted event names by history field. */
    static final Map<String, String> PIPELINE_EVENTS = Map.of(
            "amount", "opportunity.amount.changed",
            "stage", "opportunity.stage.changed",
            "closeDate", "opportunity.close_date.changed",
            "forecastCategory", "opportunity.forecast_category.changed",
            "owner", "opportunity.owner.changed");
    private static final Map<String, String> ALIASES = Map.of("amount", "Amount", "stage", "Stage",
            "closeDate", "Close Date", "forecastCategory", "Forecast Category", "owner", "Owner");
    private static final String[] REPORTS = {"Pipeline by Stage", "Forecast Accuracy", "Slipped Deals",
        "Win Rate by Segment", "Activity Summary", "Quarter-over-Quarter Bookings"};
    private static final String[] API_PATHS = {"/v4/opportunity", "/v4/audit/events", "/v4/export/jobs", "/v4/admin/limits"};

    private final Random r;
    private final SandboxOrg org;
    private final List<AuditEvent> out = new ArrayList<>();

    private AuditSeed(Random r, SandboxOrg org) {
        this.r = r;
        this.org = org;
    }

    static List<AuditEvent> events(Random r, SandboxOrg org) {
        AuditSeed seed = new AuditSeed(r, org);
        for (Opportunity o : org.opportunities()) for (Change c : o.history()) seed.pipeline(o, c);
        for (int back = DAYS; back >= 0; back--) seed.day(org.today().minusDays(back));
        List<AuditEvent> all = new ArrayList<>(seed.out);
        all.sort(Comparator.comparing(AuditEvent::timestamp).reversed());  // stable: ties keep generation order
        return List.copyOf(all);
    }

    private void pipeline(Opportunity o, Change c) {
        Json.Obj.Builder p = Json.Obj.builder().put("opportunityId", o.id()).put("opportunityName", o.name())
                .put("field", ALIASES.get(c.field()));
        switch (c.field()) {
            case "amount" -> p.put("oldValue", Long.parseLong(c.oldValue())).put("newValue", Long.parseLong(c.newValue()));
            case "owner" -> p.put("oldValue", org.user(c.oldValue()).name()).put("newValue", org.user(c.newValue()).name());
            default -> p.put("oldValue", c.oldValue()).put("newValue", c.newValue());
        }
        // An owner change is made by the segment manager; other edits by the rep who owns the deal then.
        User owner = org.user(c.field().equals("owner") ? c.newValue() : o.ownerId());
        String actor = c.field().equals("owner") ? owner.parentUserId() : owner.userId();
        add(c.at(), actor, hex(8), "WEB", PIPELINE_EVENTS.get(c.field()), p.build());
    }

    private void day(LocalDate day) {
        boolean weekday = day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
        String quarter = SandboxOrg.quarterOf(day);
        if (weekday) {
            for (User u : org.users()) if (r.nextDouble() < 0.5) session(day, u, quarter);
            for (User m : org.users()) if (!m.role().equals(OrgSeed.REP_ROLE) && r.nextDouble() < 0.3) adjustment(day, m, quarter);
        }
        String session = hex(8);
        for (int i = 2 + r.nextInt(5); i > 0; i--) {
            String path = API_PATHS[r.nextInt(API_PATHS.length)];
            add(at(day, 0, 24), ADMIN.actorId(), session, "API", "api.accessed", Json.Obj.builder()
                    .put("endpoint", path).put("method", "GET").put("statusCode", 200).build());
        }
        if (r.nextDouble() < 0.6) {
            add(at(day, 6, 8), ADMIN.actorId(), session, "API", "export.created", Json.Obj.builder()
                    .put("module", "FORECAST").put("forecastId", "forecast").put("jobId", hex(12))
                    .put("timePeriodId", quarter).build());
        }
    }

    /** A working session: login, some views, maybe a logout, all under one session id. */
    private void session(LocalDate day, User u, String quarter) {
        String session = hex(8);
        Instant login = at(day, 7, 3);
        add(login, u.userId(), session, "WEB", "user.login", Json.Obj.builder().put("method", "SSO").build());
        int forecastViews = u.role().equals(OrgSeed.REP_ROLE) ? (r.nextDouble() < 0.3 ? 1 : 0) : 1 + r.nextInt(2);
        for (int i = 0; i < forecastViews; i++) {
            add(later(login), u.userId(), session, "WEB", "forecast.viewed",
                    Json.Obj.builder().put("forecastId", "forecast").put("timePeriodId", quarter).build());
        }
        if (r.nextBoolean()) {
            int report = r.nextInt(REPORTS.length);
            add(later(login), u.userId(), session, "WEB", "report.viewed", Json.Obj.builder()
                    .put("reportId", "rpt-" + (100 + report)).put("reportName", REPORTS[report]).build());
        }
        if (r.nextDouble() < 0.3) add(at(day, 16, 3), u.userId(), session, "WEB", "user.logout", Json.Obj.EMPTY);
    }

    /** A manager adjusts a direct report's Commit or Best Case call; sometimes revises it later that day. */
    private void adjustment(LocalDate day, User manager, String quarter) {
        List<User> reports = org.users().stream().filter(u -> manager.userId().equals(u.parentUserId())).toList();
        User target = reports.get(r.nextInt(reports.size()));
        String field = r.nextBoolean() ? "Commit" : "Best Case";
        long old = Math.max(10_000, org.categoryTotal(target.userId(), quarter, field) / 1000 * 1000);
        long value = Math.round(old * (0.85 + 0.3 * r.nextDouble()) / 1000) * 1000;
        String session = hex(8);
        Instant when = at(day, 9, 6);
        add(when, manager.userId(), session, "WEB", "forecast.adjustment.created", adjustmentParams(target, field, quarter, old, value));
        if (r.nextDouble() < 0.4) {
            long revised = Math.round(value * (0.9 + 0.2 * r.nextDouble()) / 1000) * 1000;
            add(later(when), manager.userId(), session, "WEB", "forecast.adjustment.updated",
                    adjustmentParams(target, field, quarter, value, revised));
        }
    }

    private static Json.Obj adjustmentParams(User target, String field, String quarter, long old, long value) {
        return Json.Obj.builder().put("forecastId", "forecast").put("timePeriodId", quarter)
                .put("targetUserId", target.userId()).put("targetUserName", target.name())
                .put("field", field).put("oldValue", old).put("newValue", value).build();
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

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
