package clarimcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.sandbox.ClariSandbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line in process: --version, --help, usage errors, `call`, and `--check` passing and failing. */
@Timeout(30)
class CliTest {
    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {}

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.start(args, new ByteArrayInputStream(new byte[0]), out, new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Map<String, String> env(ClariSandbox sb, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CLARI_API_TOKEN", sb.token(), "CLARI_BASE_URL", sb.baseUrl().toString(),
                "CLARI_FORECAST_ID", "forecast", "CLARI_LOG_LEVEL", "warning"));
        for (int i = 0; i < extra.length; i += 2) {
            if (extra[i + 1] == null) env.remove(extra[i]);
            else env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    @Test
    void version_onStdout() {
        Run r = run(Map.of(), "--version");
        assertEquals(new Run(0, "clari-revops-mcp 0.1.0\n", ""), r);
    }

    @Test
    void help_namesEveryOptionAndEveryVariableTheSourceReads_oneLineEach() throws IOException {
        Run r = run(Map.of(), "--help");
        assertEquals(0, r.exit());
        for (String option : List.of("--help", "--version", "--check", "call TOOL", "--dry-run")) assertTrue(r.out().contains(option), option);
        for (String variable : variablesReadBySource()) {
            long lines = r.out().lines().filter(l -> List.of(l.strip().split("\\s{2,}")[0].split(", ")).contains(variable)).count();
            assertEquals(1, lines, variable + " must have exactly one line in --help:\n" + r.out());
        }
        assertTrue(r.out().lines().allMatch(l -> l.length() <= 130), "one short line each");
    }

    @Test
    void readme_documentsEveryVariableAndOption() throws IOException {
        String readme = Files.readString(root().resolve("README.md"), StandardCharsets.UTF_8);
        for (String variable : variablesReadBySource()) assertTrue(readme.contains("`" + variable + "`"), variable + " in README");
        for (String option : List.of("--help", "--version", "--check", "call", "--dry-run")) assertTrue(readme.contains(option), option + " in README");
    }

    /**
     * README's Claude Code command, parsed as `claude mcp add <name> <commandOrUrl> [args...]` parses it
     * (commander.js: --env and --header take several values, up to the next option; --scope and --transport
     * one; after -- only positionals). The name must come before --env, or --env swallows it. The real CLI
     * runs the command in `make clients` (test/clients.sh), which needs npm.
     */
    @Test
    void readme_claudeCodeCommand_givesNameAndCommand_asClaudeParsesIt() throws IOException {
        String readme = Files.readString(root().resolve("README.md"), StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("### Register with Claude Code"));
        String block = section.substring(section.indexOf("```sh\n") + 6, section.indexOf("\n```", section.indexOf("```sh")));
        List<String> words = List.of(block.replace("\\\n", " ").strip().split("\\s+"));
        assertEquals(List.of("claude", "mcp", "add"), words.subList(0, 3), block);
        ClaudeMcpAdd parsed = ClaudeMcpAdd.parse(words.subList(3, words.size()));
        assertEquals(List.of("clari", "/absolute/path/to/clari-revops-mcp-0.1.0/bin/clari-revops-mcp"), parsed.positionals(), block);
        assertEquals(List.of("CLARI_API_TOKEN=your-token", "CLARI_FORECAST_ID=net_arr"), parsed.env(), block);
        assertEquals("user", parsed.scope(), block);
        // The order README used to show: --env swallows the name, leaving no command (claude: "missing required argument").
        ClaudeMcpAdd old = ClaudeMcpAdd.parse(List.of("--scope", "user", "--env", "A=x", "--env", "B=y", "clari", "--", "/abs/bin/x"));
        assertEquals(List.of("/abs/bin/x"), old.positionals());
    }

    /** What `claude mcp add` reads from its arguments (only the options README uses or could use). */
    record ClaudeMcpAdd(List<String> positionals, List<String> env, String scope) {
        static ClaudeMcpAdd parse(List<String> args) {
            List<String> positionals = new java.util.ArrayList<>();
            List<String> env = new java.util.ArrayList<>();
            String scope = null;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--" -> {
                        positionals.addAll(args.subList(i + 1, args.size()));
                        i = args.size();
                    }
                    case "-e", "--env", "-H", "--header" -> { // variadic: every value up to the next option
                        while (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                            String v = args.get(++i);
                            if (a.equals("-e") || a.equals("--env")) env.add(v);
                        }
                    }
                    case "-s", "--scope", "-t", "--transport" -> {
                        String v = args.get(++i);
                        if (a.equals("-s") || a.equals("--scope")) scope = v;
                    }
                    default -> positionals.add(a);
                }
            }
            return new ClaudeMcpAdd(positionals, env, scope);
        }
    }

    @Test
    void badCommandLines_exitTwo_saySo_printNothingOnStdout() {
        for (String[] args : List.of(new String[] {"--bogus"}, new String[] {"--version", "x"}, new String[] {"call"},
                new String[] {"call", "a", "{}", "b"})) {
            Run r = run(Map.of(), args);
            assertEquals(2, r.exit(), String.join(" ", args));
            assertEquals("", r.out());
            assertTrue(r.err().contains("--help"), r.err());
        }
    }

    @Test
    void call_printsTheText_exitZero() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Run r = run(env(sb), "call", "get_admin_limits", "{}");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Clari export limits\nConcurrent export jobs free now: 3 of 3"), r.out());
            assertFalse(r.out().contains(sb.token()) || r.err().contains(sb.token()));
            Run defaultArgs = run(env(sb), "call", "get_admin_limits");
            assertEquals(r.out(), defaultArgs.out(), "arguments default to {}");
        }
    }

    @Test
    void call_toolError_exitOne_withTheErrorText() {
        Run r = run(Map.of("CLARI_LOG_LEVEL", "warning"), "call", "get_admin_limits", "{}");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("Server configuration problem: CLARI_API_TOKEN is not set"), r.out());
    }

    @Test
    void call_unknownToolOrBadJson_exitTwo() {
        Run unknown = run(Map.of(), "call", "get_everything", "{}");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("expected one of: get_forecast, get_pipeline_changes, get_deal_risk, get_admin_limits"), unknown.err());
        for (String bad : List.of("[]", "{\"a\":", "nope")) {
            Run r = run(Map.of(), "call", "get_admin_limits", bad);
            assertEquals(2, r.exit(), bad);
            assertTrue(r.err().contains("the arguments must be one JSON object"), r.err());
        }
    }

    @Test
    void call_isLogged_likeAServerCall() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Run r = run(env(sb, "CLARI_LOG_LEVEL", null), "call", "get_admin_limits", "{}");
            assertEquals(0, r.exit());
            assertTrue(r.err().matches("\\{\"ts\":\"[^\"]+\",\"level\":\"info\",\"event\":\"tool_call\",\"tool\":\"get_admin_limits\","
                    + "\"argsSha256\":\"[0-9a-f]{64}\",\"durationMs\":\\d+,\"httpRequests\":1,\"httpStatuses\":\\{\"200\":1},"
                    + "\"outcome\":\"ok\"}\n"), r.err());
        }
    }

    @Test
    void check_passes_againstTheSandbox() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Run r = run(env(sb), "--check");
            assertEquals(0, r.exit(), r.out());
            List<String> lines = r.out().lines().toList();
            assertEquals("ok    configuration: token set, base URL " + sb.baseUrl(), lines.get(0));
            assertEquals("ok    base URL reachable: " + sb.baseUrl() + " answered", lines.get(1));
            assertEquals("ok    token accepted", lines.get(2));
            assertEquals("ok    limits readable: export slots free 3 of 3; exports left this month 1000 of 1000", lines.get(3));
            assertEquals("ok    forecast id: 'forecast' answered GET /forecast (its latest week; no export, no quota spent)", lines.get(4));
            assertEquals("all checks passed", lines.getLast());
            assertEquals(List.of("/v4/admin/limits", "/v4/forecast/forecast"), sb.requests().stream().map(q -> q.path()).toList(),
                    "two cheap reads");
            assertTrue(sb.requests().stream().noneMatch(q -> q.method().equals("POST")), "no export, no quota spent");
            assertFalse(r.out().contains(sb.token()));
        }
    }

    @Test
    void check_wrongToken_failsWithTheFix() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            String canary = "canary-token-0c5e2d7b-never-shown";
            Run r = run(env(sb, "CLARI_API_TOKEN", canary), "--check");
            assertEquals(1, r.exit());
            assertTrue(r.out().contains("\nFAIL  token accepted: Clari rejected the API token (401): check CLARI_API_TOKEN"), r.out());
            assertTrue(r.out().endsWith("1 check(s) failed\n"), r.out());
            assertFalse(r.out().contains(canary) || r.err().contains(canary));
        }
    }

    @Test
    void check_jvmOptionsThatPrintHeaders_warn_othersAreNoted() {
        Run r = run(Map.of("JAVA_TOOL_OPTIONS", "-Djdk.httpclient.HttpClient.log=headers", "JDK_JAVA_OPTIONS",
                "-Djavax.net.ssl.trustStore=/etc/corp.jks"), "--check");
        assertTrue(r.out().startsWith("warn  JVM options: JAVA_TOOL_OPTIONS turns on HTTP or TLS debug output, which would "
                + "print the API token: the server ignores it; remove it\nnote  JVM options: JDK_JAVA_OPTIONS is set and reaches "
                + "the JVM"), r.out());
    }

    @Test
    void check_missingToken_failsAtConfiguration_contactsNothing() {
        Run r = run(Map.of(), "--check");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("FAIL  configuration: CLARI_API_TOKEN is not set: create a token in Clari"), r.out());
        assertTrue(r.out().contains("skip  Clari: not contacted until the configuration is fixed"), r.out());
    }

    @Test
    void check_wrongBasePath_failsReachability_withTheFix() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            String v3 = sb.baseUrl().toString().replace("/v4", "/v3");
            Run r = run(env(sb, "CLARI_BASE_URL", v3), "--check");
            assertEquals(1, r.exit());
            assertTrue(r.out().contains("FAIL  base URL reachable: admin limits not found (404): check CLARI_BASE_URL "
                    + "(it should end with the API version, e.g. /v4)"), r.out());
            assertTrue(r.out().contains("skip  token accepted"), r.out());
        }
    }

    @Test
    @Timeout(60)
    void check_unreachable_failsWithTheFix() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Run r = run(Map.of("CLARI_API_TOKEN", "t", "CLARI_BASE_URL", "http://127.0.0.1:" + port + "/v4"), "--check");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("FAIL  base URL reachable: cannot connect to 127.0.0.1:" + port + ": connection refused "
                + "(nothing listens on port " + port + "): check CLARI_BASE_URL and your network/proxy"), r.out());
    }

    @Test
    void check_serverError_failsReachability_skipsWhatNeedsAnAnswer() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            sb.knobs().limitsStatus(501); // a 5xx GET the client does not retry, so the check answers at once
            Run r = run(env(sb), "--check");
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("FAIL  base URL reachable: " + sb.baseUrl() + " answered HTTP 501: Clari or a proxy in front "
                    + "of it is unavailable; try again later"), r.out());
            assertTrue(r.out().contains("skip  token accepted: needs an answer from the Clari API first"), r.out());
            assertTrue(r.out().contains("FAIL  limits readable: "), r.out());
            assertTrue(r.out().contains("skip  forecast id: needs an answer from the Clari API first"), r.out());
            assertTrue(r.out().endsWith("2 check(s) failed\n"), r.out());
        }
    }

    @Test
    void check_limitsForbidden_isAWarningOnly() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            sb.knobs().limitsStatus(403);
            Run r = run(env(sb, "CLARI_FORECAST_ID", null), "--check");
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("ok    token accepted: authenticated, though not allowed to read the limits"), r.out());
            assertTrue(r.out().contains("warn  limits readable: no (403)"), r.out());
            assertTrue(r.out().contains("warn  forecast id: CLARI_FORECAST_ID is not set"), r.out());
        }
    }

    @Test
    void check_forecastId_unknownFails_aMissingSyncReadIsANote_noExportEither() throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Run bad = run(env(sb, "CLARI_FORECAST_ID", "no_such_tab"), "--check");
            assertEquals(1, bad.exit(), bad.out());
            assertTrue(bad.out().contains("FAIL  forecast id: Clari has no forecast 'no_such_tab' (HTTP 400 no_such_forecast_config): "
                    + "use the forecast tab id from the Clari URL (e.g. net_arr); set CLARI_FORECAST_ID to it\n"), bad.out());
            sb.knobs().syncStatus(405);
            Run note = run(env(sb), "--check");
            assertEquals(0, note.exit(), note.out());
            assertTrue(note.out().contains("note  forecast id: 'forecast' is well-formed; Clari has no synchronous forecast read here "
                    + "(HTTP 405)"), note.out());
            assertTrue(sb.requests().stream().noneMatch(q -> q.method().equals("POST")), "no export, no quota spent");
        }
    }

    @Test
    void check_tokenFile_readable_unreadable_tooOpen(@TempDir Path dir) throws Exception {
        try (ClariSandbox sb = ClariSandbox.start()) {
            Path file = dir.resolve("token");
            Files.writeString(file, sb.token());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Run ok = run(env(sb, "CLARI_API_TOKEN", null, "CLARI_API_TOKEN_FILE", file.toString()), "--check");
            assertEquals(0, ok.exit(), ok.out());
            assertTrue(ok.out().startsWith("ok    configuration: token file set, base URL " + sb.baseUrl()
                    + "\nok    token file: readable, holds a token (re-read when it changes)\n"), ok.out());
            assertTrue(ok.out().contains("ok    token accepted"), ok.out());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            Run open = run(env(sb, "CLARI_API_TOKEN", null, "CLARI_API_TOKEN_FILE", file.toString()), "--check");
            assertEquals(0, open.exit());
            assertTrue(open.out().contains("warn  token file: CLARI_API_TOKEN_FILE is readable by other users: restrict it (chmod 600)"), open.out());
            Run missing = run(env(sb, "CLARI_API_TOKEN", null, "CLARI_API_TOKEN_FILE", dir.resolve("none").toString()), "--check");
            assertEquals(1, missing.exit());
            assertTrue(missing.out().contains("FAIL  token file: cannot read CLARI_API_TOKEN_FILE (NoSuchFileException)"), missing.out());
            assertTrue(missing.out().contains("skip  Clari: not contacted until the token can be read"), missing.out());
            assertFalse(ok.out().contains(sb.token()) || open.out().contains(sb.token()));
        }
    }

    /** Every environment variable name quoted in src/ (CLARI_*, and the proxy variables once read). */
    static TreeSet<String> variablesReadBySource() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        Pattern quoted = Pattern.compile("\"(CLARI_[A-Z_]+|HTTPS_PROXY|https_proxy|NO_PROXY|no_proxy)\"");
        try (Stream<Path> files = Files.walk(root().resolve("src"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = quoted.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) names.add(m.group(1));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        assertTrue(names.contains("CLARI_API_TOKEN") && names.contains("CLARI_LOG_FILE"), names.toString());
        return names;
    }

    static Path root() {
        return Path.of(System.getProperty("clarimcp.resources", "test/resources")).toAbsolutePath().getParent().getParent();
    }
}
