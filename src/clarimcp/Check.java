package clarimcp;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.clari.ExportLimits;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Arrays;
import java.util.Map;

/**
 * `clari-revops-mcp --check`: the configuration against the org, one line per check, each failure
 * with its fix; exit 1 when any check fails. One cheap read (GET /admin/limits) proves the base URL,
 * the token and the limits, and a second (GET /forecast) the forecast id; no export is started, so no quota is spent.
 */
final class Check {
    private final PrintStream out;
    private int failures;

    private Check(PrintStream out) {
        this.out = out;
    }

    static int run(Map<String, String> env, boolean dryRun, PrintStream out) {
        Check c = new Check(out);
        c.all(env, dryRun);
        out.println(c.failures == 0 ? "all checks passed" : c.failures + " check(s) failed");
        return c.failures == 0 ? Help.EXIT_OK : Help.EXIT_FAILURE;
    }

    private void all(Map<String, String> env, boolean dryRun) {
        jvmOptions(env);
        ClariConfig config;
        try {
            config = ClariConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            fail("configuration", e.getMessage());
            line("skip", "Clari", "not contacted until the configuration is fixed");
            return;
        }
        line("ok", "configuration", (config.tokenFile() != null ? "token file set" : "token set") + ", base URL " + config.baseUrl());
        if (config.pollProblem() != null) fail("forecast export settings", config.pollProblem());
        ClariClient client = network(config);
        if (client == null || (config.tokenFile() != null && !tokenFile(client))) return;
        if (dryRun) {
            line("skip", "Clari", "not contacted: CLARI_DRY_RUN is set, so nothing is sent");
            return;
        }
        Json limits = null;
        int status;
        String problem = null;
        try {
            limits = client.adminLimits();
            status = 200;
        } catch (ClariException e) {
            status = e.status();
            problem = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("Clari", "interrupted");
            return;
        }
        // The Clari API itself answered: not unreachable (0), a wrong path (404), a redirect or a failing server or proxy.
        boolean answered = status != 0 && status != 404 && (status < 300 || status >= 400) && status < 500;
        if (!answered) {
            fail("base URL reachable", status < 500 ? problem : config.baseUrl() + " answered HTTP " + status
                    + ": Clari or a proxy in front of it is unavailable; try again later");
            line("skip", "token accepted", "needs an answer from the Clari API first");
        } else {
            line("ok", "base URL reachable", config.baseUrl() + " answered");
            if (status == 401) fail("token accepted", problem);
            else line("ok", "token accepted", status == 403 ? "authenticated, though not allowed to read the limits" : "");
        }
        if (limits != null) {
            line("ok", "limits readable", summary(limits));
        } else if (status == 403) {
            line("warn", "limits readable", "no (403): get_admin_limits will fail and get_forecast submits without "
                    + "checking for a free export slot; a Clari admin's token can read them");
        } else if (status != 0 && status != 401 && status != 404) {
            fail("limits readable", problem);
        }
        forecastId(config, client, status == 200 || status == 403);
    }

    /** Reports the proxy and CA bundle in use; the client for them, or null (after a FAIL) when the bundle is unusable. */
    private ClariClient network(ClariConfig config) {
        ClariConfig.Network n = config.network();
        if (n.proxy() != null) {
            String host = config.baseUrl().getHost();
            line("note", "proxy", "HTTPS_PROXY " + n.proxy().host() + ":" + n.proxy().port()
                    + (n.proxy().user() != null ? " with credentials" : "")
                    + (n.bypasses(host) ? "; not used for " + host + " (NO_PROXY)" : "; used for " + host));
        }
        try {
            ClariClient client = new ClariClient(config);
            if (n.caBundle() != null) line("ok", "CA bundle", "added to the default trust");
            return client;
        } catch (IllegalArgumentException e) {
            fail("CA bundle", e.getMessage());
            line("skip", "Clari", "not contacted until the CA bundle is fixed");
            return null;
        }
    }

