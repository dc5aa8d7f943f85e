package clarimcp.tools;

import clarimcp.mcp.Tool;
import static clarimcp.tools.Fixtures.assertConforms;
import static clarimcp.tools.Fixtures.obj;
import static clarimcp.tools.Fixtures.toolError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clarimcp.json.Json;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg;
import clarimcp.tools.Fixtures.Recording;
import clarimcp.tools.Fixtures.Sandboxed;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetForecastTest {
    /** Field names the sandbox serves, and the forecast category each sums. */
    private static final Map<String, String> CATEGORY = Map.of(
            "Commit", "Commit", "Best Case", "Best Case", "Pipeline", "Pipeline", "Closed", "Closed");
    private static final String SYNC_PATH = "/v4/forecast/forecast";

    @Test
    @Timeout(30)
    void syncRead_oneRequest_rowsQuotaAdjustmentsHierarchyAndTotalsMatchTheOrg() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            Tool.Result r = tool.call(obj("{\"time_period\":\"" + q + "\"}"), Fixtures.NONE);

            List<RecordedRequest> sent = s.sb().requests();
            assertEquals(1, sent.size(), "one synchronous read, no job, no limits check: " + sent);
            assertEquals(SYNC_PATH, sent.get(0).path());
            assertEquals("GET", sent.get(0).method());

            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);
            assertEquals("sync", st.str("source"));
            assertEquals(q, st.str("timePeriod"));
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Pipeline", "Closed", "Quota"), Fixtures.fields(st));
            assertTrue(st.str("legend").contains("Commit, Best Case = forecast calls; Commit (adj.) = manager adjustments; "
                    + "Pipeline, Closed = CRM totals; Quota = quota"), st.str("legend"));
            Map<String, Json.Obj> rows = Fixtures.rowsByName(st);
            assertEquals(org.users().size(), rows.size());
            for (SandboxOrg.User u : org.users()) {
                Json.Obj values = rows.get(u.name());
                assertEquals(u.hierarchyName(), values.str("Role"), "the role is Clari's hierarchyName");
                for (Map.Entry<String, String> f : CATEGORY.entrySet()) {
                    assertEquals(org.categoryTotal(u.userId(), q, f.getValue()), num(values, f.getKey()), u.name() + " " + f.getKey());
                }
                assertEquals(u.quota(), num(values, "Quota"), "quota read from quotaValue");
                SandboxOrg.Adjustment adj = org.commitAdjustment(u.userId(), q);
                if (adj == null) assertFalse(values.has("Commit (adj.)"), u.name());
                else assertEquals(adj.value(), num(values, "Commit (adj.)"), u.name() + " adjusted Commit, from adjustmentValue");
                int depth = u.parentUserId() == null ? 0 : org.user(u.parentUserId()).parentUserId() == null ? 1 : 2;
                assertEquals(depth, ((Json.Num) values.get("Level")).longValueExact(), u.name() + ": tree from parentHierarchyId");
                assertEquals(depth < 2 ? u.scopeId() : null, values.str("Scope id"), "managers show their scope id");
            }
            assertEquals(org.cro().name(), ((Json.Str) ((Json.Arr) st.arr("rows").items().get(0)).items().get(0)).value(),
                    "the CRO leads, teams follow");
            List<Json.Obj> adjustments = st.obj("adjustments").arr("rows").items().stream()
                    .map(j -> Fixtures.zip(st.obj("adjustments").arr("columns"), (Json.Arr) j)).toList();
            assertEquals(2, adjustments.size());
            for (Json.Obj a : adjustments) {
                assertEquals(org.cro().name(), a.str("By"), "adjustedBy resolved to the user's name");
                assertEquals("Commit (adj.)", a.str("Column"));
            }
            Json.Obj totals = Fixtures.total(st);
            long croCommit = org.categoryTotal(org.cro().userId(), q, "Commit");
            assertEquals(croCommit, num(totals, "Commit"), "the CRO's roll-up, never a manager added to their team");
            assertEquals(croCommit, num(totals, "Commit (adj.)"), "the unadjusted top-level call stands in the adjusted total");
            assertEquals(org.cro().quota(), num(totals, "Quota"));
            assertEquals("Total (top-level rows)", totals.str("User"));

            assertTrue(r.text().contains("Total (top-level rows)"), r.text());
            assertTrue(r.text().contains(Text.money(BigDecimal.valueOf(croCommit))), r.text());
            assertTrue(r.text().contains("Columns: Commit, Best Case = forecast calls; Commit (adj.) = manager adjustments; "
                    + "Pipeline, Closed = CRM totals; Quota = quota"), r.text());
            assertTrue(r.text().contains("| " + org.cro().name() + " |"), r.text());
            assertTrue(r.text().contains("no export job, no export quota spent"), r.text());
            assertFalse(r.text().contains("not the requested"), r.text());
        }
    }

    @Test
    @Timeout(30)
    void syncRead_query_asksEveryTypeWithCrmTotals_asTheProductionClientsDo() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"time_period\":\"2026_Q2\",\"currency\":\"EUR\",\"scope_id\":\"1905::MGR\"}"), Fixtures.NONE);
            RecordedRequest get = s.sb().requests().get(0);
            assertEquals(SYNC_PATH, get.path());
            assertEquals("currency=EUR&scopeId=1905%3A%3AMGR&timePeriod=2026_Q2&typesToExport=forecast&typesToExport=quota"
                    + "&typesToExport=forecast_updated&typesToExport=adjustment&typesToExport=crm_total&typesToExport=crm_closed"
                    + "&exportFormat=JSON", get.query());
        }
    }

    @Test
    @Timeout(30)
    void syncRefusesCrmTotals_retriedOnceWithoutThem_andTheResultSaysWhichColumnsAreMissing() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncRefusesCrm(true);
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            List<RecordedRequest> sent = s.sb().requests();
            assertEquals(2, sent.size(), sent.toString());
            assertTrue(sent.get(0).query().contains("crm_total"));
            assertFalse(sent.get(1).query().contains("crm_"), sent.get(1).query());
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Quota"), Fixtures.fields(r.structured()));
            assertTrue(r.text().contains("NOTE: CRM totals are missing: Clari refused crm_total and crm_closed for this forecast "
                    + "(400 type_not_supported)"), r.text());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 405, 501})
    @Timeout(30)
    void noSyncRead_fallsBackToAnExport_withoutCrmTypes_andRemembersItForTheSession(int status) throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            s.sb().knobs().syncStatus(status).jobDuration(Duration.ofMillis(300));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            Tool.Result r = tool.call(obj("{\"time_period\":\"" + q + "\",\"currency\":\"EUR\",\"scope_id\":\"1905::MGR\"}"),
                    Fixtures.NONE);
            assertEquals(SYNC_PATH, s.sb().requests().get(0).path());
            RecordedRequest post = s.sb().requests().stream().filter(x -> x.method().equals("POST")).findFirst().orElseThrow();
            assertEquals("/v4/export/forecast/forecast", post.path());
            Json.Obj body = obj(post.body());
            assertEquals(q, body.str("timePeriod"));
            assertEquals(List.of("forecast", "quota", "forecast_updated", "adjustment"), strings(body.arr("typesToExport")),
                    "the export API refuses CRM totals: never asked");
            assertEquals("1905::MGR", body.str("scopeId"));
            assertEquals("EUR", body.str("currency"));
            assertEquals("NONE", body.str("schedule"));
            assertEquals(Json.Bool.FALSE, body.get("includeHistorical"));
            assertEquals("JSON", body.str("exportFormat"));

            Json.Obj st = r.structured();
            assertEquals("export", st.str("source"));
            SandboxOrg.User manager = org.byScope("1905::MGR");
            assertEquals(List.of("Commit", "Commit (adj.)", "Best Case", "Quota"), Fixtures.fields(st));
            assertEquals(manager.quota(), num(Fixtures.total(st), "Quota"));
            assertEquals(org.commitAdjustment(manager.userId(), q).value(), num(Fixtures.total(st), "Commit (adj.)"));
            assertTrue(r.text().contains("Read with a Clari export job"), r.text());

            s.sb().clearRequests();
            tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertTrue(s.sb().requests().stream().noneMatch(x -> x.path().equals(SYNC_PATH)), "remembered: no second sync attempt");
            assertTrue(s.sb().requests().stream().allMatch(x -> x.method().equals("GET") || x.path().startsWith("/v4/export/forecast/")));
        }
    }

    @Test
    @Timeout(30)
    void identicalCallsInFlight_shareOneSynchronousRead() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().delay(Duration.ofMillis(800));
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            AtomicReference<Object> other = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    other.set(tool.call(Json.Obj.EMPTY, Fixtures.NONE));
                } catch (Throwable e) {
                    other.set(e);
                }
            });
            while (s.sb().requests().isEmpty()) Thread.sleep(10);   // the first read is on the wire
            Tool.Result mine = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertTrue(t.join(Duration.ofSeconds(10)));
            assertEquals(mine.structured(), ((Tool.Result) other.get()).structured());
            assertEquals(1, s.sb().requests().size(), "one GET /forecast for both calls");
        }
    }

    @Test
    @Timeout(30)
    void notOptedIn_saysSo_notATokenProblem_andAsksOnce() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().noOptin(true);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals("Clari says the token's user is not opted into forecast 'forecast' (or the scope asked for) (HTTP 401 no_optin): "
                    + "ask a Clari admin to give that user access; the token itself is valid", msg);
            assertEquals(1, s.sb().requests().size());
        }
    }

    @Test
    @Timeout(30)
    void unknownForecast_asArgument_namesItAndTheSetting() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"forecast_id\":\"nope\"}"), Fixtures.NONE));
            assertEquals("Clari has no forecast 'nope' (400 no_such_forecast_config): pass as forecast_id the forecast tab id "
                    + "from the Clari URL (e.g. net_arr), or leave it out to use CLARI_FORECAST_ID", msg);
        }
    }

    @Test
    @Timeout(30)
    void unknownConfiguredForecast_throughTheExportToo_namesTheSetting() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_FORECAST_ID", "nope")) {
            s.sb().knobs().syncStatus(501);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertEquals("CLARI_FORECAST_ID 'nope' is not a forecast Clari knows (400 no_such_forecast_config): "
                    + "set it to the forecast tab id from the Clari URL (e.g. net_arr)", msg);
            assertEquals(1, s.sb().requests().stream().filter(x -> x.method().equals("POST")).count());
        }
    }

    @Test
    @Timeout(30)
    void scope_rowsAreTheManagersTeam_totalsAreTheManagersRow() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            SandboxOrg.User manager = org.byScope("1905::MGR");
            String q = org.currentQuarter();
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"scope_id\":\"1905::MGR\",\"time_period\":\"" + q + "\"}"), Fixtures.NONE);
            assertEquals(org.subtree(manager.userId()).size(), r.structured().arr("rows").size());
            assertEquals(org.categoryTotal(manager.userId(), q, "Best Case"), num(Fixtures.total(r.structured()), "Best Case"));
        }
    }

    @Test
    @Timeout(30)
    void unknownPeriod_clariFallsBack_andTheTextSaysSoFirst() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            String current = s.sb().org().currentQuarter();
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"time_period\":\"2019_Q1\"}"), Fixtures.NONE);
            String expected = "Clari returned " + current + ", not the requested 2019_Q1: it falls back to the current quarter "
                    + "when it does not recognise a parameter";
            assertTrue(r.text().contains(expected), r.text());
            assertTrue(r.text().indexOf(expected) < r.text().indexOf("Total ("), "the warning comes before the table");
            assertEquals("2019_Q1", r.structured().str("requestedTimePeriod"));
            assertEquals(current, r.structured().str("timePeriod"));
        }
    }

    @Test
    @Timeout(30)
    void nestedJobStatus_isUnderstood() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().nestJobStatus(true).jobDuration(Duration.ofMillis(600));
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
        }
    }

    @Test
    @Timeout(30)
    void failedJob_isAToolErrorWithAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().failJobs(true).jobDuration(Duration.ofMillis(300));
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertTrue(msg.matches("Clari export job \\S+ ended FAILED; retry later or check the forecast in Clari"), msg);
        }
    }

    @Test
    @Timeout(30)
    void jobThatNeverFinishes_stopsAfterTheConfiguredChecks_withAdvice() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "3")) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobsNeverFinish(true);
            Recording ctx = new Recording();
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, ctx));
            assertTrue(msg.matches("Clari's export job \\S+ did not finish after 3 checks \\(~\\d+ s\\); raise "
                    + "CLARI_POLL_MAX_ATTEMPTS or CLARI_POLL_INTERVAL_SECONDS, or retry later"), msg);
            assertEquals(3, statusPolls(s));
            assertEquals(3, ctx.progress.size());
        }
    }

    @Test
    @Timeout(30)
    void progress_isReportedOncePerPoll_increasing_withStatus() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobDuration(Duration.ofMillis(900));
            Recording ctx = new Recording();
            new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, ctx);
            int polls = statusPolls(s);
            assertTrue(polls >= 2, "a 0.9 s job needs more than one check at 0.25 s");
            assertEquals(polls, ctx.progress.size());
            for (int i = 0; i < polls; i++) {
                assertEquals(i + 1, ctx.progress.get(i).progress());
                // No total: the polling budget is a ceiling, not the steps left (a bar would jump to done).
                assertNull(ctx.progress.get(i).total(), "no total while polling");
                assertTrue(ctx.progress.get(i).message().matches("Export job (SCHEDULED|STARTED|DONE)"), ctx.progress.get(i).message());
            }
            assertEquals("Export job DONE", ctx.progress.get(polls - 1).message());
        }
    }

    @Test
    @Timeout(30)
    void twoSecondJob_withDefaultInterval_isCheckedAFewTimesOnly() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_INTERVAL_SECONDS", null)) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobDuration(Duration.ofSeconds(2));
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertFalse(r.isError());
            int polls = statusPolls(s);
            assertTrue(polls <= 8, "growing waits from 250 ms: " + polls + " polls");
        }
    }

    @Test
    @Timeout(30)
    void rateLimitedFirstRequest_isRetried_andSucceeds() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().rateLimitNext(1, 1);
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size());
            assertEquals(2, s.sb().requests().stream().filter(q -> q.path().equals(SYNC_PATH)).count(),
                    "the synchronous read was rate-limited and retried");
            assertEquals("sync", r.structured().str("source"), "a 429 is not a missing endpoint");
        }
    }

    @Test
    @Timeout(30)
    void noForecastIdAnywhere_saysHowToChooseOne() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_FORECAST_ID", null)) {
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE));
            assertTrue(msg.contains("pass forecast_id") && msg.contains("set CLARI_FORECAST_ID"), msg);
            assertTrue(s.sb().requests().isEmpty());
        }
    }

    @Test
    @Timeout(30)
    void cancellation_interruptsThePolling() throws Exception {
        try (Sandboxed s = Sandboxed.start("CLARI_POLL_MAX_ATTEMPTS", "1000")) {
            s.sb().knobs().syncStatus(405);
            s.sb().knobs().jobsNeverFinish(true);
            Recording ctx = new Recording();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, ctx);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            while (ctx.progress.isEmpty()) Thread.sleep(20);
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(5)), "the call ends soon after the interrupt");
            assertInstanceOf(InterruptedException.class, outcome.get());
        }
    }

    @Test
    @Timeout(30)
    void compareToLastWeek_oneSyncReadAndOneHistoricalExport_nowThenChangePerRow_moversFirst_bothFormsAgree() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            Json.Obj served = (Json.Obj) org.forecastResults(q, true);
            List<String> weeks = weekIds(served);
            assumeTrue(weeks.size() >= 2, "the first week of a quarter has no last week");
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            Tool.Result r = tool.call(obj("{\"compare_to\":\"last_week\"}"), Fixtures.NONE);
            assertEquals(1, s.sb().requests().stream().filter(x -> x.path().equals(SYNC_PATH)).count());
            List<RecordedRequest> posts = s.sb().requests().stream().filter(x -> x.method().equals("POST")).toList();
            assertEquals(1, posts.size(), "one export");
            assertEquals(Json.Bool.TRUE, obj(posts.getFirst().body()).get("includeHistorical"));

            Json.Obj st = r.structured();
            assertConforms(tool.outputSchema(), st);
            assertEquals("sync+export", st.str("source"));
            assertEquals("last_week", st.str("compareTo"));
            Map<String, Long> now = values(served, weeks.getLast()), then = values(served, weeks.get(weeks.size() - 2));
            Map<String, Json.Obj> rows = Fixtures.rowsByName(st);
            long biggest = 0;
            for (SandboxOrg.User u : org.users()) {
                Json.Obj row = rows.get(u.name());
                assertEquals(now.get(u.userId() + "/quota"), num(row, "Quota"));
                assertFalse(row.has("Quota then"), "a column no row moved in gets no then/change");
                for (String[] f : new String[][] {{"commit", "Commit"}, {"best_case", "Best Case"}}) {
                    long n = now.get(u.userId() + "/" + f[0]), t = then.get(u.userId() + "/" + f[0]);
                    assertEquals(n, num(row, f[1]), u.name() + " " + f[1] + " now");
                    assertEquals(t, num(row, f[1] + " then"), u.name() + " " + f[1] + " then");
                    assertEquals(n - t, num(row, f[1] + " change"), u.name() + " " + f[1] + " change");
                    biggest = Math.max(biggest, Math.abs(n - t));
                }
                assertEquals(now.get(u.userId() + "/pipeline"), num(row, "Pipeline"), "CRM totals now, from the synchronous read");
                assertFalse(row.has("Pipeline then"), "exports carry no CRM totals");
            }
            assertTrue(biggest > 0, "the sandbox's weeks move");
            List<Json> movers = st.obj("movers").arr("rows").items();
            assertFalse(movers.isEmpty());
            assertEquals(biggest, Math.abs(((Json.Num) ((Json.Arr) movers.getFirst()).items().get(4)).longValueExact()), "biggest first");
            long last = Long.MAX_VALUE;
            for (Json m : movers) {
                long change = Math.abs(((Json.Num) ((Json.Arr) m).items().get(4)).longValueExact());
                assertTrue(change <= last, "movers by size of change");
                last = change;
            }
            String firstMover = ((Json.Str) ((Json.Arr) movers.getFirst()).items().get(0)).value();
            assertTrue(r.text().indexOf("Biggest movers") < r.text().indexOf("| Role"), r.text());
            assertTrue(r.text().indexOf(firstMover) < r.text().indexOf("| Role"), r.text());
            assertTrue(r.text().contains("then = week "), r.text());
            assertTrue(r.text().contains("NOTE: unchanged for every row since then: Quota"), r.text());
            assertFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void whereWeLand_attainmentGapCoverage_onlyWhereInputsExist() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            Json.Obj served = (Json.Obj) org.forecastResults(q, false);
            Map<String, Long> now = values(served, weekIds(served).getLast());
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            Map<String, Json.Obj> rows = Fixtures.rowsByName(r.structured());
            int covered = 0;
            for (SandboxOrg.User u : org.users()) {
                Json.Obj row = rows.get(u.name());
                BigDecimal quota = BigDecimal.valueOf(now.get(u.userId() + "/quota"));
                BigDecimal closed = BigDecimal.valueOf(now.get(u.userId() + "/closed"));
                BigDecimal pipeline = BigDecimal.valueOf(now.get(u.userId() + "/pipeline"));
                assertEquals(closed.divide(quota, 3, java.math.RoundingMode.HALF_EVEN), ((Json.Num) row.get("Attainment")).decimal(), u.name());
                assertEquals(quota.subtract(closed), ((Json.Num) row.get("Gap to quota")).decimal(), u.name());
                if (quota.compareTo(closed) > 0) {
                    covered++;
                    assertEquals(pipeline.divide(quota.subtract(closed), 2, java.math.RoundingMode.HALF_EVEN),
                            ((Json.Num) row.get("Coverage")).decimal(), u.name());
                } else {
                    assertFalse(row.has("Coverage"), u.name() + ": no coverage once closed reaches quota");
                }
            }
            assertTrue(covered > 0);
            assertTrue(r.text().contains("Attainment = Closed / Quota"), r.text());

            s.sb().knobs().syncRefusesCrm(true); // no closed column: no made-up figures
            Tool.Result noCrm = new Fixtures.Checked(GetForecast.tool(s)).call(Json.Obj.EMPTY, Fixtures.NONE);
            assertFalse(Fixtures.fields(noCrm.structured()).contains("Closed"));
            assertFalse(strings(noCrm.structured().arr("columns")).contains("Attainment"));
            assertTrue(noCrm.text().contains("Attainment, gap and coverage need a quota and a closed column"), noCrm.text());
        }
    }

    @Test
    @Timeout(30)
    void scopeByNameOrEmail_isTheManagersTeam_fromOneReadOfTheWholeForecast_unknownNamesListCandidates() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String q = org.currentQuarter();
            SandboxOrg.User manager = org.managers().get(1);
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            for (String given : List.of(manager.name(), manager.email().toUpperCase(java.util.Locale.ROOT))) {
                s.sb().clearRequests();
                Tool.Result r = tool.call(obj("{\"scope_id\":" + clarimcp.json.JsonWriter.write(new Json.Str(given)) + "}"), Fixtures.NONE);
                assertEquals(1, s.sb().requests().size());
                assertFalse(s.sb().requests().getFirst().query().contains("scopeId"), "resolved here, not sent to Clari");
                assertEquals(org.subtree(manager.userId()).stream().map(SandboxOrg.User::name).sorted().toList(),
                        Fixtures.rowsByName(r.structured()).keySet().stream().sorted().toList(), given);
                assertEquals(org.categoryTotal(manager.userId(), q, "Commit"), num(Fixtures.total(r.structured()), "Commit"));
                assertEquals(manager.scopeId(), Fixtures.rowsByName(r.structured()).get(manager.name()).str("Scope id"));
                assertTrue(r.text().contains(manager.scopeId()), "the text shows the scope id to drill down");
            }
            String msg = toolError(() -> tool.call(obj("{\"scope_id\":\"Nobody Here\"}"), Fixtures.NONE));
            assertTrue(msg.startsWith("No one named 'Nobody Here' in this forecast"), msg);
            for (SandboxOrg.User m : org.managers()) assertTrue(msg.contains(m.name() + " <" + m.email() + "> (scope " + m.scopeId() + ")"), msg);
        }
    }

    @Test
    @Timeout(30)
    void compareToAWeekTheExportLacks_isAnErrorListingTheWeeks() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            Json.Obj served = (Json.Obj) s.sb().org().forecastResults(s.sb().org().currentQuarter(), true);
            String msg = toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"compare_to\":\"2019-01-01\"}"), Fixtures.NONE));
            assertTrue(msg.contains("has no week for compare_to '2019-01-01'; weeks available: "), msg);
            for (Json f : served.arr("timeFrames").items()) assertTrue(msg.contains(((Json.Obj) f).str("startDate")), msg);
            assertTrue(toolError(() -> new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"compare_to\":\"2026-02-30\"}"), Fixtures.NONE))
                    .contains("not a calendar date"));
        }
    }

    @Test
    @Timeout(30)
    void pastQuarter_compareTo_givesAccuracy_callThenAgainstTheFinalClosed() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            SandboxOrg org = s.sb().org();
            String pq = org.seededQuarters().getFirst();
            Json.Obj served = (Json.Obj) org.forecastResults(pq, true);
            List<String> weeks = weekIds(served);
            Map<String, Long> first = values(served, weeks.getFirst()), last = values(served, weeks.getLast());
            Tool.Result r = new Fixtures.Checked(GetForecast.tool(s)).call(obj("{\"time_period\":\"" + pq + "\",\"compare_to\":\"quarter_start\"}"),
                    Fixtures.NONE);
            Json.Obj acc = r.structured().obj("accuracy");
            assertEquals(List.of("User", "Closed (final)", "Commit then", "Commit accuracy", "Best Case then", "Best Case accuracy"),
                    strings(acc.arr("columns")));
            int checked = 0;
            for (Json j : acc.arr("rows").items()) {
                Json.Obj row = Fixtures.zip(acc.arr("columns"), (Json.Arr) j);
                SandboxOrg.User u = org.users().stream().filter(x -> x.name().equals(row.str("User"))).findFirst().orElseThrow();
                long closed = last.get(u.userId() + "/closed"), call = first.get(u.userId() + "/commit");
                assertEquals(closed, num(row, "Closed (final)"), u.name());
                assertEquals(call, num(row, "Commit then"), u.name());
                if (closed > 0) {
                    BigDecimal expected = BigDecimal.ONE.subtract(BigDecimal.valueOf(Math.abs(call - closed))
                            .divide(BigDecimal.valueOf(closed), 3, java.math.RoundingMode.HALF_EVEN));
                    assertEquals(expected, ((Json.Num) row.get("Commit accuracy")).decimal(), u.name());
                    checked++;
                }
            }
            assertEquals(org.users().size(), acc.arr("rows").size());
            assertTrue(checked > 0);
            assertTrue(r.text().contains("Forecast accuracy: " + pq + " is over"), r.text());
            assertFormsAgree(r);
        }
    }

    @Test
    @Timeout(30)
    void malformedForecastBody_isAnError_neverAPartialAnswer_andTheNextCallIsWhole() throws Exception {
        try (Sandboxed s = Sandboxed.start()) {
            s.sb().knobs().malformedNext(1);
            Fixtures.Checked tool = new Fixtures.Checked(GetForecast.tool(s));
            String msg = toolError(() -> tool.call(Json.Obj.EMPTY, Fixtures.NONE));
            assertTrue(msg.startsWith("Clari's answer for forecast 'forecast' was not JSON ("), msg);
            Tool.Result r = tool.call(Json.Obj.EMPTY, Fixtures.NONE);
            assertEquals(s.sb().org().users().size(), r.structured().arr("rows").size(), "nothing of the broken read is kept");
        }
    }

    /** Both forms carry the same facts: every note in the text, every row's cells in a text line; JSON <= 1.25x the text. */
    private static void assertFormsAgree(Tool.Result r) {
        Json.Obj st = r.structured();
        for (Json n : st.arr("notes").items()) assertTrue(r.text().contains(((Json.Str) n).value()), "note missing in text: " + n);
        List<String> cols = strings(st.arr("columns"));
        List<String> lines = List.of(r.text().split("\n"));
        for (Json row : st.arr("rows").items()) {
            Json.Arr cells = (Json.Arr) row;
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < cols.size(); i++) {
                if (cols.get(i).equals("Level")) continue;
                Json c = cells.items().get(i);
                expected.add(c instanceof Json.Str str ? str.value() : c instanceof Json.Num n ? n.decimal().stripTrailingZeros().toPlainString() : "");
            }
            assertTrue(lines.stream().anyMatch(l -> plain(l).equals(expected)), () -> "no text line " + expected + " in\n" + r.text());
        }
        int json = clarimcp.json.JsonWriter.write(st).length();
        assertTrue(json <= 1.25 * r.text().length(), "structured " + json + " chars vs text " + r.text().length());
    }

    /** A text table line's cells as plain values: money without separators, percent and ratio back to fractions, "-" empty. */
    private static List<String> plain(String line) {
        return java.util.Arrays.stream(line.split(" \\| ", -1)).map(String::strip).map(c -> {
            if (c.equals("-")) return "";
            if (c.matches("-?[0-9,]+(\\.[0-9]+)?")) return new BigDecimal(c.replace(",", "")).stripTrailingZeros().toPlainString();
            if (c.matches("-?[0-9.]+%")) return new BigDecimal(c.substring(0, c.length() - 1)).movePointLeft(2).stripTrailingZeros().toPlainString();
            if (c.matches("-?[0-9.]+x")) return new BigDecimal(c.substring(0, c.length() - 1)).stripTrailingZeros().toPlainString();
            return c;
        }).toList();
    }

    /** The served time frames' ids, by start date. */
    private static List<String> weekIds(Json.Obj served) {
        return served.arr("timeFrames").items().stream().map(j -> (Json.Obj) j)
                .sorted(java.util.Comparator.comparing(f -> f.str("startDate"))).map(f -> f.str("timeFrameId")).toList();
    }

    /** userId + "/" + fieldId -> value of that week, as the sandbox serves it. */
    private static Map<String, Long> values(Json.Obj served, String week) {
        Map<String, Long> out = new java.util.HashMap<>();
        for (Json j : served.arr("entries").items()) {
            Json.Obj e = (Json.Obj) j;
            if (!week.equals(e.str("timeFrameId"))) continue;
            Json v = e.has("forecastValue") ? e.get("forecastValue") : e.has("quotaValue") ? e.get("quotaValue") : e.get("aggregationTotal");
            out.put(e.str("userId") + "/" + e.str("fieldId"), ((Json.Num) v).longValueExact());
        }
        return out;
    }

    private static int statusPolls(Sandboxed s) {
        return (int) s.sb().requests().stream()
                .filter(q -> q.method().equals("GET") && q.path().matches("/v4/export/jobs/[^/]+")).count();
    }

    private static long num(Json.Obj values, String key) {
        return ((Json.Num) values.get(key)).longValueExact();
    }

    private static List<String> strings(Json.Arr a) {
        return a.items().stream().map(j -> ((Json.Str) j).value()).toList();
    }
}
