package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.RecordedRequest;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Audit evidence for the read-only promise: one whole session with the built launcher calls every tool
 * (paged audit window, batched ids, export job), meets fault paths and tries to steer URLs through
 * arguments; afterwards every request the sandbox recorded is on the allowlist of {@link McpSession#ALLOWED},
 * and the token appears nowhere on the server's stdout or stderr.
 */
@Timeout(60)
class AllowlistEndToEndTest {

    @Test
    void sessionCallingEveryToolAndFaultPath_sendsOnlyAllowlistedRequests_andNeverShowsTheToken() throws Exception {
        // A rare audit event set, so every page of the audit window is read (nextLink followed).
        try (ClariSandbox sandbox = ClariSandbox.start();
             McpSession s = McpSession.start(McpSession.env(sandbox, "CLARI_POLL_INTERVAL_SECONDS", "0.5",
                     "CLARI_PIPELINE_EVENTS", "forecast.adjustment.updated"))) {
            sandbox.knobs().jobDuration(Duration.ofMillis(300));
            LocalDate today = sandbox.org().today();
            List<String> ids = new ArrayList<>(sandbox.org().opportunities().stream().map(Opportunity::id).limit(250).toList());
            ids.add("006NotInClari00");
            List<McpSession.Reply> ok = new ArrayList<>();
            List<McpSession.Reply> refused = new ArrayList<>();

            ok.add(s.call("get_forecast", Json.obj("time_period", sandbox.org().currentQuarter()), "f"));
            ok.add(s.call("get_forecast", Json.obj("forecast_id", "net_arr", "scope_id", "1905::MGR",
                    "currency", "EUR")));
            sandbox.knobs().syncStatus(501); // from here on the session exports (and remembers it)
            ok.add(s.call("get_forecast", Json.obj("time_period", sandbox.org().currentQuarter()), "fx"));
            ok.add(s.call("get_pipeline_changes", Json.obj("start_date", today.minusDays(29).toString(),
                    "end_date", today.toString(), "limit", 200), "p"));
            ok.add(s.call("get_deal_risk", Json.obj("opp_ids", ObjBuilder.strings(ids)), "d"));
            ok.add(s.call("get_admin_limits", Json.Obj.EMPTY));

            // Fault paths: each answered with an isError result, none with a request off the list.
            sandbox.knobs().redirectNext(1, "http://127.0.0.1:9/v4/admin/limits");
            refused.add(s.call("get_deal_risk", Json.obj("opp_ids", ObjBuilder.strings(ids.subList(0, 5)))));
            sandbox.knobs().malformedNext(1);
            refused.add(s.call("get_pipeline_changes", Json.obj("start_date", today.minusDays(2).toString(),
                    "end_date", today.toString())));
            sandbox.knobs().failJobs(true);
            refused.add(s.call("get_forecast", Json.Obj.EMPTY));
            sandbox.knobs().failJobs(false);
            refused.add(s.call("get_forecast", Json.obj("forecast_id", "no_such_tab")));

            // Attempts to steer the URL through arguments: refused before any request.
            int before = sandbox.requests().size();
            refused.add(s.call("get_forecast", Json.obj("forecast_id", "..")));
            refused.add(s.call("get_forecast", Json.obj("forecast_id", "forecast/../../admin/limits")));
            refused.add(s.call("get_forecast", Json.obj("scope_id", "1905::MGR\"}")));
            refused.add(s.call("get_deal_risk", Json.obj("opp_ids", ObjBuilder.strings(List.of("006&oppId=x")))));
            refused.add(s.call("get_pipeline_changes", Json.obj("start_date", "2026-01-01&limit=5",
                    "end_date", today.toString())));
            assertEquals(before, sandbox.requests().size(), "a refused argument reached Clari");

            for (McpSession.Reply r : ok) assertFalse(r.isError(), r.text());
            for (McpSession.Reply r : refused) assertTrue(r.isError(), r.text());
            assertEquals(0, s.closeAndCollect().stream().filter(m -> m.has("error")).count(), "no protocol errors");

            List<RecordedRequest> all = sandbox.requests();
            Set<String> routes = new TreeSet<>();
            for (RecordedRequest r : all) routes.add(r.method() + " " + r.path().replaceAll("/(export/forecast|export/jobs|forecast)/[^/]+", "/$1/{id}"));
            System.out.println("e2e: allowlist session: " + all.size() + " requests, routes " + routes);
            // The session did exercise every route it uses, pagination included, so the check below means something.
            assertEquals(Set.of("GET /v4/forecast/{id}", "POST /v4/export/forecast/{id}", "GET /v4/export/jobs/{id}", "GET /v4/export/jobs/{id}/results",
                    "GET /v4/opportunity", "GET /v4/audit/events", "GET /v4/admin/limits"), routes);
            assertTrue(all.stream().anyMatch(r -> r.query().contains("cursor=")), "an audit nextLink was followed");
            assertTrue(all.stream().filter(r -> r.method().equals("POST")).noneMatch(r -> r.body().contains("crm_")),
                    "no export ever asks for CRM totals");
            McpSession.assertOnlyAllowlisted(sandbox);
            s.assertNeverShows(sandbox.token());
        }
    }
}