    /** The token file can be read and holds a token; false (after a FAIL line) when not. */
    private boolean tokenFile(ClariClient client) {
        String problem = client.tokenProblem();
        if (problem != null) {
            fail("token file", problem);
            line("skip", "Clari", "not contacted until the token can be read");
            return false;
        }
        String warning = client.tokenWarning();
        String foreign = client.tokenOwnershipProblem();
        if (foreign != null) fail("token file", foreign + " (else whoever can write it chooses the token we send)");
        else if (warning != null) line("warn", "token file", warning);
        else line("ok", "token file", "readable, holds a token (re-read when it changes)");
        return true;
    }

    /**
     * These variables reach the JVM (JAVA_TOOL_OPTIONS and _JAVA_OPTIONS any JVM, JDK_JAVA_OPTIONS the java
     * launcher). We keep them (they are how enterprises set trust stores and proxies, and whoever sets them also
     * sets the token), except the HTTP and TLS debug switches, which would print the token (Main clears them).
     */
    private void jvmOptions(Map<String, String> env) {
        for (String v : new String[] {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}) {
            String o = env.getOrDefault(v, "");
            if (o.isBlank()) continue;
            if (Arrays.stream(Help.TOKEN_PRINTING_PROPERTIES).anyMatch(o::contains)) {
                line("warn", "JVM options", v + " turns on HTTP or TLS debug output, which would print the API token: "
                        + "the server ignores it; remove it");
            } else {
                line("note", "JVM options", v + " is set and reaches the JVM (e.g. a trust store or proxy)");
            }
        }
    }

    /**
     * Proves CLARI_FORECAST_ID with the synchronous read of its latest week [tap][gitlab]: no export, no quota.
     * Where that read is missing (404/405/501) only an export could prove it, so the first get_forecast does.
     */
    private void forecastId(ClariConfig config, ClariClient client, boolean reached) {
        String id = config.forecastId();
        if (id == null) {
            line("warn", "forecast id", "CLARI_FORECAST_ID is not set: every get_forecast call must pass forecast_id; "
                    + "set it to the forecast tab id in the Clari URL, e.g. net_arr");
            return;
        }
        if (!reached) {
            line("skip", "forecast id", "needs an answer from the Clari API first");
            return;
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("typesToExport", List.of("forecast"));
        query.put("exportFormat", List.of("JSON"));
        try {
            client.forecast(id, query);
            line("ok", "forecast id", "'" + id + "' answered GET /forecast (its latest week; no export, no quota spent)");
        } catch (ClariException e) {
            if (e.status() == 404 || e.status() == 405 || e.status() == 501) {
                line("note", "forecast id", "'" + id + "' is well-formed; Clari has no synchronous forecast read here (HTTP "
                        + e.status() + "), so the first get_forecast checks it with an export (to check now, spending one: "
                        + Help.NAME + " call get_forecast '{}')");
            } else {
                fail("forecast id", e.getMessage() + ("no_such_forecast_config".equals(e.code()) ? "; set CLARI_FORECAST_ID to it" : ""));
            }
        } catch (IllegalArgumentException e) {
            fail("forecast id", "CLARI_FORECAST_ID must be a forecast tab id like net_arr (letters, digits, _ . : -)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("forecast id", "interrupted");
        }
    }

    /** "export slots free 1 of 3; exports left this month 995 of 1000": read as get_admin_limits reads it. */
    private static String summary(Json limits) {
        ExportLimits l = ExportLimits.from(limits);
        return "export slots free " + ExportLimits.ofTotal(l.availableConcurrent(), l.concurrentLimit())
                + "; exports left this month " + ExportLimits.ofTotal(l.availableMonthly(), l.monthlyQuota());
    }

    private void fail(String what, String problem) {
        failures++;
        line("FAIL", what, problem);
    }

    private void line(String verdict, String what, String detail) {
        out.println(String.format("%-5s %s%s", verdict, what, detail == null || detail.isEmpty() ? "" : ": " + detail));
    }
}
