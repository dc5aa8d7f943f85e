package clarimcp.sandbox;

import clarimcp.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The seeded org the sandbox serves: a sales hierarchy (a CRO, four segment managers, their reps),
 * a few hundred opportunities with histories, and several weeks of audit events. Everything derives from
 * a seed and the start (UTC) of the clock's current day, so two sandboxes started the same day agree.
 * Tests use the query methods to compute the answers they expect.
 *
 * <p>Quarters are calendar quarters ({@code 2026_Q2} = April..June). Opportunities close in the previous,
 * current or next quarter. Forecast categories are disjoint: the forecast export's Commit for a user is
 * {@link #categoryTotal}(user, quarter, "Commit") over their subtree, not Commit plus Closed.
 */
public final class SandboxOrg {
    public static final long DEFAULT_SEED = 0x5EED_C1A21L;
    /** Stages in sales order; the two closed ones last. */
    public static final List<String> STAGES =
            List.of("Prospecting", "Discovery", "Solution", "Proposal", "Negotiation", "Closed Won", "Closed Lost");
    /** Forecast categories, lowest confidence first. */
    public static final List<String> CATEGORIES = List.of("Omitted", "Pipeline", "Best Case", "Commit", "Closed");

    /**
     * A user; {@code quota} is the quarterly quota (a manager's is the sum of their reps'). CRO has no parent.
     * parentUserId and role are the seed's own model: Clari serves the hierarchy only as hierarchyId,
     * parentHierarchyId and hierarchyName [gitlab][tap], derived here; crmUserId is served as crmId.
     */
    public record User(String userId, String name, String email, String crmUserId, String parentUserId,
                       String role, String scopeId, String segment, long quota) {
        /** The user's node in Clari's forecast hierarchy: deliberately unlike the userId, so a mix-up shows. */
        public String hierarchyId() { return "70" + userId; }

        /** Null for the CRO, who heads the hierarchy. */
        public String parentHierarchyId() { return parentUserId == null ? null : "70" + parentUserId; }

        /** The node's label, as Clari's hierarchyName ("Sales Manager - Enterprise"). */
        public String hierarchyName() { return segment.equals("All") ? role : role + " - " + segment; }
    }

    /** A manager's adjustment of their own Commit call [tap: adjustmentValue, adjustedBy, adjustedOn]. */
    public record Adjustment(long value, String adjustedBy, Instant adjustedOn) {}

    /**
     * One edit of an opportunity field: field is amount, stage, closeDate, forecastCategory or owner
     * (owner values are userIds, amounts whole dollars, dates ISO).
     */
    public record Change(String field, String oldValue, String newValue, Instant at) {}

    /** An opportunity as it is now; {@code history} is oldest first. */
    public record Opportunity(String id, String name, long amount, String stage, LocalDate closeDate,
                              String forecastCategory, String ownerId, int crmScore, String crmScoreMessage,
                              List<Change> history) {
        public String quarterId() { return quarterOf(closeDate); }
    }

    public record Actor(String actorId, String actorType, String name, String email) {}

    /** An audit event; {@code parameters} is served as {@code eventParameters}. */
    public record AuditEvent(Instant timestamp, String actorId, String actorType, String sessionId,
                             String sessionType, String event, String ipAddress, String correlationId,
                             Json.Obj parameters) {}

    private final Clock clock;
    private final LocalDate today;
    private final List<User> users;
    private final Map<String, User> usersById = new LinkedHashMap<>();
    private final List<Opportunity> opportunities;
    private final Map<String, Opportunity> oppsById = new LinkedHashMap<>();
    private final List<Actor> actors;
    private final List<AuditEvent> events;

    SandboxOrg(Clock clock, long seed) {
        this.clock = clock;
        this.today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Random random = new Random(seed ^ today.toEpochDay());
        this.users = OrgSeed.users(random);
        for (User u : users) usersById.put(u.userId(), u);
        this.opportunities = OrgSeed.opportunities(random, users, today);
        for (Opportunity o : opportunities) oppsById.put(o.id(), o);
        List<Actor> all = new ArrayList<>();
        for (User u : users) all.add(new Actor(u.userId(), "USER", u.name(), u.email()));
        all.add(AuditSeed.ADMIN);
        this.actors = List.copyOf(all);
        this.events = AuditSeed.events(random, this);
    }

    public Clock clock() { return clock; }
    public Instant now() { return clock.instant(); }
    /** The clock's current day (UTC) when the sandbox started: the anchor of all seeded dates. */
    public LocalDate today() { return today; }

    public List<User> users() { return users; }
    public User user(String userId) { return usersById.get(userId); }
    public User cro() { return users.get(0); }
    public List<User> managers() { return users.stream().filter(u -> cro().userId().equals(u.parentUserId())).toList(); }
    public List<User> reps() { return users.stream().filter(u -> u.role().equals(OrgSeed.REP_ROLE)).toList(); }

    /** The user with that scopeId (e.g. {@code 1905::MGR}), or null. */
    public User byScope(String scopeId) {
        return users.stream().filter(u -> u.scopeId().equals(scopeId)).findFirst().orElse(null);
    }

    /** The user and everyone below them, parents before children. */
    public List<User> subtree(String userId) {
        List<User> out = new ArrayList<>();
        User root = usersById.get(userId);
        if (root == null) return out;
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            String parent = out.get(i).userId();
            for (User u : users) if (parent.equals(u.parentUserId())) out.add(u);
        }
        return out;
    }

    public List<Opportunity> opportunities() { return opportunities; }
    public Opportunity opportunity(String id) { return oppsById.get(id); }

    /**
     * Ids in other CRMs' styles (a Dynamics GUID, a numeric HubSpot id, the scaffold's {@code opp_001}),
     * served only behind {@link Knobs#otherCrmIds}: no source confirms Clari answers such ids; they let tests
     * check that the tool passes them through. Each names a copy of a seeded deal, kept out of
     * {@link #opportunities()} so that forecast totals do not count it twice.
     */
    public static final List<String> OTHER_CRM_IDS = List.of("3f2504e0-4f89-41d3-9a0c-0305e82c3301", "13500012345",
            "opp_001", "opp_002");

    /** The other-CRM deals: OTHER_CRM_IDS.get(i) names a copy of opportunities().get(i). */
    public List<Opportunity> otherCrmOpportunities() {
        List<Opportunity> out = new ArrayList<>();
        for (int i = 0; i < OTHER_CRM_IDS.size(); i++) {
            Opportunity o = opportunities.get(i);
            out.add(new Opportunity(OTHER_CRM_IDS.get(i), o.name(), o.amount(), o.stage(), o.closeDate(), o.forecastCategory(),
                    o.ownerId(), o.crmScore(), o.crmScoreMessage(), o.history()));
        }
        return out;
    }

    /** Ids of the opportunities in a forecast category (e.g. "Commit"), any quarter. */
    public List<String> oppIds(String forecastCategory) {
        return opportunities.stream().filter(o -> o.forecastCategory().equals(forecastCategory)).map(Opportunity::id).toList();
    }

    /** Ids of the opportunities in a forecast category closing in a quarter (e.g. "2026_Q2"). */
    public List<String> oppIds(String forecastCategory, String quarterId) {
        return opportunities.stream()
                .filter(o -> o.forecastCategory().equals(forecastCategory) && o.quarterId().equals(quarterId))
                .map(Opportunity::id).toList();
    }

    /** Sum of amounts of the opportunities owned within the user's subtree, in that quarter and category. */
    public long categoryTotal(String userId, String quarterId, String category) {
        List<String> owners = subtree(userId).stream().map(User::userId).toList();
        return opportunities.stream()
                .filter(o -> owners.contains(o.ownerId()) && o.quarterId().equals(quarterId)
                        && o.forecastCategory().equals(category))
                .mapToLong(Opportunity::amount).sum();
    }

    /**
     * The adjustment of a user's Commit in a quarter, or null: the CRO adjusts the Enterprise and SMB
     * managers' Commit to 90% of their team's roll-up (rounded to thousands), two days before the anchor day.
     */
    public Adjustment commitAdjustment(String userId, String quarterId) {
        List<User> managers = managers();
        boolean adjusted = managers.size() > 2 && (managers.get(0).userId().equals(userId) || managers.get(2).userId().equals(userId));
        if (!adjusted) return null;
        long value = Math.round(categoryTotal(userId, quarterId, "Commit") * 0.9 / 1000) * 1000;
        return new Adjustment(value, cro().userId(), today.minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(15 * 3600));
    }

    /**
     * What moved on the given deals at or after {@code since}, from their seeded history: per deal, the value
     * just before the window (the first change's old value) against the latest (the last change's new value);
     * pushes (a later close date) counted one by one; the quarter is the calendar quarter of {@link #today()}.
     * Ids keep the order given. netAmountChange sums (last new - first old) over the amountDeals with amount edits.
     */
    public record Moves(List<String> pushedOutOfQuarter, List<String> pushedLater, List<String> pulledIn,
                        List<String> pushedMoreThanOnce, List<String> intoCommit, List<String> outOfCommit,
                        long netAmountChange, int amountDeals) {}

    public Moves movesSince(List<String> ids, Instant since) {
        List<List<String>> lists = new ArrayList<>();
        for (int i = 0; i < 6; i++) lists.add(new ArrayList<>());
        LocalDate qEnd = quarterEnd(currentQuarter());
        LocalDate qStart = quarterStart(currentQuarter());
        long net = 0;
        int amountDeals = 0;
        for (String id : ids) {
            Opportunity o = oppsById.get(id);
            List<Change> window = o.history().stream().filter(c -> !c.at().isBefore(since)).toList();
            List<Change> dates = window.stream().filter(c -> c.field().equals("closeDate")).toList();
            List<Change> categories = window.stream().filter(c -> c.field().equals("forecastCategory")).toList();
            List<Change> amounts = window.stream().filter(c -> c.field().equals("amount")).toList();
            if (!dates.isEmpty()) {
                LocalDate first = LocalDate.parse(dates.getFirst().oldValue()), last = LocalDate.parse(dates.getLast().newValue());
                if (!first.isBefore(qStart) && !first.isAfter(qEnd) && last.isAfter(qEnd)) lists.get(0).add(id);
                if (last.isAfter(first)) lists.get(1).add(id);
                if (last.isBefore(first)) lists.get(2).add(id);
                if (dates.stream().filter(c -> LocalDate.parse(c.newValue()).isAfter(LocalDate.parse(c.oldValue()))).count() >= 2) {
                    lists.get(3).add(id);
                }
            }
            if (!categories.isEmpty()) {
                boolean was = categories.getFirst().oldValue().equals("Commit"), is = categories.getLast().newValue().equals("Commit");
                if (!was && is) lists.get(4).add(id);
                if (was && !is) lists.get(5).add(id);
            }
            if (!amounts.isEmpty()) {
                net += Long.parseLong(amounts.getLast().newValue()) - Long.parseLong(amounts.getFirst().oldValue());
                amountDeals++;
            }
        }
        return new Moves(lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4), lists.get(5), net, amountDeals);
    }

    /**
     * The five lists the sandbox serves for forecast tab "forecast" (factor 1), the whole org, every type, in USD:
     * every week of the quarter so far (as includeHistorical) or the latest only. Tests read their expected
     * week-by-week numbers from it.
     */
    public Json forecastResults(String quarterId, boolean allWeeks) {
        return ForecastResults.build(this, new ForecastResults.Request("forecast", quarterId, cro().userId(), "USD",
                ForecastResults.TYPES, allWeeks), 1.0);
    }

    public String currentQuarter() { return quarterOf(today); }

    /** The quarters with seeded opportunities (and forecast exports): previous, current, next. */
    public List<String> seededQuarters() {
        LocalDate start = quarterStart(currentQuarter());
        return List.of(quarterOf(start.minusMonths(3)), currentQuarter(), quarterOf(start.plusMonths(3)));
    }

    public static String quarterOf(LocalDate d) {
        return d.getYear() + "_Q" + ((d.getMonthValue() - 1) / 3 + 1);
    }

    /** First day of a quarter id like {@code 2026_Q2}; throws IllegalArgumentException on another shape. */
    public static LocalDate quarterStart(String quarterId) {
        if (quarterId == null || !quarterId.matches("\\d{4}_Q[1-4]")) throw new IllegalArgumentException("not a quarter id");
        int q = quarterId.charAt(6) - '0';
        return LocalDate.of(Integer.parseInt(quarterId.substring(0, 4)), (q - 1) * 3 + 1, 1);
    }

    public static LocalDate quarterEnd(String quarterId) {
        return quarterStart(quarterId).plusMonths(3).minusDays(1);
    }

    public List<Actor> actors() { return actors; }
    public Actor actor(String actorId) {
        return actors.stream().filter(a -> a.actorId().equals(actorId)).findFirst().orElse(null);
    }

    /** All seeded audit events, newest first (some lie after {@link #now()} and are served only once reached). */
    public List<AuditEvent> auditEvents() { return events; }
}
