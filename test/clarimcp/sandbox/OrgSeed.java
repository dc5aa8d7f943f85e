package clarimcp.sandbox;

import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Generates the hierarchy and the opportunities of {@link SandboxOrg} from a seeded Random. */
final class OrgSeed {
    static final String REP_ROLE = "Account Executive";
    private static final String[] SEGMENTS = {"Enterprise", "Mid-Market", "SMB", "Public Sector"};
    private static final int[] REPS_PER_SEGMENT = {9, 10, 12, 6};
    private static final int[] OPPS_PER_REP = {7, 9, 11, 6};            // base, plus 0..3
    private static final long[] MIN_AMOUNT = {80_000, 25_000, 5_000, 50_000};
    private static final long[] MAX_AMOUNT = {900_000, 200_000, 60_000, 500_000};
    private static final long[] QUOTA = {1_200_000, 600_000, 250_000, 800_000};
    /** History edits happen in the 50 days before the anchor day: inside the 8 weeks of audit events. */
    private static final int HISTORY_DAYS = 50;

    private static final String[] FIRST = {"Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Gray", "Harper",
        "Indira", "Jordan", "Kai", "Logan", "Morgan", "Noor", "Oakley", "Parker", "Quinn", "Riley", "Sasha", "Taylor",
        "Uma", "Val", "Wren", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Chen", "Diego", "Esme", "Farid", "Greta",
        "Hugo", "Ines", "Jonas", "Keiko", "Lena", "Mateo", "Nadia"};
    private static final String[] LAST = {"Abbott", "Becker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia",
        "Hughes", "Ibrahim", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero",
        "Rossi", "Schmidt", "Tanaka", "Umar", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer"};
    private static final String[] ACCOUNTS = {"Acme Corp", "Globex", "Initech", "Umbrella Health", "Hooli", "Stark Industries",
        "Wayne Enterprises", "Soylent Foods", "Cyberdyne Systems", "Tyrell Corp", "Wonka Industries", "Gringotts Bank",
        "Oscorp", "Vandelay Industries", "Dunder Mifflin", "Pied Piper", "Massive Dynamic", "Aperture Science",
        "Monarch Solutions", "Nakatomi Trading", "Prestige Worldwide", "Sterling Cooper", "Bluth Company", "Vehement Capital",
        "Wernham Hogg", "Blue Sun", "Ollivanders", "Krusty Foods", "Duff Brewing", "Los Pollos Hermanos", "Gekko & Co",
        "Rekall", "Weyland Industries", "Virtucon", "Zorg Industries", "Northwind Traders", "Contoso", "Fabrikam",
        "Litware", "Tailspin Toys", "Adventure Works", "Wide World Importers", "Proseware", "Lucerne Publishing",
        "Margie's Travel", "City of Springfield", "State of Franklin", "County of Lakeside", "Port Authority of Bayview"};
    private static final String[] MOTIONS = {"Platform Expansion", "New Logo", "Renewal", "Analytics Upsell",
        "Seat Expansion", "Multi-Year Renewal", "Pilot", "Security Add-on", "Cloud Migration", "Enterprise Agreement"};
    private static final String[] LOW = {"No activity in 21 days", "Champion left the company", "No next step scheduled",
        "Economic buyer not engaged"};
    private static final String[] MID = {"Single-threaded: one contact engaged", "Pricing not yet discussed with economic buyer",
        "Close date pushed once", "Competitor in the deal"};
    private static final String[] HIGH = {"Strong engagement from economic buyer", "Mutual action plan agreed",
        "Legal review in progress", "Multi-threaded across four departments"};

    private OrgSeed() {}

    static List<User> users(Random r) {
        List<User> users = new ArrayList<>();
        List<String> names = names(r);
        int next = 0;
        long total = 0;
        List<User> managers = new ArrayList<>();
        List<User> reps = new ArrayList<>();
        for (int s = 0; s < SEGMENTS.length; s++) {
            String managerId = Integer.toString(1905 + s);
            long segmentQuota = 0;
            for (int i = 0; i < REPS_PER_SEGMENT[s]; i++) {
                long quota = QUOTA[s] + 25_000L * (r.nextInt(9) - 4);
                segmentQuota += quota;
                String id = Integer.toString(2001 + reps.size());
                reps.add(user(r, id, names.get(next++), managerId, REP_ROLE, id + "::REP", SEGMENTS[s], quota));
            }
            total += segmentQuota;
            managers.add(user(r, managerId, names.get(next++), "1001", "Sales Manager", managerId + "::MGR", SEGMENTS[s], segmentQuota));
        }
        users.add(user(r, "1001", names.get(next), null, "CRO", "1001::MGR", "All", total));
        users.addAll(managers);
        users.addAll(reps);
        return List.copyOf(users);
    }

    private static User user(Random r, String id, String name, String parent, String role, String scope, String segment, long quota) {
        String email = name.toLowerCase(Locale.ROOT).replace(' ', '.') + "@sandbox-org.example";
        return new User(id, name, email, salesforceId("005", r), parent, role, scope, segment, quota);
    }

    private static List<String> names(Random r) {
        List<String> all = new ArrayList<>();
        for (String f : FIRST) for (String l : LAST) all.add(f + " " + l);
        java.util.Collections.shuffle(all, r);
        return all;
    }

    static List<Opportunity> opportunities(Random r, List<User> users, LocalDate today) {
        String current = SandboxOrg.quarterOf(today);
        LocalDate qStart = SandboxOrg.quarterStart(current);
        LocalDate qEnd = SandboxOrg.quarterEnd(current);
        Set<String> usedNames = new HashSet<>();
        List<Opportunity> out = new ArrayList<>();
        for (User rep : users) {
            if (!rep.role().equals(REP_ROLE)) continue;
            int s = List.of(SEGMENTS).indexOf(rep.segment());
            List<User> peers = users.stream().filter(u -> u.role().equals(REP_ROLE) && u.segment().equals(rep.segment())
                    && !u.userId().equals(rep.userId())).toList();
            int count = OPPS_PER_REP[s] + r.nextInt(4);
            for (int i = 0; i < count; i++) {
                double where = r.nextDouble();
                LocalDate close;
                String stage;
                if (where < 0.25) {                                        // previous quarter: all closed
                    LocalDate start = qStart.minusMonths(3);
                    close = start.plusDays(r.nextInt((int) ChronoUnit.DAYS.between(start, qStart)));
                    stage = r.nextDouble() < 0.55 ? "Closed Won" : "Closed Lost";
                } else if (where < 0.70) {                                 // current quarter
                    boolean closed = today.isAfter(qStart) && r.nextDouble() < 0.3;
                    if (closed) {
                        close = qStart.plusDays(r.nextInt((int) ChronoUnit.DAYS.between(qStart, today)));
                        stage = r.nextDouble() < 0.6 ? "Closed Won" : "Closed Lost";
                    } else {
                        close = today.plusDays(r.nextInt((int) ChronoUnit.DAYS.between(today, qEnd) + 1));
                        stage = pick(r, new int[] {5, 10, 20, 25, 40});
                    }
                } else {                                                   // next quarter: open
                    close = qEnd.plusDays(1 + r.nextInt(90));
                    stage = pick(r, new int[] {30, 30, 20, 15, 5});
                }
                long amount = round500(MIN_AMOUNT[s] + (long) (r.nextDouble() * (MAX_AMOUNT[s] - MIN_AMOUNT[s])));
                String name = uniqueName(r, usedNames);
                salesforceId("006", r); // the draws a random id took, so the rest of the seeded org is unchanged
                out.add(opportunity(r, opportunityId(out.size()), name, amount, stage, close, category(r, stage), rep, peers, today));
            }
        }
        return List.copyOf(out);
    }

    private static Opportunity opportunity(Random r, String id, String name, long amount, String stage, LocalDate close,
                                           String category, User owner, List<User> peers, LocalDate today) {
        Map<String, String> state = new HashMap<>(Map.of("amount", Long.toString(amount), "stage", stage,
                "closeDate", close.toString(), "forecastCategory", category, "owner", owner.userId()));
        boolean closed = stage.startsWith("Closed");
        LocalDate end = closed && close.isBefore(today) ? close.plusDays(1) : today;
        int edits = r.nextInt(4);
        boolean pushedTwice = !closed && r.nextDouble() < 0.12;
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < edits + (pushedTwice ? 2 : 0); i++) {
            long seconds = (long) (r.nextInt(HISTORY_DAYS) + 1) * 86_400 - (8 + r.nextInt(10)) * 3600L - r.nextInt(3600);
            times.add(end.atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(seconds).plusMillis(r.nextInt(1000)));
        }
        times.sort(java.util.Comparator.reverseOrder());
        List<Change> newestFirst = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            String field = pushedTwice && i < 2 ? "closeDate" : pickField(r, state, peers);
            String now = state.get(field);
            // A draw already taken (the edit's millisecond) turns a quarter of close-date edits into pull-ins and
            // of Best Case/Pipeline ones into drops out of Commit, so changed_since has both to report [spec:
            // trendHistory dates each change] while the rest of the seeded org stays as it was.
            boolean reverse = !(pushedTwice && i < 2) && times.get(i).toEpochMilli() % 4 == 0;
            String old = previous(r, field, now, peers, reverse);
            newestFirst.add(new Change(field, old, now, times.get(i)));
            state.put(field, old);
        }
        List<Change> history = new ArrayList<>(newestFirst.reversed());
        int score;
        String message;
        if (closed) {
            score = stage.equals("Closed Won") ? 100 : 0;
            message = stage;
        } else {
            score = Math.clamp(30 + 10L * SandboxOrg.STAGES.indexOf(stage) + r.nextInt(25) - 12 - (pushedTwice ? 25 : 0), 1, 99);
            message = pushedTwice ? "Close date pushed twice"
                    : (score < 40 ? LOW : score < 70 ? MID : HIGH)[r.nextInt(4)];
        }
        return new Opportunity(id, name, amount, stage, close, category, owner.userId(), score, message, List.copyOf(history));
    }

    private static String pickField(Random r, Map<String, String> state, List<User> peers) {
        if (r.nextDouble() < 0.06 && !peers.isEmpty()) return "owner";
        String[] fields = {"amount", "stage", "closeDate", "forecastCategory"};
        String f = fields[r.nextInt(fields.length)];
        return f.equals("stage") && state.get("stage").equals("Prospecting") ? "amount" : f;
    }

    /** A plausible value the field had before it became {@code now}; reverse: a later close date, or Commit. */
    private static String previous(Random r, String field, String now, List<User> peers, boolean reverse) {
        return switch (field) {
            case "amount" -> {
                long v = Long.parseLong(now);
                long old = round500((long) (v * (0.7 + 0.6 * r.nextDouble())));
                yield Long.toString(old == v ? v + 5_000 : old);
            }
            case "stage" -> now.startsWith("Closed") ? (r.nextBoolean() ? "Negotiation" : "Proposal")
                    : SandboxOrg.STAGES.get(SandboxOrg.STAGES.indexOf(now) - 1);
            case "closeDate" -> LocalDate.parse(now).plusDays((reverse ? 1 : -1) * (7 + r.nextInt(39))).toString();
            case "forecastCategory" -> switch (now) {
                case "Best Case", "Pipeline" -> reverse ? "Commit" : now.equals("Best Case") ? "Pipeline" : "Best Case";
                case "Closed" -> "Commit";
                case "Commit" -> "Best Case";
                case "Omitted" -> "Pipeline";
                default -> "Best Case";
            };
            case "owner" -> {
                List<String> others = peers.stream().map(User::userId).filter(id -> !id.equals(now)).toList();
                yield others.get(r.nextInt(others.size()));   // every segment has several reps
            }
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static String category(Random r, String stage) {
        double x = r.nextDouble();
        return switch (stage) {
            case "Closed Won" -> "Closed";
            case "Closed Lost" -> "Omitted";
            case "Negotiation" -> x < 0.75 ? "Commit" : "Best Case";
            case "Proposal" -> x < 0.25 ? "Commit" : x < 0.8 ? "Best Case" : "Pipeline";
            case "Solution" -> x < 0.6 ? "Pipeline" : "Best Case";
            default -> x < 0.85 ? "Pipeline" : "Omitted";
        };
    }

    /** An open stage, by weights for Prospecting..Negotiation. */
    private static String pick(Random r, int[] weights) {
        int x = r.nextInt(100);
        for (int i = 0; i < weights.length; i++) {
            if ((x -= weights[i]) < 0) return SandboxOrg.STAGES.get(i);
        }
        return SandboxOrg.STAGES.get(4);
    }

    private static String uniqueName(Random r, Set<String> used) {
        while (true) {
            String name = ACCOUNTS[r.nextInt(ACCOUNTS.length)] + " - " + MOTIONS[r.nextInt(MOTIONS.length)];
            if (used.add(name)) return name;
        }
    }

    /**
     * An 18-character Salesforce id: key prefix, 12 base-62 characters, and the real checksum suffix
     * ({@link #salesforce18}). Three draws are still taken where the suffix used to be random, so the
     * rest of the seeded org stays as it was.
     */
    static String salesforceId(String prefix, Random r) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder id = new StringBuilder(prefix).append("5e");
        while (id.length() < 15) id.append(alphabet.charAt(r.nextInt(alphabet.length())));
        for (int i = 0; i < 3; i++) r.nextInt(26);
        return salesforce18(id.toString());
    }

    /**
     * The n-th seeded deal's id, the same every day (the demo names some literally, as pasted from a CRM
     * report): as Salesforce builds ids, key prefix 006, a 2-character pod, a reserved 0 and a 9-character
     * base-62 record number counting up, then the checksum.
     */
    static String opportunityId(int n) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        char[] number = "00Bq7Xk00".toCharArray();
        for (int i = number.length - 1, carry = n; carry > 0; i--) {
            int d = alphabet.indexOf(number[i]) + carry;
            number[i] = alphabet.charAt(d % 62);
            carry = d / 62;
        }
        return salesforce18("0065e0" + new String(number));
    }

    /**
     * Salesforce's 15 to 18 rule: character i of the 15 sets bit (i mod 5) of suffix character i / 5 when
     * it is an upper-case letter; each 5-bit value is written as one of A-Z0-5. Written here apart from
     * the tool's copy, so that a bug in one is caught by the other.
     */
    static String salesforce18(String id15) {
        int[] bits = new int[3];
        for (int i = 0; i < 15; i++) {
            if (Character.isUpperCase(id15.charAt(i))) bits[i / 5] += 1 << (i % 5);
        }
        StringBuilder out = new StringBuilder(id15);
        for (int b : bits) out.append("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".charAt(b));
        return out.toString();
    }

    private static long round500(long v) {
        return Math.max(500, Math.round(v / 500.0) * 500);
    }
}
