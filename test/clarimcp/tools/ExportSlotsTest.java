package clarimcp.tools;

import clarimcp.mcp.Tool;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.tools.Fixtures.Recording;
import clarimcp.tools.Fixtures.Sandboxed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * get_forecast against Clari's export limits, with the synchronous read switched off (404/405/501) so every
 * call exports: a full concurrent limit is waited out (with progress) within the polling budget, a spent
 * monthly quota stops at once, Clari's one refusal code for both is told apart by /admin/limits (and said to be
 * ambiguous when they cannot be read), and identical calls in flight share one export job.
 */
@Timeout(30)
class ExportSlotsTest {
    private static final String LIMIT_UNKNOWN = "Clari refused the export: the org's monthly export quota or all its concurrent "
            + "export slots are used (400 export_monthly_quota_reached); this token cannot read /admin/limits to tell which "
            + "(a Clari admin's can). Retry in a few minutes; if it persists, the monthly quota is spent";

    @Test
    void slotTaken_thenFreed_waitsWithProgress_thenExports() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().concurrentLimit(1).jobDuration(Duration.ofMillis(1500));
            s.client().submitForecastExport("net_arr", Json.Obj.EMPTY); // another user's export holds the only slot
            s.sb().knobs().jobDuration(Duration.ofMillis(300));
            Recording ctx = new Recording();
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, ctx);

            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
            assertEquals(2, posts(s), "the other export and ours; none refused");
            assertTrue(limitReads(s) >= 2, "re-read until the slot freed");
            assertEquals("Waiting for a free Clari export slot (0 of 1 free)", ctx.progress.get(0).message());
            assertNull(ctx.progress.get(0).total(), "no total: the polling budget is not the number of steps");
            assertTrue(ctx.progress.getLast().message().equals("Export job DONE"), ctx.progress.getLast().message());
        }
    }

    @Test
    void limitsUnreadable_limitRefusal_saysItIsTheQuotaOrTheSlots_noRetry() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().concurrentLimit(1).jobDuration(Duration.ofSeconds(5));
            s.client().submitForecastExport("net_arr", Json.Obj.EMPTY);
            s.sb().knobs().limitsStatus(403);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals(LIMIT_UNKNOWN, msg);
            assertEquals(2, posts(s), "the other export, then ours refused once: one code for both limits, so no blind retry");
        }
    }

    @Test
    void currentWeek_spendsNoExport_evenWithTheQuotaSpent() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().monthlyQuota(0).concurrentLimit(0);
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals("sync", r.structured().str("source"));
            assertEquals(0, posts(s));
            assertEquals(0, limitReads(s), "no limits check either: the synchronous read needs no slot");
        }
    }

    @Test
    void limitsUnavailable_goesAheadAndSubmits() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().limitsStatus(404).jobDuration(Duration.ofMillis(300));
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertFalse(r.isError());
            assertEquals(1, posts(s));
            assertEquals(1, limitReads(s));
        }
    }

    @Test
    void monthlyQuotaSpent_saysSo_andSubmitsNothing() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().monthlyQuota(0);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals("Clari's monthly export quota is used up (0 of 0 exports left): get_forecast cannot run until it "
                    + "resets; get_pipeline_changes and get_deal_risk do not use it", msg);
            assertEquals(0, posts(s));
        }
    }

    @Test
    void monthlyQuotaSpent_limitsUnreadable_clarisRefusalIsShown_noRetry() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().monthlyQuota(0).limitsStatus(403);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals(LIMIT_UNKNOWN, msg);
            assertEquals(1, posts(s));
        }
    }

    @Test
    void slotNeverFrees_stopsWhenTheBudgetIsSpent_withAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "3")) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().concurrentLimit(0);
            Recording ctx = new Recording();
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, ctx));
            assertTrue(msg.matches("No Clari export slot became free within 3 checks \\(~\\d+ s\\): other exports are using "
                    + "the org's concurrent limit; retry later, or raise CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS "
                    + "to wait longer"), msg);
            assertEquals(0, posts(s));
            assertEquals(4, limitReads(s), "the first read and one per check");
            assertEquals(3, ctx.progress.size());
        }
    }

    @Test
    void identicalConcurrentCalls_shareOneJob_bothGetTheTable() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobDuration(Duration.ofMillis(1200));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            Json.Obj args = obj("{\"time_period\":\"" + s.sb().org().currentQuarter() + "\"}");
            Recording first = new Recording();
            Recording second = new Recording();
            AtomicReference<Object> a = call(tool, args, first);
            while (posts(s) == 0) Thread.sleep(10);
            AtomicReference<Object> b = call(tool, args, second);
            Tool.Result ra = await(a);
            Tool.Result rb = await(b);

            assertEquals(1, posts(s), "one export job for two identical calls");
            assertEquals(ra.structured(), rb.structured());
            assertEquals(ra.text(), rb.text());
            assertFalse(second.progress.isEmpty(), "the second caller sees the shared job's progress");
        }
    }

    @Test
    void exportBudgetPerHour_reached_refusesBeforeThePost_sayingWhatWasSpentAndTheVariable() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_MAX_EXPORTS_PER_HOUR", "2", "CLARI_CACHE_SECONDS", "0")) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobDuration(Duration.ZERO);
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            assertFalse(tool.call(Json.Obj.EMPTY, Fixtures.NONE).isError());
            assertFalse(tool.call(Json.Obj.EMPTY, Fixtures.NONE).isError());
            String msg = toolError(() -> tool.call(Json.Obj.EMPTY, Fixtures.NONE));
            assertTrue(msg.matches("Local export budget reached: 2 Clari export jobs started in the last hour "
                    + "\\(CLARI_MAX_EXPORTS_PER_HOUR=2; each spends one of the org's monthly exports\\)\\. The next frees in ~60 min "
                    + "\\(\\d\\d:\\d\\d UTC\\); raise CLARI_MAX_EXPORTS_PER_HOUR to allow more"), msg);
            assertEquals(2, posts(s), "the third call sent no POST");
        }
    }

    @Test
    void exportBudget_isASlidingHour() throws Exception {
        AtomicLong now = new AtomicLong();
        ForecastExport.Session session = new ForecastExport.Session(now::get);
        session.spend(2);
        now.addAndGet(TimeUnit.MINUTES.toNanos(30));
        session.spend(2);
        String msg = assertThrows(clarimcp.mcp.Tool.Failure.class, () -> session.spend(2)).getMessage();
        assertTrue(msg.contains("2 Clari export jobs started in the last hour") && msg.contains("next frees in ~30 min"), msg);
        now.addAndGet(TimeUnit.MINUTES.toNanos(30)); // the first POST is an hour old: its place is free
        session.spend(2);
        assertThrows(clarimcp.mcp.Tool.Failure.class, () -> session.spend(2), "the second and third are within the hour");
        String zero = assertThrows(clarimcp.mcp.Tool.Failure.class, () -> new ForecastExport.Session(now::get).spend(0)).getMessage();
        assertTrue(zero.contains("CLARI_MAX_EXPORTS_PER_HOUR is 0"), zero);
    }

    @Test
    void expectedJobEnd_middleOfTheLastSpan_orABitBeforeAFirstCheckThatSawItDone() {
        ForecastExport.Session session = new ForecastExport.Session(() -> 0);
        assertEquals(0, session.expectedJobNanos(), "unknown before the first job");
        session.jobEnded(3_950, 6_570); // unfinished at 3.95, DONE at 6.57
        assertEquals(5_260, session.expectedJobNanos());
        session.jobEnded(0, 5_260);     // DONE at the first check: it may be shorter now
        assertEquals(4_734, session.expectedJobNanos());
    }

    @Test
    void recentAnswers_validForTheAskedAge_oldestDroppedBeyondTheBound() {
        AtomicLong now = new AtomicLong();
        ForecastExport.Recent<String> recent = new ForecastExport.Recent<>(2, now::get);
        recent.put("a", "A");
        now.addAndGet(5);
        assertEquals(new ForecastExport.Recent.Hit<>("A", 5), recent.get("a", 6));
        now.addAndGet(1);
        assertNull(recent.get("a", 6), "6 ns old is not fresher than 6 ns");
        assertNull(recent.get("a", 100), "an expired answer is forgotten, not kept for a laxer caller");
        recent.put("a", "A");
        recent.put("b", "B");
        recent.get("a", 100); // a is now the most recently used
        recent.put("c", "C");
        assertNull(recent.get("b", 100), "the least recently used went at the bound");
        assertEquals("A", recent.get("a", 100).value());
        assertEquals("C", recent.get("c", 100).value());
    }

    @Test
    void secondExport_firstCheckNearThePreviousJobsDuration_thenBackOff() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_INTERVAL_SECONDS", null, "CLARI_CACHE_SECONDS", "0")) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobDuration(Duration.ofSeconds(1));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            Recording first = new Recording();
            assertFalse(tool.call(Json.Obj.EMPTY, first).isError());
            long firstPolls = statusPolls(s);
            // Waits of 0.25, 0.4, 0.64 s: the 1 s job is seen DONE on the 3rd check, 1.29 s or more after the submit.
            assertEquals(3, firstPolls);
            Recording second = new Recording();
            assertFalse(tool.call(Json.Obj.EMPTY, second).isError());
            // The next job is first checked between the last unfinished check and the DONE one (>= 0.97 s), then
            // 0.25 s later: done at the first or second check, never the third.
            long secondPolls = statusPolls(s) - firstPolls;
            assertTrue(secondPolls == 1 || secondPolls == 2, "checks for the second job: " + secondPolls);
            assertEquals("Export job DONE", second.progress.getLast().message());
            assertTrue(second.logs.stream().anyMatch(l -> l.matches("export job done after " + secondPolls + " status checks in \\d+ ms")),
                    second.logs.toString());
        }
    }

    @Test
    void differentRequests_doNotShare() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobDuration(Duration.ofMillis(800));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            AtomicReference<Object> a = call(tool, obj("{\"currency\":\"USD\"}"), Fixtures.NONE);
            AtomicReference<Object> b = call(tool, obj("{\"currency\":\"EUR\"}"), Fixtures.NONE);
            await(a);
            await(b);
            assertEquals(2, posts(s));
        }
    }

    @Test
    void cancelledSharer_leaves_theOtherCallStillGetsItsResult() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobDuration(Duration.ofMillis(1200));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            AtomicReference<Object> a = call(tool, Json.Obj.EMPTY, Fixtures.NONE);
            while (posts(s) == 0) Thread.sleep(10);
            Recording ctx = new Recording();
            AtomicReference<Object> b = new AtomicReference<>();
            Thread tb = Thread.ofVirtual().start(() -> run(tool, Json.Obj.EMPTY, ctx, b));
            while (ctx.progress.isEmpty()) Thread.sleep(10); // b is attached to the shared job
            tb.interrupt();
            assertTrue(tb.join(Duration.ofSeconds(5)));
            assertInstanceOf(InterruptedException.class, b.get());
            assertFalse(await(a).isError());
            assertEquals(1, posts(s));
        }
    }

    @Test
    void lastWaiterCancelled_stopsTheSharedPolling() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "1000")) {
            s.sb().knobs().syncStatus(405); // no synchronous read: every call exports
            s.sb().knobs().jobsNeverFinish(true);
            Recording ctx = new Recording();
            AtomicReference<Object> out = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> run(new Fixtures.Checked(GetForecast.tool(s)), Json.Obj.EMPTY, ctx, out));
            while (ctx.progress.isEmpty()) Thread.sleep(10);
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(5)));
            Thread.sleep(300); // let a poll that was already on the wire land
            long polls = statusPolls(s);
            Thread.sleep(1000); // at 0.2 s intervals a live poller would have polled again by now
            assertEquals(polls, statusPolls(s), "no polling once nobody waits");
        }
    }

    private static AtomicReference<Object> call(Fixtures.Checked tool, Json.Obj args, Tool.Context ctx) {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread.ofVirtual().start(() -> run(tool, args, ctx, out));
        return out;
    }

    private static void run(Fixtures.Checked tool, Json.Obj args, Tool.Context ctx, AtomicReference<Object> out) {
        Object r;
        try {
            r = tool.call(args, ctx);
        } catch (Throwable e) {
            r = e;
        }
        synchronized (out) {
            out.set(r);
            out.notifyAll();
        }
    }

    private static Tool.Result await(AtomicReference<Object> out) throws InterruptedException {
        synchronized (out) {
            while (out.get() == null) out.wait();
        }
        if (out.get() instanceof Throwable t) throw new AssertionError("call failed", t);
        Tool.Result r = (Tool.Result) out.get();
        assertNotNull(r.structured(), r.text());
        return r;
    }

    private static long posts(Sandboxed s) {
        return s.sb().requests().stream().filter(q -> q.method().equals("POST")).count();
    }

    private static long limitReads(Sandboxed s) {
        return s.sb().requests().stream().filter(q -> q.path().equals("/v4/admin/limits")).count();
    }

    private static long statusPolls(Sandboxed s) {
        return s.sb().requests().stream().filter(q -> q.path().matches("/v4/export/jobs/[^/]+")).count();
    }
}
