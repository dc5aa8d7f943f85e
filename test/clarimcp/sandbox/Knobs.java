package clarimcp.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault and behaviour knobs, flipped by tests while the sandbox runs. Every field is volatile or atomic,
 * so a setter called on the test thread is seen by the next request. Setters return {@code this}.
 * The "next n" knobs count down once per request (or response) that they affect; when several are armed,
 * a request meets them in this order: rate limit, 5xx, redirect; malformed and huge replace the body of a
 * response that would otherwise be sent.
 */
public final class Knobs {
    private volatile Duration jobDuration = Duration.ofSeconds(1);
    private volatile boolean nestJobStatus;
    private volatile boolean failJobs;
    private volatile boolean jobsNeverFinish;
    private volatile int concurrentLimit = 3;
    private volatile int monthlyQuota = 1000;
    private volatile Duration delay = Duration.ZERO;
    private volatile int retryAfterSeconds;
    private volatile int failStatus = 503;
    private volatile long hugeBytes;
    private volatile String redirectLocation = "/";
    private volatile int limitsStatus;
    private volatile boolean wrapOpportunities;
    private volatile boolean otherCrmIds;
    private volatile int syncStatus;
    private volatile boolean syncRefusesCrm;
    private volatile boolean noOptin;
    private volatile int syntheticReps;
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger failing = new AtomicInteger();
    private final AtomicInteger malformed = new AtomicInteger();
    private final AtomicInteger huge = new AtomicInteger();
    private final AtomicInteger redirected = new AtomicInteger();

    /** Time from submit to DONE (SCHEDULED for the first third, then STARTED); read at submit. Default 1 s. */
    public Knobs jobDuration(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("negative duration");
        jobDuration = d;
        return this;
    }

    /** Serve job status nested as {@code {"job":{...}}} (GitLab's reading) instead of flat (the reference). */
    public Knobs nestJobStatus(boolean on) { nestJobStatus = on; return this; }

    /** Jobs submitted while on end FAILED instead of DONE. */
    public Knobs failJobs(boolean on) { failJobs = on; return this; }

    /** Jobs submitted while on stay STARTED forever (they keep counting against the concurrent limit). */
    public Knobs jobsNeverFinish(boolean on) { jobsNeverFinish = on; return this; }

    /** Jobs that may be SCHEDULED/STARTED at once; a submit beyond it answers 400. Default 3. */
    public Knobs concurrentLimit(int n) { concurrentLimit = nonNegative(n); return this; }

    /** Submits allowed in total (the sandbox lives within one month); beyond it 400. Default 1000. */
    public Knobs monthlyQuota(int n) { monthlyQuota = nonNegative(n); return this; }

    /** The next n requests get 429 with {@code Retry-After: seconds}. */
    public Knobs rateLimitNext(int n, int seconds) {
        retryAfterSeconds = nonNegative(seconds);
        rateLimited.set(nonNegative(n));
        return this;
    }

    /** The next n requests get {@code status} (500..599) with an HTML body, as a proxy in front of Clari would. */
    public Knobs failNext(int n, int status) {
        if (status < 500 || status > 599) throw new IllegalArgumentException("status must be 5xx");
        failStatus = status;
        failing.set(nonNegative(n));
        return this;
    }

    /** GET /admin/limits answers this status (e.g. 403 for a token without admin rights) instead of the limits; 0 = normal. */
    public Knobs limitsStatus(int status) {
        if (status != 0 && (status < 400 || status > 599)) throw new IllegalArgumentException("status must be 0 or 4xx/5xx");
        limitsStatus = status;
        return this;
    }

    /** GET /opportunity answers {@code {"opportunities":[...]}} (the tap's reading) instead of a bare array (the reference). */
    public Knobs wrapOpportunities(boolean on) { wrapOpportunities = on; return this; }

    /** GET /opportunity also knows {@link SandboxOrg#OTHER_CRM_IDS} (Dynamics, HubSpot, opp_001 styles; no source). */
    public Knobs otherCrmIds(boolean on) { otherCrmIds = on; return this; }

