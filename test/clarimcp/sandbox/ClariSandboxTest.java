package clarimcp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.sandbox.SandboxOrg.AuditEvent;
import clarimcp.sandbox.SandboxOrg.User;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClariSandboxTest {
    private static final Instant NOW = Instant.parse("2026-05-13T15:30:00Z");   // a Wednesday in 2026_Q2

    private ClariSandbox sandbox;
    private HttpClient http;

    @BeforeEach
    void start() throws IOException {
        sandbox = ClariSandbox.start(Clock.fixed(NOW, ZoneOffset.UTC));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        sandbox.close();
    }

    @Test
    void missingOrWrongToken_is401_andTheTokenIsNeverRecorded() throws Exception {
        HttpResponse<String> none = call("GET", "/admin/limits", null, null);
        assertEquals(401, none.statusCode());
        assertEquals(Json.obj("message", "Invalid authentication credentials"), parse(none), "[spec]");
        assertEquals(401, call("GET", "/admin/limits", null, "sandbox-token-wrong").statusCode());
        assertEquals(200, get("/admin/limits").statusCode());

        List<RecordedRequest> recorded = sandbox.requests();
        assertEquals(3, recorded.size());
        assertEquals("/v4/admin/limits", recorded.get(2).path());
        assertEquals(RecordedRequest.MASK, recorded.get(2).header("apikey"));
        assertNull(recorded.get(0).header("apikey"));
        for (RecordedRequest r : recorded) assertFalse(r.toString().contains(sandbox.token()));
    }

    @Test
    void syntheticReps_exportOfARealOrgsSize_everyWeek_sameKeysAsTheSeededExport() throws Exception {
        String body = "{\"timePeriod\":\"2026_Q1\",\"typesToExport\":[\"forecast\",\"quota\",\"forecast_updated\",\"adjustment\"]}";
        Json.Obj seeded = results("forecast", body.replace("}", ",\"includeHistorical\":true}"));
        sandbox.knobs().syntheticReps(50);
        Json.Obj big = results("forecast", body); // every week although includeHistorical is false: a bench knob
        assertEquals(sandbox.org().users().size() + 50, big.arr("users").size());
        assertEquals(13, big.arr("timeFrames").size(), "a past quarter: 13 weeks");
        assertEquals(big.arr("users").size() * 3 * 13, big.arr("entries").size(), "user x field (commit, best case, quota) x week");
        assertEquals(seeded.get("fields"), big.get("fields"));
        assertEquals(seeded.get("timeFrames"), big.get("timeFrames"));
        // The entry keys ForecastResults.build serves (each pinned with its source in clari-fields.txt).
        Set<String> entryKeys = Set.of("userId", "fieldId", "timePeriodId", "timeFrameId", "forecastValue", "quotaValue",
                "adjustmentValue", "adjustedBy", "adjustedOn", "isUpdated", "updatedBy", "updatedOn", "currency");
        for (Json e : big.arr("entries").items()) {
            assertTrue(entryKeys.containsAll(((Json.Obj) e).members().keySet()), "only keys the seeded export serves: " + e);
        }
        Set<String> parents = ids(big.arr("users"), "hierarchyId");
        for (Json u : big.arr("users").items()) {
            String parent = ((Json.Obj) u).str("parentHierarchyId");
            assertTrue(parent == null || parents.contains(parent), "every parent is listed: " + u);
        }
        assertTrue(sandbox.syntheticExportBytes("forecast", "2026_Q1", 100) > sandbox.syntheticExportBytes("forecast", "2026_Q1", 50));
    }

    @Test
    void job_passesScheduledStarted_thenDone() throws Exception {
        Duration duration = Duration.ofMillis(300);
        sandbox.knobs().jobDuration(duration);
        long before = System.nanoTime();
        String id = submit("forecast", "{\"timePeriod\":\"2026_Q2\"}");
        assertTrue(id.matches("[0-9a-f]{24}"), id);
        List<String> seen = new ArrayList<>();
        Json.Obj status;
        do {
            status = (Json.Obj) parse(get("/export/jobs/" + id));
            if (seen.isEmpty() || !seen.getLast().equals(status.str("status"))) seen.add(status.str("status"));
            Thread.sleep(20);
        } while (!status.str("status").equals("DONE"));
        // A lower bound only (never flaky): DONE is not reported before the configured duration.
        assertTrue(System.nanoTime() - before >= duration.toNanos(), "DONE too early");
        List<String> order = List.of("SCHEDULED", "STARTED", "DONE");
        for (int i = 1; i < seen.size(); i++) assertTrue(order.indexOf(seen.get(i - 1)) < order.indexOf(seen.get(i)), seen.toString());
        assertEquals(id, status.str("jobId"));
        assertEquals("FORECAST", status.str("module"));
        assertEquals("JSON", status.str("fileType"));
        assertTrue(status.get("endTime") instanceof Json.Num && status.get("expiredTime") instanceof Json.Num, "epoch ms [spec]");
        assertEquals(200, get("/export/jobs/" + id + "/results").statusCode());
    }

    @Test
    void unfinishedJob_isScheduled_andHasNoResults() throws Exception {
        sandbox.knobs().jobDuration(Duration.ofSeconds(60));
        String id = submit("forecast", "{}");
        Json.Obj status = (Json.Obj) parse(get("/export/jobs/" + id));
        assertEquals("SCHEDULED", status.str("status"));
        assertTrue(status.get("startTime") instanceof Json.Null);
        HttpResponse<String> early = get("/export/jobs/" + id + "/results");
        assertEquals(400, early.statusCode());
        assertEquals("exports", ((Json.Obj) parse(early)).str("namespace"));
        assertEquals("invalid_jobId", ((Json.Obj) parse(early)).str("code"), "[spec]");
        assertEquals(400, get("/export/jobs/0123456789abcdef01234567").statusCode());
    }

    @Test
    void nestKnob_servesStatusUnderJob() throws Exception {
        sandbox.knobs().nestJobStatus(true);
        String id = submit("forecast", "{}");
        Json.Obj body = (Json.Obj) parse(get("/export/jobs/" + id));
        assertNull(body.get("status"));
        assertEquals(id, body.obj("job").str("jobId"));
        assertNotNull(body.obj("job").str("status"));
    }

    @Test
    void failAndNeverFinishKnobs() throws Exception {
        sandbox.knobs().jobDuration(Duration.ZERO).failJobs(true);
        String failed = submit("forecast", "{}");
        assertEquals("FAILED", ((Json.Obj) parse(get("/export/jobs/" + failed))).str("status"));
        assertEquals(400, get("/export/jobs/" + failed + "/results").statusCode());

        sandbox.knobs().failJobs(false).jobsNeverFinish(true).jobDuration(Duration.ofMillis(30));
        String stuck = submit("forecast", "{}");
        Thread.sleep(300);   // ten times the duration: a finishing job would be DONE by now
        assertEquals("STARTED", ((Json.Obj) parse(get("/export/jobs/" + stuck))).str("status"));
    }

    @Test
    void historicalResults_everyEntryJoins_valuesInTheirTypesKeys_andMatchTheOrg() throws Exception {
        Json.Obj r = results("forecast", "{\"timePeriod\":\"2026_Q2\",\"exportFormat\":\"JSON\",\"includeHistorical\":true,"
                + "\"typesToExport\":[\"forecast\",\"quota\",\"adjustment\"]}");
        SandboxOrg org = sandbox.org();
        assertEquals("2026_Q2", ((Json.Obj) r.arr("timePeriods").items().get(0)).str("timePeriodId"));
        Set<String> users = ids(r.arr("users"), "userId");
        Set<String> fields = ids(r.arr("fields"), "fieldId");
        Set<String> frames = ids(r.arr("timeFrames"), "timeFrameId");
        assertEquals(org.users().size(), users.size());
        assertEquals(Set.of("commit", "best_case", "quota"), fields, "the export serves no CRM totals [spec]");
        assertEquals(7, frames.size(), "every week of the quarter so far (includeHistorical) [spec]");
        List<Json> entries = r.arr("entries").items();
        assertEquals(users.size() * fields.size() * frames.size(), entries.size());

        Json.Obj latest = (Json.Obj) r.arr("timeFrames").items().getLast();
        assertTrue(LocalDate.parse(latest.str("startDate")).isBefore(LocalDate.of(2026, 5, 14))
                && !LocalDate.parse(latest.str("endDate")).isBefore(LocalDate.of(2026, 5, 13)), latest.toString());
        Map<String, Long> latestValue = new HashMap<>();
        for (Json j : entries) {
            Json.Obj e = (Json.Obj) j;
            assertTrue(users.contains(e.str("userId")) && fields.contains(e.str("fieldId"))
                    && frames.contains(e.str("timeFrameId")) && e.str("timePeriodId").equals("2026_Q2"), e.toString());
            assertEquals("USD", e.obj("currency").str("code"));
            if (e.str("timeFrameId").equals(latest.str("timeFrameId"))) {
                String key = e.str("fieldId").equals("quota") ? "quotaValue" : "forecastValue";
                latestValue.put(e.str("userId") + "/" + e.str("fieldId"), ((Json.Num) e.get(key)).longValueExact());
                if (e.has("adjustmentValue")) latestValue.put(e.str("userId") + "/adj", ((Json.Num) e.get("adjustmentValue")).longValueExact());
            }
        }
        for (User u : org.users()) {   // reps, managers (rollup) and the CRO
            assertEquals(org.categoryTotal(u.userId(), "2026_Q2", "Commit"), latestValue.get(u.userId() + "/commit"), u.name());
            assertEquals(u.quota(), latestValue.get(u.userId() + "/quota"));
            SandboxOrg.Adjustment adj = org.commitAdjustment(u.userId(), "2026_Q2");
            assertEquals(adj == null ? null : adj.value(), latestValue.get(u.userId() + "/adj"), u.name());
        }
        Json.Obj manager = (Json.Obj) r.arr("users").items().stream()
                .filter(j -> ((Json.Obj) j).str("userId").equals(org.managers().get(0).userId())).findFirst().orElseThrow();
        assertEquals(org.cro().hierarchyId(), manager.str("parentHierarchyId"));
        assertFalse(manager.has("parentUserId") || manager.has("role") || manager.has("crmUserId"), "invented keys are gone");
        assertTrue(latestValue.get(org.cro().userId() + "/commit") > 0);
    }

    @Test
    void scopeLimitsUsers_currencyRelabels_typesSelectFields() throws Exception {
        Json.Obj r = results("net_arr", "{\"scopeId\":\"1905::MGR\",\"currency\":\"EUR\",\"typesToExport\":[\"forecast\",\"quota\"]}");
        Set<String> expected = new HashSet<>();
        for (User u : sandbox.org().subtree("1905")) expected.add(u.userId());
        assertEquals(expected, ids(r.arr("users"), "userId"));
        assertTrue(expected.size() > 5);
        assertEquals(Set.of("commit", "best_case", "quota"), ids(r.arr("fields"), "fieldId"));
        for (Json e : r.arr("entries").items()) assertEquals("EUR", ((Json.Obj) e).obj("currency").str("code"));

        HttpResponse<String> bad = call("POST", "/export/forecast/forecast", "{\"scopeId\":\"nobody::MGR\"}", sandbox.token());
        assertEquals(400, bad.statusCode());
        assertEquals("bad_request", ((Json.Obj) parse(bad)).str("code"));
        HttpResponse<String> unknown = call("POST", "/export/forecast/no_such_tab", "{}", sandbox.token());
        assertEquals(400, unknown.statusCode(), "a 400, not a 404 [spec]");
        assertEquals("no_such_forecast_config", ((Json.Obj) parse(unknown)).str("code"));
        assertEquals(400, call("POST", "/export/forecast/forecast", "{not json", sandbox.token()).statusCode());
        HttpResponse<String> crm = call("POST", "/export/forecast/forecast", "{\"typesToExport\":[\"forecast\",\"crm_closed\"]}",
                sandbox.token());
        assertEquals(400, crm.statusCode());
        assertEquals("type_not_supported", ((Json.Obj) parse(crm)).str("code"), "the export API refuses CRM totals [spec]");
        sandbox.knobs().noOptin(true);
        HttpResponse<String> optin = call("POST", "/export/forecast/forecast", "{}", sandbox.token());
        assertEquals(401, optin.statusCode());
        assertEquals("no_optin", ((Json.Obj) parse(optin)).str("code"));
    }

    @Test
    void syncRead_servesTheLatestWeekOnly_withCrmTotals_andItsKnobs() throws Exception {
        String q = "?timePeriod=2026_Q2&typesToExport=forecast&typesToExport=quota&typesToExport=adjustment"
                + "&typesToExport=crm_total&typesToExport=crm_closed&exportFormat=JSON";
        HttpResponse<String> r = get("/forecast/forecast" + q);
        assertEquals(200, r.statusCode(), r.body());
        Json.Obj body = (Json.Obj) parse(r);
        assertEquals(1, body.arr("timeFrames").size(), "the latest week only [gitlab]");
        assertEquals(Set.of("commit", "best_case", "pipeline", "closed", "quota"), ids(body.arr("fields"), "fieldId"));
        SandboxOrg org = sandbox.org();
        for (Json j : body.arr("entries").items()) {
            Json.Obj e = (Json.Obj) j;
            if (e.str("userId").equals(org.cro().userId()) && e.str("fieldId").equals("closed")) {
                assertEquals(org.categoryTotal(org.cro().userId(), "2026_Q2", "Closed"), ((Json.Num) e.get("aggregationTotal")).longValueExact());
            }
        }
        assertTrue(sandbox.requests().stream().noneMatch(x -> x.method().equals("POST")));
        assertEquals(0, ((Json.Obj) parse(get("/admin/limits"))).obj("jobs").arr("submittedJobIds").size(), "no job, no quota");

        sandbox.knobs().syncRefusesCrm(true);
        assertEquals("type_not_supported", ((Json.Obj) parse(get("/forecast/forecast" + q))).str("code"));
        assertEquals(200, get("/forecast/forecast?typesToExport=forecast").statusCode());
        for (int status : new int[] {404, 405, 501}) {
            sandbox.knobs().syncStatus(status);
            assertEquals(status, get("/forecast/forecast" + q).statusCode());
        }
        sandbox.knobs().reset();
        assertEquals("no_such_forecast_config", ((Json.Obj) parse(get("/forecast/nope" + q))).str("code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"timePeriod\":\"2026_Q9\"}", "{\"timePeriod\":\"next quarter\"}", "{\"timePeriod\":\"2019_Q1\"}",
        "{\"timePeriod\":42}", "{}", ""})
    void unrecognisedTimePeriod_silentlyUsesTheCurrentQuarter(String body) throws Exception {
        Json.Obj r = results("forecast", body);
        assertEquals("2026_Q2", ((Json.Obj) r.arr("timePeriods").items().get(0)).str("timePeriodId"));
    }

    @Test
    void previousQuarter_isHonoured_withAllItsWeeks() throws Exception {
        Json.Obj r = results("forecast", "{\"timePeriod\":\"2026_Q1\",\"includeHistorical\":true}");
        assertEquals("2026_Q1", ((Json.Obj) r.arr("timePeriods").items().get(0)).str("timePeriodId"));
        assertEquals(13, r.arr("timeFrames").size());
        assertEquals(1, results("forecast", "{\"timePeriod\":\"2026_Q1\"}").arr("timeFrames").size(), "without history: the latest week");
    }

    @Test
    void concurrentLimit_answers400_andLimitsReflectRunningJobs() throws Exception {
        sandbox.knobs().jobsNeverFinish(true);
        Set<String> running = new HashSet<>();
        for (int i = 0; i < 3; i++) running.add(submit("forecast", "{}"));
        HttpResponse<String> refused = call("POST", "/export/forecast/forecast", "{}", sandbox.token());
        assertEquals(400, refused.statusCode());
        Json.Obj error = (Json.Obj) parse(refused);
        assertEquals("export_monthly_quota_reached", error.str("code"), "one code for both limits [spec]");
        assertEquals("exports", error.str("namespace"));
        assertNotNull(error.str("errorId"));
        assertNotNull(error.str("orgId"));

        Json.Obj jobs = ((Json.Obj) parse(get("/admin/limits"))).obj("jobs");
        assertEquals(running, ids(jobs.arr("runningJobIds")));
        assertEquals(running, ids(jobs.arr("submittedJobIds")));
        assertEquals(0, ((Json.Num) jobs.get("availableConcurrentLimit")).longValueExact());
        assertEquals(997, ((Json.Num) jobs.get("availableMonthlyQuota")).longValueExact());

        sandbox.knobs().jobsNeverFinish(false).jobDuration(Duration.ZERO).concurrentLimit(10).monthlyQuota(4);
        String done = submit("forecast", "{}");
        HttpResponse<String> quota = call("POST", "/export/forecast/forecast", "{}", sandbox.token());
        assertEquals(400, quota.statusCode());
        assertEquals("export_monthly_quota_reached", ((Json.Obj) parse(quota)).str("code"));
        jobs = ((Json.Obj) parse(get("/admin/limits"))).obj("jobs");
        assertEquals(running, ids(jobs.arr("runningJobIds")), "a DONE job is not running");
        assertTrue(ids(jobs.arr("submittedJobIds")).contains(done));
        assertEquals(7, ((Json.Num) jobs.get("availableConcurrentLimit")).longValueExact());
    }

    @Test
    void opportunity_servesKnownIdsInOrder_andRefusesMoreThan100() throws Exception {
        SandboxOrg org = sandbox.org();
        List<String> commit = org.oppIds("Commit").subList(0, 5);
        StringBuilder q = new StringBuilder("/opportunity?oppId=006000000000000ZZZ");
        for (String id : commit) q.append("&oppId=").append(id);
        List<Json> answer = ((Json.Arr) parse(get(q.toString()))).items();
        assertEquals(commit, answer.stream().map(o -> ((Json.Obj) o).str("id")).toList());
        for (Json j : answer) {
            Json.Obj o = (Json.Obj) j;
            long score = ((Json.Num) o.obj("crmScore").get("score")).longValueExact();
            assertTrue(score >= 0 && score <= 100 && !o.obj("crmScore").str("message").isEmpty());
            assertEquals(Opportunities.FIELD_IDS, o.arr("fields").items().stream().map(f -> ((Json.Obj) f).str("id")).toList());
            Json.Obj category = (Json.Obj) o.arr("fields").items().get(4);
            assertEquals(new Json.Str("Commit"), category.get("value"));
            Json.Obj amount = ((Json.Obj) o.arr("fields").items().get(1)).obj("value");
            assertEquals(org.opportunity(o.str("id")).amount(), ((Json.Num) amount.get("amount")).longValueExact());
            for (Json f : o.arr("fields").items()) {
                assertTrue(Set.of("UP", "DOWN", "FLAT").contains(((Json.Obj) f).str("trend")));
                assertNotNull(((Json.Obj) f).arr("trendHistory"));
            }
        }
        StringBuilder many = new StringBuilder("/opportunity?oppId=x0");
        for (int i = 1; i <= 100; i++) many.append("&oppId=x").append(i);
        HttpResponse<String> refused = get(many.toString());
        assertEquals(400, refused.statusCode());
        assertEquals("Bad Request", ((Json.Obj) ((Json.Arr) parse(refused)).items().get(0)).str("reaspnPhrase"));
        assertEquals(200, get(many.substring(0, many.lastIndexOf("&"))).statusCode(), "exactly 100 is fine");
        HttpResponse<String> none = get("/opportunity");
        assertEquals(400, none.statusCode());
        assertEquals("[{\"statusCode\":400,\"reaspnPhrase\":\"Bad Request\",\"description\":\"invalid query parameter\","
                + "\"details\":\"oppId is required\"}]", none.body(), "the spec's example error, typo included");
    }

    @Test
    void opportunity_seededIdsAreSalesforce18_andA15CharacterQuestionIsAnsweredWithThe18() throws Exception {
        assertEquals("006Z000000EPuiyIAD", OrgSeed.salesforce18("006Z000000EPuiy"), "the spec's example id");
        try (ClariSandbox later = ClariSandbox.start(Clock.fixed(NOW.plus(Duration.ofDays(100)), ZoneOffset.UTC))) {
            for (ClariSandbox s : List.of(sandbox, later)) { // the demo names these ids literally, whatever the date
                assertEquals("0065e000Bq7Xk03AIC", s.org().opportunities().get(3).id());
                assertEquals("0065e000Bq7Xk0iAIC", s.org().opportunities().get(44).id());
                assertEquals("0065e000Bq7Xk10AIC", s.org().opportunities().get(62).id(), "base-62 carry");
            }
        }
        for (SandboxOrg.Opportunity o : sandbox.org().opportunities()) {
            assertEquals(o.id(), OrgSeed.salesforce18(o.id().substring(0, 15)), o.id());
        }
        List<SandboxOrg.Opportunity> three = sandbox.org().opportunities().subList(10, 13);
        String q = "/opportunity?oppId=" + three.get(0).id().substring(0, 15) + "&oppId=" + three.get(1).id()
                + "&oppId=" + three.get(2).id().substring(0, 15) + "&oppId=" + three.get(0).id() + "&mode=OPPORTUNITY_MODE_ID";
        List<String> answered = ((Json.Arr) parse(get(q))).items().stream().map(o -> ((Json.Obj) o).str("id")).toList();
        assertEquals(three.stream().map(SandboxOrg.Opportunity::id).toList(), answered, "18-character ids, each deal once");
        String lowered = three.get(0).id().substring(0, 15).toLowerCase(java.util.Locale.ROOT);
        assertEquals(0, ((Json.Arr) parse(get("/opportunity?oppId=" + lowered))).size(), "15-character ids are case-sensitive");
    }

    @Test
    void opportunity_knobs_wrapTheAnswer_andServeOtherCrmIds() throws Exception {
        List<String> others = SandboxOrg.OTHER_CRM_IDS;
        StringBuilder q = new StringBuilder("/opportunity?oppId=").append(sandbox.org().opportunities().get(0).id());
        for (String id : others) q.append("&oppId=").append(id);
        assertEquals(1, ((Json.Arr) parse(get(q.toString()))).size(), "other CRMs' ids are unknown by default");
        sandbox.knobs().otherCrmIds(true).wrapOpportunities(true);
        Json.Obj wrapped = (Json.Obj) parse(get(q + "&oppId=" + others.get(0).toUpperCase(java.util.Locale.ROOT)));
        List<String> ids = wrapped.arr("opportunities").items().stream().map(o -> ((Json.Obj) o).str("id")).toList();
        List<String> expected = new ArrayList<>(List.of(sandbox.org().opportunities().get(0).id()));
        expected.addAll(others);
        assertEquals(expected, ids, "the upper-case GUID is the same deal, answered once in its stored case");
        assertEquals(Set.of("opportunities"), wrapped.members().keySet());
        sandbox.knobs().reset();
        assertTrue(parse(get(q.toString())) instanceof Json.Arr, "reset: bare array again");
    }

    @Test
    void audit_pagesWalkEveryEventInTheDefaultWindow_newestFirst_withoutDuplicates() throws Exception {
        Instant from = NOW.minus(Duration.ofDays(30));
        long expected = sandbox.org().auditEvents().stream()
                .filter(e -> !e.timestamp().isBefore(from) && !e.timestamp().isAfter(NOW)).count();
        assertTrue(expected > 500, "seeded volume: " + expected);
        String link = "/v4/audit/events?limit=97";
        Set<String> seen = new HashSet<>();
        Instant previous = Instant.MAX;
        int pages = 0;
        while (link != null) {
            assertTrue(link.startsWith("/v4/audit/events?"), link);
            assertTrue(++pages <= 100, "runaway pagination");
            Json.Obj page = (Json.Obj) parse(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + sandbox.baseUrl().getPort() + link)).header("apikey", sandbox.token())));
            Set<String> pageActors = new LinkedHashSet<>();
            for (Json j : page.arr("items").items()) {
                Json.Obj item = (Json.Obj) j;
                assertTrue(seen.add(item.str("correlationID")), "duplicate " + item);
                Instant t = Instant.parse(item.str("eventTimestamp"));
                assertFalse(t.isAfter(previous), "newest first");
                assertFalse(t.isBefore(from) || t.isAfter(NOW), t.toString());
                previous = t;
                pageActors.add(item.str("actorId"));
            }
            assertEquals(pageActors, ids(page.arr("actors"), "actorId"), "actors list exactly the page's actors");
            link = page.str("nextLink");
        }
        assertEquals(expected, seen.size());
        assertEquals((expected + 96) / 97, pages);
    }

    @Test
    void audit_filtersByEventAndWholeDays() throws Exception {
        Json.Obj page = (Json.Obj) parse(get("/audit/events?limit=1000&dateFrom=2026-05-01&dateTo=2026-05-03&event=user.login"));
        Instant start = Instant.parse("2026-05-01T00:00:00Z");
        Instant end = Instant.parse("2026-05-04T00:00:00Z");
        List<AuditEvent> want = sandbox.org().auditEvents().stream().filter(e -> e.event().equals("user.login")
                && !e.timestamp().isBefore(start) && e.timestamp().isBefore(end)).toList();
        assertFalse(want.isEmpty());
        assertEquals(want.size(), page.arr("items").size());
        assertNull(page.get("nextLink"));
        for (Json j : page.arr("items").items()) assertEquals("user.login", ((Json.Obj) j).str("event"));

        Set<String> names = new HashSet<>();
        for (AuditEvent e : sandbox.org().auditEvents()) names.add(e.event());
        assertEquals(Set.copyOf(AuditSeed.EVENTS), names, "actions in Clari only: no CRM deal changes");
        for (AuditEvent e : sandbox.org().auditEvents()) {
            assertTrue(Set.of("WEB", "IOS", "ANDROID").contains(e.sessionType()), "spec enum: " + e.sessionType());
            assertTrue(Set.of("USER", "SYSTEM", "JOB").contains(e.actorType()), "spec enum: " + e.actorType());
            assertEquals(e.sessionId(), java.util.UUID.fromString(e.sessionId()).toString(), "sessionId is a UUID [spec]");
        }
        assertFalse(sandbox.org().auditEvents().getLast().timestamp().isBefore(NOW.minus(Duration.ofDays(31))), "30 days seeded");
    }

    @Test
    void audit_servesNothingOlderThanThirtyDays_norAfterNow() throws Exception {
        Json.Obj page = (Json.Obj) parse(get("/audit/events?limit=1000&dateFrom=2026-03-01&dateTo=2026-04-20"));
        Instant cutoff = NOW.minus(Duration.ofDays(30));
        assertFalse(page.arr("items").items().isEmpty());
        for (Json j : page.arr("items").items()) {
            assertFalse(Instant.parse(((Json.Obj) j).str("eventTimestamp")).isBefore(cutoff), j.toString());
        }
        assertEquals(0, ((Json.Obj) parse(get("/audit/events?dateFrom=2026-03-01&dateTo=2026-04-01"))).arr("items").size());
        Json.Obj today = (Json.Obj) parse(get("/audit/events?limit=1000&dateFrom=2026-05-13&dateTo=2026-05-13"));
        for (Json j : today.arr("items").items()) {
            assertFalse(Instant.parse(((Json.Obj) j).str("eventTimestamp")).isAfter(NOW), "no event after now");
        }
    }

    @Test
    void audit_actorIdAndSessionFilters_areHonoured_andANonIntegerActorIdIsThe400Shape() throws Exception {
        AuditEvent sample = sandbox.org().auditEvents().stream().filter(e -> !e.timestamp().isAfter(NOW)
                && e.event().equals("forecast.submitted")).findFirst().orElseThrow();
        Json.Obj byActor = (Json.Obj) parse(get("/audit/events?limit=1000&actorId=" + sample.actorId()));
        assertFalse(byActor.arr("items").items().isEmpty());
        for (Json j : byActor.arr("items").items()) assertEquals(sample.actorId(), ((Json.Obj) j).str("actorId"));
        assertEquals(Set.of(sample.actorId()), ids(byActor.arr("actors"), "actorId"));
        Json.Obj bySession = (Json.Obj) parse(get("/audit/events?limit=1000&sessionId=" + sample.sessionId()));
        for (Json j : bySession.arr("items").items()) assertEquals(sample.sessionId(), ((Json.Obj) j).str("sessionId"));
        assertTrue(bySession.arr("items").size() >= 2, "login and submission share a session");

        HttpResponse<String> r = get("/audit/events?actorId=Jordan");
        assertEquals(400, r.statusCode());
        Json.Obj error = (Json.Obj) ((Json.Obj) parse(r)).arr("errors").items().getFirst();
        assertEquals("400", error.str("status"));
        assertEquals("actorId", error.str("target"));
        assertNotNull(error.str("message"));
        assertNotNull(error.str("code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=abc", "limit=-1", "dateFrom=yesterday", "dateFrom=2026-05-10&dateTo=2026-05-01"})
    void audit_invalidParameters_are400(String query) throws Exception {
        HttpResponse<String> r = get("/audit/events?" + query);
        assertEquals(400, r.statusCode());
        assertNotNull(((Json.Obj) parse(r)).arr("errors"));
    }

    @Test
    void sameDay_sameOrg() throws Exception {
        try (ClariSandbox morning = ClariSandbox.start(Clock.fixed(Instant.parse("2026-05-13T06:00:00Z"), ZoneOffset.UTC))) {
            assertEquals(sandbox.org().opportunities(), morning.org().opportunities());
            assertEquals(sandbox.org().users(), morning.org().users());
            assertEquals(sandbox.org().auditEvents(), morning.org().auditEvents());
        }
    }

    @Test
    void rateLimitKnob_gives429WithRetryAfter_forTheNextN() throws Exception {
        sandbox.knobs().rateLimitNext(2, 7);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = get("/admin/limits");
            assertEquals(429, r.statusCode());
            assertEquals("7", r.headers().firstValue("Retry-After").orElse(null));
        }
        assertEquals(200, get("/admin/limits").statusCode());
    }

    @Test
    void failKnob_gives5xxWithHtml() throws Exception {
        sandbox.knobs().failNext(1, 502);
        HttpResponse<String> r = get("/admin/limits");
        assertEquals(502, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().startsWith("<html>"));
        assertEquals(200, get("/admin/limits").statusCode());
    }

    @Test
    void malformedKnob_truncatesTheJson() throws Exception {
        sandbox.knobs().malformedNext(1);
        HttpResponse<String> bad = get("/admin/limits");
        assertEquals(200, bad.statusCode());
        assertThrows(JsonException.class, () -> JsonParser.parse(bad.body()));
        assertTrue(parse(get("/admin/limits")) instanceof Json.Obj);
    }

    @Test
    void hugeKnob_sendsValidJsonOfTheGivenSize() throws Exception {
        sandbox.knobs().hugeNext(1, 3_000_000);
        HttpResponse<String> big = get("/admin/limits");
        assertEquals(3_000_000, big.body().length());
        assertTrue(((Json.Obj) parse(big)).has("padding"));
        assertTrue(((Json.Obj) parse(get("/admin/limits"))).has("jobs"));
    }

    @Test
    void redirectKnob_gives302() throws Exception {
        sandbox.knobs().redirectNext(1, "http://203.0.113.9/v4/admin/limits");
        HttpResponse<String> r = get("/admin/limits");
        assertEquals(302, r.statusCode());
        assertEquals("http://203.0.113.9/v4/admin/limits", r.headers().firstValue("Location").orElse(null));
        assertEquals(200, get("/admin/limits").statusCode());
    }

    @Test
    void delayKnob_holdsEveryResponse() throws Exception {
        sandbox.knobs().delay(Duration.ofMillis(250));
        long start = System.nanoTime();
        assertEquals(200, get("/admin/limits").statusCode());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "a lower bound only: never flaky");
    }

    @Test
    void writesAndUnknownPaths_areRecordedAndRefused() throws Exception {
        HttpResponse<String> patch = call("PATCH", "/export/jobs/0123456789abcdef01234567", "{\"status\":\"CANCELLED\"}", sandbox.token());
        assertEquals(405, patch.statusCode());
        assertEquals("GET", patch.headers().firstValue("Allow").orElse(null));
        assertEquals(404, call("POST", "/ingest/opportunities", "[]", sandbox.token()).statusCode());
        assertEquals(405, call("DELETE", "/opportunity?oppId=x", null, sandbox.token()).statusCode());
        assertEquals(404, call("GET", "/export/jobs/..%2F..", null, sandbox.token()).statusCode());
        assertEquals(413, call("POST", "/export/forecast/forecast", "x".repeat(ClariSandbox.MAX_BODY_BYTES + 1), sandbox.token()).statusCode());

        List<RecordedRequest> recorded = sandbox.requests();
        assertEquals(List.of("PATCH", "POST", "DELETE", "GET", "POST"), recorded.stream().map(RecordedRequest::method).toList());
        assertEquals("/v4/export/jobs/0123456789abcdef01234567", recorded.get(0).path());
        assertEquals("{\"status\":\"CANCELLED\"}", recorded.get(0).body());
        assertEquals("/v4/ingest/opportunities", recorded.get(1).path());
        assertEquals("oppId=x", recorded.get(2).query());
        assertEquals(ClariSandbox.MAX_BODY_BYTES, recorded.get(4).body().length());
        sandbox.clearRequests();
        assertTrue(sandbox.requests().isEmpty());
    }

    // --- helpers ---

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return call("GET", pathAndQuery, null, sandbox.token());
    }

    private HttpResponse<String> call(String method, String pathAndQuery, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("apikey", token);
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Json parse(HttpResponse<String> r) throws JsonException {
        return JsonParser.parse(r.body());
    }

    private String submit(String forecastId, String body) throws Exception {
        HttpResponse<String> r = call("POST", "/export/forecast/" + forecastId, body, sandbox.token());
        assertEquals(200, r.statusCode(), r.body());
        return ((Json.Obj) parse(r)).str("jobId");
    }

    /** Submits with a zero job duration, so the results are there at once. */
    private Json.Obj results(String forecastId, String body) throws Exception {
        sandbox.knobs().jobDuration(Duration.ZERO);
        HttpResponse<String> r = get("/export/jobs/" + submit(forecastId, body) + "/results");
        assertEquals(200, r.statusCode(), r.body());
        return (Json.Obj) parse(r);
    }

    private static Set<String> ids(Json.Arr objects, String key) {
        Set<String> out = new LinkedHashSet<>();
        for (Json j : objects.items()) out.add(((Json.Obj) j).str(key));
        return out;
    }

    private static Set<String> ids(Json.Arr strings) {
        Set<String> out = new HashSet<>();
        for (Json j : strings.items()) out.add(((Json.Str) j).value());
        return out;
    }
}
