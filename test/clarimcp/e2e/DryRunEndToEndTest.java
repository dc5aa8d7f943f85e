package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.e2e.SetupEndToEndTest.Cli;
import clarimcp.json.Json;
import clarimcp.sandbox.ClariSandbox;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** --dry-run and CLARI_DRY_RUN=1 through the real launcher: the requests are shown, the sandbox receives none. */
@Timeout(60)
class DryRunEndToEndTest {
    private static Map<String, String> env(ClariSandbox sb, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString(),
                "CLARI_FORECAST_ID", "forecast"));
        for (int i = 0; i < extra.length; i += 2) env.put(extra[i], extra[i + 1]);
        return env;
    }

    @Test
    void dryRunCall_printsTheRequests_sendsNothing() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Cli r = SetupEndToEndTest.cli(env(sb), "--dry-run", "call", "get_forecast", "{\"time_period\":\"2026_Q2\"}");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("DRY RUN: nothing was sent to Clari. get_forecast would send this request:\n"), r.out());
            assertTrue(r.out().contains("1. GET " + sb.baseUrl() + "/forecast/forecast?timePeriod=2026_Q2&typesToExport=forecast&"), r.out());
            assertFalse(r.out().contains(sb.token()) || r.err().contains(sb.token()), "token shown");
            assertEquals(List.of(), sb.requests());
        }
    }

    @Test
    void dryRunServer_byEnvironment_answersWithRequests_sendsNothing() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start(); Launcher l = Launcher.start(env(sb, "CLARI_DRY_RUN", "1"))) {
            l.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}",
                    Json.of(0), 10_000, null);
            Json.Obj list = l.request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", Json.of(1), 10_000, null);
            for (Json t : list.obj("result").arr("tools").items()) assertFalse(((Json.Obj) t).has("outputSchema"));
            Json.Obj r = l.request("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"get_admin_limits\"}}",
                    Json.of(2), 10_000, null).obj("result");
            String text = ((Json.Obj) r.arr("content").items().get(0)).str("text");
            assertTrue(text.contains("1. GET " + sb.baseUrl() + "/admin/limits\n"), text);
            assertEquals(Json.Bool.FALSE, r.get("isError"));
            assertEquals(0, l.closeAndWait(10_000));
            assertTrue(l.stderr().contains("dry run: tools answer with the HTTP requests they would send"), l.stderr());
            assertFalse(l.stdout().contains(sb.token()) || l.stderr().contains(sb.token()));
            assertEquals(List.of(), sb.requests());
        }
    }

    @Test
    void check_underDryRun_contactsNothing_andTheFlagIsRefused() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Cli r = SetupEndToEndTest.cli(env(sb, "CLARI_DRY_RUN", "yes"), "--check");
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("skip  Clari: not contacted: CLARI_DRY_RUN is set, so nothing is sent"), r.out());
            assertEquals(List.of(), sb.requests());
            Cli flag = SetupEndToEndTest.cli(env(sb), "--dry-run", "--check");
            assertEquals(2, flag.exit());
            assertTrue(flag.err().contains("--dry-run applies to the server and to call only"), flag.err());
        }
    }
}