    /**
     * GET /forecast/{id} answers this status (404, 405 or 501: an org or forecast without the synchronous
     * read, which no source documents) instead of the latest week; 0 = normal.
     */
    public Knobs syncStatus(int status) {
        if (status != 0 && status != 404 && status != 405 && status != 501) throw new IllegalArgumentException("status must be 0, 404, 405 or 501");
        syncStatus = status;
        return this;
    }

    /** GET /forecast/{id} refuses crm_total and crm_closed with 400 type_not_supported, as the export API does [spec]. */
    public Knobs syncRefusesCrm(boolean on) { syncRefusesCrm = on; return this; }

    /** Both forecast reads answer 401 no_optin: the token's user is not opted into the forecast [spec]. */
    public Knobs noOptin(boolean on) { noOptin = on; return this; }

    /** Every response is delayed by d (before any fault). Default zero. */
    public Knobs delay(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("negative duration");
        delay = d;
        return this;
    }

    /** The next n responses have their JSON body cut in half (status and headers unchanged). */
    public Knobs malformedNext(int n) { malformed.set(nonNegative(n)); return this; }

    /** The next n responses are 200 with a valid JSON object of exactly {@code bytes} bytes (at least 16). */
    public Knobs hugeNext(int n, long bytes) {
        if (bytes < 16) throw new IllegalArgumentException("bytes < 16");
        hugeBytes = bytes;
        huge.set(nonNegative(n));
        return this;
    }

    /** The next n requests get 302 with {@code Location: location} and an empty body. */
    public Knobs redirectNext(int n, String location) {
        redirectLocation = Objects.requireNonNull(location);
        redirected.set(nonNegative(n));
        return this;
    }

    /**
     * Export results of a real org's size: n synthetic reps (spread under the seeded managers) join the seeded
     * users, and every export's results carry every week of its quarter (13 for a past one), whatever
     * includeHistorical said: a bench knob, to measure a 13-week export of tens of MB. Values are synthetic
     * (manager roll-ups do not add up); keys and types are the sandbox's own [tap][gitlab]. 0 (default): off.
     */
    public Knobs syntheticReps(int n) { syntheticReps = nonNegative(n); return this; }

    /** Back to the defaults: no faults armed, 1 s jobs, limits 3 and 1000. */
    public Knobs reset() {
        rateLimited.set(0); failing.set(0); malformed.set(0); huge.set(0); redirected.set(0);
        jobDuration = Duration.ofSeconds(1); delay = Duration.ZERO;
        nestJobStatus = false; failJobs = false; jobsNeverFinish = false;
        concurrentLimit = 3; monthlyQuota = 1000;
        limitsStatus = 0; syncStatus = 0; syncRefusesCrm = false; noOptin = false;
        wrapOpportunities = false; otherCrmIds = false; syntheticReps = 0;
        return this;
    }

    public Duration jobDuration() { return jobDuration; }
    int syntheticReps() { return syntheticReps; }
    public boolean nestJobStatus() { return nestJobStatus; }
    public boolean failJobs() { return failJobs; }
    public boolean jobsNeverFinish() { return jobsNeverFinish; }
    public int concurrentLimit() { return concurrentLimit; }
    public int monthlyQuota() { return monthlyQuota; }
    public int limitsStatus() { return limitsStatus; }
    public boolean wrapOpportunities() { return wrapOpportunities; }
    public boolean otherCrmIds() { return otherCrmIds; }
    public int syncStatus() { return syncStatus; }
    public boolean syncRefusesCrm() { return syncRefusesCrm; }
    public boolean noOptin() { return noOptin; }
    public Duration delay() { return delay; }

    // Used by the sandbox: each take* consumes one armed count and says whether it applied.
    boolean takeRateLimit() { return take(rateLimited); }
    int retryAfterSeconds() { return retryAfterSeconds; }
    boolean takeFailure() { return take(failing); }
    int failStatus() { return failStatus; }
    boolean takeRedirect() { return take(redirected); }
    String redirectLocation() { return redirectLocation; }
    boolean takeMalformed() { return take(malformed); }
    boolean takeHuge() { return take(huge); }
    long hugeBytes() { return hugeBytes; }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    private static int nonNegative(int n) {
        if (n < 0) throw new IllegalArgumentException("negative count");
        return n;
    }
}
